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

// The first k indices in [begin, end) of `before`'s order, sorted, into
// `order`. k = 1 is a scan; otherwise nth_element then a sort of the head:
// O(n + k log k).
template <class A>
void select_top(const Before<A>& before, int64_t begin, int64_t end, int64_t k,
                std::vector<int64_t>& order) {
  if (k == 1) {
    int64_t best = begin;
    for (int64_t j = begin + 1; j < end; ++j)
      if (before(j, best)) best = j;
    order.assign(1, best);
    return;
  }
  order.resize(static_cast<size_t>(end - begin));
  std::iota(order.begin(), order.end(), begin);
  k = std::min(k, end - begin);
  if (k < end - begin) std::nth_element(order.begin(), order.begin() + k, order.end(), before);
  std::sort(order.begin(), order.begin() + k, before);
  order.resize(static_cast<size_t>(k));
}

// One long row on every thread: each chunk selects its own top k, then the
// top k of those candidates is the row's. Before is a strict total order, so
// this gives exactly the serial result.
template <class A>
void select_top_parallel(const Before<A>& before, int64_t n, int64_t k,
                         std::vector<int64_t>& order) {
  const int64_t chunks = std::min<int64_t>(max_threads(), n / k);
  std::vector<std::vector<int64_t>> candidates(static_cast<size_t>(chunks));
  parallel_for(chunks, (n / chunks) * 4, [&](int64_t begin, int64_t end) {
    for (int64_t c = begin; c < end; ++c)
      select_top(before, c * n / chunks, (c + 1) * n / chunks, k,
                 candidates[static_cast<size_t>(c)]);
  });
  order.clear();
  for (const auto& c : candidates) order.insert(order.end(), c.begin(), c.end());
  std::nth_element(order.begin(), order.begin() + k, order.end(), before);
  std::sort(order.begin(), order.begin() + k, before);
  order.resize(static_cast<size_t>(k));
}

// Rows below this length stay on one thread even when they are few.
constexpr int64_t kParallelRow = 1 << 14;

template <class T>
void topk_rows(const T* in, T* values, int64_t* indices, int64_t outer, int64_t n, int64_t inner,
               int64_t k, bool largest) {
  using A = std::conditional_t<std::is_same_v<T, Float16> || std::is_same_v<T, BFloat16>, float, T>;
  const int64_t rows = outer * inner;
  // Fewer rows than threads (a detector's single score row): split each row.
  const bool split_rows = rows < max_threads() && n >= kParallelRow && n >= 2 * k;
  const auto run_rows = [&](int64_t begin, int64_t end) {
    std::vector<A> row(static_cast<size_t>(n));
    std::vector<int64_t> order;
    for (int64_t r = begin; r < end; ++r) {
      const int64_t o = r / inner, i = r % inner;
      const T* src = in + o * n * inner + i;
      for (int64_t j = 0; j < n; ++j) row[j] = static_cast<A>(src[j * inner]);
      const Before<A> before{row.data(), largest};
      if (split_rows)
        select_top_parallel(before, n, k, order);
      else
        select_top(before, 0, n, k, order);
      T* vdst = values + o * k * inner + i;
      int64_t* idst = indices + o * k * inner + i;
      for (int64_t j = 0; j < k; ++j) {
        vdst[j * inner] = src[order[j] * inner];
        idst[j * inner] = order[j];
      }
    }
  };
  if (split_rows)
    run_rows(0, rows);
  else
    parallel_for(rows, n * 4 + k * 16, run_rows);
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
    }, ctx.describe_input(0));
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
