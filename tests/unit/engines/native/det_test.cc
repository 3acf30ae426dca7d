#include <gtest/gtest.h>

#include "support/op_test.h"

namespace skiff {
namespace {

using testing::make;
using testing::OpSpec;
using testing::run_op;
using testing::values;

TEST(Det, TwoByTwoAndPivoting) {
  auto out = run_op(OpSpec("Det").opset(11), {make<float>({2, 2}, {1, 2, 3, 4})});
  EXPECT_EQ(out[0].shape(), (Shape{}));
  EXPECT_FLOAT_EQ(values<float>(out[0])[0], -2.0f);
  auto swap = run_op(OpSpec("Det").opset(11), {make<double>({2, 2}, {0, 1, 1, 0})});
  EXPECT_DOUBLE_EQ(values<double>(swap[0])[0], -1.0);
}

TEST(Det, BatchedMatchesCofactorExpansion) {
  // Two 3x3 matrices in a [2, 1, 3, 3] batch.
  auto x = make<double>({2, 1, 3, 3}, {2, -3, 1, 2, 0, -1, 1, 4, 5, 6, 1, 1, 4, -2, 5, 2, 8, 7});
  auto out = run_op(OpSpec("Det").opset(11), {x});
  EXPECT_EQ(out[0].shape(), (Shape{2, 1}));
  EXPECT_NEAR(values<double>(out[0])[0], 49.0, 1e-12);
  EXPECT_NEAR(values<double>(out[0])[1], -306.0, 1e-12);
}

TEST(Det, SingularIsZeroAndEmptyMatrixIsOne) {
  auto singular = run_op(OpSpec("Det").opset(11), {make<float>({3, 3}, {1, 2, 3, 2, 4, 6, 0, 1, 1})});
  EXPECT_EQ(values<float>(singular[0])[0], 0.0f);
  auto empty = run_op(OpSpec("Det").opset(11), {Tensor(DataType::kFloat, {0, 0})});
  EXPECT_EQ(values<float>(empty[0])[0], 1.0f);
  auto no_batch = run_op(OpSpec("Det").opset(11), {Tensor(DataType::kFloat, {0, 2, 2})});
  EXPECT_EQ(no_batch[0].shape(), (Shape{0}));
}

TEST(Det, Float16Input) {
  auto out = run_op(OpSpec("Det").opset(11), {make<Float16>({2, 2}, {Float16(3.f), Float16(1.f), Float16(2.f), Float16(4.f)})});
  EXPECT_EQ(static_cast<float>(out[0].data<Float16>()[0]), 10.0f);
}

TEST(Det, RejectsNonSquare) {
  try {
    run_op(OpSpec("Det").opset(11), {make<float>({2, 3}, {1, 2, 3, 4, 5, 6})});
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kInvalidInput);
  }
}

}  // namespace
}  // namespace skiff
