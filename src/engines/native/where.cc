// Where: y = condition ? x : y, broadcasting all three inputs like numpy.
#include "engines/native/broadcast.h"
#include "engines/native/elementwise.h"

namespace skiff {
namespace {

class WhereKernel final : public Kernel {
 public:
  explicit WhereKernel(const KernelInfo& info) {}

  void prepare(KernelContext& ctx) const override {
    const Tensor& condition = ctx.input(0);
    const Tensor& x = ctx.input(1);
    const Tensor& y = ctx.input(2);
    if (condition.dtype() != DataType::kBool) ctx.fail(ctx.input_label(0), " must be bool");
    if (!dtype_in(kAllTypes, x.dtype()))
      ctx.unsupported(ctx.input_label(1), " has unsupported type ", dtype_name(x.dtype()));
    if (y.dtype() != x.dtype())
      ctx.fail(ctx.input_label(2), " must have the same type as ", ctx.input_label(1));
    ctx.set_output(0, x.dtype(), broadcast_input_shapes(ctx, {0, 1, 2}));
  }

  void compute(KernelContext& ctx) const override {
    const Tensor& condition = ctx.input(0);
    const Tensor& x = ctx.input(1);
    const Tensor& y = ctx.input(2);
    Tensor& out = ctx.output(0);
    const BroadcastPlan plan({condition.shape(), x.shape(), y.shape()}, out.shape());
    dispatch(
        kAllTypes, x.dtype(),
        [&](auto tag) {
          using T = typename decltype(tag)::type;
          broadcast_nary(
              plan, out.data<T>(), [](bool c, const T& a, const T& b) -> T { return c ? a : b; }, 1,
              condition.data<bool>(), x.data<T>(), y.data<T>());
        },
        ctx.prefix() + ctx.input_label(1));
  }
};

}  // namespace

SKIFF_KERNEL(native, "Where", 9, 15, WhereKernel);
SKIFF_KERNEL_TYPES(native, "Where", 9, "B: bool; T: all");
SKIFF_KERNEL(native, "Where", 16, kLatestOpset, WhereKernel);  // 16: bfloat16
SKIFF_KERNEL_TYPES(native, "Where", 16, "B: bool; T: all");

}  // namespace skiff
