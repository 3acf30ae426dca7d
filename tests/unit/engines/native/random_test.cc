#include <gtest/gtest.h>

#include <cmath>

#include "support/op_test.h"

namespace skiff {
namespace {

using testing::make;
using testing::OpSpec;
using testing::run_op;
using testing::values;

TEST(RandomUniform, ShapeDtypeRangeAndSeedDeterminism) {
  auto spec = OpSpec("RandomUniform").opset(1).attr("shape", std::vector<int64_t>{3, 1000})
                  .attr("low", -2.0f).attr("high", 5.0f).attr("seed", 3.0f)
                  .attr("dtype", int64_t{11});
  auto a = run_op(spec, {});
  auto b = run_op(spec, {});
  ASSERT_EQ(a[0].dtype(), DataType::kDouble);
  ASSERT_EQ(a[0].shape(), (Shape{3, 1000}));
  EXPECT_EQ(values<double>(a[0]), values<double>(b[0]));
  double sum = 0;
  for (double v : values<double>(a[0])) {
    ASSERT_GE(v, -2.0);
    ASSERT_LT(v, 5.0);
    sum += v;
  }
  EXPECT_NEAR(sum / 3000, 1.5, 0.2);
  auto other = run_op(OpSpec("RandomUniform").opset(1).attr("shape", std::vector<int64_t>{3, 1000})
                          .attr("seed", 4.0f),
                      {});
  EXPECT_EQ(other[0].dtype(), DataType::kFloat);
}

TEST(RandomNormal, MeanAndScale) {
  auto out = run_op(OpSpec("RandomNormal").opset(1).attr("shape", std::vector<int64_t>{10000})
                        .attr("mean", 3.0f).attr("scale", 0.5f).attr("seed", 1.0f),
                    {});
  double sum = 0, sq = 0;
  for (float v : values<float>(out[0])) {
    sum += v;
    sq += (v - 3.0) * (v - 3.0);
  }
  EXPECT_NEAR(sum / 10000, 3.0, 0.05);
  EXPECT_NEAR(std::sqrt(sq / 10000), 0.5, 0.05);
}

TEST(RandomLike, TakesShapeAndTypeFromInput) {
  auto x = Tensor(DataType::kFloat16, {2, 3});
  auto out = run_op(OpSpec("RandomNormalLike").opset(1), {x});
  EXPECT_EQ(out[0].dtype(), DataType::kFloat16);
  EXPECT_EQ(out[0].shape(), (Shape{2, 3}));
  auto typed = run_op(OpSpec("RandomUniformLike").opset(1).attr("dtype", int64_t{1}),
                      {Tensor(DataType::kInt32, {4})});
  EXPECT_EQ(typed[0].dtype(), DataType::kFloat);
  try {
    run_op(OpSpec("RandomUniformLike").opset(1), {Tensor(DataType::kInt32, {4})});
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kInvalidInput);
  }
}

TEST(Bernoulli, CertainProbabilitiesAndOutputTypes) {
  auto p = make<float>({4}, {0, 1, 0, 1});
  auto out = run_op(OpSpec("Bernoulli").opset(15), {p});
  EXPECT_EQ(values<float>(out[0]), (std::vector<float>{0, 1, 0, 1}));
  auto as_bool = run_op(OpSpec("Bernoulli").opset(15).attr("dtype", int64_t{9}), {p});
  EXPECT_EQ(values<bool>(as_bool[0]), (std::vector<bool>{false, true, false, true}));
}

TEST(Bernoulli, SeededRunsRepeatAndRateMatches) {
  Tensor p(DataType::kDouble, {5000});
  for (int64_t i = 0; i < 5000; ++i) p.data<double>()[i] = 0.3;
  auto spec = OpSpec("Bernoulli").opset(15).attr("seed", 7.0f).attr("dtype", int64_t{7});
  auto a = run_op(spec, {p});
  auto b = run_op(spec, {p});
  EXPECT_EQ(values<int64_t>(a[0]), values<int64_t>(b[0]));
  int64_t ones = 0;
  for (int64_t v : values<int64_t>(a[0])) ones += v;
  EXPECT_NEAR(ones / 5000.0, 0.3, 0.03);
}

TEST(RandomUniform, RequiresShape) {
  try {
    run_op(OpSpec("RandomUniform").opset(1), {});
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kInvalidModel);
  }
}

}  // namespace
}  // namespace skiff
