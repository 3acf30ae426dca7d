// GridSample (2-D): Y[n, c, h, w] = X[n, c] sampled at grid[n, h, w] =
// (x, y) in [-1, 1] normalized coordinates, with bilinear, nearest or bicubic
// interpolation and zeros, border or reflection padding.
//
// Follows ONNX Runtime, which the ONNX reference matches:
// - align_corners=1 maps -1/1 to the centres of the corner pixels, 0 to their
//   outer edges;
// - out-of-range coordinates are first clamped (border) or reflected
//   (reflection) into the valid range; each interpolation tap is then
//   fetched with the same padding rule (zeros: 0 outside);
// - nearest rounds half to even; bicubic uses a = -0.75 over a 4x4
//   neighbourhood.
#include <algorithm>
#include <cmath>
#include <limits>
#include <string>

#include "core/dispatch.h"
#include "core/parallel.h"
#include "engines/kernel.h"

namespace skiff {
namespace {

template <class T>
using Acc = std::conditional_t<std::is_same_v<T, double>, double, float>;

enum class Interp { kBilinear, kNearest, kBicubic };
enum class Padding { kZeros, kBorder, kReflection };

// Reflects x into [lo, hi], folding repeatedly for far-away points (fmod, so
// that huge coordinates never overflow an integer).
template <class A>
A reflect(A x, A lo, A hi) {
  const A range = hi - lo;
  if (range <= 0) return lo;
  if (x >= lo && x <= hi) return x;
  const A d = x < lo ? lo - x : x - hi;
  const A folds = std::floor(d / range);
  const A r = d - folds * range;
  const bool even = std::fmod(folds, A(2)) == 0;
  if (x < lo) return even ? lo + r : hi - r;
  return even ? hi - r : lo + r;
}

// cubic convolution weights for the taps at offsets -1, 0, 1, 2 from t in [0, 1).
template <class A>
void cubic_coeffs(A t, A coeffs[4]) {
  const A a = A(-0.75);
  const A x = std::abs(t);
  coeffs[0] = ((a * (x + 1) - 5 * a) * (x + 1) + 8 * a) * (x + 1) - 4 * a;
  coeffs[1] = ((a + 2) * x - (a + 3)) * x * x + 1;
  coeffs[2] = ((a + 2) * (1 - x) - (a + 3)) * (1 - x) * (1 - x) + 1;
  coeffs[3] = ((a * (2 - x) - 5 * a) * (2 - x) + 8 * a) * (2 - x) - 4 * a;
}

// One input plane and the padding rule for fetching pixels from it.
template <class T, class A>
struct Plane {
  const T* data;
  int64_t height, width;
  Padding padding;
  A x_min, x_max, y_min, y_max;  // the valid coordinate range for reflection

  A at(int64_t r, int64_t c) const {
    switch (padding) {
      case Padding::kZeros:
        if (r < 0 || r >= height || c < 0 || c >= width) return A(0);
        break;
      case Padding::kBorder:
        r = std::clamp<int64_t>(r, 0, height - 1);
        c = std::clamp<int64_t>(c, 0, width - 1);
        break;
      case Padding::kReflection:
        r = static_cast<int64_t>(reflect(static_cast<A>(r), y_min, y_max));
        c = static_cast<int64_t>(reflect(static_cast<A>(c), x_min, x_max));
        // Reflection about -0.5 can land exactly on the edge; keep it inside.
        r = std::clamp<int64_t>(r, 0, height - 1);
        c = std::clamp<int64_t>(c, 0, width - 1);
        break;
    }
    return static_cast<A>(data[r * width + c]);
  }
};

class GridSampleKernel final : public Kernel {
 public:
  explicit GridSampleKernel(const KernelInfo& info)
      : interp_(parse_mode(info)),
        padding_(parse_padding(info)),
        align_corners_(info.attr_int("align_corners", 0) != 0) {}

  void prepare(KernelContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    const Tensor& grid = ctx.input(1);
    if (x.rank() != 4) {
      if (x.rank() >= 3 && ctx.opset() >= 20)
        ctx.unsupported("only 2-D sampling (4-D X) is supported, got ", ctx.input_label(0));
      ctx.fail(ctx.input_label(0), " must be 4-D [N, C, H, W]");
    }
    if (grid.rank() != 4 || grid.dim(0) != x.dim(0) || grid.dim(3) != 2)
      ctx.fail(ctx.input_label(1), " must be [N, H_out, W_out, 2] with N = ", x.dim(0));
    ctx.set_output(0, x.dtype(), {x.dim(0), x.dim(1), grid.dim(1), grid.dim(2)});
  }

  void compute(KernelContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    Tensor& y = ctx.output(0);
    if (y.empty()) return;
    if (x.dim(2) == 0 || x.dim(3) == 0)
      ctx.fail(ctx.input_label(0), " has an empty spatial plane to sample from");
    dispatch(kFloatTypes, x.dtype(), [&](auto tag) {
      using T = typename decltype(tag)::type;
      dispatch(kFloatTypes, ctx.input(1).dtype(), [&](auto gtag) {
        using G = typename decltype(gtag)::type;
        run<T, G>(x, ctx.input(1).data<G>(), y.dim(2) * y.dim(3), y.data<T>());
      }, ctx.describe_input(1));
    }, ctx.describe_input(0));
  }

 private:
  static Interp parse_mode(const KernelInfo& info) {
    const std::string mode = info.attr_string("mode", info.opset() >= 20 ? "linear" : "bilinear");
    // Opset 20 renamed bilinear/bicubic to linear/cubic.
    const bool v20 = info.opset() >= 20;
    if (mode == (v20 ? "linear" : "bilinear")) return Interp::kBilinear;
    if (mode == "nearest") return Interp::kNearest;
    if (mode == (v20 ? "cubic" : "bicubic")) return Interp::kBicubic;
    info.fail("mode '", mode, "' is not supported at this opset");
  }

  static Padding parse_padding(const KernelInfo& info) {
    const std::string p = info.attr_string("padding_mode", "zeros");
    if (p == "zeros") return Padding::kZeros;
    if (p == "border") return Padding::kBorder;
    if (p == "reflection") return Padding::kReflection;
    info.fail("padding_mode '", p, "' is not one of zeros, border, reflection");
  }

  // Normalized [-1, 1] to pixel coordinates.
  template <class A>
  A denormalize(A v, int64_t size) const {
    const A n = static_cast<A>(size);
    return align_corners_ ? (v + 1) / 2 * (n - 1) : ((v + 1) * n - 1) / 2;
  }

  template <class T, class A>
  A sample(const Plane<T, A>& p, A x, A y) const {
    if (interp_ == Interp::kNearest) {
      x = std::nearbyint(x);
      y = std::nearbyint(y);
    }
    if (x < p.x_min || x > p.x_max || y < p.y_min || y > p.y_max) {
      if (padding_ == Padding::kBorder) {
        x = std::clamp(x, A(0), static_cast<A>(p.width - 1));
        y = std::clamp(y, A(0), static_cast<A>(p.height - 1));
      } else if (padding_ == Padding::kReflection) {
        x = reflect(x, p.x_min, p.x_max);
        y = reflect(y, p.y_min, p.y_max);
      }
    }
    if (std::isnan(x) || std::isnan(y)) return std::numeric_limits<A>::quiet_NaN();
    // Only zeros padding can still be far outside; beyond 4 pixels every tap
    // reads 0 anyway, and the clamp keeps the integer taps from overflowing.
    x = std::clamp(x, A(-4), static_cast<A>(p.width + 4));
    y = std::clamp(y, A(-4), static_cast<A>(p.height + 4));
    if (interp_ == Interp::kNearest) {
      return p.at(static_cast<int64_t>(std::nearbyint(y)), static_cast<int64_t>(std::nearbyint(x)));
    }
    const A fx = std::floor(x), fy = std::floor(y);
    const int64_t x1 = static_cast<int64_t>(fx), y1 = static_cast<int64_t>(fy);
    if (interp_ == Interp::kBilinear) {
      const A dx1 = x - fx, dx2 = 1 - dx1, dy1 = y - fy, dy2 = 1 - dy1;
      return dy2 * (dx2 * p.at(y1, x1) + dx1 * p.at(y1, x1 + 1)) +
             dy1 * (dx2 * p.at(y1 + 1, x1) + dx1 * p.at(y1 + 1, x1 + 1));
    }
    A cx[4], cy[4];
    cubic_coeffs(x - fx, cx);
    cubic_coeffs(y - fy, cy);
    A out = 0;
    for (int64_t i = 0; i < 4; ++i) {
      A row = 0;
      for (int64_t j = 0; j < 4; ++j) row += cx[j] * p.at(y1 - 1 + i, x1 - 1 + j);
      out += cy[i] * row;
    }
    return out;
  }

  // grid: [N, points, 2]; y: [N, C, points].
  template <class T, class G>
  void run(const Tensor& x, const G* grid, int64_t points, T* y) const {
    using A = Acc<T>;
    const int64_t channels = x.dim(1), height = x.dim(2), width = x.dim(3);
    const A lo = align_corners_ ? A(0) : A(-0.5);
    const A x_max = static_cast<A>(width) - (align_corners_ ? A(1) : A(0.5));
    const A y_max = static_cast<A>(height) - (align_corners_ ? A(1) : A(0.5));
    parallel_for(x.dim(0) * channels, points * 16, [&](int64_t t0, int64_t t1) {
      for (int64_t t = t0; t < t1; ++t) {
        const int64_t n = t / channels;
        const Plane<T, A> p{x.data<T>() + t * height * width, height, width, padding_,
                            lo, x_max, lo, y_max};
        const G* g = grid + n * points * 2;
        T* out = y + t * points;
        for (int64_t i = 0; i < points; ++i) {
          const A px = denormalize(static_cast<A>(g[2 * i]), width);
          const A py = denormalize(static_cast<A>(g[2 * i + 1]), height);
          out[i] = static_cast<T>(sample(p, px, py));
        }
      }
    });
  }

  Interp interp_;
  Padding padding_;
  bool align_corners_;
};

}  // namespace

// 16: introduced (2-D; bilinear, nearest, bicubic); 20: N-d and the modes
// renamed linear/cubic (2-D only here).
SKIFF_KERNEL(native, "GridSample", 16, 19, GridSampleKernel);
SKIFF_KERNEL_TYPES(native, "GridSample", 16, "T1: floats; T2: floats");
SKIFF_KERNEL(native, "GridSample", 20, kLatestOpset, GridSampleKernel);
SKIFF_KERNEL_TYPES(native, "GridSample", 20, "T1: floats; T2: floats");

}  // namespace skiff
