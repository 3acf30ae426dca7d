// Resize (opsets 10-19) and Upsample (7-9), N-d.
//
// Every output coordinate is mapped back to the input (the coordinate
// transformation mode), giving per-axis "taps": (input index, weight) pairs.
// The ONNX reference interpolates one axis at a time, so skiff does the same:
//  - nearest: one tap per axis, so the output is a pure gather (exact for
//    every dtype, strings included);
//  - linear/cubic: one pass per resized axis over a [outer, len, inner] view,
//    inner rows contiguous, in float (double for double), rounding once when
//    the last pass stores. For NCHW that is an H pass over whole rows and a
//    W pass, shrinking axes first.
// Antialias (18) widens the linear/cubic filter by 1/scale when downsampling;
// with antialias off the same formula reduces to the classic 2/4-tap filter.
#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <string>
#include <type_traits>
#include <vector>

#include "core/dispatch.h"
#include "core/parallel.h"
#include "engines/kernel.h"

namespace skiff {
namespace {

enum class Mode { kNearest, kLinear, kCubic };
enum class Coord {
  kHalfPixel, kHalfPixelSymmetric, kPytorchHalfPixel, kAlignCorners, kAsymmetric,
  kTfHalfPixelForNearest, kTfCropAndResize
};
// kSimple: Resize-10 and Upsample had no nearest_mode; like ONNX Runtime,
// they floor when upsampling and ceil when downsampling.
enum class Nearest { kRoundPreferFloor, kRoundPreferCeil, kFloor, kCeil, kSimple };
enum class Policy { kStretch, kNotLarger, kNotSmaller };

struct ResizeAttrs {
  Mode mode = Mode::kNearest;
  Coord coord = Coord::kAsymmetric;
  Nearest nearest = Nearest::kSimple;
  double cubic_a = -0.75;
  bool exclude_outside = false;
  double extrapolation = 0;
  bool antialias = false;
  std::vector<int64_t> axes;  // opset 18: the axes scales/sizes/roi refer to
  Policy policy = Policy::kStretch;
};

// Per-axis result of coordinate mapping: taps of output j are
// [begin[j], begin[j+1]); `outside` marks tf_crop_and_resize extrapolation.
struct AxisTaps {
  std::vector<int64_t> begin{0};
  std::vector<int64_t> index;
  std::vector<double> weight;
  std::vector<uint8_t> outside;
  bool identity = true;  // output j reads exactly input j with weight 1
};

double original_coordinate(const ResizeAttrs& a, double j, int64_t len_in, int64_t len_out,
                           double scale, double roi_start, double roi_end) {
  switch (a.coord) {
    case Coord::kHalfPixel: return (j + 0.5) / scale - 0.5;
    case Coord::kHalfPixelSymmetric: {
      const double adjustment = static_cast<double>(len_out) / (scale * static_cast<double>(len_in));
      const double center = static_cast<double>(len_in) / 2;
      return center * (1 - adjustment) + (j + 0.5) / scale - 0.5;
    }
    case Coord::kPytorchHalfPixel: return len_out > 1 ? (j + 0.5) / scale - 0.5 : 0.0;
    case Coord::kAlignCorners: {
      // length_resized is scale * length_original as the spec defines scale,
      // not the floored output length: they differ for fractional scales
      // (0.6 * 4 = 2.4, two outputs), and ONNX's reference uses the former.
      const double len_resized = scale * static_cast<double>(len_in);
      return j == 0 ? 0.0 : j * static_cast<double>(len_in - 1) / (len_resized - 1);
    }
    case Coord::kAsymmetric: return j / scale;
    case Coord::kTfHalfPixelForNearest: return (j + 0.5) / scale;
    case Coord::kTfCropAndResize: {
      const double span = static_cast<double>(len_in - 1);
      if (len_out > 1)
        return roi_start * span + j * (roi_end - roi_start) * span / static_cast<double>(len_out - 1);
      return 0.5 * (roi_start + roi_end) * span;
    }
  }
  return 0;
}

int64_t nearest_index(Nearest mode, double x, double scale) {
  const double fl = std::floor(x);
  switch (mode) {
    case Nearest::kRoundPreferFloor: return static_cast<int64_t>(x - fl == 0.5 ? fl : std::round(x));
    case Nearest::kRoundPreferCeil: return static_cast<int64_t>(x - fl == 0.5 ? fl + 1 : std::round(x));
    case Nearest::kFloor: return static_cast<int64_t>(fl);
    case Nearest::kCeil: return static_cast<int64_t>(std::ceil(x));
    case Nearest::kSimple: return static_cast<int64_t>(scale < 1 ? std::ceil(x) : fl);
  }
  return 0;
}

// Cubic convolution kernel with parameter A (Keys), zero beyond |t| >= 2.
double cubic_weight(double t, double A) {
  t = std::fabs(t);
  if (t <= 1) return ((A + 2) * t - (A + 3)) * t * t + 1;
  if (t < 2) return ((A * t - 5 * A) * t + 8 * A) * t - 4 * A;
  return 0;
}

void add_filter_taps(const ResizeAttrs& a, double x, int64_t len_in, double scale, AxisTaps& t) {
  // The filter is stretched by 1/scale when antialiasing a downsample.
  const double s = a.antialias && scale < 1 ? scale : 1.0;
  const double support = a.mode == Mode::kLinear ? 1.0 : 2.0;
  const int64_t start = static_cast<int64_t>(std::floor(-support / s)) + 1;
  const double fl = std::floor(x);
  const double ratio = x - fl;
  const int64_t base = static_cast<int64_t>(fl);
  const size_t first = t.index.size();
  double total = 0;
  const bool normalize = a.antialias || a.exclude_outside;
  for (int64_t i = start; i <= 1 - start; ++i) {
    const double arg = (static_cast<double>(i) - ratio) * s;
    double w = a.mode == Mode::kLinear ? std::max(0.0, 1 - std::fabs(arg)) : cubic_weight(arg, a.cubic_a);
    const int64_t idx = base + i;
    if (a.exclude_outside && (idx < 0 || idx >= len_in)) w = 0;
    total += w;
    if (w == 0) continue;
    t.index.push_back(std::clamp<int64_t>(idx, 0, len_in - 1));  // edge padding
    t.weight.push_back(w);
  }
  if (normalize && total != 0)
    for (size_t k = first; k < t.weight.size(); ++k) t.weight[k] /= total;
}

AxisTaps make_taps(const ResizeAttrs& a, int64_t len_in, int64_t len_out, double scale,
                   double roi_start, double roi_end) {
  AxisTaps t;
  t.identity = len_in == len_out;
  for (int64_t j = 0; j < len_out; ++j) {
    const double x = original_coordinate(a, static_cast<double>(j), len_in, len_out, scale,
                                         roi_start, roi_end);
    const bool outside = a.coord == Coord::kTfCropAndResize &&
                         (x < 0 || x > static_cast<double>(len_in - 1));
    t.outside.push_back(outside);
    if (!outside) {
      if (a.mode == Mode::kNearest) {
        t.index.push_back(std::clamp<int64_t>(nearest_index(a.nearest, x, scale), 0, len_in - 1));
        t.weight.push_back(1);
      } else {
        add_filter_taps(a, x, len_in, scale, t);
      }
    }
    const int64_t b = t.begin.back();
    const int64_t n = static_cast<int64_t>(t.index.size()) - b;
    t.identity = t.identity && !outside && n == 1 && t.index[b] == j && t.weight[b] == 1;
    t.begin.push_back(static_cast<int64_t>(t.index.size()));
  }
  return t;
}

template <class Out, class A>
Out store(A v) {
  if constexpr (std::is_integral_v<Out>) {
    // Integer images round to nearest and saturate rather than wrap.
    const A lo = static_cast<A>(std::numeric_limits<Out>::lowest());
    const A hi = static_cast<A>(std::numeric_limits<Out>::max());
    const A r = std::nearbyint(v);
    return r <= lo ? std::numeric_limits<Out>::lowest() : r >= hi ? std::numeric_limits<Out>::max()
                                                                 : static_cast<Out>(r);
  } else {
    return static_cast<Out>(v);
  }
}

// One linear/cubic pass along an axis: [outer, len_in, inner] -> [outer, len_out, inner].
template <class In, class Out, class A>
void resize_axis(const In* in, Out* out, int64_t outer, int64_t len_in, int64_t inner,
                 const AxisTaps& t, A extrapolation) {
  const int64_t len_out = static_cast<int64_t>(t.outside.size());
  const std::vector<A> weight(t.weight.begin(), t.weight.end());
  const int64_t avg_taps = std::max<int64_t>(1, static_cast<int64_t>(weight.size()) / std::max<int64_t>(len_out, 1));
  parallel_for(outer * len_out, inner * avg_taps * 2, [&](int64_t begin, int64_t end) {
    std::vector<A> acc(static_cast<size_t>(inner));
    for (int64_t r = begin; r < end; ++r) {
      const int64_t o = r / len_out, j = r % len_out;
      Out* dst = out + r * inner;
      if (t.outside[j]) {
        for (int64_t k = 0; k < inner; ++k) dst[k] = store<Out>(extrapolation);
        continue;
      }
      const In* src = in + o * len_in * inner;
      if (inner == 1) {
        A sum = 0;
        for (int64_t p = t.begin[j]; p < t.begin[j + 1]; ++p)
          sum += weight[p] * static_cast<A>(src[t.index[p]]);
        dst[0] = store<Out>(sum);
        continue;
      }
      std::fill(acc.begin(), acc.end(), A(0));
      for (int64_t p = t.begin[j]; p < t.begin[j + 1]; ++p) {
        const In* row = src + t.index[p] * inner;
        const A w = weight[p];
        for (int64_t k = 0; k < inner; ++k) acc[k] += w * static_cast<A>(row[k]);
      }
      for (int64_t k = 0; k < inner; ++k) dst[k] = store<Out>(acc[k]);
    }
  });
}

template <class T>
void resize_filter(const T* in, T* out, const Shape& in_shape, const Shape& out_shape,
                   const std::vector<AxisTaps>& taps, double extrapolation) {
  using A = std::conditional_t<std::is_same_v<T, double>, double, float>;
  const int64_t rank = static_cast<int64_t>(in_shape.size());
  std::vector<int64_t> order;
  for (int64_t d = 0; d < rank; ++d)
    if (!taps[d].identity) order.push_back(d);
  // Shrinking axes first keeps the intermediate buffers small.
  std::stable_sort(order.begin(), order.end(), [&](int64_t a, int64_t b) {
    return static_cast<double>(out_shape[a]) / static_cast<double>(in_shape[a]) <
           static_cast<double>(out_shape[b]) / static_cast<double>(in_shape[b]);
  });
  if (order.empty()) {
    std::copy(in, in + shape_numel(in_shape), out);
    return;
  }
  Shape cur = in_shape;
  std::vector<A> bufs[2];
  const A* src = nullptr;  // nullptr: still reading `in`
  for (size_t p = 0; p < order.size(); ++p) {
    const int64_t d = order[p];
    int64_t outer = 1, inner = 1;
    for (int64_t i = 0; i < d; ++i) outer *= cur[i];
    for (int64_t i = d + 1; i < rank; ++i) inner *= cur[i];
    const int64_t len_in = cur[d];
    cur[d] = out_shape[d];
    const bool last = p + 1 == order.size();
    const A e = static_cast<A>(extrapolation);
    if (last) {
      if (src) resize_axis<A, T, A>(src, out, outer, len_in, inner, taps[d], e);
      else resize_axis<T, T, A>(in, out, outer, len_in, inner, taps[d], e);
    } else {
      std::vector<A>& dst = bufs[p % 2];
      dst.resize(static_cast<size_t>(shape_numel(cur)));
      if (src) resize_axis<A, A, A>(src, dst.data(), outer, len_in, inner, taps[d], e);
      else resize_axis<T, A, A>(in, dst.data(), outer, len_in, inner, taps[d], e);
      src = dst.data();
    }
  }
}

// Nearest: a gather. Rows of the output's last axis are filled in one loop.
template <class T>
void resize_nearest(const T* in, T* out, const Shape& in_shape, const Shape& out_shape,
                    const std::vector<AxisTaps>& taps, double extrapolation) {
  const int64_t rank = static_cast<int64_t>(in_shape.size());
  const std::vector<int64_t> in_strides = shape_strides(in_shape);
  const int64_t width = out_shape[rank - 1];
  const int64_t rows = width == 0 ? 0 : shape_numel(out_shape) / width;
  T fill{};
  if constexpr (std::is_arithmetic_v<T> || std::is_same_v<T, Float16> || std::is_same_v<T, BFloat16>)
    fill = static_cast<T>(static_cast<float>(extrapolation));
  const AxisTaps& last = taps[rank - 1];
  parallel_for(rows, width * 2, [&](int64_t begin, int64_t end) {
    for (int64_t r = begin; r < end; ++r) {
      int64_t rem = r, base = 0;
      bool outside = false;
      for (int64_t d = rank - 2; d >= 0; --d) {
        const int64_t j = rem % out_shape[d];
        rem /= out_shape[d];
        outside = outside || taps[d].outside[j];
        if (!taps[d].outside[j]) base += taps[d].index[taps[d].begin[j]] * in_strides[d];
      }
      T* dst = out + r * width;
      for (int64_t j = 0; j < width; ++j)
        dst[j] = outside || last.outside[j] ? fill : in[base + last.index[last.begin[j]]];
    }
  });
}

enum class Variant { kUpsample7, kUpsample9, kResize10, kResize11 };

// Reads a float/double/float16 tensor (scales, roi) as doubles.
std::vector<double> read_doubles(const KernelContext& ctx, size_t i) {
  const Tensor& t = ctx.input(i);
  std::vector<double> v(static_cast<size_t>(t.numel()));
  dispatch(kFloatTypes, t.dtype(), [&](auto tag) {
    using T = typename decltype(tag)::type;
    for (int64_t k = 0; k < t.numel(); ++k) {
      if constexpr (std::is_same_v<T, double>) v[k] = t.data<double>()[k];
      else v[k] = static_cast<float>(t.data<T>()[k]);
    }
  }, ctx.describe_input(i));
  return v;
}

std::vector<int64_t> read_sizes(const KernelContext& ctx, size_t i) {
  const Tensor& t = ctx.input(i);
  if (t.dtype() == DataType::kInt64) return {t.data<int64_t>(), t.data<int64_t>() + t.numel()};
  if (t.dtype() == DataType::kInt32) return {t.data<int32_t>(), t.data<int32_t>() + t.numel()};
  ctx.fail(ctx.input_label(i), " must be int64");
}

template <class E>
E parse_enum(const KernelInfo& info, const char* attr, const std::string& fallback,
             std::initializer_list<std::pair<const char*, E>> names) {
  const std::string v = info.attr_string(attr, fallback);
  for (const auto& [name, value] : names)
    if (v == name) return value;
  info.unsupported("unsupported ", attr, " '", v, "'");
}

ResizeAttrs parse_attrs(const KernelInfo& info, Variant variant) {
  ResizeAttrs a;
  if (variant != Variant::kResize11) {
    // Upsample and Resize-10: asymmetric coordinates, no nearest_mode.
    a.mode = parse_enum<Mode>(info, "mode", "nearest",
                              {{"nearest", Mode::kNearest}, {"linear", Mode::kLinear},
                               {"bilinear", Mode::kLinear}});
    return a;
  }
  const int64_t opset = info.opset();
  a.mode = parse_enum<Mode>(info, "mode", "nearest",
                            {{"nearest", Mode::kNearest}, {"linear", Mode::kLinear}, {"cubic", Mode::kCubic}});
  a.coord = parse_enum<Coord>(info, "coordinate_transformation_mode", "half_pixel",
                              {{"half_pixel", Coord::kHalfPixel},
                               {"pytorch_half_pixel", Coord::kPytorchHalfPixel},
                               {"align_corners", Coord::kAlignCorners},
                               {"asymmetric", Coord::kAsymmetric},
                               {"tf_half_pixel_for_nearest", Coord::kTfHalfPixelForNearest},
                               // The name in the first opset-11 spec (onnx 1.5).
                               {"tf_half_pixel_for_nn", Coord::kTfHalfPixelForNearest},
                               {"tf_crop_and_resize", Coord::kTfCropAndResize},
                               {"half_pixel_symmetric", Coord::kHalfPixelSymmetric}});
  if (a.coord == Coord::kHalfPixelSymmetric && opset < 19)
    info.fail("coordinate_transformation_mode 'half_pixel_symmetric' needs opset 19");
  a.nearest = parse_enum<Nearest>(info, "nearest_mode", "round_prefer_floor",
                                  {{"round_prefer_floor", Nearest::kRoundPreferFloor},
                                   {"round_prefer_ceil", Nearest::kRoundPreferCeil},
                                   {"floor", Nearest::kFloor}, {"ceil", Nearest::kCeil}});
  a.cubic_a = info.attr_float("cubic_coeff_a", -0.75f);
  a.exclude_outside = info.attr_int("exclude_outside", 0) != 0;
  a.extrapolation = info.attr_float("extrapolation_value", 0.0f);
  if (opset >= 18) {
    a.antialias = info.attr_int("antialias", 0) != 0;
    a.axes = info.attr_ints("axes");
    a.policy = parse_enum<Policy>(info, "keep_aspect_ratio_policy", "stretch",
                                  {{"stretch", Policy::kStretch}, {"not_larger", Policy::kNotLarger},
                                   {"not_smaller", Policy::kNotSmaller}});
  }
  return a;
}

class ResizeKernel final : public Kernel {
 public:
  ResizeKernel(const KernelInfo& info, Variant variant)
      : variant_(variant), attrs_(parse_attrs(info, variant)) {
    if (variant == Variant::kUpsample7) {
      const std::vector<float> s = info.attr_floats("scales");
      if (s.empty()) info.fail("attribute 'scales' is required");
      scales_attr_.assign(s.begin(), s.end());
    }
  }

  void prepare(KernelContext& ctx) const override {
    const Plan p = plan(ctx);
    ctx.set_output(0, ctx.input(0).dtype(), p.out);
  }

  void compute(KernelContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    const Plan p = plan(ctx);
    Tensor& y = ctx.output(0);
    if (y.empty()) return;
    std::vector<AxisTaps> taps;
    for (int64_t d = 0; d < x.rank(); ++d)
      taps.push_back(make_taps(attrs_, x.dim(d), p.out[d], p.scales[d], p.roi_start[d], p.roi_end[d]));
    const auto what = ctx.describe_input(0);
    if (attrs_.mode == Mode::kNearest) {
      dispatch(kAllTypes, x.dtype(), [&](auto tag) {
        using T = typename decltype(tag)::type;
        resize_nearest<T>(x.data<T>(), y.data<T>(), x.shape(), p.out, taps, attrs_.extrapolation);
      }, what);
      return;
    }
    dispatch(kNumericTypes, x.dtype(), [&](auto tag) {
      using T = typename decltype(tag)::type;
      resize_filter<T>(x.data<T>(), y.data<T>(), x.shape(), p.out, taps, attrs_.extrapolation);
    }, what);
  }

 private:
  struct Plan {
    Shape out;
    std::vector<double> scales, roi_start, roi_end;
  };

  // The axes scales/sizes/roi refer to (opset 18 `axes`, else all).
  std::vector<int64_t> axes(const KernelContext& ctx, int64_t rank) const {
    if (attrs_.axes.empty()) {
      std::vector<int64_t> all(static_cast<size_t>(rank));
      std::iota(all.begin(), all.end(), int64_t{0});
      return all;
    }
    std::vector<int64_t> out;
    for (int64_t a : attrs_.axes) {
      if (a < -rank || a >= rank) ctx.fail("axis ", a, " is out of range for ", ctx.input_label(0));
      const int64_t n = a < 0 ? a + rank : a;
      if (std::find(out.begin(), out.end(), n) != out.end()) ctx.fail("axis ", a, " is repeated in axes");
      out.push_back(n);
    }
    return out;
  }

  Plan plan(const KernelContext& ctx) const {
    const Tensor& x = ctx.input(0);
    const int64_t rank = x.rank();
    if (rank == 0) ctx.fail(ctx.input_label(0), " must have rank >= 1");
    const std::vector<int64_t> ax = axes(ctx, rank);
    Plan p{x.shape(), std::vector<double>(rank, 1.0), std::vector<double>(rank, 0.0),
           std::vector<double>(rank, 1.0)};
    const size_t scales_at = variant_ == Variant::kResize11 ? 2 : 1;
    std::vector<double> scales = scales_attr_;
    if (variant_ != Variant::kUpsample7 && ctx.has_input(scales_at) && !ctx.input(scales_at).empty())
      scales = read_doubles(ctx, scales_at);
    std::vector<int64_t> sizes;
    if (variant_ == Variant::kResize11 && ctx.has_input(3) && !ctx.input(3).empty())
      sizes = read_sizes(ctx, 3);
    if (scales.empty() == sizes.empty())
      ctx.fail(sizes.empty() ? "one of 'scales' and 'sizes' is required"
                             : "only one of 'scales' and 'sizes' may be given");
    const size_t count = sizes.empty() ? scales.size() : sizes.size();
    if (count != ax.size())
      ctx.fail(sizes.empty() ? "'scales'" : "'sizes'", " has ", count, " values but ",
               ctx.input_label(0), " needs ", ax.size());
    if (!sizes.empty()) apply_sizes(ctx, ax, sizes, p);
    for (size_t i = 0; i < scales.size(); ++i) {
      const int64_t d = ax[i];
      if (!(scales[i] > 0) || !std::isfinite(scales[i]))
        ctx.fail("scale ", scales[i], " for axis ", d, " of ", ctx.input_label(0), " must be positive");
      const double len = std::floor(static_cast<double>(x.dim(d)) * scales[i]);
      if (len > static_cast<double>(int64_t{1} << 48))
        ctx.fail("scale ", scales[i], " for axis ", d, " of ", ctx.input_label(0), " is too large");
      p.scales[d] = scales[i];
      p.out[d] = static_cast<int64_t>(len);
    }
    for (int64_t d = 0; d < rank; ++d)
      if (x.dim(d) == 0 && p.out[d] != 0)
        ctx.fail("cannot resize the empty axis ", d, " of ", ctx.input_label(0), " to ", p.out[d]);
    if (attrs_.coord == Coord::kTfCropAndResize) apply_roi(ctx, ax, p);
    return p;
  }

  void apply_sizes(const KernelContext& ctx, const std::vector<int64_t>& ax,
                   const std::vector<int64_t>& sizes, Plan& p) const {
    const Tensor& x = ctx.input(0);
    for (int64_t s : sizes)
      if (s < 0) ctx.fail("size ", s, " must not be negative");
    if (attrs_.policy == Policy::kStretch) {
      for (size_t i = 0; i < ax.size(); ++i) {
        p.out[ax[i]] = sizes[i];
        p.scales[ax[i]] = static_cast<double>(sizes[i]) / static_cast<double>(x.dim(ax[i]));
      }
      return;
    }
    // keep_aspect_ratio_policy: one scale for every listed axis, the largest
    // that fits inside (not_larger) or the smallest that covers (not_smaller).
    double scale = attrs_.policy == Policy::kNotLarger ? INFINITY : 0;
    for (size_t i = 0; i < ax.size(); ++i) {
      const double s = static_cast<double>(sizes[i]) / static_cast<double>(x.dim(ax[i]));
      scale = attrs_.policy == Policy::kNotLarger ? std::min(scale, s) : std::max(scale, s);
    }
    for (int64_t d : ax) {
      p.scales[d] = scale;
      p.out[d] = static_cast<int64_t>(std::floor(scale * static_cast<double>(x.dim(d)) + 0.5));
    }
  }

  void apply_roi(const KernelContext& ctx, const std::vector<int64_t>& ax, Plan& p) const {
    if (!ctx.has_input(1) || ctx.input(1).empty())
      ctx.fail("'roi' is required with coordinate_transformation_mode 'tf_crop_and_resize'");
    const std::vector<double> roi = read_doubles(ctx, 1);
    if (roi.size() != 2 * ax.size())
      ctx.fail(ctx.input_label(1), " must hold ", 2 * ax.size(), " values (starts, then ends)");
    for (size_t i = 0; i < ax.size(); ++i) {
      p.roi_start[ax[i]] = roi[i];
      p.roi_end[ax[i]] = roi[ax.size() + i];
    }
  }

  Variant variant_;
  ResizeAttrs attrs_;
  std::vector<double> scales_attr_;
};

template <Variant kVariant>
class ResizeOp final : public Kernel {
 public:
  explicit ResizeOp(const KernelInfo& info) : impl_(info, kVariant) {}
  void prepare(KernelContext& ctx) const override { impl_.prepare(ctx); }
  void compute(KernelContext& ctx) const override { impl_.compute(ctx); }

 private:
  ResizeKernel impl_;
};

using Upsample7 = ResizeOp<Variant::kUpsample7>;
using Upsample9 = ResizeOp<Variant::kUpsample9>;
using Resize10 = ResizeOp<Variant::kResize10>;
using Resize11 = ResizeOp<Variant::kResize11>;

}  // namespace

// Upsample 7: `scales` attribute; 9: `scales` input; 10: deprecated for Resize.
SKIFF_KERNEL(native, "Upsample", 7, 8, Upsample7);
SKIFF_KERNEL_TYPES(native, "Upsample", 7, "T (nearest): all; T (linear): numeric");
SKIFF_KERNEL(native, "Upsample", 9, 9, Upsample9);
SKIFF_KERNEL_TYPES(native, "Upsample", 9, "T (nearest): all; T (linear): numeric; scales: floats");
// Resize 10: nearest|linear, asymmetric; 11: roi, sizes, coordinate modes,
// nearest_mode, cubic; 13: roi and scales optional (""), bfloat16;
// 18: antialias, axes, keep_aspect_ratio_policy; 19: half_pixel_symmetric.
SKIFF_KERNEL(native, "Resize", 10, 10, Resize10);
SKIFF_KERNEL_TYPES(native, "Resize", 10, "T (nearest): all; T (linear): numeric; scales: floats");
SKIFF_KERNEL(native, "Resize", 11, 12, Resize11);
SKIFF_KERNEL_TYPES(native, "Resize", 11, "T1 (nearest): all; T1 (linear, cubic): numeric; T2: floats; scales: floats; sizes: int32, int64");
SKIFF_KERNEL(native, "Resize", 13, 17, Resize11);
SKIFF_KERNEL_TYPES(native, "Resize", 13, "T1 (nearest): all; T1 (linear, cubic): numeric; T2: floats; scales: floats; sizes: int32, int64");
SKIFF_KERNEL(native, "Resize", 18, 18, Resize11);
SKIFF_KERNEL_TYPES(native, "Resize", 18, "T1 (nearest): all; T1 (linear, cubic): numeric; T2: floats; scales: floats; sizes: int32, int64");
SKIFF_KERNEL(native, "Resize", 19, kLatestOpset, Resize11);
SKIFF_KERNEL_TYPES(native, "Resize", 19, "T1 (nearest): all; T1 (linear, cubic): numeric; T2: floats; scales: floats; sizes: int32, int64");

}  // namespace skiff
