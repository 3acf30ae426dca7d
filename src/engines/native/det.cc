// Det: determinants of a batch of square matrices [*, M, M] -> [*], by LU
// decomposition with partial pivoting in double (float16/float inputs keep
// full accuracy; a zero pivot column means a singular matrix, det 0).
#include <cmath>
#include <utility>
#include <vector>

#include "core/dispatch.h"
#include "core/parallel.h"
#include "engines/kernel.h"

namespace skiff {
namespace {

// Destroys `a` (row-major n x n).
double lu_determinant(double* a, int64_t n) {
  double det = 1.0;
  for (int64_t k = 0; k < n; ++k) {
    int64_t pivot = k;
    for (int64_t r = k + 1; r < n; ++r)
      if (std::abs(a[r * n + k]) > std::abs(a[pivot * n + k])) pivot = r;
    const double p = a[pivot * n + k];
    if (p == 0.0) return 0.0;
    if (pivot != k) {
      for (int64_t c = k; c < n; ++c) std::swap(a[k * n + c], a[pivot * n + c]);
      det = -det;
    }
    det *= p;
    for (int64_t r = k + 1; r < n; ++r) {
      const double f = a[r * n + k] / p;
      if (f == 0.0) continue;
      for (int64_t c = k + 1; c < n; ++c) a[r * n + c] -= f * a[k * n + c];
    }
  }
  return det;
}

class DetKernel final : public Kernel {
 public:
  explicit DetKernel(const KernelInfo&) {}

  void prepare(KernelContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    if (x.rank() < 2 || x.dim(-1) != x.dim(-2))
      ctx.fail(ctx.input_label(0), " must be [*, M, M] (square matrices)");
    ctx.set_output(0, x.dtype(), Shape(x.shape().begin(), x.shape().end() - 2));
  }

  void compute(KernelContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    Tensor& y = ctx.output(0);
    const int64_t n = x.dim(-1), batches = y.numel(), size = n * n;
    dispatch(kFloatTypes, x.dtype(), [&](auto tag) {
      using T = typename decltype(tag)::type;
      const T* in = x.data<T>();
      T* out = y.data<T>();
      parallel_for(batches, size * n + 1, [&](int64_t b0, int64_t b1) {
        std::vector<double> a(static_cast<size_t>(size));
        for (int64_t b = b0; b < b1; ++b) {
          for (int64_t i = 0; i < size; ++i) a[i] = static_cast<double>(in[b * size + i]);
          out[b] = static_cast<T>(lu_determinant(a.data(), n));
        }
      });
    }, ctx.describe_input(0));
  }
};

}  // namespace

// 11: introduced; unchanged through 21.
SKIFF_KERNEL(native, "Det", 11, kLatestOpset, DetKernel);
SKIFF_KERNEL_TYPES(native, "Det", 11, "floats");

}  // namespace skiff
