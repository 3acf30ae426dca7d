#include <gtest/gtest.h>

#include <limits>

#include "engines/native/manip_test_util.h"

namespace skiff {
namespace {

using testing::error_code;
using testing::iota;
using testing::ints;
using testing::make;
using testing::OpSpec;
using testing::run_op;
using testing::values;

TEST(OneHot, NegativeIndicesWrapAndOutOfRangeStayOff) {
  Tensor idx = ints({0, -1, 3, 7});
  Tensor y = run_op("OneHot", {idx, Tensor::scalar(int64_t{4}), make<float>({2}, {0, 5})})[0];
  EXPECT_EQ(y.shape(), (Shape{4, 4}));
  EXPECT_EQ(values<float>(y), (std::vector<float>{5, 0, 0, 0, 0, 0, 0, 5, 0, 0, 0, 5, 0, 0, 0, 0}));
}

TEST(OneHot, AxisZeroFloatIndicesAndFloatDepth) {
  Tensor idx = make<float>({2}, {1.0f, 2.7f});
  Tensor y = run_op(OpSpec("OneHot").attr("axis", 0), {idx, Tensor::scalar(3.5f), make<int32_t>({2}, {-1, 1})})[0];
  EXPECT_EQ(y.shape(), (Shape{3, 2}));
  EXPECT_EQ(values<int32_t>(y), (std::vector<int32_t>{-1, -1, 1, -1, -1, 1}));
  EXPECT_EQ(error_code([&] { run_op("OneHot", {idx, Tensor::scalar(0.0f), make<int32_t>({2}, {0, 1})}); }),
            ErrorCode::kInvalidInput);
  EXPECT_EQ(error_code([&] { run_op("OneHot", {idx, Tensor::scalar(2), make<int32_t>({3}, {0, 1, 2})}); }),
            ErrorCode::kInvalidInput);
}

TEST(NonZero, CoordinatesInRowMajorOrder) {
  Tensor x = make<int32_t>({2, 3}, {0, 4, 0, 5, 0, 6});
  Tensor y = run_op("NonZero", {x})[0];
  EXPECT_EQ(y.shape(), (Shape{2, 3}));
  EXPECT_EQ(values<int64_t>(y), (std::vector<int64_t>{0, 1, 1, 1, 0, 2}));
  EXPECT_EQ(run_op("NonZero", {Tensor::zeros(DataType::kFloat, {4})})[0].shape(), (Shape{1, 0}));
  EXPECT_EQ(run_op("NonZero", {Tensor::scalar(3.0f)})[0].shape(), (Shape{1, 1}));
  Tensor s = make<std::string>({3}, {"", "a", ""});
  EXPECT_EQ(values<int64_t>(run_op("NonZero", {s})[0]), (std::vector<int64_t>{1}));
  const float nan = std::numeric_limits<float>::quiet_NaN();
  EXPECT_EQ(values<int64_t>(run_op("NonZero", {make<float>({2}, {nan, -0.0f})})[0]), (std::vector<int64_t>{0}));
}

TEST(Compress, AxisAndFlattened) {
  Tensor x = iota<float>({3, 2});
  Tensor cond = make<bool>({3}, {false, true, true});
  EXPECT_EQ(values<float>(run_op(OpSpec("Compress").attr("axis", 0), {x, cond})[0]),
            (std::vector<float>{2, 3, 4, 5}));
  EXPECT_EQ(values<float>(run_op(OpSpec("Compress").attr("axis", -1), {x, make<bool>({1}, {true})})[0]),
            (std::vector<float>{0, 2, 4}));
  EXPECT_EQ(values<float>(run_op("Compress", {x, cond})[0]), (std::vector<float>{1, 2}));
  // Past the compressed size the condition may only hold false.
  EXPECT_EQ(values<float>(run_op(OpSpec("Compress").attr("axis", 1),
                                 {x, make<bool>({3}, {false, true, false})})[0]),
            (std::vector<float>{1, 3, 5}));
  EXPECT_EQ(error_code([&] { run_op(OpSpec("Compress").attr("axis", 1), {x, make<bool>({3}, {true, true, true})}); }),
            ErrorCode::kInvalidInput);
}

TEST(Trilu, UpperAndLowerWithK) {
  Tensor x = iota<int32_t>({2, 3, 3});
  Tensor u = run_op("Trilu", {x})[0];
  EXPECT_EQ(std::vector<int32_t>(u.data<int32_t>(), u.data<int32_t>() + 9),
            (std::vector<int32_t>{0, 1, 2, 0, 4, 5, 0, 0, 8}));
  Tensor l = run_op(OpSpec("Trilu").attr("upper", 0), {x, Tensor::scalar(int64_t{-1})})[0];
  EXPECT_EQ(std::vector<int32_t>(l.data<int32_t>() + 9, l.data<int32_t>() + 18),
            (std::vector<int32_t>{0, 0, 0, 12, 0, 0, 15, 16, 0}));
  Tensor all = run_op(OpSpec("Trilu").attr("upper", 0), {x, Tensor::scalar(std::numeric_limits<int64_t>::max())})[0];
  EXPECT_EQ(values<int32_t>(all), values<int32_t>(x));
  Tensor none = run_op("Trilu", {iota<float>({2, 5}), Tensor::scalar(int64_t{9})})[0];
  EXPECT_EQ(values<float>(none), std::vector<float>(10, 0.0f));
  EXPECT_EQ(error_code([&] { run_op("Trilu", {iota<float>({3})}); }), ErrorCode::kInvalidInput);
}

TEST(ReverseSequence, ReversesEachBatchPrefix) {
  Tensor x = iota<float>({4, 2});  // [time, batch]
  Tensor y = run_op("ReverseSequence", {x, ints({4, 2})})[0];
  EXPECT_EQ(values<float>(y), (std::vector<float>{6, 3, 4, 1, 2, 5, 0, 7}));
  Tensor z = run_op(OpSpec("ReverseSequence").attr("batch_axis", 0).attr("time_axis", 1),
                    {iota<float>({2, 3}), ints({1, 3})})[0];
  EXPECT_EQ(values<float>(z), (std::vector<float>{0, 1, 2, 5, 4, 3}));
  EXPECT_EQ(error_code([&] { run_op("ReverseSequence", {x, ints({5, 1})}); }), ErrorCode::kInvalidInput);
  EXPECT_EQ(error_code([&] { run_op("ReverseSequence", {x, ints({1})}); }), ErrorCode::kInvalidInput);
}

}  // namespace
}  // namespace skiff
