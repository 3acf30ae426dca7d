// Where: y = condition ? x : y, broadcasting all three inputs like numpy.
// Float runs go to vec_kernels().where.
#include <type_traits>

#include "engines/native/broadcast.h"
#include "engines/native/elementwise.h"
#include "engines/native/vec_kernels.h"

namespace skiff {
namespace {

void where_vec(const BroadcastPlan& plan, const bool* c, const float* a, const float* b,
               float* out) {
  const int64_t step_c = plan.inner_step(0), step_a = plan.inner_step(1),
                step_b = plan.inner_step(2);
  const VecKernels& vec = vec_kernels();
  vec_parallel_for(plan.numel(), kVecCheapBlockCost, [&](int64_t begin, int64_t end) {
    plan.for_each_run(begin, end, [&](int64_t o, const int64_t* in, int64_t len) {
      vec.where(c + in[0], step_c, a + in[1], step_a, b + in[2], step_b, out + o, len);
    });
  });
}

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
          if constexpr (std::is_same_v<T, float>) {
            where_vec(plan, condition.data<bool>(), x.data<float>(), y.data<float>(),
                      out.data<float>());
            return;
          }
          broadcast_nary(
              plan, out.data<T>(), [](bool c, const T& a, const T& b) -> T { return c ? a : b; }, 1,
              condition.data<bool>(), x.data<T>(), y.data<T>());
        },
        ctx.describe_input(1));
  }
};

}  // namespace

// The portable VecKernels::where.
void scalar::where(const bool* c, int64_t step_c, const float* a, int64_t step_a, const float* b,
                   int64_t step_b, float* y, int64_t n) {
  for (int64_t i = 0; i < n; ++i) y[i] = c[i * step_c] ? a[i * step_a] : b[i * step_b];
}

SKIFF_KERNEL(native, "Where", 9, 15, WhereKernel);
SKIFF_KERNEL_TYPES(native, "Where", 9, "B: bool; T: all");
SKIFF_KERNEL(native, "Where", 16, kLatestOpset, WhereKernel);  // 16: bfloat16
SKIFF_KERNEL_TYPES(native, "Where", 16, "B: bool; T: all");

}  // namespace skiff
