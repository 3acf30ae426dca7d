// AVX2+FMA unary float maps (VecKernels::unary); the portable set is
// scalar::unary in activation.cc, and both must agree within the error the
// simd_avx2.h approximations document. PRelu (VecKernels::prelu) is exact.
#include "engines/native/simd_avx2.h"
#include "engines/native/vec_kernels.h"

namespace skiff::avx2 {
void prelu(const float* x, int64_t step_x, const float* slope, int64_t step_s, float* y,
           int64_t n) {
  const auto f = [](__m256 v, __m256 s) {
    return _mm256_blendv_ps(v, _mm256_mul_ps(s, v),
                            _mm256_cmp_ps(v, _mm256_setzero_ps(), _CMP_LT_OQ));
  };
  zip(f, x, step_x, slope, step_s, y, n);
}

void unary(const VecUnaryOp& op, const float* x, float* y, int64_t n) {
  const __m256 zero = _mm256_setzero_ps(), one = _mm256_set1_ps(1.0f),
               half = _mm256_set1_ps(0.5f);
  const __m256 alpha = _mm256_set1_ps(op.alpha), beta = _mm256_set1_ps(op.beta);
  switch (op.kind) {
    case VecUnary::kRelu:
      // max_ps returns its second operand for NaN: 0, as the reference's x > 0 ? x : 0.
      return map(x, y, n, [&](__m256 v) { return _mm256_max_ps(v, zero); });
    case VecUnary::kLeakyRelu:
      return map(x, y, n, [&](__m256 v) {
        return _mm256_blendv_ps(_mm256_mul_ps(v, alpha), v, _mm256_cmp_ps(v, zero, _CMP_GE_OQ));
      });
    case VecUnary::kClip:
      // max then min as numpy.clip; comparisons leave NaN in place.
      return map(x, y, n, [&](__m256 v) {
        v = _mm256_blendv_ps(v, alpha, _mm256_cmp_ps(v, alpha, _CMP_LT_OQ));
        return _mm256_blendv_ps(v, beta, _mm256_cmp_ps(v, beta, _CMP_GT_OQ));
      });
    case VecUnary::kExp:
      return map(x, y, n, [](__m256 v) { return exp(v); });
    case VecUnary::kSigmoid:
      return map(x, y, n, [](__m256 v) { return sigmoid(v); });
    case VecUnary::kSilu:
      return map(x, y, n, [](__m256 v) { return _mm256_mul_ps(v, sigmoid(v)); });
    case VecUnary::kTanh:
      return map(x, y, n, [](__m256 v) { return tanh(v); });
    case VecUnary::kErf:
      return map(x, y, n, [](__m256 v) { return erf(v); });
    case VecUnary::kGelu:
      return map(x, y, n, [&](__m256 v) {
        const __m256 e = erf(_mm256_mul_ps(v, _mm256_set1_ps(0.7071067811865476f)));
        return _mm256_mul_ps(_mm256_mul_ps(half, v), _mm256_add_ps(one, e));
      });
    case VecUnary::kGeluTanh:
      return map(x, y, n, [&](__m256 v) {
        const __m256 cube = _mm256_mul_ps(_mm256_mul_ps(v, v), v);
        const __m256 inner = _mm256_mul_ps(_mm256_set1_ps(0.7978845608028654f),
                                           fma(_mm256_set1_ps(0.044715f), cube, v));
        return _mm256_mul_ps(_mm256_mul_ps(half, v), _mm256_add_ps(one, tanh(inner)));
      });
    case VecUnary::kHardSigmoid:
      return map(x, y, n, [&](__m256 v) {
        // NaN gives 0, as fmax in the reference.
        return _mm256_min_ps(_mm256_max_ps(fma(alpha, v, beta), zero), one);
      });
    case VecUnary::kHardSwish:
      return map(x, y, n, [&](__m256 v) {
        const __m256 gate = fma(v, _mm256_set1_ps(1.0f / 6.0f), half);
        return _mm256_mul_ps(v, _mm256_min_ps(one, _mm256_max_ps(zero, gate)));
      });
  }
}

}  // namespace skiff::avx2
