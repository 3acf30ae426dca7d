// The AVX-512F swish of swish.h. Runs only after avx512_kernels() said
// yes; the target pragma comes after the includes, as in
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

using avx512::exp_minus16;
using avx512::splat;

// x * sigmoid(x) from e = e^-|x| in (0, 1]: sigmoid(|x|) = 1 / (1 + e),
// sigmoid(-|x|) = e / (1 + e). e comes from exp_minus16, the reciprocal
// from rcp14 refined by one Newton step (1 + e is in [1, 2]). Nothing needs
// a clamp: e only underflows towards 0 (x * sigmoid(x) then goes to -0
// like the exact value), NaN stays NaN, +inf gives +inf and -inf gives
// -inf * 0, NaN, as x * Sigmoid(x) does.
inline __m512 swish16(__m512 x) {
  const __m512 e = exp_minus16(_mm512_abs_ps(x));
  const __m512 d = _mm512_add_ps(splat(1.f), e);
  __m512 q = _mm512_rcp14_ps(d);
  q = _mm512_fmadd_ps(q, _mm512_fnmadd_ps(d, q, splat(1.f)), q);
  q = _mm512_mask_mul_ps(q, _mm512_cmp_ps_mask(x, _mm512_setzero_ps(), _CMP_LT_OQ), q, e);
  return _mm512_mul_ps(x, q);
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
