// How one ONNX op becomes oneDNN primitives inside a region.
//
// A DnnlOp is created once per node when its region compiles (attributes
// parsed). For every input-shape signature the region calls build(), which
// looks at the input shapes and the layouts the inputs have at that point,
// creates primitive descriptors (format_tag::any where oneDNN may choose a
// blocked layout) and adds steps through the OpBuilder. build() returns false
// when oneDNN cannot do this case exactly (a shape, a mode); the node then
// runs on its native kernel, on plain layouts, and the region goes on.
//
// Registration, beside the implementation (also registers a single-node
// "dnnl" kernel so that the op-test harness can run the op alone):
//
//   SKIFF_DNNL_OP("", "Conv", 1, kLatestOpset, ConvOp, ConvOp::accepts);
#pragma once

#include <memory>
#include <string_view>
#include <utility>
#include <vector>

#include "engines/dnnl/common.h"
#include "engines/kernel.h"

namespace skiff::dnnl_engine {

// A buffer a step reads or writes, as an index into the signature's buffers.
using Arg = int;

// A step of skiff's own code in place of a oneDNN primitive. Its code is
// compiled once and shared by every signature: a oneDNN 2.6 primitive is
// code generated for one shape, which a call after other shapes finds cold
// in the caches (~5-15 us a primitive, docs/performance.md "What a change
// of width costs"), and which takes ~0.1-0.3 ms to generate at a new shape.
class OwnStep {
 public:
  virtual ~OwnStep() = default;
  // data[k]: the memory of the k-th argument the step was added with.
  // Runs on the calling thread's OpenMP team (parallel_for).
  virtual void run(void* const* data) const = 0;
};

// The builder's rough time for a step: 50 GFLOP/s for its multiply-adds
// (2 flops each), 10 GB/s for the bytes it touches; it decides which steps
// are too small to share threads.
inline double estimate_work_ns(double multiply_adds, double bytes) { return 2 * multiply_adds / 50 + bytes / 10; }

class OpBuilder {
 public:
  virtual ~OpBuilder() = default;
  virtual const ir::Node& node() const = 0;
  virtual int64_t opset() const = 0;
  virtual bool has_input(size_t i) const = 0;
  virtual const Shape& input_shape(size_t i) const = 0;
  // The value of input i when it is a weight of the region, else nullptr.
  virtual const Tensor* constant(size_t i) const = 0;
  // The layout input i has now (plain for region inputs and weights).
  virtual md input_md(size_t i) const = 0;
  // Input i in layout `desc`: reordered once at build for weights (shared by
  // every signature), by a step before this op's primitive otherwise.
  virtual Arg input(size_t i, const md& desc) = 0;
  // Input i, whose plain data is read as `source` (other dims of the same
  // element count, or a permuted layout such as ConvTranspose's iohw
  // weights), delivered in layout `desc`. The input must be plain now.
  virtual Arg input_as(size_t i, const md& source, const md& desc) = 0;
  // Data the op prepared from its weights at creation (LSTM gates in
  // oneDNN's order), read as `source` and delivered in `desc`; reordered
  // once and shared like weights. `slot` tells the op's tensors apart.
  virtual Arg packed(size_t slot, const Tensor& data, const md& source, const md& desc) = 0;
  // Declares output i (logical `shape`, layout `desc`) and returns the buffer
  // to write. When the node's activation chain is fused, this is the chain's
  // last value.
  virtual Arg output(size_t i, const Shape& shape, const md& desc) = 0;
  // The buffer of `view` seen through another descriptor of the same size
  // (a 4-D plain tensor as the 2-D matrix a primitive wants).
  virtual Arg alias(Arg view, const md& desc) = 0;
  // Output 0 starts as the value of `input` (same shape), which the
  // primitive accumulates into with a sum post-op placed before the others
  // (FusedConv's residual Z); call before post_ops_fit, attr and output.
  // False when the input is a constant.
  virtual bool accumulate_into_output(size_t input) = 0;
  // True when output 0 starts as a residual the primitive accumulates into
  // (accumulate_into_output, or a residual Add in the fused chain): the
  // primitive must then write the output buffer itself.
  virtual bool output_accumulates() const = 0;
  // A buffer of `desc` alive only during this op's steps.
  virtual Arg temporary(const md& desc) = 0;
  // Attributes for the primitive: user scratchpad, plus post-ops when
  // `with_post_ops` (ops that take them: conv, matmul, gemm): the op's own
  // activation `own` (com.skiff fused ops), then the region's fused chain.
  virtual dnnl::primitive_attr attr(bool with_post_ops, const EltwiseChain& own = {}) = 0;
  // The primitive writes `times` copies of the node's output channels side
  // by side (channel t * C + c of its output is channel c of the node's),
  // which a later step rearranges: per-channel post-op operands are tiled
  // to match, and post_ops_fit refuses operands that vary along other dims
  // (and a residual sum). Call before post_ops_fit and attr.
  virtual void tile_post_op_channels(int64_t times) = 0;
  // False when the fused chain cannot be applied to an output of `shape`
  // (the region then builds the chain's nodes one by one), or has binary
  // post-ops and the primitive has no fast path for them (`binary_ok`).
  virtual bool post_ops_fit(const Shape& shape, bool binary_ok = true) const = 0;
  // Output shapes as the node's native kernel declares them (its prepare,
  // run on stand-ins of the input shapes and the real constants); false when
  // it rejects them. For ops whose shape rules are intricate (Resize).
  virtual bool native_output_shapes(std::vector<Shape>* shapes) = 0;
  // Whether to use own steps (add_own) where they are as fast as oneDNN:
  // the model has dynamic input shapes (EngineOptions::dynamic_shapes), the
  // CPU has AVX-512F (avx512_kernels()) and the step is built to run on one
  // thread (RegionKernel::own_kernels).
  virtual bool own_kernels() const = 0;
  virtual void add(const dnnl::primitive& primitive, const dnnl::primitive_desc_base& pd,
                   std::vector<std::pair<int, Arg>> args) = 0;
  // An own step in place of a primitive built with attr(): `args` in the
  // order step.run() reads them, the destination last, then the operands of
  // the attr's binary post-ops in post-op order. `work_ns` estimates its time
  // (estimate_work_ns), which decides whether the node runs on one thread.
  virtual void add_own(std::shared_ptr<const OwnStep> step, std::vector<Arg> args, double work_ns) = 0;
};

class DnnlOp {
 public:
  virtual ~DnnlOp() = default;
  virtual bool build(OpBuilder& b) const = 0;
  // Ops whose primitive can apply post-ops (the chain of activations and a
  // residual Add that follows them in the region).
  virtual bool takes_post_ops() const { return false; }
  // The op as post-op steps, for activations that can be fused into the
  // producer; false when it cannot.
  virtual bool as_post_ops(EltwiseChain* chain) const { (void)chain; return false; }
};

struct OpInfo {
  const ir::Node& node;
  int64_t opset;
  const ir::Graph& body;  // constants of the region: body.initializers
};

struct DnnlOpDef {
  std::string_view domain;
  std::string_view op;
  int since, until;
  // Static check (attributes, constant inputs) before a node is claimed.
  bool (*accepts)(const OpInfo& info);
  std::unique_ptr<DnnlOp> (*create)(const OpInfo& info);
};

class DnnlOpRegistry {
 public:
  static DnnlOpRegistry& global();
  bool add(const DnnlOpDef& def);
  const DnnlOpDef* find(std::string_view domain, std::string_view op, int64_t opset) const;

 private:
  std::vector<DnnlOpDef> defs_;
};

// The single-node kernel behind SKIFF_DNNL_OP's registry entry.
std::unique_ptr<Kernel> single_node_kernel(const KernelInfo& info);

// Accepts every node (for ops whose every attribute oneDNN handles).
inline bool accept_all(const OpInfo&) { return true; }

}  // namespace skiff::dnnl_engine

#define SKIFF_DNNL_OP(domain, op, since, until, Class, accepts_fn)                                \
  static const bool SKIFF_CONCAT(skiff_dnnl_op_registered_, __LINE__) =                          \
      ::skiff::dnnl_engine::DnnlOpRegistry::global().add(::skiff::dnnl_engine::DnnlOpDef{         \
          domain, op, since, until, accepts_fn,                                                   \
          [](const ::skiff::dnnl_engine::OpInfo& info)                                           \
              -> std::unique_ptr<::skiff::dnnl_engine::DnnlOp> {                                  \
            return std::make_unique<Class>(info);                                                 \
          }}) &&                                                                                  \
      ::skiff::KernelRegistry::global().add(::skiff::KernelDef{                                   \
          "dnnl", domain, op, since, until, &::skiff::dnnl_engine::single_node_kernel}) &&         \
      /* The engine claims float nodes only (DnnlEngine::supports); others stay native. */       \
      ::skiff::KernelRegistry::global().add_types(::skiff::KernelTypes{"dnnl", domain, op, since, "T: float"})
