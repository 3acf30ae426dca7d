// AVX2 float Add/Sub/Mul/Div/Pow over one broadcast run (VecKernels::binary);
// the portable set is scalar::binary in binary.cc. IEEE arithmetic is exact
// per lane, so Add/Sub/Mul/Div give identical results on both.
//
// Pow: a scalar exponent of 1, 2, 0.5 or 3 is x, x * x, sqrt(x) and x^3 in
// double, correctly rounded but for x^3's rare double rounding (glibc's powf
// is within 1 ulp of the exact result, so they differ by at most 1 ulp).
// Other exponents take exp(y ln|x|): ln|x| is computed in double (exact
// exponent plus a series for the mantissa, relative error below 2^-39), so
// y ln|x| = hi + lo is known to far better than float precision; the float
// exp of simd_avx2.h (2 ulp) takes hi and the product is corrected by
// (1 + lo). Against glibc's powf: 2 ulp at worst on 40M random operands, 3
// pinned by VecKernelsOps.PowStaysWithinThreeUlpOfStdPow. Special operands
// follow C's pow. This general path costs ~130 instructions per 8 lanes, so
// it is only ~1.1x glibc's scalar powf (which uses FMA and tables); the
// fixed exponents are where Pow gains (docs/kernels.md).
#include "engines/native/simd_avx2.h"
#include "engines/native/vec_kernels.h"

namespace skiff::avx2 {
namespace {

// ln m for doubles m in [sqrt(1/2), sqrt(2)]: 2 atanh(s), s = (m - 1) / (m + 1),
// by its series to s^13 (|s| <= 0.172, truncation below 2^-39 relative).
__m256d log_mantissa(__m256d m) {
  const __m256d one = _mm256_set1_pd(1.0);
  const __m256d s = _mm256_div_pd(_mm256_sub_pd(m, one), _mm256_add_pd(m, one));
  const __m256d z = _mm256_mul_pd(s, s);
  __m256d p = _mm256_set1_pd(1.0 / 13);
  p = _mm256_fmadd_pd(p, z, _mm256_set1_pd(1.0 / 11));
  p = _mm256_fmadd_pd(p, z, _mm256_set1_pd(1.0 / 9));
  p = _mm256_fmadd_pd(p, z, _mm256_set1_pd(1.0 / 7));
  p = _mm256_fmadd_pd(p, z, _mm256_set1_pd(1.0 / 5));
  p = _mm256_fmadd_pd(p, z, _mm256_set1_pd(1.0 / 3));
  p = _mm256_fmadd_pd(p, z, one);
  return _mm256_mul_pd(_mm256_add_pd(s, s), p);
}

// y (e ln 2 + ln m) in double for 4 lanes, as hi + lo floats and a factor
// of 1 or 2: above 88, ln 2 is taken off first, so that exp(hi) cannot
// overflow for results just below FLT_MAX. The product is clamped to +-200,
// beyond which exp is 0 or inf anyway, so lo stays finite.
void pow_exponent(__m128 m, __m128i e, __m128 y, __m128* hi, __m128* lo, __m128* factor) {
  const __m256d ln2 = _mm256_set1_pd(0.6931471805599453);
  const __m256d ln = _mm256_fmadd_pd(_mm256_cvtepi32_pd(e), ln2, log_mantissa(_mm256_cvtps_pd(m)));
  __m256d t = _mm256_mul_pd(_mm256_cvtps_pd(y), ln);
  // min/max return their second operand when either is NaN: t goes second.
  t = _mm256_min_pd(_mm256_set1_pd(200.0), _mm256_max_pd(_mm256_set1_pd(-200.0), t));
  const __m256d halve =
      _mm256_and_pd(_mm256_cmp_pd(t, _mm256_set1_pd(88.0), _CMP_GT_OQ), _mm256_set1_pd(1.0));
  t = _mm256_fnmadd_pd(halve, ln2, t);
  *factor = _mm_add_ps(_mm_set1_ps(1.0f), _mm256_cvtpd_ps(halve));
  *hi = _mm256_cvtpd_ps(t);
  *lo = _mm256_cvtpd_ps(_mm256_sub_pd(t, _mm256_cvtps_pd(*hi)));
}

// |x|^y for finite nonzero x (other lanes give garbage that pow replaces).
__m256 pow_magnitude(__m256 x, __m256 y) {
  __m256 ax = abs(x);
  // Subnormals are scaled by 2^24 so that their exponent field is exact.
  const __m256 subnormal = _mm256_cmp_ps(ax, _mm256_set1_ps(0x1p-126f), _CMP_LT_OQ);
  ax = _mm256_blendv_ps(ax, _mm256_mul_ps(ax, _mm256_set1_ps(0x1p24f)), subnormal);
  const __m256i bits = _mm256_castps_si256(ax);
  __m256i e = _mm256_sub_epi32(_mm256_srli_epi32(bits, 23), _mm256_set1_epi32(127));
  e = _mm256_sub_epi32(e, _mm256_and_si256(_mm256_castps_si256(subnormal), _mm256_set1_epi32(24)));
  __m256 m = _mm256_castsi256_ps(_mm256_or_si256(
      _mm256_and_si256(bits, _mm256_set1_epi32(0x7fffff)), _mm256_set1_epi32(0x3f800000)));
  const __m256 high = _mm256_cmp_ps(m, _mm256_set1_ps(1.41421356f), _CMP_GT_OQ);
  m = _mm256_blendv_ps(m, _mm256_mul_ps(m, _mm256_set1_ps(0.5f)), high);
  e = _mm256_sub_epi32(e, _mm256_castps_si256(high));  // high lanes are all ones: -1
  __m128 hi0, lo0, f0, hi1, lo1, f1;
  pow_exponent(_mm256_castps256_ps128(m), _mm256_castsi256_si128(e), _mm256_castps256_ps128(y),
               &hi0, &lo0, &f0);
  pow_exponent(_mm256_extractf128_ps(m, 1), _mm256_extracti128_si256(e, 1),
               _mm256_extractf128_ps(y, 1), &hi1, &lo1, &f1);
  const __m256 p = exp(_mm256_set_m128(hi1, hi0));
  // An overflowed p stays inf (inf * lo + inf would be NaN for lo < 0).
  const __m256 r = _mm256_blendv_ps(fma(p, _mm256_set_m128(lo1, lo0), p), p,
                                    _mm256_cmp_ps(p, _mm256_set1_ps(__builtin_inff()), _CMP_EQ_OQ));
  return _mm256_mul_ps(r, _mm256_set_m128(f1, f0));
}

// C's pow: pow(x, +-0) = pow(1, y) = pow(-1, +-inf) = 1, even for NaN;
// |x| = 0 or inf gives 0 or inf by the sign of y; a negative x gives a NaN
// for a non-integer y unless x = -inf, and a negative result for an odd one.
__m256 pow_special(__m256 x, __m256 y, __m256 r) {
  const __m256 zero = _mm256_setzero_ps(), one = _mm256_set1_ps(1.0f);
  const __m256 inf = _mm256_set1_ps(__builtin_inff());
  const __m256 ax = abs(x);
  const __m256 y_neg = _mm256_cmp_ps(y, zero, _CMP_LT_OQ);
  r = _mm256_blendv_ps(r, _mm256_and_ps(inf, y_neg), _mm256_cmp_ps(ax, zero, _CMP_EQ_OQ));
  r = _mm256_blendv_ps(r, _mm256_andnot_ps(y_neg, inf), _mm256_cmp_ps(ax, inf, _CMP_EQ_OQ));
  const __m256 y_int =
      _mm256_cmp_ps(_mm256_round_ps(y, _MM_FROUND_TO_ZERO | _MM_FROUND_NO_EXC), y, _CMP_EQ_OQ);
  // Bit 0 of an integer y moved to the sign bit (y >= 2^24 is even, and
  // cvtt gives 0x80000000, an even value, beyond int32).
  const __m256 odd = _mm256_and_ps(
      y_int, _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_cvttps_epi32(y), 31)));
  r = _mm256_xor_ps(r, _mm256_and_ps(x, odd));
  const __m256 negative_finite =
      _mm256_and_ps(_mm256_cmp_ps(x, zero, _CMP_LT_OQ),
                    _mm256_cmp_ps(x, _mm256_sub_ps(zero, inf), _CMP_GT_OQ));
  r = _mm256_blendv_ps(r, _mm256_set1_ps(__builtin_nanf("")),
                       _mm256_andnot_ps(y_int, negative_finite));
  r = _mm256_blendv_ps(r, _mm256_add_ps(x, y), _mm256_cmp_ps(x, y, _CMP_UNORD_Q));
  const __m256 unit = _mm256_or_ps(
      _mm256_or_ps(_mm256_cmp_ps(y, zero, _CMP_EQ_OQ), _mm256_cmp_ps(x, one, _CMP_EQ_OQ)),
      _mm256_and_ps(_mm256_cmp_ps(x, _mm256_set1_ps(-1.0f), _CMP_EQ_OQ),
                    _mm256_cmp_ps(abs(y), inf, _CMP_EQ_OQ)));
  return _mm256_blendv_ps(r, one, unit);
}

// For finite x > 0 and finite y the magnitude is the result (x = 1 and y = 0
// give exactly 1); other lanes take pow_special's rules, skipped when no lane
// needs them (3.1 -> 2.6 ns an element on positive bases, one core).
__m256 pow(__m256 x, __m256 y) {
  const __m256 r = pow_magnitude(x, y);
  const __m256 inf = _mm256_set1_ps(__builtin_inff());
  const __m256 positive = _mm256_and_ps(_mm256_cmp_ps(x, _mm256_setzero_ps(), _CMP_GT_OQ),
                                        _mm256_cmp_ps(x, inf, _CMP_LT_OQ));
  const __m256 plain = _mm256_and_ps(positive, _mm256_cmp_ps(abs(y), inf, _CMP_LT_OQ));
  if (_mm256_movemask_ps(plain) == 0xff) return r;
  return pow_special(x, y, r);
}

// x^3 in double: x * x is exact there, so only the last product rounds twice.
__m256 cube(__m256 x) {
  const __m256d lo = _mm256_cvtps_pd(_mm256_castps256_ps128(x));
  const __m256d hi = _mm256_cvtps_pd(_mm256_extractf128_ps(x, 1));
  return _mm256_set_m128(_mm256_cvtpd_ps(_mm256_mul_pd(_mm256_mul_pd(hi, hi), hi)),
                         _mm256_cvtpd_ps(_mm256_mul_pd(_mm256_mul_pd(lo, lo), lo)));
}

// sqrt with pow's signs: pow(-0, 0.5) = +0 and pow(-inf, 0.5) = +inf.
__m256 pow_half(__m256 x) {
  const __m256 r = abs(_mm256_sqrt_ps(x));
  const __m256 minus_inf = _mm256_set1_ps(-__builtin_inff());
  return _mm256_blendv_ps(r, abs(minus_inf), _mm256_cmp_ps(x, minus_inf, _CMP_EQ_OQ));
}

void pow_steps(const float* a, int64_t step_a, const float* b, int64_t step_b, float* y,
               int64_t n) {
  if (n <= 0) return;
  if (step_b == 0) {
    const float e = *b;
    const auto unary = [&](auto f) {
      zip([f](__m256 u, __m256) { return f(u); }, a, step_a, b, 0, y, n);
    };
    if (e == 1.0f) return unary([](__m256 u) { return u; });
    if (e == 2.0f) return unary([](__m256 u) { return _mm256_mul_ps(u, u); });
    if (e == 0.5f) return unary(pow_half);
    if (e == 3.0f) return unary(cube);
  }
  zip([](__m256 u, __m256 v) { return pow(u, v); }, a, step_a, b, step_b, y, n);
}

}  // namespace

void binary(VecBinary op, const float* a, int64_t step_a, const float* b, int64_t step_b,
            float* y, int64_t n) {
  switch (op) {
    case VecBinary::kAdd:
      return zip([](__m256 u, __m256 v) { return _mm256_add_ps(u, v); }, a, step_a, b, step_b,
                 y, n);
    case VecBinary::kSub:
      return zip([](__m256 u, __m256 v) { return _mm256_sub_ps(u, v); }, a, step_a, b, step_b,
                 y, n);
    case VecBinary::kMul:
      return zip([](__m256 u, __m256 v) { return _mm256_mul_ps(u, v); }, a, step_a, b, step_b,
                 y, n);
    case VecBinary::kDiv:
      return zip([](__m256 u, __m256 v) { return _mm256_div_ps(u, v); }, a, step_a, b, step_b,
                 y, n);
    case VecBinary::kPow: return pow_steps(a, step_a, b, step_b, y, n);
  }
}

}  // namespace skiff::avx2
