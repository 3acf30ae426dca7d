// Softmax and LogSoftmax on oneDNN's softmax primitives, on plain layouts.
// Before opset 13 ONNX flattens the input to [outer, inner] at `axis` and
// normalizes whole rows; from 13 it normalizes along `axis` alone.
//
// Only along the innermost (contiguous) axis: oneDNN 2.6 walks any other
// axis with strided scalar loops, 370-520 ms on [1,64,250,250] at axis 1
// against 6-9 ms for the native kernel's column tiles (and 126 ms for ONNX
// Runtime); such nodes decline and run natively.
#include "core/parallel.h"
#include "engines/dnnl/op.h"
#include "engines/native/vec_kernels.h"

namespace skiff::dnnl_engine {

namespace {

// Softmax or LogSoftmax of rows of n contiguous floats with the native
// engine's vectorized kernel (vec_kernels.h): one code for every shape, for
// models with dynamic shapes (OpBuilder::own_kernels).
class SoftmaxStep final : public OwnStep {
 public:
  SoftmaxStep(int64_t rows, int64_t n, bool log) : rows_(rows), n_(n), log_(log) {}
  void run(void* const* data) const override {
    const float* x = static_cast<const float*>(data[0]);
    float* y = static_cast<float*>(data[1]);
    const VecKernels& vec = vec_kernels();
    const VecSoftmax kind = log_ ? VecSoftmax::kLogSoftmax : VecSoftmax::kSoftmax;
    // ~0.5 ns an element with the exp.
    parallel_for(rows_, n_ / 2 + 1, [&](int64_t begin, int64_t end) {
      float scratch[2];
      for (int64_t r = begin; r < end; ++r) vec.softmax(kind, x + r * n_, y + r * n_, n_, 1, 1, scratch);
    });
  }

 private:
  int64_t rows_, n_;
  bool log_;
};

class SoftmaxOp final : public DnnlOp {
 public:
  explicit SoftmaxOp(const OpInfo& info)
      : log_(info.node.op_type == "LogSoftmax"),
        coerced_(info.opset < 13),
        axis_(attr_int(info.node, "axis", info.opset < 13 ? 1 : -1)) {}

  bool build(OpBuilder& b) const override {
    const Shape& x = b.input_shape(0);
    const int64_t rank = static_cast<int64_t>(x.size());
    if (rank < 1 || axis_ < -rank || axis_ >= rank) return false;
    const int64_t axis = axis_ < 0 ? axis_ + rank : axis_;
    if (!coerced_ && axis != rank - 1) {
      int64_t inner = 1;
      for (int64_t d = axis + 1; d < rank; ++d) inner *= x[d];
      if (inner > 1) return false;
    }
    md data = plain_md(x);
    int softmax_axis = static_cast<int>(axis);
    if (coerced_) {
      int64_t outer = 1, inner = 1;
      for (int64_t d = 0; d < rank; ++d) (d < axis ? outer : inner) *= x[d];
      data = plain_md({outer, inner});
      softmax_axis = 1;
    }
    const Arg in = b.alias(b.input(0, plain_md(x)), data);
    const Arg out = b.alias(b.output(0, x, plain_md(x)), data);
    if (b.own_kernels()) {
      // Rows of n values, the normalized axis innermost (or the coerced 2-D form).
      int64_t rows = 1, n = 1;
      for (int64_t d = 0; d < rank; ++d) (d < axis ? rows : n) *= x[d];
      b.add_own(std::make_shared<SoftmaxStep>(rows, n, log_), {in, out},
                static_cast<double>(rows * n) * 0.5 + static_cast<double>(8 * rows * n) / 10);
      return true;
    }
    if (log_) {
      const dnnl::logsoftmax_forward::desc desc(dnnl::prop_kind::forward_inference, data, softmax_axis);
      const dnnl::logsoftmax_forward::primitive_desc pd(desc, b.attr(false), cpu_engine());
      b.add(dnnl::logsoftmax_forward(pd), pd, {{DNNL_ARG_SRC, in}, {DNNL_ARG_DST, out}});
    } else {
      const dnnl::softmax_forward::desc desc(dnnl::prop_kind::forward_inference, data, softmax_axis);
      const dnnl::softmax_forward::primitive_desc pd(desc, b.attr(false), cpu_engine());
      b.add(dnnl::softmax_forward(pd), pd, {{DNNL_ARG_SRC, in}, {DNNL_ARG_DST, out}});
    }
    return true;
  }

 private:
  bool log_, coerced_;
  int64_t axis_;
};

}  // namespace

// 13: normalizes along `axis` only (was: the flattened trailing axes).
SKIFF_DNNL_OP("", "Softmax", 1, 12, SoftmaxOp, accept_all);
SKIFF_DNNL_OP("", "Softmax", 13, kLatestOpset, SoftmaxOp, accept_all);
SKIFF_DNNL_OP("", "LogSoftmax", 1, 12, SoftmaxOp, accept_all);
SKIFF_DNNL_OP("", "LogSoftmax", 13, kLatestOpset, SoftmaxOp, accept_all);

}  // namespace skiff::dnnl_engine
