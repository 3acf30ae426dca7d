// AVX2 reduction folds (VecKernels::reduce and ::accumulate) and the sums of
// exponentials of ReduceLogSumExp (::sum_exp, ::accumulate_exp, with the exp
// of simd_avx2.h); the portable set is in reduce.cc. Sums and products keep
// 16 partial lanes (two vectors), so they round differently from the
// portable 8-lane ones, within float rounding.
#include "engines/native/simd_avx2.h"
#include "engines/native/vec_kernels.h"

namespace skiff::avx2 {
namespace {

// The per-lane fold of one kind. Max and min track NaN lanes separately:
// max_ps would drop a NaN already in the accumulator.
struct Fold {
  VecReduce kind;
  __m256 init() const {
    return _mm256_set1_ps(kind == VecReduce::kMax    ? -__builtin_inff()
                          : kind == VecReduce::kMin  ? __builtin_inff()
                          : kind == VecReduce::kProd ? 1.0f
                                                     : 0.0f);
  }
  __m256 operator()(__m256 acc, __m256 x) const {
    switch (kind) {
      case VecReduce::kSum: return _mm256_add_ps(acc, x);
      case VecReduce::kSumSquare: return fma(x, x, acc);
      case VecReduce::kMax: return _mm256_max_ps(x, acc);
      case VecReduce::kMin: return _mm256_min_ps(x, acc);
      case VecReduce::kL1: return _mm256_add_ps(acc, abs(x));
      case VecReduce::kProd: return _mm256_mul_ps(acc, x);
    }
    return acc;
  }
  // The fold that merges partial results (lanes, vectors).
  Fold merge() const {
    return {kind == VecReduce::kSumSquare || kind == VecReduce::kL1 ? VecReduce::kSum : kind};
  }
};

float lane(__m256 v, int i) {
  alignas(32) float lanes[8];
  _mm256_store_ps(lanes, v);
  return lanes[i];
}

// Folds the 8 lanes of `acc` into one float (`merge` is a merging fold).
float horizontal(const Fold& merge, __m256 acc) {
  float r = lane(acc, 0);
  for (int i = 1; i < 8; ++i) {
    const float v = lane(acc, i);
    r = merge.kind == VecReduce::kMax   ? (v > r ? v : r)
        : merge.kind == VecReduce::kMin ? (v < r ? v : r)
        : merge.kind == VecReduce::kProd ? r * v
                                         : r + v;
  }
  return r;
}

bool is_minmax(VecReduce kind) { return kind == VecReduce::kMax || kind == VecReduce::kMin; }

}  // namespace

float reduce(VecReduce kind, const float* x, int64_t n) {
  const Fold fold{kind};
  __m256 acc0 = fold.init(), acc1 = fold.init();
  __m256 nan = _mm256_setzero_ps();
  int64_t i = 0;
  for (; i + 16 <= n; i += 16) {
    const __m256 u = _mm256_loadu_ps(x + i), v = _mm256_loadu_ps(x + i + 8);
    acc0 = fold(acc0, u);
    acc1 = fold(acc1, v);
    nan = _mm256_or_ps(nan, _mm256_cmp_ps(u, v, _CMP_UNORD_Q));
  }
  for (; i + 8 <= n; i += 8) {
    const __m256 u = _mm256_loadu_ps(x + i);
    acc0 = fold(acc0, u);
    nan = _mm256_or_ps(nan, _mm256_cmp_ps(u, u, _CMP_UNORD_Q));
  }
  if (i < n) {
    // Masked-off lanes load 0; blend the identity in so they change nothing.
    const __m256 mask = _mm256_castsi256_ps(tail_mask(n - i));
    const __m256 u = _mm256_blendv_ps(fold.init(), _mm256_maskload_ps(x + i, tail_mask(n - i)), mask);
    acc1 = fold(acc1, u);
    nan = _mm256_or_ps(nan, _mm256_cmp_ps(u, u, _CMP_UNORD_Q));
  }
  if (is_minmax(kind) && _mm256_movemask_ps(nan) != 0) return __builtin_nanf("");
  const Fold merge = fold.merge();
  return horizontal(merge, merge(acc0, acc1));
}

void accumulate(VecReduce kind, float* acc, const float* x, int64_t n) {
  const Fold fold{kind};
  // max/min: a NaN in acc stays (max_ps(x, NaN) is NaN), a NaN in x is blended in.
  const auto step = [&](__m256 a, __m256 v) {
    const __m256 r = fold(a, v);
    return is_minmax(kind) ? _mm256_blendv_ps(r, v, _mm256_cmp_ps(v, v, _CMP_UNORD_Q)) : r;
  };
  int64_t i = 0;
  for (; i + 8 <= n; i += 8)
    _mm256_storeu_ps(acc + i, step(_mm256_loadu_ps(acc + i), _mm256_loadu_ps(x + i)));
  if (i < n) {
    const __m256i mask = tail_mask(n - i);
    _mm256_maskstore_ps(acc + i, mask,
                        step(_mm256_maskload_ps(acc + i, mask), _mm256_maskload_ps(x + i, mask)));
  }
}

float sum_exp(const float* x, int64_t n, float shift) {
  const __m256 s = _mm256_set1_ps(shift);
  __m256 acc0 = _mm256_setzero_ps(), acc1 = _mm256_setzero_ps();
  int64_t i = 0;
  for (; i + 16 <= n; i += 16) {
    acc0 = _mm256_add_ps(acc0, exp(_mm256_sub_ps(_mm256_loadu_ps(x + i), s)));
    acc1 = _mm256_add_ps(acc1, exp(_mm256_sub_ps(_mm256_loadu_ps(x + i + 8), s)));
  }
  for (; i + 8 <= n; i += 8)
    acc0 = _mm256_add_ps(acc0, exp(_mm256_sub_ps(_mm256_loadu_ps(x + i), s)));
  if (i < n) {
    const __m256i mask = tail_mask(n - i);
    const __m256 e = exp(_mm256_sub_ps(_mm256_maskload_ps(x + i, mask), s));
    acc1 = _mm256_add_ps(acc1, _mm256_and_ps(e, _mm256_castsi256_ps(mask)));
  }
  return horizontal(Fold{VecReduce::kSum}, _mm256_add_ps(acc0, acc1));
}

void accumulate_exp(float* acc, const float* x, const float* shift, int64_t n) {
  const auto step = [](__m256 a, __m256 v, __m256 s) {
    return _mm256_add_ps(a, exp(_mm256_sub_ps(v, s)));
  };
  int64_t i = 0;
  for (; i + 8 <= n; i += 8)
    _mm256_storeu_ps(acc + i, step(_mm256_loadu_ps(acc + i), _mm256_loadu_ps(x + i),
                                   _mm256_loadu_ps(shift + i)));
  if (i < n) {
    const __m256i mask = tail_mask(n - i);
    _mm256_maskstore_ps(acc + i, mask,
                        step(_mm256_maskload_ps(acc + i, mask), _mm256_maskload_ps(x + i, mask),
                             _mm256_maskload_ps(shift + i, mask)));
  }
}

}  // namespace skiff::avx2
