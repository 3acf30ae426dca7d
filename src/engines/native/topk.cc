// TopK: the k largest (or smallest) elements along an axis, with their int64
// indices.
//
// Order: by value, ties by lower index first (the spec's rule), NaN above
// every number (numpy's sort puts NaN last, so the ONNX reference's flipped
// sort puts it first for `largest` and last for `smallest`). The comparison
// is therefore a strict total order and the result does not depend on the
// selection algorithm. `sorted = 0` leaves the order unspecified; skiff
// returns the sorted order anyway.
#include <algorithm>
#include <numeric>
#include <type_traits>
#include <vector>

#include "core/dispatch.h"
#include "core/parallel.h"
#include "engines/kernel.h"

namespace skiff {
namespace {

template <class A>
struct Before {
  const A* v;
  bool largest;
  bool operator()(int64_t a, int64_t b) const {
    const A x = v[a], y = v[b];
    if constexpr (!std::is_integral_v<A>) {
      const bool xn = x != x, yn = y != y;
      if (xn || yn) {
        if (xn && yn) return a < b;
        return largest ? xn : yn;
      }
    }
    if (x != y) return largest ? x > y : x < y;
    return a < b;
  }
};

template <class T>
void topk_rows(const T* in, T* values, int64_t* indices, int64_t outer, int64_t n, int64_t inner,
               int64_t k, bool largest) {
  using A = std::conditional_t<std::is_same_v<T, Float16> || std::is_same_v<T, BFloat16>, float, T>;
  const int64_t rows = outer * inner;
  const int64_t cost = n * 4 + k * 16;
  parallel_for(rows, cost, [&](int64_t begin, int64_t end) {
    std::vector<A> row(static_cast<size_t>(n));
    std::vector<int64_t> order(static_cast<size_t>(n));
    for (int64_t r = begin; r < end; ++r) {
      const int64_t o = r / inner, i = r % inner;
      const T* src = in + o * n * inner + i;
      for (int64_t j = 0; j < n; ++j) row[j] = static_cast<A>(src[j * inner]);
      std::iota(order.begin(), order.end(), int64_t{0});
      const Before<A> before{row.data(), largest};
      // nth_element then sort the head: O(n + k log k).
      if (k < n) std::nth_element(order.begin(), order.begin() + k, order.end(), before);
      std::sort(order.begin(), order.begin() + k, before);
      T* vdst = values + o * k * inner + i;
      int64_t* idst = indices + o * k * inner + i;
      for (int64_t j = 0; j < k; ++j) {
        vdst[j * inner] = src[order[j] * inner];
        idst[j * inner] = order[j];
      }
    }
  });
}

class TopKKernel final : public Kernel {
 public:
  explicit TopKKernel(const KernelInfo& info)
      : k_from_input_(info.opset() >= 10),
        k_attr_(info.attr_int("k", -1)),
        axis_(info.attr_int("axis", -1)),
        largest_(info.attr_int("largest", 1) != 0) {
    if (!k_from_input_ && k_attr_ < 0) info.fail("attribute 'k' is required before opset 10");
  }

  void prepare(KernelContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    const int64_t axis = checked_axis(ctx);
    Shape shape = x.shape();
    shape[axis] = k(ctx, x.dim(axis));
    ctx.set_output(0, x.dtype(), shape);
    ctx.set_output(1, DataType::kInt64, shape);
  }

  void compute(KernelContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    const int64_t axis = checked_axis(ctx);
    const int64_t n = x.dim(axis);
    const int64_t k = this->k(ctx, n);
    int64_t outer = 1, inner = 1;
    for (int64_t i = 0; i < axis; ++i) outer *= x.dim(i);
    for (int64_t i = axis + 1; i < x.rank(); ++i) inner *= x.dim(i);
    if (k == 0 || outer * inner == 0) return;
    Tensor& values = ctx.output(0);
    Tensor& indices = ctx.output(1);
    dispatch(kNumericTypes, x.dtype(), [&](auto tag) {
      using T = typename decltype(tag)::type;
      topk_rows<T>(x.data<T>(), values.data<T>(), indices.data<int64_t>(), outer, n, inner, k,
                   largest_);
    }, ctx.prefix() + ctx.input_label(0));
  }

 private:
  int64_t checked_axis(const KernelContext& ctx) const {
    const Tensor& x = ctx.input(0);
    if (axis_ < -x.rank() || axis_ >= x.rank())
      ctx.fail("axis ", axis_, " is out of range for ", ctx.input_label(0));
    return axis_ < 0 ? axis_ + x.rank() : axis_;
  }

  int64_t k(const KernelContext& ctx, int64_t n) const {
    int64_t k = k_attr_;
    if (k_from_input_) {
      const Tensor& kt = ctx.input(1);
      if (kt.numel() != 1) ctx.fail(ctx.input_label(1), " must hold exactly one value");
      if (kt.dtype() == DataType::kInt64) k = kt.data<int64_t>()[0];
      else if (kt.dtype() == DataType::kInt32) k = kt.data<int32_t>()[0];
      else ctx.fail(ctx.input_label(1), " must be int64");
    }
    if (k < 0 || k > n)
      ctx.fail("k = ", k, " must be in [0, ", n, "], the size of axis ", axis_, " of ",
               ctx.input_label(0));
    return k;
  }

  bool k_from_input_;
  int64_t k_attr_;
  int64_t axis_;
  bool largest_;
};

}  // namespace

// 1: `k` attribute; 10: `k` becomes an input; 11: `largest`, `sorted`,
// negative axis, integer types.
SKIFF_KERNEL(native, "TopK", 1, 9, TopKKernel);
SKIFF_KERNEL_TYPES(native, "TopK", 1, "T: numeric; I: int64");
SKIFF_KERNEL(native, "TopK", 10, 10, TopKKernel);
SKIFF_KERNEL_TYPES(native, "TopK", 10, "T: numeric; K: int32, int64; I: int64");
SKIFF_KERNEL(native, "TopK", 11, kLatestOpset, TopKKernel);
SKIFF_KERNEL_TYPES(native, "TopK", 11, "T: numeric; K: int32, int64; I: int64");

}  // namespace skiff
