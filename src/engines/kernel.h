// The kernel interface every engine implements, and the registry that finds a
// kernel for a node.
//
// Lifecycle (see DESIGN.md): a kernel object is *created* once per node when a
// plan is compiled (parse and validate attributes, pack constant weights);
// *prepare* runs when input shapes are known (check them, declare output
// dtypes and shapes, choose algorithms); *compute* does the work on buffers
// the executor provides. Kernel objects are immutable after creation, and
// prepare/compute are const, so one compiled plan serves many threads.
//
// Adding an op touches only its own file:
//
//   class ReluKernel final : public Kernel { ... };
//   SKIFF_KERNEL(native, "Relu", 6, 13, ReluKernel);  // 14: bfloat16
//   SKIFF_KERNEL_TYPES(native, "Relu", 6, "floats");
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"
#include "core/tensor.h"
#include "core/value.h"
#include "ir/graph.h"

namespace skiff {

class SubgraphRunner;

// Where a run's output tensors come from (the executor's memory plan); the
// default is the heap.
class OutputAllocator {
 public:
  virtual ~OutputAllocator() = default;
  virtual Tensor allocate(size_t output_index, DataType dtype, Shape shape) = 0;
  // A kernel is about to use `bytes` of working memory of its own for the
  // rest of this step (a oneDNN region's arena): the executor counts it
  // against the run's memory limit and throws kRuntime when it does not fit.
  virtual void scratch(size_t bytes) { (void)bytes; }
};

// What a kernel sees when it is created: the node, its opset and constants.
class KernelInfo {
 public:
  KernelInfo(const ir::Node& node, int64_t opset, const ir::Graph& graph,
             std::function<std::shared_ptr<SubgraphRunner>(const ir::Graph&)> compile_subgraph);

  const ir::Node& node() const { return node_; }
  int64_t opset() const { return opset_; }
  size_t num_inputs() const { return node_.inputs.size(); }
  size_t num_outputs() const { return node_.outputs.size(); }
  bool has_input(size_t i) const { return node_.has_input(i); }
  bool has_output(size_t i) const { return node_.has_output(i); }
  // The value of input i when it is an initializer (constant weights), else
  // nullptr. Use it to pack weights at creation; compute must still read the
  // input it is given.
  const Tensor* constant_input(size_t i) const;
  // Declared type of input/output i when the model states it.
  const ir::TypeInfo* input_type(size_t i) const;

  bool has_attr(const std::string& name) const { return node_.attr(name) != nullptr; }
  int64_t attr_int(const std::string& name, int64_t fallback) const;
  int64_t attr_int(const std::string& name) const;  // required
  float attr_float(const std::string& name, float fallback) const;
  float attr_float(const std::string& name) const;
  std::string attr_string(const std::string& name, const std::string& fallback) const;
  std::string attr_string(const std::string& name) const;
  std::vector<int64_t> attr_ints(const std::string& name, std::vector<int64_t> fallback = {}) const;
  std::vector<float> attr_floats(const std::string& name, std::vector<float> fallback = {}) const;
  std::vector<std::string> attr_strings(const std::string& name,
                                        std::vector<std::string> fallback = {}) const;
  const Tensor* attr_tensor(const std::string& name) const;  // nullptr when absent
  const ir::Graph* attr_graph(const std::string& name) const;
  // Compiles a graph attribute into something compute can run (If, Loop, Scan).
  std::shared_ptr<SubgraphRunner> compile_subgraph(const std::string& attr_name) const;

  // Throws kInvalidModel: "Conv node 'c1' (opset 11): <message>".
  template <class... Args>
  [[noreturn]] void fail(Args&&... args) const {
    skiff::fail(ErrorCode::kInvalidModel, prefix(), str_cat(std::forward<Args>(args)...));
  }
  template <class... Args>
  [[noreturn]] void unsupported(Args&&... args) const {
    skiff::fail(ErrorCode::kUnsupported, prefix(), str_cat(std::forward<Args>(args)...));
  }
  std::string prefix() const;

 private:
  const ir::Attribute* typed_attr(const std::string& name, ir::Attribute::Type type) const;

  const ir::Node& node_;
  int64_t opset_;
  const ir::Graph& graph_;
  std::function<std::shared_ptr<SubgraphRunner>(const ir::Graph&)> compile_subgraph_;
};

// Per-call view of one node's inputs and outputs.
class KernelContext {
 public:
  KernelContext(const ir::Node& node, int64_t opset, std::vector<const Value*> inputs,
                std::vector<Value>* outputs, std::vector<const Value*> captured,
                OutputAllocator* allocator = nullptr);

  size_t num_inputs() const { return inputs_.size(); }
  size_t num_outputs() const { return outputs_->size(); }
  // False when the optional input was omitted ("" in the model) or past the end.
  bool has_input(size_t i) const { return i < inputs_.size() && inputs_[i] != nullptr; }
  // The tensor at input i; throws a clear error when it is absent or not a tensor.
  const Tensor& input(size_t i) const;
  const Value& input_value(size_t i) const;
  // False when the graph does not use output i (may skip computing it).
  bool output_wanted(size_t i) const { return i < wanted_.size() && wanted_[i]; }

  // prepare: declare output i; the executor allocates it before compute.
  void set_output(size_t i, DataType dtype, Shape shape);
  // compute: the tensor declared in prepare.
  Tensor& output(size_t i);
  // compute: allocate output i now (for shapes only known while computing).
  Tensor& allocate_output(size_t i, DataType dtype, Shape shape);
  // compute: `bytes` of the kernel's own working memory for this step, to be
  // counted against the run's memory limit (throws kRuntime past it). Call
  // before allocating it, outside any parallel region.
  void reserve_scratch(size_t bytes) {
    if (allocator_) allocator_->scratch(bytes);
  }
  // Forwards an input tensor (or any tensor) as output i without copying, for
  // Reshape, Identity, Squeeze and friends.
  void set_output_tensor(size_t i, Tensor tensor);
  void set_output_value(size_t i, Value value);
  // Values captured from enclosing scopes, in SubgraphRunner's order.
  const std::vector<const Value*>& captured() const { return captured_; }

  const ir::Node& node() const { return node_; }
  int64_t opset() const { return opset_; }
  // Throws kInvalidInput with the node prefix: the caller's data does not fit.
  template <class... Args>
  [[noreturn]] void fail(Args&&... args) const {
    skiff::fail(ErrorCode::kInvalidInput, prefix(), str_cat(std::forward<Args>(args)...));
  }
  // Throws kRuntime: e.g. an index tensor holds an out-of-range index.
  template <class... Args>
  [[noreturn]] void fail_runtime(Args&&... args) const {
    skiff::fail(ErrorCode::kRuntime, prefix(), str_cat(std::forward<Args>(args)...));
  }
  template <class... Args>
  [[noreturn]] void unsupported(Args&&... args) const {
    skiff::fail(ErrorCode::kUnsupported, prefix(), str_cat(std::forward<Args>(args)...));
  }
  std::string prefix() const;
  // "<node> (opset N): input i ('name', float[1,3])" built only when called:
  // the `what` of a dispatch() on the hot path.
  auto describe_input(size_t i) const {
    return [this, i] { return prefix() + input_label(i); };
  }
  std::string input_label(size_t i) const;  // "input 1 ('W', float[8,3,3,3])"

  // Executor use: outputs declared in prepare, allocated before compute.
  void allocate_declared_outputs();

 private:
  const ir::Node& node_;
  int64_t opset_;
  std::vector<const Value*> inputs_;
  std::vector<Value>* outputs_;
  std::vector<const Value*> captured_;
  OutputAllocator* allocator_;
  std::vector<bool> wanted_;
  std::vector<DataType> declared_dtype_;
  std::vector<Shape> declared_shape_;

  void check_output_shape(size_t i, const Shape& shape) const;
};

class Kernel {
 public:
  virtual ~Kernel() = default;
  // Input shapes are known: validate them and declare outputs with
  // ctx.set_output. May read small inputs (shapes, axes). Allocates nothing.
  virtual void prepare(KernelContext& ctx) const { (void)ctx; }
  // Fills the outputs declared in prepare (or allocates them itself).
  virtual void compute(KernelContext& ctx) const = 0;
  // In-place capability: true when compute stays correct if output `output`
  // is written into the buffer of input `input` (each output element then
  // overwrites the input element at the same index after it was read; the
  // kernel's other inputs are distinct buffers). The executor reuses the
  // buffer only when the input has the output's dtype and element count and
  // nothing else can see it (see runtime/plan.h). Element-wise kernels say yes.
  virtual bool in_place(size_t output, size_t input) const {
    (void)output;
    (void)input;
    return false;
  }
};

// Runs a compiled subgraph (for If, Loop, Scan kernels).
class SubgraphRunner {
 public:
  virtual ~SubgraphRunner() = default;
  virtual const std::vector<std::string>& input_names() const = 0;
  virtual const std::vector<std::string>& output_names() const = 0;
  // Names the subgraph captures from enclosing scopes; the executor passes
  // their values to the owning node as KernelContext::captured(), same order.
  virtual const std::vector<std::string>& captured_names() const = 0;
  virtual std::vector<Value> run(const std::vector<Value>& inputs,
                                 const std::vector<const Value*>& captured) const = 0;
};

using KernelFactory = std::unique_ptr<Kernel> (*)(const KernelInfo&);

struct KernelDef {
  std::string_view engine;  // "native", "dnnl"
  std::string_view domain;  // "" for ai.onnx
  std::string_view op;
  int since;                // first opset this kernel implements
  int until;                // last opset (inclusive)
  KernelFactory factory;
};

// The element types one registration accepts, declared beside it with
// SKIFF_KERNEL_TYPES (docs/operators.md prints them; `skiff operators --check`
// fails for a registration without them). `types` lists the ONNX type
// constraints the kernel's dispatch actually handles:
//   "T: floats; Tind: int32, int64"   (the constraint name may be left out
//                                      when the op has one)
// Each item is a dtype_name ("float", "int64", "string"), a group named after
// core/dispatch.h's lists ("floats" = kFloatTypes, "ints", "signed",
// "numeric", "pod", "all"), "any" (any value, passed through: Identity, If),
// or seq(items) / optional(items). Inputs with no ONNX type constraint are
// named by input name ("axes: int32, int64").
struct KernelTypes {
  std::string_view engine;
  std::string_view domain;
  std::string_view op;
  int since;  // the registration's first opset
  std::string_view types;
};

class KernelRegistry {
 public:
  static KernelRegistry& global();
  bool add(const KernelDef& def);
  // The kernel for (domain, op) at `opset` in `engine`, or nullptr.
  const KernelDef* find(std::string_view engine, std::string_view domain, std::string_view op,
                        int64_t opset) const;
  // Any engine.
  const KernelDef* find(std::string_view domain, std::string_view op, int64_t opset) const;
  const std::vector<KernelDef>& all() const { return defs_; }

  bool add_types(const KernelTypes& types);
  // The types declared for `def`, or nullptr when none were.
  const KernelTypes* types(const KernelDef& def) const;
  const std::vector<KernelTypes>& all_types() const { return types_; }

 private:
  std::vector<KernelDef> defs_;
  std::vector<KernelTypes> types_;
};

// Latest opset a kernel can claim without knowing later changes.
inline constexpr int kLatestOpset = 21;

}  // namespace skiff

#define SKIFF_CONCAT_INNER(a, b) a##b
#define SKIFF_CONCAT(a, b) SKIFF_CONCAT_INNER(a, b)

// Registers `Class` (constructible from const KernelInfo&) for `op` in the
// ONNX domain at opsets [since, until].
#define SKIFF_KERNEL(engine, op, since, until, Class) \
  SKIFF_KERNEL_DOMAIN(engine, "", op, since, until, Class)

#define SKIFF_KERNEL_DOMAIN(engine, domain, op, since, until, Class)                      \
  static const bool SKIFF_CONCAT(skiff_kernel_registered_, __LINE__) =                    \
      ::skiff::KernelRegistry::global().add(::skiff::KernelDef{                           \
          #engine, domain, op, since, until,                                              \
          [](const ::skiff::KernelInfo& info) -> std::unique_ptr<::skiff::Kernel> {       \
            return std::make_unique<Class>(info);                                         \
          }})

// Declares the dtypes of the registration (engine, op, since): one line beside
// its SKIFF_KERNEL line. See KernelTypes for the syntax.
#define SKIFF_KERNEL_TYPES(engine, op, since, types) \
  SKIFF_KERNEL_DOMAIN_TYPES(engine, "", op, since, types)

#define SKIFF_KERNEL_DOMAIN_TYPES(engine, domain, op, since, types)     \
  static const bool SKIFF_CONCAT(skiff_kernel_types_, __LINE__) =       \
      ::skiff::KernelRegistry::global().add_types(::skiff::KernelTypes{ \
          #engine, domain, op, since, types})
