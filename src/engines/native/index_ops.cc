// Ops driven by positions rather than values: OneHot, NonZero, Compress,
// Trilu, ReverseSequence.
#include <algorithm>
#include <cmath>
#include <string>
#include <type_traits>

#include "core/dispatch.h"
#include "core/parallel.h"
#include "engines/kernel.h"
#include "engines/native/manip_util.h"

namespace skiff {
namespace {

using manip::dispatch_element;
using manip::parallel_for_elements;

// Reads any numeric scalar as a double (OneHot's depth may be any type).
double read_number(const KernelContext& ctx, size_t i) {
  const Tensor& t = ctx.input(i);
  if (t.numel() != 1) ctx.fail(ctx.input_label(i), " must hold exactly one value");
  double v = 0;
  dispatch(kNumericTypes, t.dtype(), [&](auto tag) {
    using T = typename decltype(tag)::type;
    v = static_cast<double>(t.data<T>()[0]);
  }, ctx.describe_input(i));
  return v;
}

class OneHotKernel final : public Kernel {
 public:
  explicit OneHotKernel(const KernelInfo& info) : axis_(info.attr_int("axis", -1)) {}
  void prepare(KernelContext& ctx) const override {
    const Tensor& indices = ctx.input(0);
    if (ctx.input(2).rank() != 1 || ctx.input(2).numel() != 2)
      ctx.fail(ctx.input_label(2), " must be [off_value, on_value]");
    Shape shape = indices.shape();
    shape.insert(shape.begin() + axis(ctx), depth(ctx));
    ctx.set_output(0, ctx.input(2).dtype(), shape);
  }
  // The output is off_value except out[..., index, ...] (index at `axis`)
  // = on_value; negative indices wrap once, others out of range stay off.
  void compute(KernelContext& ctx) const override {
    const Tensor& indices = ctx.input(0);
    Tensor& y = ctx.output(0);
    const int64_t depth = this->depth(ctx);
    const int64_t axis = this->axis(ctx);
    int64_t outer = 1;
    for (int64_t d = 0; d < axis; ++d) outer *= indices.dim(d);
    const int64_t inner = outer == 0 ? 0 : indices.numel() / outer;
    const std::vector<int64_t> picked = positions(ctx, depth);
    dispatch_element(y.dtype(), [&](auto tag) {
      using T = typename decltype(tag)::type;
      const T* values = static_cast<const T*>(ctx.input(2).raw());
      T* out = static_cast<T*>(y.raw());
      std::fill_n(out, y.numel(), values[0]);
      for (int64_t o = 0; o < outer; ++o)
        for (int64_t i = 0; i < inner; ++i) {
          const int64_t p = picked[static_cast<size_t>(o * inner + i)];
          if (p >= 0) out[(o * depth + p) * inner + i] = values[1];
        }
    }, ctx.describe_input(2));
  }

 private:
  int64_t axis(const KernelContext& ctx) const {
    const int64_t rank = ctx.input(0).rank() + 1;
    if (axis_ < -rank || axis_ >= rank)
      ctx.fail("axis ", axis_, " is out of range for output rank ", rank);
    return axis_ < 0 ? axis_ + rank : axis_;
  }
  // Non-integer depths are cast to int64 (truncated), as the spec says.
  static int64_t depth(const KernelContext& ctx) {
    const double depth = read_number(ctx, 1);
    if (!(depth >= 1) || depth > static_cast<double>(int64_t{1} << 48))
      ctx.fail(ctx.input_label(1), " (depth) must be a positive size, is ", depth);
    return static_cast<int64_t>(depth);
  }
  // Each index as a position in [0, depth), or -1 when out of range.
  static std::vector<int64_t> positions(const KernelContext& ctx, int64_t depth) {
    const Tensor& indices = ctx.input(0);
    std::vector<int64_t> out(static_cast<size_t>(indices.numel()));
    dispatch(kNumericTypes, indices.dtype(), [&](auto tag) {
      using T = typename decltype(tag)::type;
      const T* idx = indices.data<T>();
      for (size_t i = 0; i < out.size(); ++i) {
        const auto v = static_cast<double>(idx[i]);  // exact for any index < 2^53
        const double p = v < 0 ? std::trunc(v) + static_cast<double>(depth) : std::trunc(v);
        out[i] = p >= 0 && p < static_cast<double>(depth) ? static_cast<int64_t>(p) : -1;
      }
    }, ctx.describe_input(0));
    return out;
  }

  int64_t axis_;
};
// 11: negative axis and indices.
SKIFF_KERNEL(native, "OneHot", 9, kLatestOpset, OneHotKernel);
SKIFF_KERNEL_TYPES(native, "OneHot", 9, "T1: numeric; T2: numeric; T3: all, complex64, complex128");

template <class T>
bool is_nonzero(const T& v) {
  if constexpr (std::is_same_v<T, std::string>) {
    return !v.empty();
  } else {
    return v != T(0);
  }
}

// NonZero: the coordinates of the non-zero elements, one column each, in
// row-major order. The output size depends on the data, so it is allocated
// in compute. A scalar is treated as shape [1], as numpy does.
class NonZeroKernel final : public Kernel {
 public:
  explicit NonZeroKernel(const KernelInfo&) {}
  void compute(KernelContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    const Shape shape = x.rank() == 0 ? Shape{1} : x.shape();
    const auto rank = static_cast<int64_t>(shape.size());
    dispatch(kAllTypes, x.dtype(), [&](auto tag) {
      using T = typename decltype(tag)::type;
      const T* in = x.data<T>();
      int64_t count = 0;
      for (int64_t i = 0; i < x.numel(); ++i) count += is_nonzero(in[i]) ? 1 : 0;
      int64_t* out = ctx.allocate_output(0, DataType::kInt64, {rank, count}).data<int64_t>();
      std::vector<int64_t> idx(shape.size(), 0);
      for (int64_t i = 0, col = 0; i < x.numel(); ++i) {
        if (is_nonzero(in[i])) {
          for (int64_t d = 0; d < rank; ++d) out[d * count + col] = idx[static_cast<size_t>(d)];
          ++col;
        }
        for (int64_t d = rank - 1; d >= 0 && ++idx[static_cast<size_t>(d)] == shape[static_cast<size_t>(d)]; --d)
          idx[static_cast<size_t>(d)] = 0;
      }
    }, ctx.describe_input(0));
  }
};
// 13: bfloat16.
SKIFF_KERNEL(native, "NonZero", 9, kLatestOpset, NonZeroKernel);
SKIFF_KERNEL_TYPES(native, "NonZero", 9, "T: all; output: int64");

// Compress: keeps the slices along `axis` (or, without an axis, the elements
// of the flattened input) whose condition is true. A shorter condition
// counts as false past its end; a longer one may only hold false there.
class CompressKernel final : public Kernel {
 public:
  explicit CompressKernel(const KernelInfo& info)
      : has_axis_(info.has_attr("axis")), axis_(info.attr_int("axis", 0)) {}
  void compute(KernelContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    const Tensor& condition = ctx.input(1);
    if (condition.dtype() != DataType::kBool || condition.rank() != 1)
      ctx.fail(ctx.input_label(1), " must be a 1-D bool tensor");
    if (has_axis_ && (axis_ < -x.rank() || axis_ >= x.rank()))
      ctx.fail("axis ", axis_, " is out of range for ", ctx.input_label(0));
    const int64_t axis = axis_ < 0 ? axis_ + x.rank() : axis_;
    const int64_t dim = has_axis_ ? x.dim(axis) : x.numel();
    const bool* cond = condition.data<bool>();
    std::vector<int64_t> kept;
    for (int64_t i = 0; i < condition.numel(); ++i) {
      if (!cond[i]) continue;
      if (i >= dim)
        ctx.fail(ctx.input_label(1), " selects position ", i, " past the size ", dim,
                 " being compressed");
      kept.push_back(i);
    }
    const auto n = static_cast<int64_t>(kept.size());
    Shape shape = has_axis_ ? x.shape() : Shape{n};
    if (has_axis_) shape[static_cast<size_t>(axis)] = n;
    Tensor& y = ctx.allocate_output(0, x.dtype(), shape);
    int64_t outer = 1, inner = 1;  // around the compressed axis
    if (has_axis_) {
      for (int64_t d = 0; d < axis; ++d) outer *= x.dim(d);
      for (int64_t d = axis + 1; d < x.rank(); ++d) inner *= x.dim(d);
    }
    dispatch_element(x.dtype(), [&](auto tag) {
      using T = typename decltype(tag)::type;
      const T* src = static_cast<const T*>(x.raw());
      T* out = static_cast<T*>(y.raw());
      for (int64_t o = 0; o < outer; ++o)
        for (int64_t j = 0; j < n; ++j)
          std::copy_n(src + (o * dim + kept[static_cast<size_t>(j)]) * inner, inner,
                      out + (o * n + j) * inner);
    }, ctx.describe_input(0));
  }

 private:
  bool has_axis_;
  int64_t axis_;
};
// 11: negative axis.
SKIFF_KERNEL(native, "Compress", 9, kLatestOpset, CompressKernel);
SKIFF_KERNEL_TYPES(native, "Compress", 9, "T: all, complex64, complex128; T1: bool");

// Trilu: keeps the upper (j - i >= k) or lower (j - i <= k) triangle of
// each matrix in the last two dims and zeroes the rest.
class TriluKernel final : public Kernel {
 public:
  explicit TriluKernel(const KernelInfo& info) : upper_(info.attr_int("upper", 1) != 0) {}
  void prepare(KernelContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    if (x.rank() < 2) ctx.fail(ctx.input_label(0), " must have rank 2 or more");
    if (ctx.has_input(1)) manip::read_scalar_int(ctx, 1);
    ctx.set_output(0, x.dtype(), x.shape());
  }
  void compute(KernelContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    Tensor& y = ctx.output(0);
    const int64_t rows = x.dim(-2), cols = x.dim(-1);
    if (y.numel() == 0) return;
    // Beyond ±(rows + cols) every k acts the same; clamping keeps i + k safe.
    const int64_t k = std::clamp<int64_t>(ctx.has_input(1) ? manip::read_scalar_int(ctx, 1) : 0,
                                          -(rows + cols), rows + cols);
    dispatch_element(x.dtype(), [&](auto tag) {
      using T = typename decltype(tag)::type;
      const T* src = static_cast<const T*>(x.raw());
      T* out = static_cast<T*>(y.raw());
      parallel_for_elements<T>(y.numel() / cols, cols, [&](int64_t begin, int64_t end) {
        for (int64_t r = begin; r < end; ++r) {
          const int64_t i = r % rows;
          // Columns [keep_begin, keep_end) survive in this row.
          const int64_t keep_begin = upper_ ? std::clamp<int64_t>(i + k, 0, cols) : 0;
          const int64_t keep_end = upper_ ? cols : std::clamp<int64_t>(i + k + 1, 0, cols);
          const T* row = src + r * cols;
          T* dst = out + r * cols;
          std::fill(dst, dst + keep_begin, T{});
          std::copy(row + keep_begin, row + keep_end, dst + keep_begin);
          std::fill(dst + keep_end, dst + cols, T{});
        }
      });
    }, ctx.describe_input(0));
  }

 private:
  bool upper_;
};
// Unchanged since 14.
SKIFF_KERNEL(native, "Trilu", 14, kLatestOpset, TriluKernel);
SKIFF_KERNEL_TYPES(native, "Trilu", 14, "T: all, complex64, complex128; k: int32, int64");

// ReverseSequence: for each batch entry b, reverses its first
// sequence_lens[b] steps along the time axis and keeps the rest.
class ReverseSequenceKernel final : public Kernel {
 public:
  explicit ReverseSequenceKernel(const KernelInfo& info)
      : batch_axis_(info.attr_int("batch_axis", 1)), time_axis_(info.attr_int("time_axis", 0)) {
    const bool valid = (batch_axis_ == 0 && time_axis_ == 1) || (batch_axis_ == 1 && time_axis_ == 0);
    if (!valid) info.fail("batch_axis and time_axis must be 0 and 1, in either order");
  }
  void prepare(KernelContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    if (x.rank() < 2) ctx.fail(ctx.input_label(0), " must have rank 2 or more");
    lengths(ctx);
    ctx.set_output(0, x.dtype(), x.shape());
  }
  void compute(KernelContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    Tensor& y = ctx.output(0);
    const std::vector<int64_t> lens = lengths(ctx);
    const int64_t steps = x.dim(time_axis_), batch = x.dim(batch_axis_);
    if (y.numel() == 0) return;
    const int64_t inner = x.numel() / (steps * batch);
    // Block (t, b) starts at (t * batch + b) * inner when time is axis 0.
    const auto block = [&](int64_t t, int64_t b) {
      return (time_axis_ == 0 ? t * batch + b : b * steps + t) * inner;
    };
    dispatch_element(x.dtype(), [&](auto tag) {
      using T = typename decltype(tag)::type;
      const T* src = static_cast<const T*>(x.raw());
      T* out = static_cast<T*>(y.raw());
      parallel_for_elements<T>(steps * batch, inner, [&](int64_t begin, int64_t end) {
        for (int64_t u = begin; u < end; ++u) {
          const int64_t t = u / batch, b = u % batch;
          const int64_t len = lens[static_cast<size_t>(b)];
          const int64_t from = t < len ? len - 1 - t : t;
          std::copy_n(src + block(from, b), inner, out + block(t, b));
        }
      });
    }, ctx.describe_input(0));
  }

 private:
  std::vector<int64_t> lengths(const KernelContext& ctx) const {
    const Tensor& x = ctx.input(0);
    const std::vector<int64_t> lens = manip::read_ints(ctx, 1);
    if (static_cast<int64_t>(lens.size()) != x.dim(batch_axis_))
      ctx.fail(ctx.input_label(1), " must hold one length per batch entry (", x.dim(batch_axis_), ")");
    for (int64_t len : lens)
      if (len < 0 || len > x.dim(time_axis_))
        ctx.fail(ctx.input_label(1), " holds length ", len, ", outside [0, ", x.dim(time_axis_), "]");
    return lens;
  }

  int64_t batch_axis_;
  int64_t time_axis_;
};
// Unchanged since 10.
SKIFF_KERNEL(native, "ReverseSequence", 10, kLatestOpset, ReverseSequenceKernel);
SKIFF_KERNEL_TYPES(native, "ReverseSequence", 10, "T: all, complex64, complex128; sequence_lens: int32, int64");

}  // namespace
}  // namespace skiff
