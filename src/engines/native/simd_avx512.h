// AVX-512F building blocks for the files that run AVX-512 code after a
// cpuid check (rnn_fast_avx512.cc, engines/dnnl/swish_avx512.cc). Like
// simd_avx2.h, everything here is `static inline` and compiled for
// AVX-512F through the target pragma below, so no AVX-512 code can reach a
// portable caller; include it from no other file.
#pragma once

#include <immintrin.h>

#pragma GCC push_options
#pragma GCC target("avx512f")
// GCC 12's avx512fintrin.h seeds results with _mm512_undefined_ps() and
// then warns that they are uninitialized (GCC bug 105593).
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"

namespace skiff::avx512 {

static inline __m512 splat(float v) { return _mm512_set1_ps(v); }

// e^r for |r| <= ln 2 / 2: Cephes expf's degree-5 polynomial, about 2e-7
// relative error. The two functions below reduce their argument to it.
static inline __m512 exp_reduced16(__m512 r) {
  __m512 p = splat(1.9875691500e-4f);
  p = _mm512_fmadd_ps(p, r, splat(1.3981999507e-3f));
  p = _mm512_fmadd_ps(p, r, splat(8.3334519073e-3f));
  p = _mm512_fmadd_ps(p, r, splat(4.1665795894e-2f));
  p = _mm512_fmadd_ps(p, r, splat(1.6666665459e-1f));
  p = _mm512_fmadd_ps(p, r, splat(5.0000001201e-1f));
  return _mm512_fmadd_ps(p, _mm512_mul_ps(r, r), _mm512_add_ps(r, splat(1.0f)));
}

// ln 2 in two parts (Cephes): n ln 2 = n kLn2High + n kLn2Low, the first
// product exact for the n that occur.
constexpr float kLn2High = 0.693359375f, kLn2Low = -2.12194440e-4f;
constexpr float kLog2e = 1.44269504088896341f;

// e^x on [-87, 88], where 2^n stays a normal float; x is clamped to that
// range. x = n ln 2 + r with n = round(x / ln 2), so e^x = e^r 2^n.
static inline __m512 exp16(__m512 x) {
  x = _mm512_min_ps(_mm512_max_ps(x, splat(-87.0f)), splat(88.0f));
  const __m512 n =
      _mm512_roundscale_ps(_mm512_mul_ps(x, splat(kLog2e)), _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
  const __m512 r = _mm512_fnmadd_ps(n, splat(kLn2Low), _mm512_fnmadd_ps(n, splat(kLn2High), x));
  const __m512i e = _mm512_slli_epi32(_mm512_add_epi32(_mm512_cvtps_epi32(n), _mm512_set1_epi32(127)), 23);
  return _mm512_mul_ps(exp_reduced16(r), _mm512_castsi512_ps(e));
}

// e^-a for a >= 0 (or NaN), the power of two applied by vscalefps: no
// clamp, and results below FLT_MIN come out subnormal, then 0, as they
// should. -a = m ln 2 + r with m = round(-a / ln 2), so e^-a = e^r 2^m.
static inline __m512 exp_minus16(__m512 a) {
  const __m512 m =
      _mm512_roundscale_ps(_mm512_mul_ps(a, splat(-kLog2e)), _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
  const __m512 t = _mm512_fmadd_ps(m, splat(kLn2High), a);      // a + m ln 2, high part
  const __m512 r = _mm512_fnmsub_ps(m, splat(kLn2Low), t);     // -(a + m ln 2)
  return _mm512_scalef_ps(exp_reduced16(r), m);
}

}  // namespace skiff::avx512

#pragma GCC diagnostic pop
#pragma GCC pop_options
