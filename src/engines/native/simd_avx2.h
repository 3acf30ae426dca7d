// AVX2+FMA building blocks for the *_avx2.cc kernel files, which alone are
// compiled with -mavx2 -mfma (see core/cpu.h). Include it from nowhere else:
// everything here is `static inline`, so no AVX2 code can be merged by the
// linker into a function the portable files call.
//
// The transcendental functions are polynomial approximations; their measured
// maximum error against glibc over the float range is pinned by
// tests/unit/engines/native/simd_test.cc:
//   exp      Cephes expf, range-reduced by ln 2, degree-5 polynomial; 2 ulp
//   tanh     odd degree-9 polynomial below |x| = 0.625, else 1 - 2/(e^2|x| + 1)
//   erf      x * P6(x^2) below |x| = 1, else 1 - e^P8(|x|) (fits of erf(x)/x and
//            log erfc(x) made for skiff); 2e-7 absolute
// Each propagates NaN and saturates at +-inf as the C library does.
#pragma once

#include <immintrin.h>

#include <cstdint>

namespace skiff::avx2 {

// Lanes [0, n) of a mask for the tail of a loop (0 < n < 8).
static inline __m256i tail_mask(int64_t n) {
  const __m256i lanes = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
  return _mm256_cmpgt_epi32(_mm256_set1_epi32(static_cast<int>(n)), lanes);
}

static inline __m256 fma(__m256 a, __m256 b, __m256 c) { return _mm256_fmadd_ps(a, b, c); }

// The argument is clamped to [-104, 88.73] (beyond, exp is 0 or overflows);
// 2^n is applied as two factors 2^(n/2) so that n = 128 and subnormal
// results need no special case.
static inline __m256 exp(__m256 x) {
  const __m256 overflow = _mm256_cmp_ps(x, _mm256_set1_ps(88.7228391f), _CMP_GT_OQ);
  // min/max return their second operand when either is NaN: x goes second.
  x = _mm256_max_ps(_mm256_set1_ps(-104.0f), x);
  x = _mm256_min_ps(_mm256_set1_ps(88.7228391f), x);
  const __m256 n = _mm256_round_ps(_mm256_mul_ps(x, _mm256_set1_ps(1.44269504088896341f)),
                                   _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
  // r = x - n ln 2, with ln 2 split in two so the product is exact.
  __m256 r = fma(n, _mm256_set1_ps(-0.693359375f), x);
  r = fma(n, _mm256_set1_ps(2.12194440e-4f), r);
  __m256 p = _mm256_set1_ps(1.9875691500e-4f);
  p = fma(p, r, _mm256_set1_ps(1.3981999507e-3f));
  p = fma(p, r, _mm256_set1_ps(8.3334519073e-3f));
  p = fma(p, r, _mm256_set1_ps(4.1665795894e-2f));
  p = fma(p, r, _mm256_set1_ps(1.6666665459e-1f));
  p = fma(p, r, _mm256_set1_ps(5.0000001201e-1f));
  p = fma(p, _mm256_mul_ps(r, r), _mm256_add_ps(r, _mm256_set1_ps(1.0f)));
  const __m256i ni = _mm256_cvtps_epi32(n);
  const __m256i half = _mm256_srai_epi32(ni, 1);
  const __m256i bias = _mm256_set1_epi32(127);
  const __m256 scale1 = _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_add_epi32(half, bias), 23));
  const __m256 scale2 = _mm256_castsi256_ps(
      _mm256_slli_epi32(_mm256_add_epi32(_mm256_sub_epi32(ni, half), bias), 23));
  const __m256 y = _mm256_mul_ps(_mm256_mul_ps(p, scale1), scale2);
  return _mm256_blendv_ps(y, _mm256_set1_ps(__builtin_inff()), overflow);
}

static inline __m256 abs(__m256 x) {
  return _mm256_andnot_ps(_mm256_set1_ps(-0.0f), x);
}

// |magnitude| with the sign of `sign`.
static inline __m256 copysign(__m256 magnitude, __m256 sign) {
  const __m256 sign_bit = _mm256_set1_ps(-0.0f);
  return _mm256_or_ps(_mm256_andnot_ps(sign_bit, magnitude), _mm256_and_ps(sign_bit, sign));
}

static inline __m256 sigmoid(__m256 x) {
  // e = e^-|x| never overflows: 1 / (1 + e) for x >= 0, e / (1 + e) below,
  // which keeps the tiny (subnormal) results of very negative x.
  const __m256 one = _mm256_set1_ps(1.0f);
  const __m256 e = exp(_mm256_or_ps(x, _mm256_set1_ps(-0.0f)));
  const __m256 r = _mm256_div_ps(one, _mm256_add_ps(one, e));
  return _mm256_blendv_ps(r, _mm256_mul_ps(e, r), _mm256_cmp_ps(x, _mm256_setzero_ps(), _CMP_LT_OQ));
}

static inline __m256 tanh(__m256 x) {
  const __m256 ax = abs(x);
  // Small |x|: the Cephes tanhf polynomial (1 - 2/(e+1) would cancel).
  const __m256 z = _mm256_mul_ps(x, x);
  __m256 p = _mm256_set1_ps(-5.70498872745e-3f);
  p = fma(p, z, _mm256_set1_ps(2.06390887954e-2f));
  p = fma(p, z, _mm256_set1_ps(-5.37397155531e-2f));
  p = fma(p, z, _mm256_set1_ps(1.33314422036e-1f));
  p = fma(p, z, _mm256_set1_ps(-3.33332819422e-1f));
  const __m256 small = fma(_mm256_mul_ps(p, z), x, x);
  const __m256 one = _mm256_set1_ps(1.0f), two = _mm256_set1_ps(2.0f);
  const __m256 e = exp(_mm256_mul_ps(two, ax));
  const __m256 large = copysign(_mm256_sub_ps(one, _mm256_div_ps(two, _mm256_add_ps(e, one))), x);
  return _mm256_blendv_ps(large, small, _mm256_cmp_ps(ax, _mm256_set1_ps(0.625f), _CMP_LT_OQ));
}

static inline __m256 erf(__m256 x) {
  const __m256 ax = abs(x);
  // |x| < 1: x * P(x^2), a least-squares fit of erf(x)/x (relative error 8e-8).
  const __m256 z = _mm256_mul_ps(x, x);
  __m256 p = _mm256_set1_ps(8.006874122656882e-05f);
  p = fma(p, z, _mm256_set1_ps(-0.0008053751080296934f));
  p = fma(p, z, _mm256_set1_ps(0.005192957818508148f));
  p = fma(p, z, _mm256_set1_ps(-0.0268560703843832f));
  p = fma(p, z, _mm256_set1_ps(0.11283634603023529f));
  p = fma(p, z, _mm256_set1_ps(-0.3761262893676758f));
  p = fma(p, z, _mm256_set1_ps(1.128379225730896f));
  const __m256 small = _mm256_mul_ps(p, x);
  // 1 <= |x|: 1 - e^Q(|x|), Q a fit of log erfc on [1, 4]; erf(4) is 1 in float.
  const __m256 t = _mm256_min_ps(_mm256_set1_ps(4.0f), ax);
  __m256 q = _mm256_set1_ps(1.6264066289295442e-06f);
  q = fma(q, t, _mm256_set1_ps(-4.5818716898793355e-05f));
  q = fma(q, t, _mm256_set1_ps(0.0005945508019067347f));
  q = fma(q, t, _mm256_set1_ps(-0.004747871309518814f));
  q = fma(q, t, _mm256_set1_ps(0.0263843834400177f));
  q = fma(q, t, _mm256_set1_ps(-0.1100090816617012f));
  q = fma(q, t, _mm256_set1_ps(-0.6319084763526917f));
  q = fma(q, t, _mm256_set1_ps(-1.1301809549331665f));
  q = fma(q, t, _mm256_set1_ps(0.00030609514215029776f));
  const __m256 large = copysign(_mm256_sub_ps(_mm256_set1_ps(1.0f), exp(q)), x);
  return _mm256_blendv_ps(large, small, _mm256_cmp_ps(ax, _mm256_set1_ps(1.0f), _CMP_LT_OQ));
}

// y[i] = f(x[i]) for i in [0, n), 8 lanes at a time, the tail masked.
template <class F>
static inline void map(const float* x, float* y, int64_t n, F&& f) {
  int64_t i = 0;
  for (; i + 8 <= n; i += 8) _mm256_storeu_ps(y + i, f(_mm256_loadu_ps(x + i)));
  if (i < n) {
    const __m256i mask = tail_mask(n - i);
    _mm256_maskstore_ps(y + i, mask, f(_mm256_maskload_ps(x + i, mask)));
  }
}

// y[i] = f(a[i * step_a], b[i * step_b]) for steps 0 (repeat element 0: a
// scalar, per-channel or column broadcast) or 1, 8 lanes at a time.
template <bool kStepA, bool kStepB, class F>
static inline void zip_run(F&& f, const float* a, const float* b, float* y, int64_t n) {
  const __m256 va = _mm256_set1_ps(*a), vb = _mm256_set1_ps(*b);
  int64_t i = 0;
  for (; i + 8 <= n; i += 8) {
    const __m256 u = kStepA ? _mm256_loadu_ps(a + i) : va;
    const __m256 v = kStepB ? _mm256_loadu_ps(b + i) : vb;
    _mm256_storeu_ps(y + i, f(u, v));
  }
  if (i < n) {
    const __m256i mask = tail_mask(n - i);
    const __m256 u = kStepA ? _mm256_maskload_ps(a + i, mask) : va;
    const __m256 v = kStepB ? _mm256_maskload_ps(b + i, mask) : vb;
    _mm256_maskstore_ps(y + i, mask, f(u, v));
  }
}

template <class F>
static inline void zip(F&& f, const float* a, int64_t step_a, const float* b, int64_t step_b,
                       float* y, int64_t n) {
  if (n <= 0) return;
  if (step_a && step_b) return zip_run<true, true>(f, a, b, y, n);
  if (step_a) return zip_run<true, false>(f, a, b, y, n);
  if (step_b) return zip_run<false, true>(f, a, b, y, n);
  zip_run<false, false>(f, a, b, y, n);
}

}  // namespace skiff::avx2
