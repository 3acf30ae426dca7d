// The AVX-512F swish of swish.h. Runs only after avx512_kernels() said yes; the target pragma comes after the includes, as in
// native/rnn_fast_avx512.cc, so no library inline function is compiled for
// AVX-512 here.
#include <immintrin.h>

#include <cstdint>

#include "engines/dnnl/swish.h"
#include "engines/native/simd_avx512.h"

#pragma GCC target("avx512f")
// GCC 12's avx512fintrin.h seeds results with _mm512_undefined_ps() and
// then warns that they are uninitialized (GCC bug 105593).
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"

namespace skiff::dnnl_engine {

namespace {

using avx512::exp16;
using avx512::splat;

// x / (1 + e^-x), the reciprocal as rcp14 refined by one Newton step:
// 1 + e^-x is at least 1 and at most 1 + e^88, a finite normal float.
inline __m512 swish16(__m512 x) {
  const __m512 d = _mm512_add_ps(splat(1.f), exp16(_mm512_sub_ps(_mm512_setzero_ps(), x)));
  __m512 q = _mm512_rcp14_ps(d);
  q = _mm512_fmadd_ps(q, _mm512_fnmadd_ps(d, q, splat(1.f)), q);
  __m512 s = _mm512_mul_ps(x, q);
  // Below -88 the clamp in exp16 would make x / (1 + e^88) grow with |x|,
  // while x e^x is under 5e-37 there (and 0 in float from -104): -0.
  s = _mm512_mask_mov_ps(s, _mm512_cmp_ps_mask(x, splat(-88.f), _CMP_LT_OQ), splat(-0.f));
  // -inf * sigmoid(-inf) is -inf * 0: NaN, as the unfused graph computes.
  const __mmask16 minus_inf = _mm512_cmp_ps_mask(x, splat(-__builtin_inff()), _CMP_EQ_OQ);
  return _mm512_mask_mov_ps(s, minus_inf, splat(__builtin_nanf("")));
}

}  // namespace

void swish_avx512(float* x, int64_t n) {
  int64_t i = 0;
  for (; i + 32 <= n; i += 32) {
    const __m512 a = _mm512_loadu_ps(x + i), b = _mm512_loadu_ps(x + i + 16);
    _mm512_storeu_ps(x + i, swish16(a));
    _mm512_storeu_ps(x + i + 16, swish16(b));
  }
  for (; i < n; i += 16) {
    const __mmask16 m = n - i >= 16 ? static_cast<__mmask16>(0xffff) : static_cast<__mmask16>((1u << (n - i)) - 1);
    _mm512_mask_storeu_ps(x + i, m, swish16(_mm512_maskz_loadu_ps(m, x + i)));
  }
}

}  // namespace skiff::dnnl_engine
