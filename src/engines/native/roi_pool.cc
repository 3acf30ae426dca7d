// MaxRoiPool (opset 1): max pooling of each region of interest of an NCHW
// tensor onto a fixed pooled_shape grid (Fast R-CNN's RoI pooling).
//
// Each RoI is [batch_index, x1, y1, x2, y2] in input coordinates scaled by
// spatial_scale and rounded to whole pixels, its corners inclusive. Bin
// (ph, pw) covers rows [floor(ph * h / pooled_h), ceil((ph + 1) * h / pooled_h))
// of the RoI, clipped to the image; an empty bin yields 0. This is Caffe's and
// ONNX Runtime's definition, except that a bin's maximum starts from its
// first element (ONNX Runtime starts from FLT_MIN, the smallest positive
// float, which turns all-negative bins into 1e-38).
#include <algorithm>
#include <cmath>

#include "core/dispatch.h"
#include "core/parallel.h"
#include "engines/kernel.h"

namespace skiff {
namespace {

// One RoI in whole pixels of the input.
struct PixelRoi {
  int64_t batch, start_w, start_h, height, width;
};

class MaxRoiPoolKernel final : public Kernel {
 public:
  explicit MaxRoiPoolKernel(const KernelInfo& info)
      : pooled_shape_(info.attr_ints("pooled_shape")), spatial_scale_(info.attr_float("spatial_scale", 1.0f)) {
    if (pooled_shape_.size() != 2 || pooled_shape_[0] <= 0 || pooled_shape_[1] <= 0)
      info.fail("attribute 'pooled_shape' must hold two positive values");
    if (!(spatial_scale_ > 0) || !std::isfinite(spatial_scale_))
      info.fail("attribute 'spatial_scale' is ", spatial_scale_, ", expected a positive number");
  }

  void prepare(KernelContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    const Tensor& rois = ctx.input(1);
    if (x.rank() != 4) ctx.fail(ctx.input_label(0), " must be 4-D (N, C, H, W)");
    if (rois.rank() != 2 || rois.dim(1) != 5)
      ctx.fail(ctx.input_label(1), " must have shape [num_rois, 5]");
    if (rois.dtype() != x.dtype()) ctx.fail(ctx.input_label(1), " must have the type of ", ctx.input_label(0));
    ctx.set_output(0, x.dtype(), {rois.dim(0), x.dim(1), pooled_shape_[0], pooled_shape_[1]});
  }

  void compute(KernelContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    dispatch(TypeList<float, double, Float16>{}, x.dtype(), [&](auto tag) {
      using T = typename decltype(tag)::type;
      const std::vector<PixelRoi> rois = pixel_rois<T>(ctx);
      const int64_t channels = x.dim(1), height = x.dim(2), width = x.dim(3);
      const int64_t pooled_h = pooled_shape_[0], pooled_w = pooled_shape_[1];
      const T* in = x.data<T>();
      T* out = ctx.output(0).data<T>();
      const int64_t plane = height * width;
      const int64_t work = static_cast<int64_t>(rois.size()) * channels;
      parallel_for(work, plane / std::max<int64_t>(pooled_h * pooled_w, 1) + 8, [&](int64_t b, int64_t e) {
        for (int64_t item = b; item < e; ++item) {
          const PixelRoi& roi = rois[static_cast<size_t>(item / channels)];
          const T* src = in + (roi.batch * channels + item % channels) * plane;
          T* dst = out + item * pooled_h * pooled_w;
          const double bin_h = static_cast<double>(roi.height) / static_cast<double>(pooled_h);
          const double bin_w = static_cast<double>(roi.width) / static_cast<double>(pooled_w);
          for (int64_t ph = 0; ph < pooled_h; ++ph) {
            const int64_t h0 = bin_edge(std::floor(ph * bin_h), roi.start_h, height);
            const int64_t h1 = bin_edge(std::ceil((ph + 1) * bin_h), roi.start_h, height);
            for (int64_t pw = 0; pw < pooled_w; ++pw) {
              const int64_t w0 = bin_edge(std::floor(pw * bin_w), roi.start_w, width);
              const int64_t w1 = bin_edge(std::ceil((pw + 1) * bin_w), roi.start_w, width);
              dst[ph * pooled_w + pw] = bin_max(src, width, h0, h1, w0, w1);
            }
          }
        }
      });
    }, ctx.describe_input(0));
  }

 private:
  // Reads and checks the RoIs before the parallel loop (which must not throw).
  template <class T>
  std::vector<PixelRoi> pixel_rois(const KernelContext& ctx) const {
    const Tensor& x = ctx.input(0);
    const Tensor& rois = ctx.input(1);
    const T* r = rois.data<T>();
    std::vector<PixelRoi> out(static_cast<size_t>(rois.dim(0)));
    // Coordinates far outside any image are clamped before converting to
    // integers; the bins they produce are clipped to the image anyway.
    const double limit = static_cast<double>(int64_t{1} << 40);
    auto pixel = [&](T v) {
      return static_cast<int64_t>(std::round(std::clamp(double{v} * spatial_scale_, -limit, limit)));
    };
    for (int64_t n = 0; n < rois.dim(0); ++n) {
      const T* roi = r + n * 5;
      for (int k = 0; k < 5; ++k)
        if (!std::isfinite(double{roi[k]}))
          ctx.fail_runtime(ctx.input_label(1), " roi ", n, " holds ", double{roi[k]});
      const double batch = std::trunc(double{roi[0]});
      if (batch < 0 || batch >= static_cast<double>(x.dim(0)))
        ctx.fail_runtime(ctx.input_label(1), " roi ", n, " has batch index ", double{roi[0]},
                         " outside [0, ", x.dim(0), ")");
      PixelRoi& p = out[static_cast<size_t>(n)];
      p.batch = static_cast<int64_t>(batch);
      p.start_w = pixel(roi[1]);
      p.start_h = pixel(roi[2]);
      // Malformed RoIs (end before start) shrink to one pixel.
      p.width = std::max<int64_t>(pixel(roi[3]) - p.start_w + 1, 1);
      p.height = std::max<int64_t>(pixel(roi[4]) - p.start_h + 1, 1);
    }
    return out;
  }

  // A bin edge offset by the RoI start, clipped to [0, size].
  static int64_t bin_edge(double offset, int64_t start, int64_t size) {
    return std::clamp<int64_t>(static_cast<int64_t>(offset) + start, 0, size);
  }

  template <class T>
  static T bin_max(const T* src, int64_t width, int64_t h0, int64_t h1, int64_t w0, int64_t w1) {
    if (h1 <= h0 || w1 <= w0) return T(0.0f);
    T best = src[h0 * width + w0];
    for (int64_t h = h0; h < h1; ++h)
      for (int64_t w = w0; w < w1; ++w)
        if (src[h * width + w] > best) best = src[h * width + w];
    return best;
  }

  std::vector<int64_t> pooled_shape_;
  float spatial_scale_;
};

}  // namespace

// 1: introduced; unchanged through 21.
SKIFF_KERNEL(native, "MaxRoiPool", 1, kLatestOpset, MaxRoiPoolKernel);
SKIFF_KERNEL_TYPES(native, "MaxRoiPool", 1, "float, double, float16");

}  // namespace skiff
