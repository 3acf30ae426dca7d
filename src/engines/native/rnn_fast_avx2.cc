// AVX2/FMA steps of the fast LSTM/GRU path (see rnn_fast_step.h), built with
// -mavx2 -mfma like every *_avx2.cc file and selected at run time (core/cpu.h);
// sigmoid and tanh are simd_avx2.h's.
#include <cstdint>

#include "engines/native/rnn_fast_step.h"
#include "engines/native/simd_avx2.h"

namespace skiff::rnn::fast {
namespace {

constexpr int kHalf = 8;  // floats per register; kUnit = 2 registers

inline __m256 splat(float v) { return _mm256_set1_ps(v); }

// acc[g * 2 + half] = Σ_k x[k] · panel[k][g][half]: 2·G independent sums;
// with fewer than three gates two k's run at once to keep the FMA units
// busy.
template <int G>
inline void panel_product(const float* panel, const float* x, int64_t k_size, __m256* acc) {
  constexpr int kAcc = 2 * G;
  constexpr int kRow = G * 16;
  __m256 a[kAcc], b[kAcc];
  for (int i = 0; i < kAcc; ++i) a[i] = b[i] = _mm256_setzero_ps();
  int64_t k = 0;
  if constexpr (G <= 2) {
    for (; k + 2 <= k_size; k += 2) {
      const __m256 x0 = splat(x[k]), x1 = splat(x[k + 1]);
      const float* w = panel + k * kRow;
      for (int i = 0; i < kAcc; ++i) {
        a[i] = _mm256_fmadd_ps(x0, _mm256_loadu_ps(w + i * kHalf), a[i]);
        b[i] = _mm256_fmadd_ps(x1, _mm256_loadu_ps(w + kRow + i * kHalf), b[i]);
      }
    }
  }
  for (; k < k_size; ++k) {
    const __m256 xk = splat(x[k]);
    const float* w = panel + k * kRow;
    for (int i = 0; i < kAcc; ++i) a[i] = _mm256_fmadd_ps(xk, _mm256_loadu_ps(w + i * kHalf), a[i]);
  }
  for (int i = 0; i < kAcc; ++i) acc[i] = _mm256_add_ps(a[i], b[i]);
}

template <int G>
inline const float* panel_at(const Panels& r, int64_t p) {
  return r.data + p * r.k * G * 16;
}

}  // namespace

// Gates i, o, f, c (ONNX order): Ct = f ⊙ Ct-1 + i ⊙ c~, Ht = o ⊙ tanh(Ct).
void lstm_step_avx2(const StepArgs& a) {
  for_panels(a, a.backward, [&](int64_t p) {
    __m256 acc[8];
    panel_product<4>(panel_at<4>(a.r, p), a.h_prev, a.r.k, acc);
    const float* xw = a.xw + p * 4 * 16;
    for (int half = 0; half < 2; ++half) {
      auto pre = [&](int g) { return _mm256_add_ps(acc[g * 2 + half], _mm256_loadu_ps(xw + g * 16 + half * kHalf)); };
      const __m256 i = avx2::sigmoid(pre(0)), o = avx2::sigmoid(pre(1)), f = avx2::sigmoid(pre(2)), g = avx2::tanh(pre(3));
      float* c = a.c + p * 16 + half * kHalf;
      const __m256 cell = _mm256_fmadd_ps(f, _mm256_loadu_ps(c), _mm256_mul_ps(i, g));
      _mm256_storeu_ps(c, cell);
      _mm256_storeu_ps(a.h_next + p * 16 + half * kHalf, _mm256_mul_ps(o, avx2::tanh(cell)));
    }
  });
}

// Gates z, r, h: Ht = (1 - z) ⊙ h~ + z ⊙ Ht-1 = h~ + z ⊙ (Ht-1 - h~).
void gru_step_avx2(const StepArgs& a, bool linear_before_reset) {
  if (linear_before_reset) {
    for_panels(a, a.backward, [&](int64_t p) {
      __m256 acc[6];
      panel_product<3>(panel_at<3>(a.r, p), a.h_prev, a.r.k, acc);
      const float* xw = a.xw + p * 3 * 16;
      for (int half = 0; half < 2; ++half) {
        const int64_t u = p * 16 + half * kHalf;
        auto x_of = [&](int g) { return _mm256_loadu_ps(xw + g * 16 + half * kHalf); };
        const __m256 z = avx2::sigmoid(_mm256_add_ps(acc[half], x_of(0)));
        const __m256 r = avx2::sigmoid(_mm256_add_ps(acc[2 + half], x_of(1)));
        const __m256 rh = _mm256_add_ps(acc[4 + half], a.rbh ? _mm256_loadu_ps(a.rbh + u) : _mm256_setzero_ps());
        const __m256 h = avx2::tanh(_mm256_fmadd_ps(r, rh, x_of(2)));
        const __m256 prev = _mm256_loadu_ps(a.h_prev + u);
        _mm256_storeu_ps(a.h_next + u, _mm256_fmadd_ps(z, _mm256_sub_ps(prev, h), h));
      }
    });
    return;
  }
  // z and r first: the h gate's product needs r ⊙ Ht-1 for every unit.
  for_panels(a, a.backward, [&](int64_t p) {
    __m256 acc[4];
    panel_product<2>(panel_at<2>(a.r, p), a.h_prev, a.r.k, acc);
    const float* xw = a.xw + p * 3 * 16;
    for (int half = 0; half < 2; ++half) {
      const int64_t u = p * 16 + half * kHalf;
      const __m256 z = avx2::sigmoid(_mm256_add_ps(acc[half], _mm256_loadu_ps(xw + half * kHalf)));
      const __m256 r = avx2::sigmoid(_mm256_add_ps(acc[2 + half], _mm256_loadu_ps(xw + 16 + half * kHalf)));
      _mm256_storeu_ps(a.z + u, z);
      _mm256_storeu_ps(a.rh + u, _mm256_mul_ps(r, _mm256_loadu_ps(a.h_prev + u)));
    }
  });
  for_panels(a, !a.backward, [&](int64_t p) {
    __m256 acc[2];
    panel_product<1>(panel_at<1>(a.r_h, p), a.rh, a.r_h.k, acc);
    const float* xw = a.xw + p * 3 * 16 + 2 * 16;
    for (int half = 0; half < 2; ++half) {
      const int64_t u = p * 16 + half * kHalf;
      const __m256 h = avx2::tanh(_mm256_add_ps(acc[half], _mm256_loadu_ps(xw + half * kHalf)));
      const __m256 prev = _mm256_loadu_ps(a.h_prev + u);
      _mm256_storeu_ps(a.h_next + u, _mm256_fmadd_ps(_mm256_loadu_ps(a.z + u), _mm256_sub_ps(prev, h), h));
    }
  });
}

}  // namespace skiff::rnn::fast
