// Slice: a strided window of the input, per axis [start, end) by step.
#include <algorithm>
#include <numeric>

#include "engines/kernel.h"
#include "engines/native/manip_util.h"

namespace skiff {
namespace {

using manip::read_ints;

// The window along one axis.
struct AxisWindow {
  int64_t start = 0;
  int64_t step = 1;
  int64_t count = 0;
};

// ONNX's clamping: negative starts/ends count from the back, then forward
// steps clamp to [0, dim] and backward steps to [0, dim-1] / [-1, dim-1], so
// INT64_MIN and INT64_MAX mean "from the very end". No arithmetic here can
// overflow whatever the model holds.
AxisWindow window(int64_t start, int64_t end, int64_t step, int64_t dim) {
  AxisWindow w;
  w.step = step;
  if (dim == 0) return w;
  if (start < 0) start += dim;
  if (end < 0) end += dim;
  if (step > 0) {
    w.start = std::clamp(start, int64_t{0}, dim);
    end = std::clamp(end, int64_t{0}, dim);
    w.count = end > w.start ? 1 + (end - w.start - 1) / step : 0;
  } else {
    w.start = std::clamp(start, int64_t{0}, dim - 1);
    end = std::clamp(end, int64_t{-1}, dim - 1);
    // (start - end - 1) / step truncates toward zero, i.e. it is minus the
    // floor division by |step|, without negating INT64_MIN.
    w.count = w.start > end ? 1 - (w.start - end - 1) / step : 0;
  }
  return w;
}

class SliceKernel final : public Kernel {
 public:
  explicit SliceKernel(const KernelInfo& info)
      : from_inputs_(info.opset() >= 10),
        starts_(info.attr_ints("starts")),
        ends_(info.attr_ints("ends")),
        axes_(info.attr_ints("axes")),
        has_axes_(info.has_attr("axes")) {
    if (!from_inputs_ && (!info.has_attr("starts") || !info.has_attr("ends")))
      info.fail("attributes 'starts' and 'ends' are required");
  }
  void prepare(KernelContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    const std::vector<AxisWindow> windows = plan(ctx, x);
    Shape shape(windows.size());
    for (size_t d = 0; d < windows.size(); ++d) shape[d] = windows[d].count;
    ctx.set_output(0, x.dtype(), shape);
  }
  void compute(KernelContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    Tensor& y = ctx.output(0);
    const std::vector<AxisWindow> windows = plan(ctx, x);
    const std::vector<int64_t> x_strides = shape_strides(x.shape());
    std::vector<int64_t> strides(windows.size());
    int64_t offset = 0;
    for (size_t d = 0; d < windows.size(); ++d) {
      offset += windows[d].start * x_strides[d];
      // With fewer than two elements the step is never taken (and may be
      // huge), so it must not enter the stride product.
      strides[d] = windows[d].count > 1 ? windows[d].step * x_strides[d] : 0;
    }
    manip::strided_copy(x.dtype(), x.raw(), offset, y.shape(), strides, y.raw());
  }

 private:
  // One window per input dim; axes not named keep their full extent.
  std::vector<AxisWindow> plan(const KernelContext& ctx, const Tensor& x) const {
    const std::vector<int64_t> starts = from_inputs_ ? read_ints(ctx, 1) : starts_;
    const std::vector<int64_t> ends = from_inputs_ ? read_ints(ctx, 2) : ends_;
    const size_t n = starts.size();
    std::vector<int64_t> axes(n);
    std::iota(axes.begin(), axes.end(), 0);
    if (from_inputs_ ? ctx.has_input(3) : has_axes_) axes = from_inputs_ ? read_ints(ctx, 3) : axes_;
    std::vector<int64_t> steps(n, 1);
    if (from_inputs_ && ctx.has_input(4)) steps = read_ints(ctx, 4);
    if (ends.size() != n || axes.size() != n || steps.size() != n)
      ctx.fail("starts, ends, axes and steps must have the same length (", n, ", ", ends.size(),
               ", ", axes.size(), ", ", steps.size(), ")");
    axes = manip::normalize_axes(ctx, axes, x.rank(), "axes");
    std::vector<AxisWindow> windows(static_cast<size_t>(x.rank()));
    for (int64_t d = 0; d < x.rank(); ++d) windows[static_cast<size_t>(d)] = {0, 1, x.dim(d)};
    for (size_t i = 0; i < n; ++i) {
      if (steps[i] == 0) ctx.fail("steps[", i, "] is 0");
      windows[static_cast<size_t>(axes[i])] = window(starts[i], ends[i], steps[i], x.dim(axes[i]));
    }
    return windows;
  }

  bool from_inputs_;
  std::vector<int64_t> starts_, ends_, axes_;
  bool has_axes_;
};
// 10: starts/ends/axes become inputs, steps added; 11: negative axes;
// 13: bfloat16.
SKIFF_KERNEL(native, "Slice", 1, 9, SliceKernel);
SKIFF_KERNEL_TYPES(native, "Slice", 1, "all, complex64, complex128");
SKIFF_KERNEL(native, "Slice", 10, kLatestOpset, SliceKernel);
SKIFF_KERNEL_TYPES(native, "Slice", 10, "T: all, complex64, complex128; Tind: int32, int64");

}  // namespace
}  // namespace skiff
