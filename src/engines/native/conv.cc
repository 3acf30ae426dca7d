// Conv: N-d, grouped, dilated, strided, padded; im2col + gemm in general,
// gemm straight on the input for 1x1 stride-1 convolutions, and a direct loop
// for 2-D depthwise convolutions (where im2col + a K=kh*kw gemm is wasteful).
#include <algorithm>
#include <vector>

#include "core/dispatch.h"
#include "core/parallel.h"
#include "engines/kernel.h"
#include "engines/native/gemm.h"
#include "engines/native/im2col.h"
#include "engines/native/window.h"

namespace skiff {
namespace {

inline constexpr TypeList<float, double, Float16, BFloat16> kConvTypes{};

template <class T>
using Acc = std::conditional_t<std::is_same_v<T, double>, double, float>;

// Everything compute needs, derived from the input shapes.
struct ConvGeometry {
  int64_t batch = 0, channels = 0, out_channels = 0, group = 1;
  Window window;
  bool pointwise = false;  // 1x1 kernel, stride 1, no padding: the input is already `col`
  bool depthwise = false;  // 2-D, one input channel per group
};

template <class T>
void fill_bias(const T* bias, int64_t channels, int64_t plane, T* y) {
  for (int64_t c = 0; c < channels; ++c) std::fill(y + c * plane, y + (c + 1) * plane, bias[c]);
}

// Y[m] += W[m] (*) X[c]: one output plane of a 2-D depthwise conv. Rows of
// the kernel that fall in the padding are skipped, and along the row only
// the in-bounds output range is visited, so the inner loop has no branches.
template <class T>
void depthwise_plane(const Window& w, const T* x, const T* weights, T bias, Acc<T>* row, T* y) {
  const int64_t in_h = w.in[0], in_w = w.in[1], out_h = w.out[0], out_w = w.out[1];
  const int64_t sh = w.strides[0], sw = w.strides[1], dh = w.dilations[0], dw = w.dilations[1];
  for (int64_t oh = 0; oh < out_h; ++oh) {
    std::fill(row, row + out_w, static_cast<Acc<T>>(bias));
    for (int64_t kh = 0; kh < w.kernel[0]; ++kh) {
      const int64_t ih = oh * sh - w.pad_begin[0] + kh * dh;
      if (ih < 0 || ih >= in_h) continue;
      const T* in_row = x + ih * in_w;
      for (int64_t kw = 0; kw < w.kernel[1]; ++kw) {
        const Acc<T> wv = static_cast<Acc<T>>(weights[kh * w.kernel[1] + kw]);
        const int64_t start = kw * dw - w.pad_begin[1];
        const int64_t lo = std::clamp<int64_t>(im2col_detail::floor_div(-start + sw - 1, sw), 0, out_w);
        const int64_t hi =
            std::clamp<int64_t>(im2col_detail::floor_div(in_w - 1 - start, sw) + 1, lo, out_w);
        const T* src = in_row + (start + lo * sw);
        if (sw == 1) {
          for (int64_t o = lo; o < hi; ++o) row[o] += wv * static_cast<Acc<T>>(src[o - lo]);
        } else {
          for (int64_t o = lo; o < hi; ++o) row[o] += wv * static_cast<Acc<T>>(src[(o - lo) * sw]);
        }
      }
    }
    T* out = y + oh * out_w;
    for (int64_t o = 0; o < out_w; ++o) out[o] = static_cast<T>(row[o]);
  }
}

template <class T>
void conv_depthwise(const ConvGeometry& g, const T* x, const T* weights, const T* bias, T* y) {
  const int64_t multiplier = g.out_channels / g.channels;
  const int64_t in_size = g.window.in_size(), out_size = g.window.out_size();
  const int64_t ksize = g.window.kernel_size();
  std::vector<Acc<T>> rows(static_cast<size_t>(max_threads() * g.window.out[1]));
  parallel_for(g.batch * g.out_channels, out_size * ksize, [&](int64_t p0, int64_t p1) {
    Acc<T>* row = rows.data() + omp_get_thread_num() * g.window.out[1];
    for (int64_t p = p0; p < p1; ++p) {
      const int64_t n = p / g.out_channels, m = p % g.out_channels;
      const T* image = x + (n * g.channels + m / multiplier) * in_size;
      depthwise_plane<T>(g.window, image, weights + m * ksize, bias ? bias[m] : T(0), row,
                         y + p * out_size);
    }
  });
}

// gemm on whatever type T is: the blocked float kernel or the generic one.
// C has row stride ldc (a tile of the output planes).
template <class T>
void conv_gemm(int64_t M, int64_t N, int64_t K, const T* A, const T* B, int64_t ldb, float beta,
               T* C, int64_t ldc, bool threaded) {
  if constexpr (std::is_same_v<T, float>)
    (threaded ? gemm : gemm_serial)(false, false, M, N, K, 1.0f, A, K, B, ldb, beta, C, ldc);
  else
    gemm_generic<T>(false, false, M, N, K, 1.0, A, K, B, ldb, beta, C, ldc);
}

// The column matrix is built for a band of output rows (along the first
// spatial dim) at a time, so its buffer stays near kColumnBudget elements
// however large the image: a 3x3 conv over 256 channels at 112x112 would
// otherwise need a 115 MB matrix.
constexpr int64_t kColumnBudget = int64_t{1} << 20;

// The window restricted to output rows [row0, row0 + rows) of spatial dim 0;
// shifting the leading pad makes im2col start at row0.
Window row_band(const Window& w, int64_t row0, int64_t rows) {
  Window band = w;
  band.out[0] = rows;
  band.pad_begin[0] = w.pad_begin[0] - row0 * w.strides[0];
  return band;
}

template <class T>
void conv_general(const ConvGeometry& g, const T* x, const T* weights, const T* bias, T* y) {
  const int64_t cg = g.channels / g.group, mg = g.out_channels / g.group;
  const int64_t in_size = g.window.in_size(), out_size = g.window.out_size();
  const int64_t k = cg * g.window.kernel_size();
  const int64_t row_size = out_size / std::max<int64_t>(1, g.window.out[0]);  // one output row
  const int64_t band_rows = std::clamp<int64_t>(kColumnBudget / std::max<int64_t>(1, k * row_size), 1,
                                                std::max<int64_t>(1, g.window.out[0]));
  const int64_t tasks = g.batch * g.group;
  // Many independent (image, group) products: one per thread, each with its
  // own column buffer. Otherwise threads work inside im2col and gemm.
  const bool outer = max_threads() > 1 && tasks >= max_threads();
  const int64_t col_size = g.pointwise ? 0 : checked_mul(k, band_rows * row_size);
  std::vector<T> cols(static_cast<size_t>(checked_mul(col_size, outer ? max_threads() : 1)));
  auto task = [&](int64_t t, T* col, bool threaded) {
    const int64_t n = t / g.group, grp = t % g.group;
    const T* image = x + (n * g.channels + grp * cg) * in_size;
    const T* w = weights + grp * mg * k;
    T* out = y + (n * g.out_channels + grp * mg) * out_size;
    if (bias) fill_bias(bias + grp * mg, mg, out_size, out);
    const float beta = bias ? 1.0f : 0.0f;
    if (g.pointwise) return conv_gemm<T>(mg, out_size, k, w, image, out_size, beta, out, out_size, threaded);
    for (int64_t row0 = 0; row0 < g.window.out[0]; row0 += band_rows) {
      const int64_t rows = std::min(band_rows, g.window.out[0] - row0);
      const int64_t cols_in_band = rows * row_size;
      im2col(row_band(g.window, row0, rows), cg, image, col, threaded);
      conv_gemm<T>(mg, cols_in_band, k, w, col, cols_in_band, beta, out + row0 * row_size, out_size,
                   threaded);
    }
  };
  if (outer) {
    parallel_for(tasks, mg * out_size * k, [&](int64_t t0, int64_t t1) {
      T* col = cols.data() + omp_get_thread_num() * col_size;
      for (int64_t t = t0; t < t1; ++t) task(t, col, false);
    });
  } else {
    for (int64_t t = 0; t < tasks; ++t) task(t, cols.data(), true);
  }
}

class ConvKernel final : public Kernel {
 public:
  explicit ConvKernel(const KernelInfo& info)
      : attrs_(info, false), group_(info.attr_int("group", 1)) {
    if (group_ <= 0) info.fail("group must be positive, got ", group_);
  }

  void prepare(KernelContext& ctx) const override {
    const ConvGeometry g = geometry(ctx);
    Shape out = {g.batch, g.out_channels};
    out.insert(out.end(), g.window.out.begin(), g.window.out.end());
    ctx.set_output(0, ctx.input(0).dtype(), out);
  }

  void compute(KernelContext& ctx) const override {
    const ConvGeometry g = geometry(ctx);
    const Tensor& x = ctx.input(0);
    Tensor& y = ctx.output(0);
    if (y.empty()) return;
    dispatch(kConvTypes, x.dtype(), [&](auto tag) {
      using T = typename decltype(tag)::type;
      const T* bias = ctx.has_input(2) ? ctx.input(2).data<T>() : nullptr;
      const T* weights = ctx.input(1).data<T>();
      if (g.depthwise)
        conv_depthwise<T>(g, x.data<T>(), weights, bias, y.data<T>());
      else
        conv_general<T>(g, x.data<T>(), weights, bias, y.data<T>());
    }, ctx.prefix() + ctx.input_label(0));
  }

 private:
  ConvGeometry geometry(const KernelContext& ctx) const {
    const Tensor& x = ctx.input(0);
    const Tensor& w = ctx.input(1);
    const Shape in = spatial_dims(ctx, 0);
    if (w.rank() != x.rank())
      ctx.fail(ctx.input_label(1), " must have the rank of ", ctx.input_label(0));
    if (w.dtype() != x.dtype()) ctx.fail(ctx.input_label(1), " must have the type of X");
    ConvGeometry g;
    g.batch = x.dim(0);
    g.channels = x.dim(1);
    g.out_channels = w.dim(0);
    g.group = group_;
    if (g.channels % group_ != 0 || g.out_channels % group_ != 0)
      ctx.fail("group ", group_, " must divide the input channels (", g.channels,
               ") and the output channels (", g.out_channels, " in ", ctx.input_label(1), ")");
    if (w.dim(1) * group_ != g.channels)
      ctx.fail(ctx.input_label(0), " has ", g.channels, " channels but ", ctx.input_label(1),
               " expects ", w.dim(1), " per group x ", group_, " groups");
    const Shape kernel(w.shape().begin() + 2, w.shape().end());
    if (!attrs_.kernel_shape.empty() && attrs_.kernel_shape != kernel)
      ctx.fail("kernel_shape ", shape_str(attrs_.kernel_shape), " does not match ",
               ctx.input_label(1));
    if (ctx.has_input(2)) {
      const Tensor& b = ctx.input(2);
      if (b.rank() != 1 || b.dim(0) != g.out_channels || b.dtype() != x.dtype())
        ctx.fail(ctx.input_label(2), " must be a 1-D tensor of ", g.out_channels,
                 " elements of the type of X");
    }
    g.window = resolve_window(ctx, attrs_, in, kernel);
    const Window& win = g.window;
    g.pointwise = std::all_of(kernel.begin(), kernel.end(), [](int64_t v) { return v == 1; });
    for (size_t i = 0; i < win.rank(); ++i)
      g.pointwise = g.pointwise && win.strides[i] == 1 && win.pad_begin[i] == 0 &&
                    win.pad_end[i] == 0;
    g.depthwise = win.rank() == 2 && group_ > 1 && group_ == g.channels;
    // Sizes that reach allocation must not overflow.
    checked_mul(checked_mul(w.dim(1), win.kernel_size()), win.out_size());
    return g;
  }

  WindowAttrs attrs_;
  int64_t group_;
};

// 11: auto_pad semantics clarified (kernel unchanged); unchanged through 21.
SKIFF_KERNEL(native, "Conv", 1, kLatestOpset, ConvKernel);
SKIFF_KERNEL_TYPES(native, "Conv", 1, "floats");

}  // namespace
}  // namespace skiff
