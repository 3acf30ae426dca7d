// General matrix multiply for the native kernels (Conv, ConvTranspose,
// MatMul, Gemm):
//
//   C[M,N] = alpha * op(A)[M,K] * op(B)[K,N] + beta * C[M,N]
//
// Row-major; op(X) is X or its transpose. lda/ldb/ldc are row strides in
// elements of the matrices as stored (A is stored [K,M] when trans_a). When
// beta == 0, C is written without being read (NaNs in C do not leak).
//
// gemm() for float is cache-blocked with packed panels and parallel over
// blocks of C; it must not be called from inside a parallel_for body that
// expects it to stay single-threaded (nested regions just run on one thread).
// gemm_generic() covers the other types with a plain loop nest: float16 and
// bfloat16 accumulate in float, integers wrap around like numpy.
#pragma once

#include <cstdint>
#include <type_traits>
#include <vector>

#include "core/dtype.h"
#include "core/parallel.h"

namespace skiff {

void gemm(bool trans_a, bool trans_b, int64_t M, int64_t N, int64_t K, float alpha,
          const float* A, int64_t lda, const float* B, int64_t ldb, float beta, float* C,
          int64_t ldc);

// Same as gemm() but never starts threads: for callers that already split
// their work with parallel_for (per image, per group).
void gemm_serial(bool trans_a, bool trans_b, int64_t M, int64_t N, int64_t K, float alpha,
                 const float* A, int64_t lda, const float* B, int64_t ldb, float beta, float* C,
                 int64_t ldc);

// The type the generic gemm accumulates in: float for the 16-bit floats, an
// unsigned type of at least 32 bits for integers (numpy's wrap-around, with
// no signed-overflow UB and no promotion of uint16 products to int).
template <class T, bool = std::is_integral_v<T>>
struct GemmAccumulator {
  using type = std::conditional_t<std::is_same_v<T, double>, double, float>;
};
template <class T>
struct GemmAccumulator<T, true> {
  using type = std::conditional_t<(sizeof(T) > 4), uint64_t, uint32_t>;
};

// Any numeric T. alpha and beta are applied in the accumulator type; for
// integers they are truncated to integers first (MatMul passes 1 and 0).
template <class T>
void gemm_generic(bool trans_a, bool trans_b, int64_t M, int64_t N, int64_t K, double alpha,
                  const T* A, int64_t lda, const T* B, int64_t ldb, double beta, T* C,
                  int64_t ldc) {
  using Acc = typename GemmAccumulator<T>::type;
  auto to_acc = [](double v) {
    if constexpr (std::is_integral_v<T>)
      return static_cast<Acc>(static_cast<int64_t>(v));
    else
      return static_cast<Acc>(v);
  };
  const Acc a_scale = to_acc(alpha), b_scale = to_acc(beta);
  const bool zero_beta = b_scale == Acc(0);
  // One accumulator row per thread, allocated before the parallel region
  // (nothing may throw inside it).
  std::vector<Acc> rows(static_cast<size_t>(max_threads()) * static_cast<size_t>(N));
  parallel_for(M, N * K + 1, [&](int64_t m0, int64_t m1) {
    Acc* row = rows.data() + static_cast<size_t>(omp_get_thread_num()) * static_cast<size_t>(N);
    for (int64_t m = m0; m < m1; ++m) {
      for (int64_t n = 0; n < N; ++n) row[n] = Acc(0);
      // k-outer order keeps the inner loop contiguous over B's row.
      for (int64_t k = 0; k < K; ++k) {
        const Acc a = static_cast<Acc>(trans_a ? A[k * lda + m] : A[m * lda + k]);
        if (trans_b) {
          for (int64_t n = 0; n < N; ++n) row[n] += a * static_cast<Acc>(B[n * ldb + k]);
        } else {
          const T* b = B + k * ldb;
          for (int64_t n = 0; n < N; ++n) row[n] += a * static_cast<Acc>(b[n]);
        }
      }
      T* c = C + m * ldc;
      for (int64_t n = 0; n < N; ++n) {
        Acc v = a_scale * row[n];
        if (!zero_beta) v += b_scale * static_cast<Acc>(c[n]);
        c[n] = static_cast<T>(v);
      }
    }
  });
}

}  // namespace skiff
