// AVX2 float Max/Min of two broadcast runs (VecKernels::extremum, the fold of
// the variadic Max and Min); the portable set is scalar::extremum in
// variadic.cc. Selects only, so both give identical results, NaN payloads and
// signed zeros included.
#include "engines/native/simd_avx2.h"
#include "engines/native/vec_kernels.h"

namespace skiff::avx2 {
namespace {

// ExtremumOp's rule: a if a is NaN, else b if b is NaN, else b if it is
// strictly greater (kMax) or smaller, else a. max_ps(b, a) returns a for
// equal operands and for any NaN; the NaN lanes are then blended in.
template <bool kMax>
__m256 extremum_lanes(__m256 a, __m256 b) {
  const __m256 r = kMax ? _mm256_max_ps(b, a) : _mm256_min_ps(b, a);
  const __m256 with_b = _mm256_blendv_ps(r, b, _mm256_cmp_ps(b, b, _CMP_UNORD_Q));
  return _mm256_blendv_ps(with_b, a, _mm256_cmp_ps(a, a, _CMP_UNORD_Q));
}

}  // namespace

void extremum(VecExtremum op, const float* a, int64_t step_a, const float* b, int64_t step_b,
              float* y, int64_t n) {
  if (op == VecExtremum::kMax)
    return zip([](__m256 u, __m256 v) { return extremum_lanes<true>(u, v); }, a, step_a, b,
               step_b, y, n);
  zip([](__m256 u, __m256 v) { return extremum_lanes<false>(u, v); }, a, step_a, b, step_b, y, n);
}

}  // namespace skiff::avx2
