#include <gtest/gtest.h>

#include "support/op_test.h"
#include "support/random.h"

namespace skiff {
namespace {

using testing::make;
using testing::OpSpec;
using testing::random_tensor;
using testing::run_op;
using testing::values;

Tensor einsum(const char* eq, std::vector<Tensor> inputs) {
  return run_op(OpSpec("Einsum").opset(12).attr("equation", eq), inputs)[0];
}

TEST(Einsum, BatchMatmulMatchesLoops) {
  Tensor a = random_tensor({3, 7, 9}, 1), b = random_tensor({3, 9, 8}, 2);
  Tensor y = einsum("bij, bjk -> bik", {a, b});
  ASSERT_EQ(y.shape(), (Shape{3, 7, 8}));
  for (int64_t n = 0; n < 3; ++n)
    for (int64_t i = 0; i < 7; ++i)
      for (int64_t k = 0; k < 8; ++k) {
        double want = 0;
        for (int64_t j = 0; j < 9; ++j)
          want += a.data<float>()[(n * 7 + i) * 9 + j] * b.data<float>()[(n * 9 + j) * 8 + k];
        EXPECT_NEAR(y.data<float>()[(n * 7 + i) * 8 + k], want, 1e-5);
      }
}

TEST(Einsum, ImplicitOutputIsSortedSingleLabels) {
  Tensor a = make<float>({2, 3}, {1, 2, 3, 4, 5, 6});
  EXPECT_EQ(einsum("ji", {a}).shape(), (Shape{3, 2}));  // transpose
  EXPECT_EQ(values<float>(einsum("ji", {a})), (std::vector<float>{1, 4, 2, 5, 3, 6}));
  Tensor v = make<float>({3}, {1, 2, 3});
  EXPECT_EQ(values<float>(einsum("i,i", {v, v})), (std::vector<float>{14}));
}

TEST(Einsum, TraceAndDiagonal) {
  Tensor m = make<float>({3, 3}, {1, 2, 3, 4, 5, 6, 7, 8, 9});
  EXPECT_EQ(values<float>(einsum("ii", {m})), (std::vector<float>{15}));
  EXPECT_EQ(values<float>(einsum("ii->i", {m})), (std::vector<float>{1, 5, 9}));
  Tensor batch = random_tensor({2, 3, 3}, 4);
  Tensor d = einsum("...ii->...i", {batch});
  ASSERT_EQ(d.shape(), (Shape{2, 3}));
  EXPECT_EQ(d.data<float>()[4], batch.data<float>()[9 + 4]);
}

TEST(Einsum, EllipsisBroadcastsLeadingDims) {
  Tensor a = random_tensor({2, 1, 3, 4}, 5), b = random_tensor({5, 4, 2}, 6);
  Tensor y = einsum("...ij,...jk->...ik", {a, b});
  ASSERT_EQ(y.shape(), (Shape{2, 5, 3, 2}));
  // Element [1, 4, 2, 1]: a[1, 0, 2, :] . b[4, :, 1].
  double want = 0;
  for (int64_t j = 0; j < 4; ++j) want += a.data<float>()[(3 + 2) * 4 + j] * b.data<float>()[(4 * 4 + j) * 2 + 1];
  EXPECT_NEAR(y.data<float>()[((1 * 5 + 4) * 3 + 2) * 2 + 1], want, 1e-5);
}

TEST(Einsum, SumAndOuterProductAndThreeOperands) {
  Tensor a = make<float>({2, 2}, {1, 2, 3, 4});
  EXPECT_EQ(values<float>(einsum("ij->i", {a})), (std::vector<float>{3, 7}));
  EXPECT_EQ(values<float>(einsum("ij->", {a})), (std::vector<float>{10}));
  Tensor u = make<float>({2}, {1, 2}), v = make<float>({3}, {1, 0, -1});
  EXPECT_EQ(values<float>(einsum("i,j->ij", {u, v})), (std::vector<float>{1, 0, -1, 2, 0, -2}));
  EXPECT_EQ(values<float>(einsum("i,ij,j->", {u, a, u})), (std::vector<float>{1 + 4 + 6 + 16}));
}

TEST(Einsum, IntegerAndEmptyOperands) {
  Tensor a = make<int64_t>({2, 2}, {1, 2, 3, 4});
  EXPECT_EQ(values<int64_t>(einsum("ij,jk", {a, a})), (std::vector<int64_t>{7, 10, 15, 22}));
  Tensor e(DataType::kFloat, {2, 0});
  Tensor z = einsum("ij,jk->ik", {e, Tensor(DataType::kFloat, {0, 3})});
  EXPECT_EQ(values<float>(z), (std::vector<float>(6, 0.f)));
}

TEST(Einsum, BadEquationsAndShapesFail) {
  Tensor a = make<float>({2, 3}, {1, 2, 3, 4, 5, 6});
  try {
    einsum("ij,jk->ik", {a, a});
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kInvalidInput);
  }
  EXPECT_THROW(einsum("ijk", {a}), Error);
  EXPECT_THROW(einsum("ij->iz", {a}), Error);
  EXPECT_THROW(einsum("ij,jk", {a}), Error);
  EXPECT_THROW(einsum("i.j", {a}), Error);
}

}  // namespace
}  // namespace skiff
