// CumSum: running sums along one axis, optionally exclusive and/or reversed.
#include "core/dispatch.h"
#include "core/parallel.h"
#include "engines/kernel.h"
#include "engines/native/manip_util.h"

namespace skiff {
namespace {

inline constexpr TypeList<float, double, Float16, BFloat16, int32_t, int64_t, uint32_t, uint64_t>
    kCumSumTypes{};

class CumSumKernel final : public Kernel {
 public:
  explicit CumSumKernel(const KernelInfo& info)
      : exclusive_(info.attr_int("exclusive", 0) != 0), reverse_(info.attr_int("reverse", 0) != 0) {}
  void prepare(KernelContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    axis(ctx);
    ctx.set_output(0, x.dtype(), x.shape());
  }
  // Per outer index, the axis is walked one row (all inner elements) at a
  // time, so the inner loop is contiguous: row k = row k-1 + x row k (or
  // x row k-1 when exclusive), starting from the far end when reversed.
  void compute(KernelContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    Tensor& y = ctx.output(0);
    if (y.numel() == 0) return;
    const int64_t a = axis(ctx);
    const int64_t n = x.dim(a);
    int64_t outer = 1;
    for (int64_t d = 0; d < a; ++d) outer *= x.dim(d);
    const int64_t inner = x.numel() / (outer * n);
    dispatch(kCumSumTypes, x.dtype(), [&](auto tag) {
      using T = typename decltype(tag)::type;
      const T* in = x.data<T>();
      T* out = y.data<T>();
      parallel_for(outer, n * inner, [&](int64_t begin, int64_t end) {
        for (int64_t o = begin; o < end; ++o) {
          const T* src = in + o * n * inner;
          T* dst = out + o * n * inner;
          for (int64_t s = 0; s < n; ++s) {
            const int64_t k = reverse_ ? n - 1 - s : s;
            const int64_t prev = reverse_ ? k + 1 : k - 1;
            T* row = dst + k * inner;
            if (s == 0) {
              for (int64_t j = 0; j < inner; ++j) row[j] = exclusive_ ? T(0) : src[k * inner + j];
              continue;
            }
            const T* acc = dst + prev * inner;
            const T* add = src + (exclusive_ ? prev : k) * inner;
            for (int64_t j = 0; j < inner; ++j) row[j] = static_cast<T>(acc[j] + add[j]);
          }
        }
      });
    }, ctx.describe_input(0));
  }

 private:
  static int64_t axis(const KernelContext& ctx) {
    const int64_t rank = ctx.input(0).rank();
    const int64_t axis = manip::read_scalar_int(ctx, 1);
    if (axis < -rank || axis >= rank)
      ctx.fail(ctx.input_label(1), " holds axis ", axis, ", out of range for ", ctx.input_label(0));
    return axis < 0 ? axis + rank : axis;
  }

  bool exclusive_;
  bool reverse_;
};
// 14: bfloat16 and float16.
SKIFF_KERNEL(native, "CumSum", 11, kLatestOpset, CumSumKernel);
SKIFF_KERNEL_TYPES(native, "CumSum", 11, "T: float, double, float16, bfloat16, int32, int64, uint32, uint64; T2: int32, int64");

}  // namespace
}  // namespace skiff
