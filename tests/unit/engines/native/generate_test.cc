#include <gtest/gtest.h>

#include "engines/native/manip_test_util.h"

namespace skiff {
namespace {

using testing::error_code;
using testing::ints;
using testing::make;
using testing::OpSpec;
using testing::run_op;
using testing::values;

TEST(Constant, EachValueAttribute) {
  Tensor v = make<int32_t>({2}, {4, 5});
  EXPECT_EQ(values<int32_t>(run_op(OpSpec("Constant").attr("value", v), {})[0]), (std::vector<int32_t>{4, 5}));
  Tensor f = run_op(OpSpec("Constant").attr("value_float", 1.5f), {})[0];
  EXPECT_EQ(f.shape(), Shape{});
  EXPECT_EQ(values<float>(f), (std::vector<float>{1.5f}));
  EXPECT_EQ(values<float>(run_op(OpSpec("Constant").attr("value_floats", std::vector<float>{1, 2}), {})[0]),
            (std::vector<float>{1, 2}));
  EXPECT_EQ(values<int64_t>(run_op(OpSpec("Constant").attr("value_int", int64_t{7}), {})[0]),
            (std::vector<int64_t>{7}));
  EXPECT_EQ(values<int64_t>(run_op(OpSpec("Constant").attr("value_ints", std::vector<int64_t>{}), {})[0]),
            (std::vector<int64_t>{}));
  EXPECT_EQ(values<std::string>(run_op(OpSpec("Constant").attr("value_string", "hi"), {})[0]),
            (std::vector<std::string>{"hi"}));
}

TEST(Constant, NeedsExactlyOneValue) {
  EXPECT_EQ(error_code([&] { run_op(OpSpec("Constant"), {}); }), ErrorCode::kInvalidModel);
  EXPECT_EQ(error_code([&] { run_op(OpSpec("Constant").attr("value_int", 1).attr("value_float", 1.0f), {}); }),
            ErrorCode::kInvalidModel);
}

TEST(ConstantOfShape, FillsWithValueOrFloatZero) {
  Tensor y = run_op("ConstantOfShape", {ints({2, 3})})[0];
  EXPECT_EQ(y.dtype(), DataType::kFloat);
  EXPECT_EQ(values<float>(y), std::vector<float>(6, 0.0f));
  Tensor v = make<int32_t>({1}, {7});
  Tensor z = run_op(OpSpec("ConstantOfShape").attr("value", v), {ints({4})})[0];
  EXPECT_EQ(values<int32_t>(z), std::vector<int32_t>(4, 7));
  EXPECT_EQ(run_op("ConstantOfShape", {ints({})})[0].shape(), Shape{});
  EXPECT_EQ(run_op("ConstantOfShape", {ints({0, 5})})[0].numel(), 0);
  EXPECT_EQ(error_code([&] { run_op("ConstantOfShape", {ints({-1})}); }), ErrorCode::kInvalidInput);
}

TEST(Range, IntegerAndFloatCounts) {
  auto range_i = [](int32_t s, int32_t l, int32_t d) {
    return values<int32_t>(run_op("Range", {Tensor::scalar(s), Tensor::scalar(l), Tensor::scalar(d)})[0]);
  };
  EXPECT_EQ(range_i(10, 4, -3), (std::vector<int32_t>{10, 7}));
  EXPECT_EQ(range_i(0, 5, 2), (std::vector<int32_t>{0, 2, 4}));
  EXPECT_EQ(range_i(5, 0, 1), (std::vector<int32_t>{}));
  Tensor f = run_op("Range", {Tensor::scalar(1.0f), Tensor::scalar(2.0f), Tensor::scalar(0.25f)})[0];
  EXPECT_EQ(values<float>(f), (std::vector<float>{1, 1.25f, 1.5f, 1.75f}));
  Tensor big = run_op("Range", {Tensor::scalar(INT64_MIN), Tensor::scalar(INT64_MAX),
                                Tensor::scalar(INT64_MAX)})[0];
  EXPECT_EQ(values<int64_t>(big), (std::vector<int64_t>{INT64_MIN, -1, INT64_MAX - 1}));
}

TEST(Range, BadInputsFail) {
  EXPECT_EQ(error_code([&] {
              run_op("Range", {Tensor::scalar(0), Tensor::scalar(5), Tensor::scalar(0)});
            }),
            ErrorCode::kInvalidInput);
  EXPECT_EQ(error_code([&] {
              run_op("Range", {Tensor::scalar(0.0f), Tensor::scalar(1e30f), Tensor::scalar(1.0f)});
            }),
            ErrorCode::kInvalidInput);
  EXPECT_EQ(error_code([&] {
              run_op("Range", {Tensor::scalar(0), Tensor::scalar(5.0f), Tensor::scalar(1)});
            }),
            ErrorCode::kInvalidInput);
}

TEST(EyeLike, DiagonalOffsetAndDtype) {
  Tensor x(DataType::kInt32, {3, 4});
  Tensor y = run_op(OpSpec("EyeLike").attr("k", 1), {x})[0];
  EXPECT_EQ(values<int32_t>(y), (std::vector<int32_t>{0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1}));
  Tensor z = run_op(OpSpec("EyeLike").attr("k", -2).attr("dtype", int64_t{9}), {x})[0];
  EXPECT_EQ(z.dtype(), DataType::kBool);
  std::vector<bool> expected(12, false);
  expected[8] = true;  // row 2, column 0
  EXPECT_EQ(values<bool>(z), expected);
  Tensor far = run_op(OpSpec("EyeLike").attr("k", INT64_MIN), {x})[0];
  EXPECT_EQ(values<int32_t>(far), std::vector<int32_t>(12, 0));
  EXPECT_EQ(error_code([&] { run_op("EyeLike", {Tensor(DataType::kFloat, {3})}); }), ErrorCode::kInvalidInput);
}

}  // namespace
}  // namespace skiff
