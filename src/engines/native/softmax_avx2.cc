// AVX2 Softmax/LogSoftmax of one [n, inner] block (VecKernels::softmax); the
// portable set is scalar::softmax in softmax.cc, with the same steps: subtract
// the lane's max (0 for an all -inf lane), exponentiate, sum, then scale by
// 1/sum or subtract max + log(sum).
// logf, not std::log: an inline std:: function compiled here with -mavx2 could
// be the copy the linker keeps for the portable files too.
#include <math.h>

#include "engines/native/simd_avx2.h"
#include "engines/native/vec_kernels.h"

namespace skiff::avx2 {
namespace {

float horizontal_max(__m256 v) {
  __m128 m = _mm_max_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
  m = _mm_max_ps(m, _mm_movehl_ps(m, m));
  m = _mm_max_ss(m, _mm_movehdup_ps(m));
  return _mm_cvtss_f32(m);
}

float horizontal_sum(__m256 v) {
  __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
  s = _mm_add_ps(s, _mm_movehl_ps(s, s));
  s = _mm_add_ss(s, _mm_movehdup_ps(s));
  return _mm_cvtss_f32(s);
}

float shift_for(float max) { return max == -__builtin_inff() ? 0.0f : max; }

// One contiguous row (inner == 1). A NaN anywhere makes the whole row NaN
// (through the sum), as in the reference.
void softmax_row(VecSoftmax kind, const float* x, float* y, int64_t n) {
  const __m256 lowest = _mm256_set1_ps(-__builtin_inff());
  __m256 vmax = lowest;
  int64_t j = 0;
  for (; j + 8 <= n; j += 8) vmax = _mm256_max_ps(vmax, _mm256_loadu_ps(x + j));
  float max = horizontal_max(vmax);
  for (; j < n; ++j) max = x[j] > max ? x[j] : max;
  const __m256 shift = _mm256_set1_ps(shift_for(max));
  __m256 vsum = _mm256_setzero_ps();
  const bool keep = kind == VecSoftmax::kSoftmax;
  for (j = 0; j + 8 <= n; j += 8) {
    const __m256 e = exp(_mm256_sub_ps(_mm256_loadu_ps(x + j), shift));
    vsum = _mm256_add_ps(vsum, e);
    if (keep) _mm256_storeu_ps(y + j, e);
  }
  if (j < n) {
    const __m256i mask = tail_mask(n - j);
    const __m256 e = exp(_mm256_sub_ps(_mm256_maskload_ps(x + j, mask), shift));
    vsum = _mm256_add_ps(vsum, _mm256_and_ps(e, _mm256_castsi256_ps(mask)));
    if (keep) _mm256_maskstore_ps(y + j, mask, e);
  }
  const float sum = horizontal_sum(vsum);
  if (keep) {
    const __m256 scale = _mm256_set1_ps(1.0f / sum);
    map(y, y, n, [&](__m256 v) { return _mm256_mul_ps(v, scale); });
  } else {
    const __m256 log_sum = _mm256_set1_ps(shift_for(max) + logf(sum));
    map(x, y, n, [&](__m256 v) { return _mm256_sub_ps(v, log_sum); });
  }
}

// Lanes [k, k + 8) of an [n, inner] block (masked when fewer remain).
void softmax_lanes(VecSoftmax kind, const float* x, float* y, int64_t n, int64_t inner,
                   __m256i mask) {
  const auto load = [&](const float* p) { return _mm256_maskload_ps(p, mask); };
  __m256 max = load(x);
  for (int64_t j = 1; j < n; ++j) max = _mm256_max_ps(max, load(x + j * inner));
  // All -inf lanes shift by 0 (-inf - -inf would be NaN).
  const __m256 lowest = _mm256_set1_ps(-__builtin_inff());
  max = _mm256_blendv_ps(max, _mm256_setzero_ps(), _mm256_cmp_ps(max, lowest, _CMP_EQ_OQ));
  __m256 sum = _mm256_setzero_ps();
  for (int64_t j = 0; j < n; ++j) {
    const __m256 e = exp(_mm256_sub_ps(load(x + j * inner), max));
    sum = _mm256_add_ps(sum, e);
    if (kind == VecSoftmax::kSoftmax) _mm256_maskstore_ps(y + j * inner, mask, e);
  }
  if (kind == VecSoftmax::kSoftmax) {
    const __m256 scale = _mm256_div_ps(_mm256_set1_ps(1.0f), sum);
    for (int64_t j = 0; j < n; ++j)
      _mm256_maskstore_ps(y + j * inner, mask, _mm256_mul_ps(load(y + j * inner), scale));
    return;
  }
  alignas(32) float sums[8];
  _mm256_store_ps(sums, sum);
  for (float& s : sums) s = logf(s);
  const __m256 log_sum = _mm256_add_ps(max, _mm256_load_ps(sums));
  for (int64_t j = 0; j < n; ++j)
    _mm256_maskstore_ps(y + j * inner, mask, _mm256_sub_ps(load(x + j * inner), log_sum));
}

}  // namespace

void softmax(VecSoftmax kind, const float* x, float* y, int64_t n, int64_t inner, float*) {
  if (n <= 0 || inner <= 0) return;
  if (inner == 1) return softmax_row(kind, x, y, n);
  const __m256i all = _mm256_set1_epi32(-1);
  int64_t k = 0;
  for (; k + 8 <= inner; k += 8) softmax_lanes(kind, x + k, y + k, n, inner, all);
  if (k < inner) softmax_lanes(kind, x + k, y + k, n, inner, tail_mask(inner - k));
}

}  // namespace skiff::avx2
