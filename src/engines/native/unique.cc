// Unique (opset 11): distinct elements, or distinct slices along `axis`, with
// first-occurrence indices, inverse indices and counts; sorted ascending
// (lexicographically for slices) or in order of first occurrence.
#include <algorithm>
#include <numeric>

#include "core/dispatch.h"
#include "engines/kernel.h"

namespace skiff {

namespace {

class UniqueKernel final : public Kernel {
 public:
  explicit UniqueKernel(const KernelInfo& info)
      : sorted_(info.attr_int("sorted", 1) != 0), has_axis_(info.has_attr("axis")), axis_(info.attr_int("axis", 0)) {}

  void compute(KernelContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    // Items are slices x[o, k, i] for fixed k: [outer, n, inner] around axis.
    int64_t axis = 0, outer = 1, n = x.numel(), inner = 1;
    if (has_axis_) {
      if (axis_ < -x.rank() || axis_ >= x.rank())
        ctx.fail("axis ", axis_, " is out of range for ", ctx.input_label(0));
      axis = axis_ < 0 ? axis_ + x.rank() : axis_;
      outer = shape_numel(Shape(x.shape().begin(), x.shape().begin() + axis));
      n = x.dim(axis);
      inner = shape_numel(Shape(x.shape().begin() + axis + 1, x.shape().end()));
    }
    dispatch(kAllTypes, x.dtype(), [&](auto tag) {
      using T = typename decltype(tag)::type;
      const T* data = x.data<T>();
      auto at = [&](int64_t k, int64_t j) { return data[((j / inner) * n + k) * inner + j % inner]; };
      const int64_t len = outer * inner;
      auto less = [&](int64_t a, int64_t b) {
        for (int64_t j = 0; j < len; ++j) {
          const T va = at(a, j), vb = at(b, j);
          if (va < vb) return true;
          if (vb < va) return false;
        }
        return false;
      };
      // Stable sort keeps equal items in order, so each run starts with the
      // first occurrence.
      std::vector<int64_t> order(static_cast<size_t>(n));
      std::iota(order.begin(), order.end(), 0);
      std::stable_sort(order.begin(), order.end(), less);
      std::vector<int64_t> first, counts, inverse(static_cast<size_t>(n));
      for (size_t r = 0; r < order.size(); ++r) {
        if (r == 0 || less(order[r - 1], order[r])) {
          first.push_back(order[r]);
          counts.push_back(0);
        }
        ++counts.back();
        inverse[order[r]] = static_cast<int64_t>(first.size()) - 1;
      }
      std::vector<int64_t> rank(first.size());  // output position of each sorted group
      std::iota(rank.begin(), rank.end(), 0);
      if (!sorted_) {
        std::vector<int64_t> by_first(first.size());
        std::iota(by_first.begin(), by_first.end(), 0);
        std::sort(by_first.begin(), by_first.end(), [&](int64_t a, int64_t b) { return first[a] < first[b]; });
        for (size_t p = 0; p < by_first.size(); ++p) rank[by_first[p]] = static_cast<int64_t>(p);
      }
      const auto u = static_cast<int64_t>(first.size());
      Shape y_shape = has_axis_ ? x.shape() : Shape{u};
      if (has_axis_) y_shape[axis] = u;
      Tensor& y = ctx.allocate_output(0, x.dtype(), y_shape);
      T* out = y.data<T>();
      for (int64_t g = 0; g < u; ++g)
        for (int64_t j = 0; j < len; ++j) out[((j / inner) * u + rank[g]) * inner + j % inner] = at(first[g], j);
      auto write = [&](size_t index, auto fill) {
        if (!ctx.output_wanted(index)) return;
        Tensor& t = ctx.allocate_output(index, DataType::kInt64, {index == 2 ? n : u});
        fill(t.data<int64_t>());
      };
      write(1, [&](int64_t* p) { for (int64_t g = 0; g < u; ++g) p[rank[g]] = first[g]; });
      write(2, [&](int64_t* p) { for (int64_t k = 0; k < n; ++k) p[k] = rank[inverse[k]]; });
      write(3, [&](int64_t* p) { for (int64_t g = 0; g < u; ++g) p[rank[g]] = counts[g]; });
    }, ctx.describe_input(0));
  }

 private:
  bool sorted_;
  bool has_axis_;
  int64_t axis_;
};

SKIFF_KERNEL(native, "Unique", 11, kLatestOpset, UniqueKernel);
SKIFF_KERNEL_TYPES(native, "Unique", 11, "T: all; indices: int64");

}  // namespace

}  // namespace skiff
