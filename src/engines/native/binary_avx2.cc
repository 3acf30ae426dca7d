// AVX2 float Add/Sub/Mul/Div over one broadcast run (VecKernels::binary); the
// portable set is scalar::binary in binary.cc. IEEE arithmetic is exact per
// lane, so both give identical results.
#include "engines/native/simd_avx2.h"
#include "engines/native/vec_kernels.h"

namespace skiff::avx2 {
namespace {

// The loop for one op and pattern; an operand without step repeats its
// element 0 (scalar, per-channel or column broadcast).
template <bool kStepA, bool kStepB, class Op>
void binary_run(Op op, const float* a, const float* b, float* y, int64_t n) {
  const __m256 va = _mm256_set1_ps(*a), vb = _mm256_set1_ps(*b);
  int64_t i = 0;
  for (; i + 8 <= n; i += 8) {
    const __m256 u = kStepA ? _mm256_loadu_ps(a + i) : va;
    const __m256 v = kStepB ? _mm256_loadu_ps(b + i) : vb;
    _mm256_storeu_ps(y + i, op(u, v));
  }
  if (i < n) {
    const __m256i mask = tail_mask(n - i);
    const __m256 u = kStepA ? _mm256_maskload_ps(a + i, mask) : va;
    const __m256 v = kStepB ? _mm256_maskload_ps(b + i, mask) : vb;
    _mm256_maskstore_ps(y + i, mask, op(u, v));
  }
}

template <class Op>
void binary_steps(Op op, const float* a, int64_t step_a, const float* b, int64_t step_b, float* y,
                  int64_t n) {
  if (step_a && step_b) return binary_run<true, true>(op, a, b, y, n);
  if (step_a) return binary_run<true, false>(op, a, b, y, n);
  if (step_b) return binary_run<false, true>(op, a, b, y, n);
  binary_run<false, false>(op, a, b, y, n);
}

}  // namespace

void binary(VecBinary op, const float* a, int64_t step_a, const float* b, int64_t step_b,
            float* y, int64_t n) {
  if (n <= 0) return;
  switch (op) {
    case VecBinary::kAdd:
      return binary_steps([](__m256 u, __m256 v) { return _mm256_add_ps(u, v); }, a, step_a, b,
                        step_b, y, n);
    case VecBinary::kSub:
      return binary_steps([](__m256 u, __m256 v) { return _mm256_sub_ps(u, v); }, a, step_a, b,
                        step_b, y, n);
    case VecBinary::kMul:
      return binary_steps([](__m256 u, __m256 v) { return _mm256_mul_ps(u, v); }, a, step_a, b,
                        step_b, y, n);
    case VecBinary::kDiv:
      return binary_steps([](__m256 u, __m256 v) { return _mm256_div_ps(u, v); }, a, step_a, b,
                        step_b, y, n);
  }
}

}  // namespace skiff::avx2
