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

// Lane groups: whole groups use plain loads and stores, the tail masked
// ones (vmaskmov costs several times a plain access).
struct FullLanes {};
struct TailLanes {
  __m256i mask;
};
__m256 load(const float* p, FullLanes) { return _mm256_loadu_ps(p); }
__m256 load(const float* p, TailLanes t) { return _mm256_maskload_ps(p, t.mask); }
void store(float* p, __m256 v, FullLanes) { _mm256_storeu_ps(p, v); }
void store(float* p, __m256 v, TailLanes t) { _mm256_maskstore_ps(p, t.mask, v); }

// Calls f(k, lanes) for the 8-lane groups of [0, width), the last one masked.
template <class F>
void for_lanes(int64_t width, F&& f) {
  int64_t k = 0;
  for (; k + 8 <= width; k += 8) f(k, FullLanes{});
  if (k < width) f(k, TailLanes{tail_mask(width - k)});
}

// Columns [0, width) of an [n, inner] block (x and y point at the tile's
// first column), normalised along n. Each pass walks the rows in memory
// order: stepping 8 lanes down all n rows instead would stride by `inner`
// through memory, which measured 3x slower on a [1,64,256,256] axis-1 softmax.
void softmax_columns(VecSoftmax kind, const float* x, float* y, int64_t n, int64_t inner,
                     int64_t width, float* max, float* sum) {
  const __m256 lowest = _mm256_set1_ps(-__builtin_inff());
  for_lanes(width, [&](int64_t k, auto m) { store(max + k, lowest, m); });
  for (int64_t j = 0; j < n; ++j)
    for_lanes(width, [&](int64_t k, auto m) {
      store(max + k, _mm256_max_ps(load(max + k, m), load(x + j * inner + k, m)), m);
    });
  // All -inf lanes shift by 0 (-inf - -inf would be NaN); sums start at 0.
  for_lanes(width, [&](int64_t k, auto m) {
    const __m256 v = load(max + k, m);
    store(max + k, _mm256_blendv_ps(v, _mm256_setzero_ps(), _mm256_cmp_ps(v, lowest, _CMP_EQ_OQ)), m);
    store(sum + k, _mm256_setzero_ps(), m);
  });
  const bool keep = kind == VecSoftmax::kSoftmax;
  for (int64_t j = 0; j < n; ++j)
    for_lanes(width, [&](int64_t k, auto m) {
      const __m256 e = exp(_mm256_sub_ps(load(x + j * inner + k, m), load(max + k, m)));
      store(sum + k, _mm256_add_ps(load(sum + k, m), e), m);
      if (keep) store(y + j * inner + k, e, m);
    });
  if (keep) {
    for_lanes(width, [&](int64_t k, auto m) {
      store(sum + k, _mm256_div_ps(_mm256_set1_ps(1.0f), load(sum + k, m)), m);
    });
    for (int64_t j = 0; j < n; ++j)
      for_lanes(width, [&](int64_t k, auto m) {
        float* row = y + j * inner + k;
        store(row, _mm256_mul_ps(load(row, m), load(sum + k, m)), m);
      });
    return;
  }
  for (int64_t k = 0; k < width; ++k) sum[k] = max[k] + logf(sum[k]);
  for (int64_t j = 0; j < n; ++j)
    for_lanes(width, [&](int64_t k, auto m) {
      store(y + j * inner + k, _mm256_sub_ps(load(x + j * inner + k, m), load(sum + k, m)), m);
    });
}

}  // namespace

void softmax(VecSoftmax kind, const float* x, float* y, int64_t n, int64_t inner, int64_t width,
             float* scratch) {
  if (n <= 0 || width <= 0) return;
  if (inner == 1) return softmax_row(kind, x, y, n);
  softmax_columns(kind, x, y, n, inner, width, scratch, scratch + width);
}

}  // namespace skiff::avx2
