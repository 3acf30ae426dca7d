// RoiAlign: for each region of interest, an output_height x output_width
// grid of bins, each the average (or max) of a sampling_ratio^2 (or adaptive)
// grid of bilinear samples of the feature map.
//
// Follows ONNX Runtime, whose behaviour the ONNX reference adopted:
// - samples further than one pixel outside the map contribute 0 (and still
//   count in the average); coordinates in (-1, 0] clamp to 0, and samples
//   past the last row/column use it for both neighbours;
// - "max" takes, per sample, the largest of the four weighted corner values
//   w_i * v_i (not the max of the interpolated values), then the max over
//   samples;
// - opset 10 has no coordinate_transformation_mode and behaves as
//   "output_half_pixel" (no half-pixel shift, ROI sizes clamped to >= 1).
//
// Bilinear weights factor into a row part and a column part, so the sample
// positions are precomputed per ROI as two small tables shared by all
// channels.
#include <algorithm>
#include <cmath>
#include <vector>

#include "core/dispatch.h"
#include "core/parallel.h"
#include "engines/kernel.h"

namespace skiff {
namespace {

inline constexpr TypeList<float, double, Float16, BFloat16> kRoiTypes{};
// A sampling grid beyond this many samples per bin means a degenerate ROI
// (huge or NaN coordinates): refused rather than looping for hours.
inline constexpr double kMaxSamplesPerBin = double(1 << 24);

template <class T>
using Acc = std::conditional_t<std::is_same_v<T, double>, double, float>;

// One sample along one axis: the two neighbours and their weights (both
// weights 0 when the sample is out of range).
template <class A>
struct AxisSample {
  int64_t low, high;
  A w_low, w_high;
};

// Samples of `bins` bins of `bin_size` starting at `start`, `grid` per bin,
// along an axis of length `size`.
template <class A>
void axis_samples(A start, A bin_size, int64_t bins, int64_t grid, int64_t size,
                  std::vector<AxisSample<A>>& out) {
  out.clear();
  for (int64_t p = 0; p < bins; ++p)
    for (int64_t i = 0; i < grid; ++i) {
      A v = start + static_cast<A>(p) * bin_size +
            (static_cast<A>(i) + A(0.5)) * bin_size / static_cast<A>(grid);
      if (v < A(-1) || v > static_cast<A>(size)) {
        out.push_back({0, 0, A(0), A(0)});
        continue;
      }
      if (v <= 0) v = 0;
      int64_t low = static_cast<int64_t>(v), high;
      if (low >= size - 1) {
        low = high = size - 1;
        v = static_cast<A>(low);
      } else {
        high = low + 1;
      }
      const A l = v - static_cast<A>(low);
      out.push_back({low, high, A(1) - l, l});
    }
}

class RoiAlignKernel final : public Kernel {
 public:
  explicit RoiAlignKernel(const KernelInfo& info)
      : max_mode_(parse_mode(info)),
        half_pixel_(parse_half_pixel(info)),
        output_height_(info.attr_int("output_height", 1)),
        output_width_(info.attr_int("output_width", 1)),
        sampling_ratio_(info.attr_int("sampling_ratio", 0)),
        spatial_scale_(info.attr_float("spatial_scale", 1.0f)) {
    if (output_height_ <= 0 || output_width_ <= 0)
      info.fail("output_height and output_width must be positive");
    if (sampling_ratio_ < 0) info.fail("sampling_ratio must not be negative");
  }

  void prepare(KernelContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    const Tensor& rois = ctx.input(1);
    const Tensor& indices = ctx.input(2);
    if (x.rank() != 4) ctx.fail(ctx.input_label(0), " must be 4-D [N, C, H, W]");
    if (rois.rank() != 2 || rois.dim(1) != 4 || rois.dtype() != x.dtype())
      ctx.fail(ctx.input_label(1), " must be [num_rois, 4] of the type of X");
    if (indices.rank() != 1 || indices.dim(0) != rois.dim(0) ||
        (indices.dtype() != DataType::kInt64 && indices.dtype() != DataType::kInt32))
      ctx.fail(ctx.input_label(2), " must be an int64 vector of num_rois (", rois.dim(0),
               ") elements");
    ctx.set_output(0, x.dtype(), {rois.dim(0), x.dim(1), output_height_, output_width_});
  }

  void compute(KernelContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    const std::vector<int64_t> batch = batch_indices(ctx);
    dispatch(kRoiTypes, x.dtype(), [&](auto tag) {
      using T = typename decltype(tag)::type;
      run<T>(ctx, batch, ctx.output(0));
    }, ctx.describe_input(0));
  }

 private:
  static bool parse_mode(const KernelInfo& info) {
    const std::string mode = info.attr_string("mode", "avg");
    if (mode != "avg" && mode != "max") info.fail("mode must be 'avg' or 'max', got '", mode, "'");
    return mode == "max";
  }

  static bool parse_half_pixel(const KernelInfo& info) {
    if (info.opset() < 16) return false;
    const std::string mode = info.attr_string("coordinate_transformation_mode", "half_pixel");
    if (mode != "half_pixel" && mode != "output_half_pixel")
      info.fail("coordinate_transformation_mode must be 'half_pixel' or 'output_half_pixel', got '",
                mode, "'");
    return mode == "half_pixel";
  }

  // batch_indices as int64 after checking every one against N.
  static std::vector<int64_t> batch_indices(const KernelContext& ctx) {
    const Tensor& t = ctx.input(2);
    const int64_t n = ctx.input(0).dim(0);
    std::vector<int64_t> out(static_cast<size_t>(t.numel()));
    for (int64_t i = 0; i < t.numel(); ++i) {
      const int64_t v = t.dtype() == DataType::kInt64 ? t.data<int64_t>()[i] : t.data<int32_t>()[i];
      if (v < 0 || v >= n)
        ctx.fail_runtime("batch_indices[", i, "] = ", v, " is outside [0, ", n, ") for ",
                         ctx.input_label(0));
      out[static_cast<size_t>(i)] = v;
    }
    return out;
  }

  // Grid of samples per bin along one axis, after checking the ROI extent.
  template <class A>
  int64_t grid(const KernelContext& ctx, A extent, int64_t bins, int64_t roi) const {
    if (sampling_ratio_ > 0) return sampling_ratio_;
    const double g = std::ceil(static_cast<double>(extent) / static_cast<double>(bins));
    if (!(g < kMaxSamplesPerBin))
      ctx.fail_runtime("ROI ", roi, " in ", ctx.input_label(1),
                       " is degenerate (NaN or huge coordinates)");
    return std::max<int64_t>(static_cast<int64_t>(g), 0);
  }

  template <class T>
  void run(const KernelContext& ctx, const std::vector<int64_t>& batch, Tensor& output) const {
    using A = Acc<T>;
    const Tensor& x = ctx.input(0);
    const T* rois = ctx.input(1).data<T>();
    T* y = output.data<T>();
    const int64_t channels = x.dim(1), height = x.dim(2), width = x.dim(3);
    if (height == 0 || width == 0) {  // nothing to sample: every sample is outside
      std::fill(y, y + output.numel(), T(0));
      return;
    }
    const int64_t num_rois = ctx.input(1).dim(0), oh = output_height_, ow = output_width_;
    const A offset = half_pixel_ ? A(0.5) : A(0);
    const A scale = static_cast<A>(spatial_scale_);
    // Per ROI geometry, checked before the parallel loop (which cannot throw).
    std::vector<A> start_h(num_rois), start_w(num_rois), bin_h(num_rois), bin_w(num_rois);
    std::vector<int64_t> grid_h(num_rois), grid_w(num_rois);
    for (int64_t r = 0; r < num_rois; ++r) {
      const T* roi = rois + r * 4;
      start_w[r] = static_cast<A>(roi[0]) * scale - offset;
      start_h[r] = static_cast<A>(roi[1]) * scale - offset;
      A roi_w = static_cast<A>(roi[2]) * scale - offset - start_w[r];
      A roi_h = static_cast<A>(roi[3]) * scale - offset - start_h[r];
      if (!half_pixel_) {
        roi_w = std::max(roi_w, A(1));
        roi_h = std::max(roi_h, A(1));
      }
      bin_h[r] = roi_h / static_cast<A>(oh);
      bin_w[r] = roi_w / static_cast<A>(ow);
      grid_h[r] = grid(ctx, roi_h, oh, r);
      grid_w[r] = grid(ctx, roi_w, ow, r);
    }
    const int64_t plane = height * width;
    parallel_for(num_rois * channels, oh * ow * 16, [&](int64_t t0, int64_t t1) {
      std::vector<AxisSample<A>> ys, xs;
      int64_t cached = -1;
      for (int64_t t = t0; t < t1; ++t) {
        const int64_t r = t / channels, c = t % channels;
        const int64_t gh = grid_h[r], gw = grid_w[r];
        if (r != cached) {
          axis_samples(start_h[r], bin_h[r], oh, gh, height, ys);
          axis_samples(start_w[r], bin_w[r], ow, gw, width, xs);
          cached = r;
        }
        const T* image = x.data<T>() + (batch[r] * channels + c) * plane;
        const A count = static_cast<A>(std::max<int64_t>(gh * gw, 1));
        T* out = y + t * oh * ow;
        for (int64_t ph = 0; ph < oh; ++ph)
          for (int64_t pw = 0; pw < ow; ++pw) {
            A acc = 0;
            bool first = true;
            for (int64_t iy = 0; iy < gh; ++iy) {
              const AxisSample<A>& sy = ys[ph * gh + iy];
              const T* row_low = image + sy.low * width;
              const T* row_high = image + sy.high * width;
              for (int64_t ix = 0; ix < gw; ++ix) {
                const AxisSample<A>& sx = xs[pw * gw + ix];
                const A v1 = sy.w_low * sx.w_low * static_cast<A>(row_low[sx.low]);
                const A v2 = sy.w_low * sx.w_high * static_cast<A>(row_low[sx.high]);
                const A v3 = sy.w_high * sx.w_low * static_cast<A>(row_high[sx.low]);
                const A v4 = sy.w_high * sx.w_high * static_cast<A>(row_high[sx.high]);
                if (!max_mode_) {
                  acc += v1 + v2 + v3 + v4;
                } else {
                  const A v = std::max(std::max(std::max(v1, v2), v3), v4);
                  acc = first ? v : std::max(acc, v);
                  first = false;
                }
              }
            }
            out[ph * ow + pw] = static_cast<T>(max_mode_ ? acc : acc / count);
          }
      }
    });
  }

  bool max_mode_, half_pixel_;
  int64_t output_height_, output_width_, sampling_ratio_;
  float spatial_scale_;
};

}  // namespace

// 10: introduced (no half-pixel shift); 16: coordinate_transformation_mode
// (default half_pixel); unchanged through 21.
SKIFF_KERNEL(native, "RoiAlign", 10, 15, RoiAlignKernel);
SKIFF_KERNEL_TYPES(native, "RoiAlign", 10, "T1: floats; T2: int32, int64");
SKIFF_KERNEL(native, "RoiAlign", 16, kLatestOpset, RoiAlignKernel);
SKIFF_KERNEL_TYPES(native, "RoiAlign", 16, "T1: floats; T2: int32, int64");

}  // namespace skiff
