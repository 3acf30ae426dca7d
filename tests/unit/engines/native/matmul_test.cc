#include <gtest/gtest.h>

#include <random>

#include "support/op_test.h"

namespace skiff {
namespace {

using testing::make;
using testing::OpSpec;
using testing::run_op;
using testing::values;

template <class T>
Tensor random_tensor(Shape shape, uint32_t seed) {
  Tensor t(dtype_of<T>(), shape);
  std::mt19937 rng(seed);
  std::uniform_int_distribution<int> dist(std::is_unsigned_v<T> ? 0 : -4, 4);
  for (int64_t i = 0; i < t.numel(); ++i) t.data<T>()[i] = static_cast<T>(dist(rng));
  return t;
}

// numpy.matmul by definition, on a broadcast batch.
template <class T>
std::vector<double> ref_matmul(const Tensor& a, const Tensor& b, Shape* out_shape) {
  Shape as = a.shape(), bs = b.shape();
  if (as.size() == 1) as.insert(as.begin(), 1);
  if (bs.size() == 1) bs.push_back(1);
  const int64_t M = as[as.size() - 2], K = as.back(), N = bs.back();
  const Shape ab(as.begin(), as.end() - 2), bb(bs.begin(), bs.end() - 2);
  const Shape batch = broadcast_shapes(ab, bb);
  const int64_t nb = shape_numel(batch);
  std::vector<double> out;
  for (int64_t i = 0; i < nb; ++i) {
    // Offsets of batch i in a and b, honouring broadcast dims.
    int64_t rest = i, ao = 0, bo = 0, astr = 1, bstr = 1;
    for (size_t d = batch.size(); d-- > 0;) {
      const int64_t idx = rest % batch[d];
      rest /= batch[d];
      const int64_t ad = d + ab.size() >= batch.size() ? ab[d + ab.size() - batch.size()] : 1;
      const int64_t bd = d + bb.size() >= batch.size() ? bb[d + bb.size() - batch.size()] : 1;
      ao += (ad == 1 ? 0 : idx) * astr;
      bo += (bd == 1 ? 0 : idx) * bstr;
      astr *= ad;
      bstr *= bd;
    }
    for (int64_t m = 0; m < M; ++m)
      for (int64_t n = 0; n < N; ++n) {
        double s = 0;
        for (int64_t k = 0; k < K; ++k)
          s += double(a.data<T>()[ao * M * K + m * K + k]) * double(b.data<T>()[bo * K * N + k * N + n]);
        out.push_back(s);
      }
  }
  *out_shape = batch;
  if (a.rank() > 1) out_shape->push_back(M);
  if (b.rank() > 1) out_shape->push_back(N);
  return out;
}

template <class T>
void check_matmul(Shape as, Shape bs) {
  const Tensor a = random_tensor<T>(as, 1), b = random_tensor<T>(bs, 2);
  Shape want_shape;
  const auto want = ref_matmul<T>(a, b, &want_shape);
  const Tensor y = run_op("MatMul", {a, b})[0];
  ASSERT_EQ(y.shape(), want_shape) << shape_str(as) << " x " << shape_str(bs);
  for (int64_t i = 0; i < y.numel(); ++i)
    ASSERT_EQ(double(y.data<T>()[i]), want[static_cast<size_t>(i)]) << i;
}

TEST(MatMul, BroadcastsBatchOnEveryAxisAndPromotes1D) {
  const std::vector<std::pair<Shape, Shape>> cases = {
      {{7, 9}, {9, 8}},         {{3}, {3}},           {{5}, {5, 17}},
      {{2, 7, 5}, {5}},         {{2, 1, 7, 3}, {4, 3, 9}}, {{1, 7, 3}, {4, 3, 9}},
      {{4, 7, 3}, {1, 3, 9}},   {{4, 7, 3}, {3, 9}},  {{3, 4}, {2, 4, 1}},
      {{2, 3, 0}, {0, 5}},      {{0, 3, 2}, {2, 5}},  {{17, 1, 8}, {17, 8, 9}}};
  for (const auto& [as, bs] : cases) {
    check_matmul<float>(as, bs);
    check_matmul<int64_t>(as, bs);
  }
}

TEST(MatMul, AllSpecTypes) {
  check_matmul<double>({3, 4, 5}, {5, 2});
  check_matmul<int32_t>({2, 3, 4}, {2, 4, 5});
  check_matmul<uint32_t>({3, 4}, {4, 5});
  check_matmul<uint64_t>({3, 4}, {4, 5});
  check_matmul<Float16>({3, 4}, {4, 5});
  check_matmul<BFloat16>({3, 4}, {4, 5});
}

TEST(MatMul, ManySmallBatchesAreParallelAndCorrect) { check_matmul<float>({64, 9, 7}, {64, 7, 9}); }

TEST(MatMul, MismatchedInnerDimsFail) {
  try {
    run_op("MatMul", {random_tensor<float>({2, 3}, 1), random_tensor<float>({4, 2}, 2)});
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kInvalidInput);
  }
  EXPECT_THROW(run_op("MatMul", {random_tensor<float>({2, 2, 3}, 1), random_tensor<float>({3, 3, 2}, 2)}),
               Error);
}

TEST(GemmOp, TransposesAlphaBetaAndBroadcastC) {
  const Tensor a = random_tensor<float>({5, 7}, 1), b = random_tensor<float>({9, 5}, 2);
  for (const Shape& cs : std::vector<Shape>{{}, {9}, {7, 1}, {1, 9}, {7, 9}}) {
    const Tensor c = random_tensor<float>(cs, 3);
    const Tensor y = run_op(OpSpec("Gemm").attr("transA", 1).attr("transB", 1).attr("alpha", 0.5f)
                                .attr("beta", 2.0f).opset(13),
                            {a, b, c})[0];
    ASSERT_EQ(y.shape(), (Shape{7, 9}));
    for (int64_t m = 0; m < 7; ++m)
      for (int64_t n = 0; n < 9; ++n) {
        double s = 0;
        for (int64_t k = 0; k < 5; ++k) s += a.data<float>()[k * 7 + m] * b.data<float>()[n * 5 + k];
        const int64_t ci = cs.empty() ? 0 : (cs.size() == 1 ? n : (cs[0] == 1 ? 0 : m) * cs[1] + (cs[1] == 1 ? 0 : n));
        EXPECT_NEAR(y.data<float>()[m * 9 + n], 0.5 * s + 2.0 * c.data<float>()[ci], 1e-4);
      }
  }
}

TEST(GemmOp, OptionalCAndIntegerTypes) {
  const Tensor a = make<int64_t>({2, 2}, {1, 2, 3, 4});
  const Tensor b = make<int64_t>({2, 2}, {5, 6, 7, 8});
  EXPECT_EQ(values<int64_t>(run_op(OpSpec("Gemm").opset(11), {a, b})[0]),
            (std::vector<int64_t>{19, 22, 43, 50}));
  const Tensor c = make<int64_t>({2}, {1, -1});
  EXPECT_EQ(values<int64_t>(run_op(OpSpec("Gemm").opset(11), {a, b, c})[0]),
            (std::vector<int64_t>{20, 21, 44, 49}));
}

TEST(GemmOp, LegacyBroadcastAttribute) {
  const Tensor a = make<float>({1, 2}, {1, 2});
  const Tensor b = make<float>({2, 2}, {1, 0, 0, 1});
  const Tensor c = make<float>({2}, {10, 20});
  EXPECT_THROW(run_op(OpSpec("Gemm").opset(6), {a, b, c}), Error);
  EXPECT_EQ(values<float>(run_op(OpSpec("Gemm").opset(6).attr("broadcast", 1), {a, b, c})[0]),
            (std::vector<float>{11, 22}));
}

TEST(GemmOp, BadShapesFail) {
  const Tensor a = random_tensor<float>({2, 3}, 1), b = random_tensor<float>({2, 3}, 2);
  EXPECT_THROW(run_op(OpSpec("Gemm").opset(13), {a, b}), Error);
  EXPECT_THROW(run_op(OpSpec("Gemm").opset(13).attr("transB", 1),
                      {a, b, random_tensor<float>({3, 2}, 3)}),
               Error);
}

}  // namespace
}  // namespace skiff
