// AVX2 float Where over one broadcast run (VecKernels::where); the portable
// set is scalar::where in where.cc. A select copies bits: both give identical
// results.
#include "engines/native/simd_avx2.h"
#include "engines/native/vec_kernels.h"

namespace skiff::avx2 {
namespace {

// Lanes of 8 bools (bytes, 0 or 1) as an all-ones / all-zeros mask.
__m256 bool_mask(const bool* c) {
  const __m128i bytes = _mm_loadl_epi64(reinterpret_cast<const __m128i*>(c));
  return _mm256_castsi256_ps(
      _mm256_cmpgt_epi32(_mm256_cvtepu8_epi32(bytes), _mm256_setzero_si256()));
}

// One step pattern; an operand without step repeats its element 0.
template <bool kStepC, bool kStepA, bool kStepB>
void where_run(const bool* c, const float* a, const float* b, float* y, int64_t n) {
  const __m256 vc = _mm256_castsi256_ps(_mm256_set1_epi32(*c ? -1 : 0));
  const __m256 va = _mm256_set1_ps(*a), vb = _mm256_set1_ps(*b);
  int64_t i = 0;
  for (; i + 8 <= n; i += 8) {
    const __m256 mask = kStepC ? bool_mask(c + i) : vc;
    const __m256 u = kStepA ? _mm256_loadu_ps(a + i) : va;
    const __m256 v = kStepB ? _mm256_loadu_ps(b + i) : vb;
    _mm256_storeu_ps(y + i, _mm256_blendv_ps(v, u, mask));
  }
  // The tail element by element: the bools cannot be loaded 8 at a time.
  for (; i < n; ++i) y[i] = c[kStepC ? i : 0] ? a[kStepA ? i : 0] : b[kStepB ? i : 0];
}

template <bool kStepC>
void where_c(const bool* c, const float* a, int64_t step_a, const float* b, int64_t step_b,
             float* y, int64_t n) {
  if (step_a && step_b) return where_run<kStepC, true, true>(c, a, b, y, n);
  if (step_a) return where_run<kStepC, true, false>(c, a, b, y, n);
  if (step_b) return where_run<kStepC, false, true>(c, a, b, y, n);
  where_run<kStepC, false, false>(c, a, b, y, n);
}

}  // namespace

void where(const bool* c, int64_t step_c, const float* a, int64_t step_a, const float* b,
           int64_t step_b, float* y, int64_t n) {
  if (n <= 0) return;
  if (step_c) return where_c<true>(c, a, step_a, b, step_b, y, n);
  where_c<false>(c, a, step_a, b, step_b, y, n);
}

}  // namespace skiff::avx2
