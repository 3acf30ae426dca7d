// Concat and Split: joining and cutting along one axis. Both move whole
// contiguous runs (dims from the axis inward) per outer index.
#include <algorithm>
#include <numeric>

#include "engines/kernel.h"
#include "engines/native/manip_util.h"

namespace skiff {
namespace {

using manip::read_ints;

class ConcatKernel final : public Kernel {
 public:
  explicit ConcatKernel(const KernelInfo& info)
      : axis_(info.opset() < 4 ? info.attr_int("axis", 1) : info.attr_int("axis")) {
    if (info.num_inputs() == 0) info.fail("needs at least one input");
  }
  void prepare(KernelContext& ctx) const override {
    const Tensor& first = ctx.input(0);
    const int64_t axis = normalize_axis(ctx, first.rank());
    Shape shape = first.shape();
    shape[static_cast<size_t>(axis)] = 0;
    for (size_t i = 0; i < ctx.num_inputs(); ++i) {
      const Tensor& x = ctx.input(i);
      bool fits = x.rank() == first.rank() && x.dtype() == first.dtype();
      for (int64_t d = 0; fits && d < x.rank(); ++d) fits = d == axis || x.dim(d) == first.dim(d);
      if (!fits)
        ctx.fail(ctx.input_label(i), " does not match ", ctx.input_label(0),
                 " in type, rank or the dims other than axis ", axis);
      shape[static_cast<size_t>(axis)] += x.dim(axis);
    }
    ctx.set_output(0, first.dtype(), shape);
  }
  void compute(KernelContext& ctx) const override {
    Tensor& y = ctx.output(0);
    if (y.numel() == 0) return;
    const int64_t axis = normalize_axis(ctx, y.rank());
    int64_t outer = 1;
    for (int64_t d = 0; d < axis; ++d) outer *= y.dim(d);
    const int64_t inner = y.numel() / outer;
    // Per input: its data and the elements it adds per outer index.
    std::vector<const void*> data(ctx.num_inputs());
    std::vector<int64_t> run(ctx.num_inputs());
    for (size_t i = 0; i < run.size(); ++i) {
      data[i] = ctx.input(i).raw();
      run[i] = ctx.input(i).numel() / outer;
    }
    manip::dispatch_element(y.dtype(), [&](auto tag) {
      using T = typename decltype(tag)::type;
      T* out = static_cast<T*>(y.raw());
      manip::parallel_for_elements<T>(outer, inner, [&](int64_t begin, int64_t end) {
        for (int64_t o = begin; o < end; ++o) {
          T* dst = out + o * inner;
          for (size_t i = 0; i < run.size(); ++i) {
            const T* src = static_cast<const T*>(data[i]) + o * run[i];
            dst = std::copy_n(src, run[i], dst);
          }
        }
      });
    }, ctx.describe_input(0));
  }

 private:
  int64_t normalize_axis(const KernelContext& ctx, int64_t rank) const {
    if (axis_ < -rank || axis_ >= rank)
      ctx.fail("axis ", axis_, " is out of range for ", ctx.input_label(0));
    return axis_ < 0 ? axis_ + rank : axis_;
  }

  int64_t axis_;
};
// 4: axis required; 11: negative axis; 13: bfloat16.
SKIFF_KERNEL(native, "Concat", 1, kLatestOpset, ConcatKernel);
SKIFF_KERNEL_TYPES(native, "Concat", 1, "all, complex64, complex128");

class SplitKernel final : public Kernel {
 public:
  explicit SplitKernel(const KernelInfo& info)
      : axis_(info.attr_int("axis", 0)),
        split_attr_(info.attr_ints("split")),
        has_split_attr_(info.opset() < 13 && info.has_attr("split")),
        num_outputs_attr_(info.opset() >= 18 ? info.attr_int("num_outputs", 0) : 0) {
    if (info.opset() >= 18 && info.has_attr("num_outputs")) {
      if (num_outputs_attr_ < 1) info.fail("num_outputs ", num_outputs_attr_, " must be positive");
      if (num_outputs_attr_ != static_cast<int64_t>(info.num_outputs()))
        info.fail("num_outputs is ", num_outputs_attr_, " but the node has ", info.num_outputs(),
                  " outputs");
    }
  }
  void prepare(KernelContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    const int64_t axis = normalize_axis(ctx, x.rank());
    const std::vector<int64_t> split = sizes(ctx, x.dim(axis));
    Shape shape = x.shape();
    for (size_t i = 0; i < split.size(); ++i) {
      if (!ctx.output_wanted(i)) continue;
      shape[static_cast<size_t>(axis)] = split[i];
      ctx.set_output(i, x.dtype(), shape);
    }
  }
  // Output i is the slice [start_i, start_i + split_i) of the axis.
  void compute(KernelContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    const int64_t axis = normalize_axis(ctx, x.rank());
    const std::vector<int64_t> split = sizes(ctx, x.dim(axis));
    const std::vector<int64_t> strides = shape_strides(x.shape());
    int64_t start = 0;
    for (size_t i = 0; i < split.size(); ++i) {
      if (ctx.output_wanted(i)) {
        Tensor& y = ctx.output(i);
        manip::strided_copy(x.dtype(), x.raw(), start * strides[static_cast<size_t>(axis)],
                            y.shape(), strides, y.raw());
      }
      start += split[i];
    }
  }

 private:
  int64_t normalize_axis(const KernelContext& ctx, int64_t rank) const {
    if (axis_ < -rank || axis_ >= rank)
      ctx.fail("axis ", axis_, " is out of range for ", ctx.input_label(0));
    return axis_ < 0 ? axis_ + rank : axis_;
  }

  // The chunk sizes: given (attribute before 13, input from 13, and also the
  // second input at opset 1), else equal parts. From opset 18 num_outputs
  // parts are ceil(dim / n) long and the last one takes the remainder.
  std::vector<int64_t> sizes(const KernelContext& ctx, int64_t dim) const {
    const size_t n = ctx.num_outputs();
    std::vector<int64_t> split;
    if (has_split_attr_) {
      split = split_attr_;
    } else if ((ctx.opset() >= 13 || ctx.opset() == 1) && ctx.has_input(1) &&
               ctx.input(1).numel() > 0) {  // an empty `split` counts as absent
      split = read_ints(ctx, 1);
    } else if (num_outputs_attr_ > 0) {
      const int64_t chunk = (dim + num_outputs_attr_ - 1) / num_outputs_attr_;
      split.assign(n, chunk);
      split.back() = dim - chunk * static_cast<int64_t>(n - 1);
      if (split.back() < 0)
        ctx.fail("axis of size ", dim, " cannot be split into ", n, " chunks of ", chunk);
    } else {
      if (dim % static_cast<int64_t>(n) != 0)
        ctx.fail("axis of size ", dim, " of ", ctx.input_label(0), " cannot be split evenly into ",
                 n, " outputs");
      split.assign(n, dim / static_cast<int64_t>(n));
    }
    if (split.size() != n)
      ctx.fail("split ", shape_str(split), " has ", split.size(), " entries for ", n, " outputs");
    const bool valid = std::all_of(split.begin(), split.end(), [](int64_t s) { return s >= 0; });
    if (!valid || std::accumulate(split.begin(), split.end(), int64_t{0}) != dim)
      ctx.fail("split ", shape_str(split), " does not add up to the axis size ", dim, " of ",
               ctx.input_label(0));
    return split;
  }

  int64_t axis_;
  std::vector<int64_t> split_attr_;
  bool has_split_attr_;
  int64_t num_outputs_attr_;
};
// 2: `split` input dropped (attribute only); 11: negative axis; 13: `split`
// becomes an input, bfloat16; 18: num_outputs with an uneven last chunk.
SKIFF_KERNEL(native, "Split", 1, 12, SplitKernel);
SKIFF_KERNEL_TYPES(native, "Split", 1, "all, complex64, complex128");
SKIFF_KERNEL(native, "Split", 13, 17, SplitKernel);
SKIFF_KERNEL_TYPES(native, "Split", 13, "T: all, complex64, complex128; split: int32, int64");
SKIFF_KERNEL(native, "Split", 18, kLatestOpset, SplitKernel);
SKIFF_KERNEL_TYPES(native, "Split", 18, "T: all, complex64, complex128; split: int32, int64");

}  // namespace
}  // namespace skiff
