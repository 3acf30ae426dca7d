// Variadic element-wise reductions over inputs: Max, Min, Sum, Mean.
// Inputs broadcast like numpy from opset 8; before, they must share a shape.
#include <type_traits>
#include <vector>

#include "engines/native/broadcast.h"
#include "engines/native/elementwise.h"

namespace skiff {
namespace {

// NaN wins, as in numpy.maximum / numpy.minimum.
struct MaxOp {
  using Types = decltype(kNumericTypes);  // integer types since opset 12
  static constexpr bool kMean = false;
  template <class T>
  T operator()(T a, T b) const {
    const compute_t<T> u = a, v = b;
    if (u != u) return a;
    if (v != v) return b;
    return u < v ? b : a;
  }
};

struct MinOp {
  using Types = decltype(kNumericTypes);
  static constexpr bool kMean = false;
  template <class T>
  T operator()(T a, T b) const {
    const compute_t<T> u = a, v = b;
    if (u != u) return a;
    if (v != v) return b;
    return v < u ? b : a;
  }
};

struct SumOp {
  using Types = decltype(kFloatTypes);
  static constexpr bool kMean = false;
  template <class T>
  T operator()(T a, T b) const {
    return static_cast<T>(static_cast<compute_t<T>>(a) + static_cast<compute_t<T>>(b));
  }
};

struct MeanOp : SumOp {
  static constexpr bool kMean = true;  // the sum is divided by the input count
};

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
          const Op op;
          T* out = y.data<T>();
          const Tensor& x0 = ctx.input(0);
          if (n == 1) {
            const BroadcastPlan plan({x0.shape()}, y.shape());
            broadcast_nary(
                plan, out, [](const T& v) { return v; }, 1, x0.data<T>());
          } else {
            const Tensor& x1 = ctx.input(1);
            const BroadcastPlan first({x0.shape(), x1.shape()}, y.shape());
            broadcast_binary(first, x0.data<T>(), x1.data<T>(), out, op);
          }
          for (size_t i = 2; i < n; ++i) {
            const Tensor& x = ctx.input(i);
            const BroadcastPlan plan({y.shape(), x.shape()}, y.shape());
            broadcast_binary(plan, static_cast<const T*>(out), x.data<T>(), out, op);
          }
          if constexpr (Op::kMean) {
            const compute_t<T> count = static_cast<compute_t<T>>(n);
            map_elements(out, out, y.numel(), [count](T v) {
              return static_cast<T>(static_cast<compute_t<T>>(v) / count);
            });
          }
        },
        ctx.prefix() + ctx.input_label(0));
  }
};

}  // namespace

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
