// Signal processing: DFT, STFT, HannWindow, HammingWindow, BlackmanWindow,
// MelWeightMatrix (opset 17).
//
// Transforms run in double whatever the tensor type, so a float32 DFT keeps
// numpy's accuracy (components that should be 0 stay far below the 1e-7
// absolute tolerance). Power-of-two lengths take a radix-2 FFT; other
// lengths use Bluestein's chirp-z, which rewrites a length-n DFT as a
// circular convolution done with power-of-two FFTs: O(n log n) for any n.
#include <cmath>
#include <complex>
#include <numbers>
#include <vector>

#include "core/dispatch.h"
#include "core/parallel.h"
#include "engines/kernel.h"

namespace skiff {
namespace {

using Complex = std::complex<double>;

bool is_pow2(int64_t n) { return n > 0 && (n & (n - 1)) == 0; }

// exp(sign * 2*pi*i * k / n), with k reduced mod n for accuracy.
Complex unit_root(int64_t k, int64_t n, double sign) {
  const double angle = sign * 2.0 * std::numbers::pi * static_cast<double>(k % n) / n;
  return {std::cos(angle), std::sin(angle)};
}

// In-place radix-2 FFT; `twiddles[k]` = exp(sign*2*pi*i*k/n) for k < n/2.
void fft_pow2(Complex* a, int64_t n, const std::vector<Complex>& twiddles) {
  for (int64_t i = 1, j = 0; i < n; ++i) {
    int64_t bit = n >> 1;
    for (; j & bit; bit >>= 1) j ^= bit;
    j ^= bit;
    if (i < j) std::swap(a[i], a[j]);
  }
  for (int64_t len = 2; len <= n; len <<= 1) {
    const int64_t half = len / 2, step = n / len;
    for (int64_t i = 0; i < n; i += len)
      for (int64_t k = 0; k < half; ++k) {
        const Complex v = a[i + k + half] * twiddles[static_cast<size_t>(k * step)];
        a[i + k + half] = a[i + k] - v;
        a[i + k] += v;
      }
  }
}

// An unnormalized DFT of one length and direction, shared read-only by all
// threads; each caller brings its own scratch.
class DftPlan {
 public:
  DftPlan(int64_t n, bool inverse) : n_(n), sign_(inverse ? 1.0 : -1.0) {
    if (n <= 1) return;
    if (is_pow2(n)) {
      twiddles_ = make_twiddles(n, sign_);
      return;
    }
    // Bluestein: X_k = w_k * sum_j (x_j w_j) conj(w_{k-j}), w_k = exp(sign*pi*i*k^2/n).
    m_ = 1;
    while (m_ < 2 * n - 1) m_ <<= 1;
    twiddles_ = make_twiddles(m_, -1.0);
    inverse_twiddles_ = make_twiddles(m_, 1.0);
    chirp_.resize(static_cast<size_t>(n));
    for (int64_t k = 0; k < n; ++k) {
      // k^2 mod 2n keeps the angle small (k^2 itself loses precision).
      const int64_t k2 = (k * k) % (2 * n);
      const double angle = sign_ * std::numbers::pi * static_cast<double>(k2) / n;
      chirp_[static_cast<size_t>(k)] = {std::cos(angle), std::sin(angle)};
    }
    kernel_.assign(static_cast<size_t>(m_), Complex(0));
    kernel_[0] = std::conj(chirp_[0]);
    for (int64_t k = 1; k < n; ++k)
      kernel_[static_cast<size_t>(k)] = kernel_[static_cast<size_t>(m_ - k)] =
          std::conj(chirp_[static_cast<size_t>(k)]);
    fft_pow2(kernel_.data(), m_, twiddles_);
  }

  // Scratch elements run() needs.
  int64_t scratch_size() const { return m_; }

  // data: n values, transformed in place.
  void run(Complex* data, Complex* scratch) const {
    if (n_ <= 1) return;
    if (m_ == 0) {
      fft_pow2(data, n_, twiddles_);
      return;
    }
    for (int64_t k = 0; k < m_; ++k)
      scratch[k] = k < n_ ? data[k] * chirp_[static_cast<size_t>(k)] : Complex(0);
    fft_pow2(scratch, m_, twiddles_);
    for (int64_t k = 0; k < m_; ++k) scratch[k] *= kernel_[static_cast<size_t>(k)];
    fft_pow2(scratch, m_, inverse_twiddles_);
    const double inv_m = 1.0 / static_cast<double>(m_);
    for (int64_t k = 0; k < n_; ++k)
      data[k] = scratch[k] * chirp_[static_cast<size_t>(k)] * inv_m;
  }

 private:
  static std::vector<Complex> make_twiddles(int64_t n, double sign) {
    std::vector<Complex> t(static_cast<size_t>(n / 2));
    for (int64_t k = 0; k < n / 2; ++k) t[static_cast<size_t>(k)] = unit_root(k, n, sign);
    return t;
  }

  int64_t n_, m_ = 0;
  double sign_;
  std::vector<Complex> twiddles_, inverse_twiddles_, chirp_, kernel_;
};

// A scalar integer input (int32 or int64, one element).
int64_t scalar_int(const KernelContext& ctx, size_t i) {
  const Tensor& t = ctx.input(i);
  if (t.numel() != 1) ctx.fail(ctx.input_label(i), " must hold a single integer");
  if (t.dtype() == DataType::kInt64) return *t.data<int64_t>();
  if (t.dtype() == DataType::kInt32) return *t.data<int32_t>();
  ctx.fail(ctx.input_label(i), " must be int32 or int64");
}

double scalar_float(const KernelContext& ctx, size_t i) {
  const Tensor& t = ctx.input(i);
  if (t.numel() != 1) ctx.fail(ctx.input_label(i), " must hold a single number");
  double v = 0;
  dispatch(kFloatTypes, t.dtype(), [&](auto tag) {
    using T = typename decltype(tag)::type;
    v = static_cast<double>(*t.data<T>());
  }, ctx.describe_input(i));
  return v;
}

// ---- DFT ------------------------------------------------------------------

class DftKernel final : public Kernel {
 public:
  explicit DftKernel(const KernelInfo& info)
      : axis_(info.attr_int("axis", 1)),
        inverse_(info.attr_int("inverse", 0) != 0),
        onesided_(info.attr_int("onesided", 0) != 0) {}

  void prepare(KernelContext& ctx) const override {
    const Geometry g = geometry(ctx);
    Shape out = ctx.input(0).shape();
    out[static_cast<size_t>(g.axis)] = g.out_len;
    out.back() = 2;
    ctx.set_output(0, ctx.input(0).dtype(), out);
  }

  void compute(KernelContext& ctx) const override {
    const Geometry g = geometry(ctx);
    const Tensor& x = ctx.input(0);
    Tensor& y = ctx.output(0);
    if (y.empty()) return;
    const DftPlan plan(g.n, inverse_);
    const double scale = inverse_ ? 1.0 / static_cast<double>(g.n) : 1.0;
    const int64_t comps = x.dim(-1);
    dispatch(kFloatTypes, x.dtype(), [&](auto tag) {
      using T = typename decltype(tag)::type;
      const T* in = x.data<T>();
      T* out = y.data<T>();
      parallel_for(g.outer * g.inner, g.n * 40, [&](int64_t l0, int64_t l1) {
        std::vector<Complex> line(static_cast<size_t>(g.n)), scratch(plan.scratch_size());
        for (int64_t l = l0; l < l1; ++l) {
          const int64_t o = l / g.inner, i = l % g.inner;
          const T* src = in + (o * g.len * g.inner + i) * comps;
          const int64_t copy = std::min(g.n, g.len);
          for (int64_t j = 0; j < copy; ++j) {
            const T* v = src + j * g.inner * comps;
            line[j] = {static_cast<double>(v[0]), comps == 2 ? static_cast<double>(v[1]) : 0.0};
          }
          std::fill(line.begin() + copy, line.end(), Complex(0));
          plan.run(line.data(), scratch.data());
          T* dst = out + (o * g.out_len * g.inner + i) * 2;
          for (int64_t k = 0; k < g.out_len; ++k) {
            dst[k * g.inner * 2] = static_cast<T>(line[k].real() * scale);
            dst[k * g.inner * 2 + 1] = static_cast<T>(line[k].imag() * scale);
          }
        }
      });
    }, ctx.describe_input(0));
  }

 private:
  // The input viewed as [outer, len, inner, comps] around the DFT axis.
  struct Geometry {
    int64_t axis, len, n, out_len, outer = 1, inner = 1;
  };

  Geometry geometry(const KernelContext& ctx) const {
    const Tensor& x = ctx.input(0);
    if (x.rank() < 2 || (x.dim(-1) != 1 && x.dim(-1) != 2))
      ctx.fail(ctx.input_label(0), " must be [batch, signal..., 1 or 2] (real or complex)");
    Geometry g;
    g.axis = axis_ < 0 ? axis_ + x.rank() : axis_;
    if (g.axis < 0 || g.axis > x.rank() - 2)
      ctx.fail("axis ", axis_, " is not a signal axis of ", ctx.input_label(0));
    g.len = x.dim(g.axis);
    g.n = g.len;
    if (ctx.has_input(1)) {
      g.n = scalar_int(ctx, 1);
      if (g.n <= 0) ctx.fail("dft_length must be positive, got ", g.n);
    }
    g.out_len = onesided_ ? g.n / 2 + 1 : g.n;
    for (int64_t d = 0; d < g.axis; ++d) g.outer *= x.dim(d);
    for (int64_t d = g.axis + 1; d < x.rank() - 1; ++d) g.inner *= x.dim(d);
    checked_mul(checked_mul(g.outer * g.inner, g.n), 2);
    return g;
  }

  int64_t axis_;
  bool inverse_, onesided_;
};

// ---- STFT -----------------------------------------------------------------

// Inputs: signal [batch, length, 1|2], frame_step, window?, frame_length?.
// Output [batch, frames, bins, 2], frames = 1 + (length - frame_length) / step.
class StftKernel final : public Kernel {
 public:
  explicit StftKernel(const KernelInfo& info) : onesided_(info.attr_int("onesided", 1) != 0) {}

  void prepare(KernelContext& ctx) const override {
    const Geometry g = geometry(ctx);
    ctx.set_output(0, ctx.input(0).dtype(), {ctx.input(0).dim(0), g.frames, g.bins, 2});
  }

  void compute(KernelContext& ctx) const override {
    const Geometry g = geometry(ctx);
    const Tensor& signal = ctx.input(0);
    Tensor& y = ctx.output(0);
    if (y.empty()) return;
    const int64_t batch = signal.dim(0), length = signal.dim(1), comps = signal.dim(2);
    const DftPlan plan(g.frame_length, false);
    dispatch(kFloatTypes, signal.dtype(), [&](auto tag) {
      using T = typename decltype(tag)::type;
      const T* in = signal.data<T>();
      const T* window = ctx.has_input(2) ? ctx.input(2).data<T>() : nullptr;
      T* out = y.data<T>();
      parallel_for(batch * g.frames, g.frame_length * 40, [&](int64_t f0, int64_t f1) {
        std::vector<Complex> frame(static_cast<size_t>(g.frame_length));
        std::vector<Complex> scratch(plan.scratch_size());
        for (int64_t f = f0; f < f1; ++f) {
          const int64_t b = f / g.frames, start = (f % g.frames) * g.step;
          const T* src = in + (b * length + start) * comps;
          for (int64_t j = 0; j < g.frame_length; ++j) {
            const double w = window ? static_cast<double>(window[j]) : 1.0;
            frame[j] = {static_cast<double>(src[j * comps]) * w,
                        comps == 2 ? static_cast<double>(src[j * comps + 1]) * w : 0.0};
          }
          plan.run(frame.data(), scratch.data());
          T* dst = out + f * g.bins * 2;
          for (int64_t k = 0; k < g.bins; ++k) {
            dst[2 * k] = static_cast<T>(frame[k].real());
            dst[2 * k + 1] = static_cast<T>(frame[k].imag());
          }
        }
      });
    }, ctx.describe_input(0));
  }

 private:
  struct Geometry {
    int64_t step, frame_length, frames, bins;
  };

  Geometry geometry(const KernelContext& ctx) const {
    const Tensor& signal = ctx.input(0);
    if (signal.rank() != 3 || (signal.dim(2) != 1 && signal.dim(2) != 2))
      ctx.fail(ctx.input_label(0), " must be [batch, signal_length, 1 or 2]");
    Geometry g;
    g.step = scalar_int(ctx, 1);
    if (g.step <= 0) ctx.fail("frame_step must be positive, got ", g.step);
    const bool has_window = ctx.has_input(2);
    if (has_window) {
      const Tensor& w = ctx.input(2);
      if (w.rank() != 1 || w.dtype() != signal.dtype())
        ctx.fail(ctx.input_label(2), " must be a 1-D tensor of the signal's type");
    }
    if (ctx.has_input(3)) {
      g.frame_length = scalar_int(ctx, 3);
      if (has_window && ctx.input(2).dim(0) != g.frame_length)
        ctx.fail(ctx.input_label(2), " must have frame_length (", g.frame_length, ") elements");
    } else if (has_window) {
      g.frame_length = ctx.input(2).dim(0);
    } else {
      ctx.fail("STFT needs a window or a frame_length");
    }
    if (g.frame_length <= 0 || g.frame_length > signal.dim(1))
      ctx.fail("frame_length ", g.frame_length, " must be in [1, signal_length = ",
               signal.dim(1), "]");
    g.frames = 1 + (signal.dim(1) - g.frame_length) / g.step;
    g.bins = onesided_ ? g.frame_length / 2 + 1 : g.frame_length;
    return g;
  }

  bool onesided_;
};

// ---- Windows --------------------------------------------------------------

// The output type attribute (a TensorProto data type, default float).
DataType output_datatype(const KernelInfo& info) {
  const int64_t code = info.attr_int("output_datatype", 1);
  if (!dtype_is_valid(static_cast<int32_t>(code)))
    info.fail("output_datatype ", code, " is not a valid data type");
  return static_cast<DataType>(code);
}

// Generalized cosine window: a0 - a1 cos(2 pi n / N) + a2 cos(4 pi n / N),
// N = size (periodic) or size - 1 (symmetric).
class CosineWindowKernel : public Kernel {
 public:
  CosineWindowKernel(const KernelInfo& info, double a0, double a1, double a2)
      : a0_(a0), a1_(a1), a2_(a2), periodic_(info.attr_int("periodic", 1) != 0),
        dtype_(output_datatype(info)) {}

  void prepare(KernelContext& ctx) const override {
    const int64_t size = scalar_int(ctx, 0);
    if (size < 0) ctx.fail("size must not be negative, got ", size);
    ctx.set_output(0, dtype_, {size});
  }

  void compute(KernelContext& ctx) const override {
    Tensor& y = ctx.output(0);
    const int64_t size = y.numel();
    const double period = static_cast<double>(periodic_ ? size : size - 1);
    dispatch(kNumericTypes, dtype_, [&](auto tag) {
      using T = typename decltype(tag)::type;
      T* out = y.data<T>();
      for (int64_t n = 0; n < size; ++n) {
        // A symmetric window of one point is [1] (numpy's hanning(1)).
        const double phase = period > 0 ? 2.0 * std::numbers::pi * n / period : 0.0;
        const double v =
            period > 0 ? a0_ - a1_ * std::cos(phase) + a2_ * std::cos(2 * phase) : 1.0;
        out[n] = static_cast<T>(v);
      }
    }, [&] { return ctx.prefix() + "output_datatype"; });
  }

 private:
  double a0_, a1_, a2_;
  bool periodic_;
  DataType dtype_;
};

struct HannWindowKernel final : CosineWindowKernel {
  explicit HannWindowKernel(const KernelInfo& info) : CosineWindowKernel(info, 0.5, 0.5, 0.0) {}
};
struct HammingWindowKernel final : CosineWindowKernel {
  explicit HammingWindowKernel(const KernelInfo& info)
      : CosineWindowKernel(info, 25.0 / 46.0, 21.0 / 46.0, 0.0) {}
};
struct BlackmanWindowKernel final : CosineWindowKernel {
  explicit BlackmanWindowKernel(const KernelInfo& info)
      : CosineWindowKernel(info, 0.42, 0.5, 0.08) {}
};

// ---- MelWeightMatrix ------------------------------------------------------

// Inputs: num_mel_bins, dft_length, sample_rate, lower_edge_hertz,
// upper_edge_hertz. Output [dft_length / 2 + 1, num_mel_bins] of triangular
// filters. As in the ONNX reference: num_mel_bins + 2 edges spaced evenly
// in mel, but the mel step divides by num_mel_bins + 2 (not + 1), and edges
// become FFT bins as floor((dft_length + 1) * hz / sample_rate).
class MelWeightMatrixKernel final : public Kernel {
 public:
  explicit MelWeightMatrixKernel(const KernelInfo& info) : dtype_(output_datatype(info)) {}

  void prepare(KernelContext& ctx) const override {
    const int64_t mels = scalar_int(ctx, 0), dft_length = scalar_int(ctx, 1);
    if (mels <= 0 || dft_length <= 0 || scalar_int(ctx, 2) <= 0)
      ctx.fail("num_mel_bins, dft_length and sample_rate must be positive");
    ctx.set_output(0, dtype_, {dft_length / 2 + 1, mels});
  }

  void compute(KernelContext& ctx) const override {
    const int64_t mels = scalar_int(ctx, 0), dft_length = scalar_int(ctx, 1);
    const int64_t sample_rate = scalar_int(ctx, 2);
    const int64_t rows = dft_length / 2 + 1;
    const std::vector<int64_t> edges = bin_edges(ctx, mels, dft_length, sample_rate, rows);
    std::vector<double> w(static_cast<size_t>(rows * mels), 0.0);
    for (int64_t i = 0; i < mels; ++i) {
      const int64_t low = edges[i], center = edges[i + 1], high = edges[i + 2];
      if (center == low) {
        w[center * mels + i] = 1.0;
      } else {
        for (int64_t j = low; j <= center; ++j)
          w[j * mels + i] = static_cast<double>(j - low) / static_cast<double>(center - low);
      }
      for (int64_t j = center; j < high; ++j)
        w[j * mels + i] = static_cast<double>(high - j) / static_cast<double>(high - center);
    }
    Tensor& y = ctx.output(0);
    dispatch(kNumericTypes, dtype_, [&](auto tag) {
      using T = typename decltype(tag)::type;
      T* out = y.data<T>();
      for (size_t k = 0; k < w.size(); ++k) out[k] = static_cast<T>(w[k]);
    }, [&] { return ctx.prefix() + "output_datatype"; });
  }

 private:
  static std::vector<int64_t> bin_edges(const KernelContext& ctx, int64_t mels,
                                        int64_t dft_length, int64_t sample_rate, int64_t rows) {
    const double low_mel = 2595.0 * std::log10(1.0 + scalar_float(ctx, 3) / 700.0);
    const double high_mel = 2595.0 * std::log10(1.0 + scalar_float(ctx, 4) / 700.0);
    const double step = (high_mel - low_mel) / static_cast<double>(mels + 2);
    std::vector<int64_t> edges(static_cast<size_t>(mels + 2));
    for (int64_t i = 0; i < mels + 2; ++i) {
      const double hz = 700.0 * (std::pow(10.0, (low_mel + i * step) / 2595.0) - 1.0);
      const double bin = std::floor(static_cast<double>(dft_length + 1) * hz / sample_rate);
      if (!(bin >= 0 && bin < static_cast<double>(rows)))
        ctx.fail_runtime("mel edge ", i, " (", hz, " Hz) falls outside the ", rows,
                         " spectrogram bins; check lower_edge_hertz and upper_edge_hertz");
      edges[static_cast<size_t>(i)] = static_cast<int64_t>(bin);
    }
    return edges;
  }

  DataType dtype_;
};

}  // namespace

// 17: introduced. (20 moved DFT's axis to an input.)
SKIFF_KERNEL(native, "DFT", 17, 19, DftKernel);
SKIFF_KERNEL_TYPES(native, "DFT", 17, "T1: floats; T2: int32, int64");
// 17: introduced; unchanged through 21.
SKIFF_KERNEL(native, "STFT", 17, kLatestOpset, StftKernel);
SKIFF_KERNEL_TYPES(native, "STFT", 17, "T1: floats; T2: int32, int64");
SKIFF_KERNEL(native, "HannWindow", 17, kLatestOpset, HannWindowKernel);
SKIFF_KERNEL_TYPES(native, "HannWindow", 17, "T1: int32, int64; T2: numeric");
SKIFF_KERNEL(native, "HammingWindow", 17, kLatestOpset, HammingWindowKernel);
SKIFF_KERNEL_TYPES(native, "HammingWindow", 17, "T1: int32, int64; T2: numeric");
SKIFF_KERNEL(native, "BlackmanWindow", 17, kLatestOpset, BlackmanWindowKernel);
SKIFF_KERNEL_TYPES(native, "BlackmanWindow", 17, "T1: int32, int64; T2: numeric");
SKIFF_KERNEL(native, "MelWeightMatrix", 17, kLatestOpset, MelWeightMatrixKernel);
SKIFF_KERNEL_TYPES(native, "MelWeightMatrix", 17, "T1: int32, int64; T2: floats; T3: numeric");

}  // namespace skiff
