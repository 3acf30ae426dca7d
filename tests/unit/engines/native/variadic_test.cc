// Max, Min, Sum, Mean (n inputs) and Where (three inputs).
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <string>

#include "support/op_test.h"

namespace skiff {
namespace {

using testing::make;
using testing::OpSpec;
using testing::run_op;
using testing::values;

constexpr float kNaN = std::numeric_limits<float>::quiet_NaN();

TEST(Variadic, ThreeInputsBroadcastTogether) {
  const Tensor a = make<float>({2, 1}, {1, 10});
  const Tensor b = make<float>({3}, {2, 5, 8});
  const Tensor c = Tensor::scalar(4.f);
  EXPECT_EQ(values<float>(run_op("Max", {a, b, c})[0]), (std::vector<float>{4, 5, 8, 10, 10, 10}));
  EXPECT_EQ(values<float>(run_op("Min", {a, b, c})[0]), (std::vector<float>{1, 1, 1, 2, 4, 4}));
  EXPECT_EQ(values<float>(run_op("Sum", {a, b, c})[0]),
            (std::vector<float>{7, 10, 13, 16, 19, 22}));
  const auto mean = values<float>(run_op("Mean", {a, b, c})[0]);
  EXPECT_FLOAT_EQ(mean[0], 7.f / 3);
  EXPECT_FLOAT_EQ(mean[5], 22.f / 3);
  EXPECT_EQ(run_op("Sum", {c, c})[0].shape(), Shape{});
}

TEST(Variadic, OneInputIsCopied) {
  const Tensor a = make<float>({3}, {1, -2, 3});
  for (const char* op : {"Max", "Min", "Sum", "Mean"})
    EXPECT_EQ(values<float>(run_op(op, {a})[0]), (std::vector<float>{1, -2, 3})) << op;
}

TEST(Variadic, MaxMinOnIntegersAndNaN) {
  const Tensor a = make<uint16_t>({3}, {1, 500, 7});
  const Tensor b = make<uint16_t>({3}, {2, 400, 7});
  EXPECT_EQ(values<uint16_t>(run_op(OpSpec("Max").opset(12), {a, b})[0]),
            (std::vector<uint16_t>{2, 500, 7}));
  EXPECT_EQ(values<uint16_t>(run_op(OpSpec("Min").opset(13), {a, b})[0]),
            (std::vector<uint16_t>{1, 400, 7}));
  const Tensor n = make<float>({2}, {kNaN, 1});
  const Tensor m = make<float>({2}, {0, kNaN});
  for (const char* op : {"Max", "Min"}) {
    const auto y = values<float>(run_op(op, {n, m})[0]);
    EXPECT_TRUE(std::isnan(y[0]) && std::isnan(y[1])) << op;
  }
}

TEST(Variadic, BeforeOpset8ShapesMustMatch) {
  const Tensor a = make<float>({2}, {1, 2});
  const Tensor b = make<float>({1}, {3});
  try {
    run_op(OpSpec("Sum").opset(6), {a, b});
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kInvalidInput);
  }
  EXPECT_EQ(values<float>(run_op(OpSpec("Sum").opset(8), {a, b})[0]), (std::vector<float>{4, 5}));
  EXPECT_EQ(
      values<float>(run_op(OpSpec("Max").opset(1).attr("consumed_inputs", std::vector<int64_t>{0}),
                           {a, a})[0]),
      (std::vector<float>{1, 2}));
}

TEST(Variadic, MismatchedTypesOrShapesFail) {
  EXPECT_THROW(run_op("Max", {make<float>({1}, {1}), make<double>({1}, {1})}), Error);
  EXPECT_THROW(run_op("Max", {make<float>({2}, {1, 2}), make<float>({3}, {1, 2, 3})}), Error);
  EXPECT_THROW(run_op("Sum", {make<int32_t>({1}, {1}), make<int32_t>({1}, {1})}), Error);
}

TEST(Variadic, LargeBroadcastMatchesLoop) {
  Tensor a(DataType::kFloat, {64, 1, 33});
  Tensor b(DataType::kFloat, {17, 1});
  for (int64_t i = 0; i < a.numel(); ++i) a.data<float>()[i] = static_cast<float>(i % 91);
  for (int64_t i = 0; i < b.numel(); ++i) b.data<float>()[i] = static_cast<float>(i * 3);
  const Tensor y = run_op("Sum", {a, b, a})[0];
  ASSERT_EQ(y.shape(), (Shape{64, 17, 33}));
  for (int64_t i = 0; i < 64; ++i)
    for (int64_t j = 0; j < 17; ++j)
      for (int64_t k = 0; k < 33; ++k)
        ASSERT_EQ(y.data<float>()[(i * 17 + j) * 33 + k],
                  2 * a.data<float>()[i * 33 + k] + b.data<float>()[j]);
}

TEST(Where, SelectsWithThreeWayBroadcast) {
  const Tensor cond = make<bool>({2, 1}, {true, false});
  const Tensor x = make<int64_t>({3}, {1, 2, 3});
  const Tensor y = Tensor::scalar<int64_t>(-1);
  const Tensor out = run_op(OpSpec("Where").opset(16), {cond, x, y})[0];
  EXPECT_EQ(out.shape(), (Shape{2, 3}));
  EXPECT_EQ(values<int64_t>(out), (std::vector<int64_t>{1, 2, 3, -1, -1, -1}));
}

TEST(Where, WorksOnStringsAndBools) {
  const Tensor cond = make<bool>({3}, {true, false, true});
  const Tensor x = make<std::string>({3}, {"a", "b", "c"});
  const Tensor y = make<std::string>({1}, {"zz"});
  EXPECT_EQ(values<std::string>(run_op("Where", {cond, x, y})[0]),
            (std::vector<std::string>{"a", "zz", "c"}));
  const Tensor bx = make<bool>({1}, {true});
  const Tensor by = make<bool>({1}, {false});
  EXPECT_EQ(values<bool>(run_op("Where", {cond, bx, by})[0]),
            (std::vector<bool>{true, false, true}));
}

TEST(Where, RejectsNonBoolConditionAndMixedTypes) {
  const Tensor x = make<float>({2}, {1, 2});
  EXPECT_THROW(run_op("Where", {make<int32_t>({2}, {1, 0}), x, x}), Error);
  EXPECT_THROW(run_op("Where", {make<bool>({2}, {true, false}), x, make<double>({2}, {1, 2})}),
               Error);
  EXPECT_THROW(run_op("Where", {make<bool>({3}, {true, false, true}), x, x}), Error);
}

}  // namespace
}  // namespace skiff
