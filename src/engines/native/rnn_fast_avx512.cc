// AVX-512 steps of the fast LSTM/GRU path (see rnn_fast_step.h): one
// register holds a panel's kUnit units of one gate. Same polynomials as
// simd_avx2.h, 16 lanes wide; selected at run time by cpuid, and the
// pragma comes after the includes so no library inline function is
// compiled for AVX-512 here.
#include <immintrin.h>

#include <cstdint>

#include "engines/native/rnn_fast_step.h"
#include "engines/native/simd_avx512.h"

#pragma GCC target("avx512f")
// GCC 12's avx512fintrin.h seeds results with _mm512_undefined_ps() and
// then warns that they are uninitialized (GCC bug 105593).
#pragma GCC diagnostic ignored "-Wuninitialized"

namespace skiff::rnn::fast {
namespace {

static_assert(kUnit == 16, "one AVX-512 register per gate");

using avx512::exp16;
using avx512::splat;

inline __m512 sigmoid16(__m512 x) {
  return _mm512_div_ps(splat(1.0f), _mm512_add_ps(splat(1.0f), exp16(_mm512_sub_ps(_mm512_setzero_ps(), x))));
}

// tanh: Cephes' odd polynomial below |x| = 0.625 (where 1 - 2/(e^2x + 1)
// would lose relative accuracy to cancellation), that formula above.
inline __m512 tanh16(__m512 x) {
  const __m512i sign = _mm512_and_si512(_mm512_castps_si512(x), _mm512_set1_epi32(INT32_MIN));
  const __m512 ax = _mm512_castsi512_ps(_mm512_xor_si512(_mm512_castps_si512(x), sign));
  const __m512 z = _mm512_mul_ps(x, x);
  __m512 p = splat(-5.70498872745e-3f);
  p = _mm512_fmadd_ps(p, z, splat(2.06390887954e-2f));
  p = _mm512_fmadd_ps(p, z, splat(-5.37397155531e-2f));
  p = _mm512_fmadd_ps(p, z, splat(1.33314422036e-1f));
  p = _mm512_fmadd_ps(p, z, splat(-3.33332819422e-1f));
  const __m512 small = _mm512_fmadd_ps(_mm512_mul_ps(p, z), x, x);
  const __m512 e = exp16(_mm512_add_ps(ax, ax));
  const __m512 large = _mm512_sub_ps(splat(1.0f), _mm512_div_ps(splat(2.0f), _mm512_add_ps(e, splat(1.0f))));
  const __m512 big = _mm512_castsi512_ps(_mm512_or_si512(_mm512_castps_si512(large), sign));
  return _mm512_mask_blend_ps(_mm512_cmp_ps_mask(ax, splat(0.625f), _CMP_GE_OQ), small, big);
}

// acc[row][g] = Σ_k x[row][k] · panel[k][g] for ROWS batch entries: each
// weight loaded once serves every row. kSets · ROWS · G independent sums
// (at least 8) keep both FMA units busy.
template <int G, int ROWS>
inline void panel_product(const float* panel, const float* const* x, int64_t k_size, __m512 (*acc)[G]) {
  constexpr int kSets = ROWS * G >= 8 ? 1 : (8 + ROWS * G - 1) / (ROWS * G);
  __m512 a[kSets][ROWS][G];
  for (int s = 0; s < kSets; ++s)
    for (int row = 0; row < ROWS; ++row)
      for (int g = 0; g < G; ++g) a[s][row][g] = _mm512_setzero_ps();
  int64_t k = 0;
  for (; k + kSets <= k_size; k += kSets)
    for (int s = 0; s < kSets; ++s) {
      const float* w = panel + (k + s) * G * 16;
      __m512 weights[G];
      for (int g = 0; g < G; ++g) weights[g] = _mm512_loadu_ps(w + g * 16);
      for (int row = 0; row < ROWS; ++row) {
        const __m512 xk = splat(x[row][k + s]);
        for (int g = 0; g < G; ++g) a[s][row][g] = _mm512_fmadd_ps(xk, weights[g], a[s][row][g]);
      }
    }
  for (; k < k_size; ++k)
    for (int row = 0; row < ROWS; ++row) {
      const __m512 xk = splat(x[row][k]);
      const float* w = panel + k * G * 16;
      for (int g = 0; g < G; ++g) a[0][row][g] = _mm512_fmadd_ps(xk, _mm512_loadu_ps(w + g * 16), a[0][row][g]);
    }
  for (int row = 0; row < ROWS; ++row)
    for (int g = 0; g < G; ++g) {
      acc[row][g] = a[0][row][g];
      for (int s = 1; s < kSets; ++s) acc[row][g] = _mm512_add_ps(acc[row][g], a[s][row][g]);
    }
}

template <int G>
inline const float* panel_at(const Panels& r, int64_t p) {
  return r.data + p * r.k * G * 16;
}

template <int ROWS>
void lstm_rows(const StepArgs* a) {
  const float* h_prev[ROWS];
  for (int row = 0; row < ROWS; ++row) h_prev[row] = a[row].h_prev;
  for_panels(a[0], a[0].backward, [&](int64_t p) {
    __m512 acc[ROWS][4];
    panel_product<4, ROWS>(panel_at<4>(a[0].r, p), h_prev, a[0].r.k, acc);
    for (int row = 0; row < ROWS; ++row) {
      const float* xw = a[row].xw + p * 4 * 16;
      auto pre = [&](int g) { return _mm512_add_ps(acc[row][g], _mm512_loadu_ps(xw + g * 16)); };
      const __m512 i = sigmoid16(pre(0)), o = sigmoid16(pre(1)), f = sigmoid16(pre(2)), g = tanh16(pre(3));
      float* c = a[row].c + p * 16;
      const __m512 cell = _mm512_fmadd_ps(f, _mm512_loadu_ps(c), _mm512_mul_ps(i, g));
      _mm512_storeu_ps(c, cell);
      _mm512_storeu_ps(a[row].h_next + p * 16, _mm512_mul_ps(o, tanh16(cell)));
    }
  });
}

template <int ROWS>
void gru_rows_linear_before_reset(const StepArgs* a) {
  const float* h_prev[ROWS];
  for (int row = 0; row < ROWS; ++row) h_prev[row] = a[row].h_prev;
  for_panels(a[0], a[0].backward, [&](int64_t p) {
    __m512 acc[ROWS][3];
    panel_product<3, ROWS>(panel_at<3>(a[0].r, p), h_prev, a[0].r.k, acc);
    const int64_t u = p * 16;
    const __m512 rbh = a[0].rbh ? _mm512_loadu_ps(a[0].rbh + u) : _mm512_setzero_ps();
    for (int row = 0; row < ROWS; ++row) {
      const float* xw = a[row].xw + p * 3 * 16;
      const __m512 z = sigmoid16(_mm512_add_ps(acc[row][0], _mm512_loadu_ps(xw)));
      const __m512 r = sigmoid16(_mm512_add_ps(acc[row][1], _mm512_loadu_ps(xw + 16)));
      const __m512 h = tanh16(_mm512_fmadd_ps(r, _mm512_add_ps(acc[row][2], rbh), _mm512_loadu_ps(xw + 32)));
      const __m512 prev = _mm512_loadu_ps(h_prev[row] + u);
      _mm512_storeu_ps(a[row].h_next + u, _mm512_fmadd_ps(z, _mm512_sub_ps(prev, h), h));
    }
  });
}

// z and r first: the h gate's product needs r ⊙ Ht-1 for every unit.
template <int ROWS>
void gru_rows(const StepArgs* a) {
  const float* h_prev[ROWS];
  const float* rh[ROWS];
  for (int row = 0; row < ROWS; ++row) {
    h_prev[row] = a[row].h_prev;
    rh[row] = a[row].rh;
  }
  for_panels(a[0], a[0].backward, [&](int64_t p) {
    __m512 acc[ROWS][2];
    panel_product<2, ROWS>(panel_at<2>(a[0].r, p), h_prev, a[0].r.k, acc);
    const int64_t u = p * 16;
    for (int row = 0; row < ROWS; ++row) {
      const float* xw = a[row].xw + p * 3 * 16;
      _mm512_storeu_ps(a[row].z + u, sigmoid16(_mm512_add_ps(acc[row][0], _mm512_loadu_ps(xw))));
      const __m512 r = sigmoid16(_mm512_add_ps(acc[row][1], _mm512_loadu_ps(xw + 16)));
      _mm512_storeu_ps(a[row].rh + u, _mm512_mul_ps(r, _mm512_loadu_ps(h_prev[row] + u)));
    }
  });
  for_panels(a[0], !a[0].backward, [&](int64_t p) {
    __m512 acc[ROWS][1];
    panel_product<1, ROWS>(panel_at<1>(a[0].r_h, p), rh, a[0].r_h.k, acc);
    const int64_t u = p * 16;
    for (int row = 0; row < ROWS; ++row) {
      const __m512 h = tanh16(_mm512_add_ps(acc[row][0], _mm512_loadu_ps(a[row].xw + p * 3 * 16 + 32)));
      const __m512 prev = _mm512_loadu_ps(h_prev[row] + u);
      _mm512_storeu_ps(a[row].h_next + u, _mm512_fmadd_ps(_mm512_loadu_ps(a[row].z + u), _mm512_sub_ps(prev, h), h));
    }
  });
}

}  // namespace

void lstm_step_avx512(const StepArgs* a, int rows) {
  switch (rows) {
    case 1: return lstm_rows<1>(a);
    case 2: return lstm_rows<2>(a);
    case 3: return lstm_rows<3>(a);
    default: return lstm_rows<4>(a);
  }
}

void gru_step_avx512(const StepArgs* a, int rows, bool linear_before_reset) {
  if (linear_before_reset) {
    switch (rows) {
      case 1: return gru_rows_linear_before_reset<1>(a);
      case 2: return gru_rows_linear_before_reset<2>(a);
      case 3: return gru_rows_linear_before_reset<3>(a);
      default: return gru_rows_linear_before_reset<4>(a);
    }
  }
  switch (rows) {
    case 1: return gru_rows<1>(a);
    case 2: return gru_rows<2>(a);
    case 3: return gru_rows<3>(a);
    default: return gru_rows<4>(a);
  }
}

}  // namespace skiff::rnn::fast
