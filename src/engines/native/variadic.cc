// Variadic element-wise reductions over inputs: Max, Min, Sum, Mean.
// Inputs broadcast like numpy from opset 8; before, they must share a shape.
// Float folds go to vec_kernels(): Max/Min to ::extremum, Sum/Mean to
// ::binary's Add (and Mean's division by the count to its Div).
#include <type_traits>
#include <vector>

#include "engines/native/broadcast.h"
#include "engines/native/elementwise.h"
#include "engines/native/vec_kernels.h"

namespace skiff {
namespace {

// NaN wins, as in numpy.maximum / numpy.minimum.
template <bool kMax>
struct ExtremumOp {
  using Types = decltype(kNumericTypes);  // integer types since opset 12
  static constexpr bool kMean = false;
  template <class T>
  T operator()(T a, T b) const {
    const compute_t<T> u = a, v = b;
    if (u != u) return a;
    if (v != v) return b;
    return (kMax ? u < v : v < u) ? b : a;
  }
  static void vec_fold(const VecKernels& vec, const float* a, int64_t step_a, const float* b,
                       int64_t step_b, float* y, int64_t n) {
    vec.extremum(kMax ? VecExtremum::kMax : VecExtremum::kMin, a, step_a, b, step_b, y, n);
  }
};
using MaxOp = ExtremumOp<true>;
using MinOp = ExtremumOp<false>;

struct SumOp {
  using Types = decltype(kFloatTypes);
  static constexpr bool kMean = false;
  template <class T>
  T operator()(T a, T b) const {
    return static_cast<T>(static_cast<compute_t<T>>(a) + static_cast<compute_t<T>>(b));
  }
  static void vec_fold(const VecKernels& vec, const float* a, int64_t step_a, const float* b,
                       int64_t step_b, float* y, int64_t n) {
    vec.binary(VecBinary::kAdd, a, step_a, b, step_b, y, n);
  }
};

struct MeanOp : SumOp {
  static constexpr bool kMean = true;  // the sum is divided by the input count
};

// out = a op b over a two-input plan: floats through Op::vec_fold.
template <class Op, class T>
void fold_inputs(const BroadcastPlan& plan, const T* a, const T* b, T* out) {
  if constexpr (std::is_same_v<T, float>) {
    const int64_t step_a = plan.inner_step(0), step_b = plan.inner_step(1);
    const VecKernels& vec = vec_kernels();
    vec_parallel_for(plan.numel(), kVecCheapBlockCost, [&](int64_t begin, int64_t end) {
      plan.for_each_run(begin, end, [&](int64_t o, const int64_t* in, int64_t len) {
        Op::vec_fold(vec, a + in[0], step_a, b + in[1], step_b, out + o, len);
      });
    });
  } else {
    broadcast_binary(plan, a, b, out, Op());
  }
}

// Mean's out[i] /= count.
template <class T>
void divide_by_count(T* out, int64_t n, size_t count) {
  if constexpr (std::is_same_v<T, float>) {
    const float c = static_cast<float>(count);
    vec_parallel_for(n, kVecCheapBlockCost, [&](int64_t begin, int64_t end) {
      vec_kernels().binary(VecBinary::kDiv, out + begin, 1, &c, 0, out + begin, end - begin);
    });
  } else {
    const compute_t<T> c = static_cast<compute_t<T>>(count);
    map_elements(out, out, n,
                 [c](T v) { return static_cast<T>(static_cast<compute_t<T>>(v) / c); });
  }
}

template <class Op>
class VariadicKernel final : public Kernel {
 public:
  explicit VariadicKernel(const KernelInfo& info) {}

  void prepare(KernelContext& ctx) const override {
    if (ctx.num_inputs() == 0) ctx.fail("needs at least one input");
    const Tensor& first = ctx.input(0);
    if (!dtype_in(typename Op::Types{}, first.dtype()))
      ctx.unsupported(ctx.input_label(0), " has unsupported type ", dtype_name(first.dtype()));
    std::vector<size_t> all;
    for (size_t i = 0; i < ctx.num_inputs(); ++i) {
      const Tensor& x = ctx.input(i);
      if (x.dtype() != first.dtype())
        ctx.fail(ctx.input_label(i), " must have the same type as ", ctx.input_label(0));
      if (ctx.opset() < 8 && x.shape() != first.shape())
        ctx.fail("before opset 8 all inputs must have the same shape: ", ctx.input_label(i),
                 " differs from ", ctx.input_label(0));
      all.push_back(i);
    }
    ctx.set_output(0, first.dtype(), broadcast_input_shapes(ctx, all));
  }

  // Folds the inputs into the output one at a time: y = x0 op x1, then
  // y = y op x2, ... (in place: each element is read before it is written).
  void compute(KernelContext& ctx) const override {
    Tensor& y = ctx.output(0);
    const size_t n = ctx.num_inputs();
    dispatch(
        typename Op::Types{}, y.dtype(),
        [&](auto tag) {
          using T = typename decltype(tag)::type;
          T* out = y.data<T>();
          const Tensor& x0 = ctx.input(0);
          if (n == 1) {
            const BroadcastPlan plan({x0.shape()}, y.shape());
            broadcast_nary(
                plan, out, [](const T& v) { return v; }, 1, x0.data<T>());
          } else {
            const Tensor& x1 = ctx.input(1);
            const BroadcastPlan first({x0.shape(), x1.shape()}, y.shape());
            fold_inputs<Op>(first, x0.data<T>(), x1.data<T>(), out);
          }
          for (size_t i = 2; i < n; ++i) {
            const Tensor& x = ctx.input(i);
            const BroadcastPlan plan({y.shape(), x.shape()}, y.shape());
            fold_inputs<Op>(plan, static_cast<const T*>(out), x.data<T>(), out);
          }
          if constexpr (Op::kMean) divide_by_count(out, y.numel(), n);
        },
        ctx.describe_input(0));
  }
};

}  // namespace

// The portable VecKernels::extremum: ExtremumOp's float arithmetic.
void scalar::extremum(VecExtremum op, const float* a, int64_t step_a, const float* b,
                      int64_t step_b, float* y, int64_t n) {
  if (op == VecExtremum::kMax) return step_runs(a, step_a, b, step_b, y, n, MaxOp{});
  step_runs(a, step_a, b, step_b, y, n, MinOp{});
}

// Opset 1-5 versions carry `consumed_inputs` (in-place hints), ignored.
SKIFF_KERNEL(native, "Max", 1, 5, VariadicKernel<MaxOp>);
SKIFF_KERNEL_TYPES(native, "Max", 1, "numeric");
SKIFF_KERNEL(native, "Max", 6, 7, VariadicKernel<MaxOp>);
SKIFF_KERNEL_TYPES(native, "Max", 6, "numeric");
SKIFF_KERNEL(native, "Max", 8, 11, VariadicKernel<MaxOp>);             // 8: numpy broadcasting
SKIFF_KERNEL_TYPES(native, "Max", 8, "numeric");
SKIFF_KERNEL(native, "Max", 12, 12, VariadicKernel<MaxOp>);            // 12: integer types
SKIFF_KERNEL_TYPES(native, "Max", 12, "numeric");
SKIFF_KERNEL(native, "Max", 13, kLatestOpset, VariadicKernel<MaxOp>);  // 13: bfloat16
SKIFF_KERNEL_TYPES(native, "Max", 13, "numeric");
SKIFF_KERNEL(native, "Min", 1, 5, VariadicKernel<MinOp>);
SKIFF_KERNEL_TYPES(native, "Min", 1, "numeric");
SKIFF_KERNEL(native, "Min", 6, 7, VariadicKernel<MinOp>);
SKIFF_KERNEL_TYPES(native, "Min", 6, "numeric");
SKIFF_KERNEL(native, "Min", 8, 11, VariadicKernel<MinOp>);
SKIFF_KERNEL_TYPES(native, "Min", 8, "numeric");
SKIFF_KERNEL(native, "Min", 12, 12, VariadicKernel<MinOp>);
SKIFF_KERNEL_TYPES(native, "Min", 12, "numeric");
SKIFF_KERNEL(native, "Min", 13, kLatestOpset, VariadicKernel<MinOp>);
SKIFF_KERNEL_TYPES(native, "Min", 13, "numeric");
SKIFF_KERNEL(native, "Sum", 1, 5, VariadicKernel<SumOp>);
SKIFF_KERNEL_TYPES(native, "Sum", 1, "numeric");
SKIFF_KERNEL(native, "Sum", 6, 7, VariadicKernel<SumOp>);
SKIFF_KERNEL_TYPES(native, "Sum", 6, "numeric");
SKIFF_KERNEL(native, "Sum", 8, 12, VariadicKernel<SumOp>);             // 8: numpy broadcasting
SKIFF_KERNEL_TYPES(native, "Sum", 8, "numeric");
SKIFF_KERNEL(native, "Sum", 13, kLatestOpset, VariadicKernel<SumOp>);  // 13: bfloat16
SKIFF_KERNEL_TYPES(native, "Sum", 13, "numeric");
SKIFF_KERNEL(native, "Mean", 1, 5, VariadicKernel<MeanOp>);
SKIFF_KERNEL_TYPES(native, "Mean", 1, "floats");
SKIFF_KERNEL(native, "Mean", 6, 7, VariadicKernel<MeanOp>);
SKIFF_KERNEL_TYPES(native, "Mean", 6, "floats");
SKIFF_KERNEL(native, "Mean", 8, 12, VariadicKernel<MeanOp>);
SKIFF_KERNEL_TYPES(native, "Mean", 8, "floats");
SKIFF_KERNEL(native, "Mean", 13, kLatestOpset, VariadicKernel<MeanOp>);
SKIFF_KERNEL_TYPES(native, "Mean", 13, "floats");

}  // namespace skiff
