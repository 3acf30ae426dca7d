#include "engines/native/gemm.h"

#include <gtest/gtest.h>
#include <omp.h>

#include <cmath>
#include <random>
#include <vector>

namespace skiff {
namespace {

std::vector<float> random_floats(size_t n, uint32_t seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> dist(-1.0f, 1.0f);
  std::vector<float> v(n);
  for (auto& x : v) x = dist(rng);
  return v;
}

// C = alpha * op(A) op(B) + beta * C in double, straight from the definition.
std::vector<double> reference(bool ta, bool tb, int64_t M, int64_t N, int64_t K, float alpha,
                              const std::vector<float>& A, int64_t lda,
                              const std::vector<float>& B, int64_t ldb, float beta,
                              const std::vector<float>& C, int64_t ldc) {
  std::vector<double> out(static_cast<size_t>(M * ldc));
  for (int64_t m = 0; m < M; ++m)
    for (int64_t n = 0; n < N; ++n) {
      double s = 0;
      for (int64_t k = 0; k < K; ++k)
        s += double(ta ? A[k * lda + m] : A[m * lda + k]) * (tb ? B[n * ldb + k] : B[k * ldb + n]);
      out[m * ldc + n] = alpha * s + (beta == 0 ? 0.0 : beta * double(C[m * ldc + n]));
    }
  return out;
}

void check_gemm(bool ta, bool tb, int64_t M, int64_t N, int64_t K, float alpha, float beta,
                bool serial) {
  // Leading dimensions wider than the matrices, to catch stride mix-ups.
  const int64_t lda = (ta ? M : K) + 3, ldb = (tb ? K : N) + 2, ldc = N + 1;
  const auto A = random_floats(static_cast<size_t>((ta ? K : M) * lda), 1);
  const auto B = random_floats(static_cast<size_t>((tb ? N : K) * ldb), 2);
  auto C = random_floats(static_cast<size_t>(M * ldc), 3);
  if (beta == 0)
    for (auto& v : C) v = std::nanf("");  // beta == 0 must not read C
  const auto want = reference(ta, tb, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc);
  (serial ? gemm_serial : gemm)(ta, tb, M, N, K, alpha, A.data(), lda, B.data(), ldb, beta,
                                C.data(), ldc);
  for (int64_t m = 0; m < M; ++m)
    for (int64_t n = 0; n < N; ++n)
      ASSERT_NEAR(C[m * ldc + n], want[m * ldc + n], 1e-4 * (1 + K))
          << "M=" << M << " N=" << N << " K=" << K << " ta=" << ta << " tb=" << tb
          << " at " << m << "," << n;
}

TEST(Gemm, AwkwardSizesAllTransposesMatchReference) {
  const int64_t sizes[] = {1, 7, 8, 9, 17};
  for (bool ta : {false, true})
    for (bool tb : {false, true})
      for (int64_t M : sizes)
        for (int64_t N : sizes)
          for (int64_t K : sizes) check_gemm(ta, tb, M, N, K, 1.0f, 0.0f, false);
}

TEST(Gemm, AlphaBetaAndBlockEdgesMatchReference) {
  // Sizes across the kMc/kKc/panel boundaries.
  check_gemm(false, false, 130, 50, 300, 0.5f, 2.0f, false);
  check_gemm(true, true, 121, 33, 257, -1.5f, 1.0f, false);
  check_gemm(false, true, 6, 3100, 20, 1.0f, 0.25f, false);
  check_gemm(false, false, 1, 1100, 300, 1.5f, 0.5f, false);  // gemv, both layouts
  check_gemm(true, true, 1, 70, 301, 1.0f, 0.0f, false);
  check_gemm(false, true, 1, 1000, 2049, 1.0f, 0.0f, false);
  check_gemm(true, false, 250, 17, 513, 2.0f, 0.0f, true);
}

TEST(Gemm, ThreadBlocksCoverEveryColumnAndRow) {
  // The PaddleOCR recognizer's head: 40 x 6625, split across threads along N.
  // 6625 is odd, so a floored block size once lost the last column.
  for (int threads : {2, 3, 7}) {
    omp_set_num_threads(threads);
    check_gemm(false, false, 40, 6625, 24, 1.0f, 0.0f, false);
    check_gemm(false, false, 1001, 40, 24, 1.0f, 0.0f, false);
  }
  omp_set_num_threads(omp_get_num_procs());
}

TEST(Gemm, ZeroDepthScalesC) {
  std::vector<float> C = {1, 2, 3, 4};
  gemm(false, false, 2, 2, 0, 1.0f, nullptr, 1, nullptr, 2, 0.5f, C.data(), 2);
  EXPECT_EQ(C, (std::vector<float>{0.5f, 1, 1.5f, 2}));
  gemm(false, false, 2, 2, 0, 1.0f, nullptr, 1, nullptr, 2, 0.0f, C.data(), 2);
  EXPECT_EQ(C, (std::vector<float>{0, 0, 0, 0}));
}

TEST(Gemm, GenericIntegersWrapAround) {
  const std::vector<int32_t> A = {2000000000, 1, -3, 4};  // 2x2
  const std::vector<int32_t> B = {2, 0, 0, 2};
  std::vector<int32_t> C(4);
  gemm_generic<int32_t>(false, false, 2, 2, 2, 1.0, A.data(), 2, B.data(), 2, 0.0, C.data(), 2);
  EXPECT_EQ(C[0], static_cast<int32_t>(4000000000u));
  EXPECT_EQ(C[1], 2);
  EXPECT_EQ(C[2], -6);
  EXPECT_EQ(C[3], 8);
}

TEST(Gemm, GenericFloat16AccumulatesInFloat) {
  // 2048 additions of 1 would stall at 2048 in float16 arithmetic.
  const int64_t K = 4096;
  std::vector<Float16> A(K, Float16(1.0f)), B(K, Float16(1.0f));
  std::vector<Float16> C(1);
  gemm_generic<Float16>(false, false, 1, 1, K, 1.0, A.data(), K, B.data(), 1, 0.0, C.data(), 1);
  EXPECT_EQ(static_cast<float>(C[0]), 4096.0f);
}

}  // namespace
}  // namespace skiff
