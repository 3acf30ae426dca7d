// The kernel of a DnnlRegion node: a connected group of ONNX nodes run with
// oneDNN primitives, blocked layouts flowing between them, plain layouts
// only at the region's inputs and outputs.
//
// Lifecycle: created once (ops parsed, activation chains chosen for post-op
// fusion, native kernels kept as fallbacks); per input-shape signature an
// Exec is built (primitives, reorders, weights reordered to the layouts the
// primitives chose, an arena plan) and kept in a bounded LRU cache; compute
// runs the Exec's steps on per-call memory.
#pragma once

#include <list>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <tuple>
#include <unordered_map>
#include <vector>

#include "engines/dnnl/op.h"
#include "engines/engine.h"

namespace skiff::dnnl_engine {

// Where a buffer's memory comes from at run time.
struct Buffer {
  enum class Kind { kArena, kInput, kOutput, kWeight };
  Kind kind = Kind::kArena;
  int index = 0;        // region input/output index
  size_t bytes = 0;
  size_t offset = 0;    // in the arena
  int first = -1, last = -1;  // steps that use it (arena liveness)
  std::shared_ptr<void> weight;  // kWeight: reordered (or original) data
};

// A buffer seen through one memory descriptor (what a primitive argument is).
struct View {
  md desc;
  int buffer;
};

// A node run by its native kernel inside the region (oneDNN could not do
// its case exactly): plain inputs and outputs.
struct NativeCall {
  size_t node;                       // index in the body
  std::vector<int> inputs;           // view per input, -1: constant or absent
  std::vector<Shape> input_shapes;
  std::vector<int> outputs;          // view per output, -1: unused
};

// One post-op of a fused chain and the nodes it stands for.
struct ChainItem {
  enum class Kind { kEltwise, kSum, kBinary };
  Kind kind = Kind::kEltwise;
  std::vector<size_t> nodes;     // body nodes it replaces, in order
  std::string input;             // the value entering the item
  std::string output;            // the value it produces
  EltwiseChain eltwise;          // kEltwise
  std::string operand;           // kSum: the residual; kBinary: the constant
  dnnl::algorithm algorithm{};   // kBinary
  Tensor channels;               // kBinary with a per-channel vector made at compile (BatchNormalization)
  size_t slot = 0;               // its weight-cache slot
};

struct Step {
  dnnl::primitive primitive;
  std::vector<std::pair<int, int>> args;  // DNNL_ARG_* -> view
  int native = -1;                        // index in Exec::natives, or -1
  int threads = 0;                        // 1: built and run on one thread (small work)
  // Code of skiff's own instead of `primitive` (then empty): run() gets the
  // memory of args' views in order (their DNNL_ARG_* keys unused).
  std::shared_ptr<const OwnStep> own;
};

// The dnnl::memory objects of one Exec's views, as one thread last used
// them (see RegionKernel::compute).
struct KeptViews {
  std::vector<dnnl::memory> memories;
  std::vector<void*> handles;
  std::vector<bool> padded;         // an arena view with padding in its layout
  const void* arena = nullptr;      // the thread arena they last pointed into...
  uint64_t arena_use = 0;           // ...and that arena's use count then
};

// Everything one input-shape signature needs; immutable once built (but
// for the pool of kept memory objects, which threads take and give back).
struct Exec {
  std::vector<Buffer> buffers;
  std::vector<View> views;
  std::vector<Step> steps;
  std::vector<NativeCall> natives;
  std::vector<Shape> output_shapes;
  size_t arena_bytes = 0;
  int fused_chains = 0, native_nodes = 0;  // for debug logs and tests
  mutable std::mutex kept_mutex;
  mutable std::vector<std::unique_ptr<KeptViews>> kept;  // idle sets, at most one per thread that ran it at once
};

class RegionKernel final : public Kernel {
 public:
  RegionKernel(const Region& region, const EngineOptions& options);
  void compute(KernelContext& ctx) const override;

  // Body node `index`, its opset, op and native kernel (for the builder).
  const ir::Graph& body() const { return body_; }
  const ir::Node& node(size_t index) const { return body_.nodes[index]; }
  int64_t opset(size_t index) const { return opsets_[index]; }
  const DnnlOp* op(size_t index) const { return ops_[index].get(); }
  const Kernel* native(size_t index) const { return natives_[index].get(); }
  const std::vector<size_t>& order() const { return order_; }
  // Post-ops fused after node `index`: activations (HardSwish also in its
  // x * Clip(x + 3, 0, 6) / 6 spelling), element-wise arithmetic with a
  // constant, one residual Add.
  const std::vector<ChainItem>& chain(size_t index) const { return chains_[index]; }
  // Position in order() of the last node reading `value` (-1: none).
  int last_reader(const std::string& value) const;
  int position(size_t index) const { return position_[index]; }
  const std::string& name() const { return name_; }
  // Whether the step being built may be an own step (OpBuilder::own_kernels):
  // EngineOptions::dynamic_shapes on an AVX-512 CPU, for a step built to
  // run on one thread (a one-thread signature, or a step too small to share).
  // On two threads of this VM they lost to oneDNN's: the recognizer at width
  // 320 took 6.7 ms instead of 5.5 (docs/kernels.md).
  bool own_kernels() const;

  // Weights reordered to `desc`, shared by every signature and thread.
  // `source` describes the weight's plain data (its dims may differ from the
  // initializer's, with the same element count).
  std::shared_ptr<void> weight(size_t node, size_t input, const md& source, const md& desc) const;
  // The same for a tensor the op owns, cached under (node, slot).
  std::shared_ptr<void> weight(size_t node, size_t slot, const Tensor& data, const md& source, const md& desc) const;
  // The plain data of initializer `name`, for code that reads its values
  // (native fallbacks, shape stand-ins). body().initializer() gives its dtype
  // and shape only: a weight's plain copy is freed once it is reordered, and
  // rebuilt here (exactly, by the inverse reorder) when something needs it.
  Tensor constant(const std::string& name) const;

 private:
  std::shared_ptr<const Exec> exec_for(const std::vector<const Tensor*>& inputs) const;
  void run_native(KernelContext& ctx) const;
  void choose_chains();
  template <class Readers, class Sole>
  bool match_hardswish(const std::string& x, Readers& readers, Sole sole_reader, ChainItem* item) const;
  template <class Sole>
  bool match_batch_norm(const std::string& x, Sole sole_reader, std::vector<ChainItem>* chain) const;
  template <class Sole>
  bool match_single(const std::string& x, Sole sole_reader, bool has_sum, ChainItem* item) const;

  std::string name_;
  ir::Graph body_;
  std::vector<int64_t> opsets_;
  std::vector<std::unique_ptr<DnnlOp>> ops_;
  std::vector<std::unique_ptr<Kernel>> natives_;
  std::vector<size_t> order_;
  std::vector<int> position_;
  std::vector<std::vector<ChainItem>> chains_;
  std::unordered_map<std::string, int> last_reader_;
  size_t capacity_;
  bool own_kernels_;

  // LRU of signatures: most recent at the front.
  mutable std::mutex cache_mutex_;
  mutable std::list<std::pair<std::string, std::shared_ptr<const Exec>>> lru_;
  mutable std::unordered_map<std::string, decltype(lru_)::iterator> cache_;
  // Weight ownership. A float initializer of rank >= 2 (a weight) is held
  // by plain_, and body_ keeps a non-owning view of it for its dtype and
  // shape. When weight() reorders it into another layout, the plain copy is
  // dropped and released_ keeps the reordered version to rebuild it from:
  // ResNet-50 then holds its weights once (102 MB) instead of twice. Every
  // read of an initializer's values goes through constant().
  struct Released {
    md source, desc;
    std::shared_ptr<void> data;
  };
  Tensor constant_locked(const std::string& name) const;
  mutable std::mutex weight_mutex_;
  mutable std::map<std::pair<size_t, size_t>, std::vector<std::tuple<md, md, std::shared_ptr<void>>>> weights_;
  mutable std::unordered_map<std::string, Tensor> plain_;
  mutable std::unordered_map<std::string, Released> released_;
};

// Builds the Exec of one signature (build.cc).
std::shared_ptr<const Exec> build_exec(const RegionKernel& region, const std::vector<Shape>& input_shapes);

}  // namespace skiff::dnnl_engine
