// MaxUnpool and LpNormalization.
//
// MaxUnpool scatters X into a zero tensor at the flat indices I (as MaxPool
// produces them: linear over the whole [N, C, D1, ...] tensor). Its output
// shape is output_shape when given, else (in - 1) * stride + kernel - pads
// per spatial dim. The ONNX test with output_shape expects the indices to
// address the inferred shape and the rest to be end padding; skiff (like
// ONNX Runtime) follows the spec text instead: the indices address the
// output tensor, which is what inverts a MaxPool over an input of that shape.
#include <algorithm>
#include <cmath>
#include <vector>

#include "core/dispatch.h"
#include "core/parallel.h"
#include "engines/kernel.h"

namespace skiff {
namespace {

class MaxUnpoolKernel final : public Kernel {
 public:
  explicit MaxUnpoolKernel(const KernelInfo& info)
      : kernel_shape_(info.attr_ints("kernel_shape")),
        strides_(info.attr_ints("strides")),
        pads_(info.attr_ints("pads")) {
    const size_t rank = kernel_shape_.size();
    if (rank == 0) info.fail("required attribute 'kernel_shape' is missing");
    if (strides_.empty()) strides_.assign(rank, 1);
    if (pads_.empty()) pads_.assign(2 * rank, 0);
    if (strides_.size() != rank || pads_.size() != 2 * rank)
      info.fail("strides and pads must have ", rank, " and ", 2 * rank, " values");
    for (size_t i = 0; i < rank; ++i)
      if (kernel_shape_[i] <= 0 || strides_[i] <= 0 || pads_[i] < 0 || pads_[rank + i] < 0)
        info.fail("kernel_shape and strides must be positive, pads non-negative");
  }

  void prepare(KernelContext& ctx) const override {
    ctx.set_output(0, ctx.input(0).dtype(), output_shape(ctx));
  }

  void compute(KernelContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    const Tensor& indices = ctx.input(1);
    Tensor& y = ctx.output(0);
    const int64_t* idx = indices.data<int64_t>();
    for (int64_t i = 0; i < indices.numel(); ++i)
      if (idx[i] < 0 || idx[i] >= y.numel())
        ctx.fail_runtime("index ", idx[i], " at position ", i, " of ", ctx.input_label(1),
                         " is outside the output's ", y.numel(), " elements");
    dispatch(kFloatTypes, x.dtype(), [&](auto tag) {
      using T = typename decltype(tag)::type;
      T* out = y.data<T>();
      std::fill(out, out + y.numel(), T(0));
      const T* in = x.data<T>();
      // Sequential: duplicate indices keep the last value, deterministically.
      for (int64_t i = 0; i < x.numel(); ++i) out[idx[i]] = in[i];
    }, ctx.describe_input(0));
  }

 private:
  Shape output_shape(const KernelContext& ctx) const {
    const Tensor& x = ctx.input(0);
    const Tensor& indices = ctx.input(1);
    const size_t rank = kernel_shape_.size();
    if (x.rank() != static_cast<int64_t>(rank) + 2)
      ctx.fail(ctx.input_label(0), " must have rank ", rank + 2, " for kernel_shape of ", rank,
               " dims");
    if (indices.shape() != x.shape() || indices.dtype() != DataType::kInt64)
      ctx.fail(ctx.input_label(1), " must be int64 with the shape of ", ctx.input_label(0));
    if (ctx.has_input(2)) {
      const Tensor& s = ctx.input(2);
      if (s.dtype() != DataType::kInt64 || s.rank() != 1 || s.dim(0) != x.rank())
        ctx.fail(ctx.input_label(2), " must be an int64 vector of ", x.rank(), " dims");
      Shape out(s.data<int64_t>(), s.data<int64_t>() + s.numel());
      shape_numel(out);
      return out;
    }
    Shape out = {x.dim(0), x.dim(1)};
    for (size_t i = 0; i < rank; ++i) {
      const int64_t d = (x.dim(static_cast<int64_t>(i) + 2) - 1) * strides_[i] + kernel_shape_[i] -
                        pads_[i] - pads_[rank + i];
      if (d < 0) ctx.fail("pads leave a negative output size along spatial dim ", i);
      out.push_back(d);
    }
    shape_numel(out);
    return out;
  }

  std::vector<int64_t> kernel_shape_, strides_, pads_;
};

// y = x / ||x||_p along `axis`, p in {1, 2}. A zero vector stays zero
// (instead of 0/0 = NaN).
class LpNormalizationKernel final : public Kernel {
 public:
  explicit LpNormalizationKernel(const KernelInfo& info)
      : axis_(info.attr_int("axis", -1)), p_(info.attr_int("p", 2)) {
    if (p_ != 1 && p_ != 2) info.fail("p must be 1 or 2, got ", p_);
  }

  void prepare(KernelContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    const int64_t rank = std::max<int64_t>(x.rank(), 1);  // a scalar counts as [1]
    if (axis_ < -rank || axis_ >= rank)
      ctx.fail("axis ", axis_, " is out of range for ", ctx.input_label(0));
    ctx.set_output(0, x.dtype(), x.shape());
  }

  void compute(KernelContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    Tensor& y = ctx.output(0);
    const int64_t axis = x.rank() == 0 ? 0 : normalize_axis(axis_, x.rank(), "axis");
    const int64_t n = x.rank() == 0 ? 1 : x.dim(axis);
    int64_t inner = 1;
    for (int64_t d = axis + 1; d < x.rank(); ++d) inner *= x.dim(d);
    const int64_t lines = n == 0 ? 0 : x.numel() / n;
    dispatch(kFloatTypes, x.dtype(), [&](auto tag) {
      using T = typename decltype(tag)::type;
      using A = std::conditional_t<std::is_same_v<T, double>, double, float>;
      const T* in = x.data<T>();
      T* out = y.data<T>();
      parallel_for(lines, n * 4, [&](int64_t l0, int64_t l1) {
        for (int64_t l = l0; l < l1; ++l) {
          const int64_t base = (l / inner) * n * inner + l % inner;
          A norm = 0;
          for (int64_t j = 0; j < n; ++j) {
            const A v = static_cast<A>(in[base + j * inner]);
            norm += p_ == 1 ? std::abs(v) : v * v;
          }
          if (p_ == 2) norm = std::sqrt(norm);
          for (int64_t j = 0; j < n; ++j) {
            const A v = static_cast<A>(in[base + j * inner]);
            out[base + j * inner] = static_cast<T>(norm == 0 ? A(0) : v / norm);
          }
        }
      });
    }, ctx.describe_input(0));
  }

 private:
  int64_t axis_, p_;
};

}  // namespace

// 9: introduced; 11: schema-only update (same semantics); unchanged through 21.
SKIFF_KERNEL(native, "MaxUnpool", 9, kLatestOpset, MaxUnpoolKernel);
SKIFF_KERNEL_TYPES(native, "MaxUnpool", 9, "T1: floats; T2: int64");
// 1: introduced; unchanged through 21.
SKIFF_KERNEL(native, "LpNormalization", 1, kLatestOpset, LpNormalizationKernel);
SKIFF_KERNEL_TYPES(native, "LpNormalization", 1, "floats");

}  // namespace skiff
