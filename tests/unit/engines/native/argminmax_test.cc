#include <gtest/gtest.h>

#include <limits>

#include "support/op_test.h"

namespace skiff {
namespace {

using testing::make;
using testing::OpSpec;
using testing::run_op;
using testing::values;

TEST(ArgMax, DefaultAxisZeroKeepsDims) {
  auto y = run_op("ArgMax", {make<float>({2, 3}, {1, 5, 3, 4, 2, 6})})[0];
  EXPECT_EQ(y.dtype(), DataType::kInt64);
  EXPECT_EQ(y.shape(), (Shape{1, 3}));
  EXPECT_EQ(values<int64_t>(y), (std::vector<int64_t>{1, 0, 1}));
}

TEST(ArgMax, LastAxisWithoutKeepdims) {
  auto y = run_op(OpSpec("ArgMax").attr("axis", -1).attr("keepdims", 0),
                  {make<float>({2, 3}, {1, 5, 3, 4, 2, 6})})[0];
  EXPECT_EQ(y.shape(), (Shape{2}));
  EXPECT_EQ(values<int64_t>(y), (std::vector<int64_t>{1, 2}));
}

TEST(ArgMax, TiesPickFirstOrLastIndex) {
  Tensor x = make<int32_t>({5}, {3, 7, 1, 7, 2});
  EXPECT_EQ(values<int64_t>(run_op("ArgMax", {x})[0]), (std::vector<int64_t>{1}));
  EXPECT_EQ(values<int64_t>(run_op(OpSpec("ArgMax").attr("select_last_index", 1), {x})[0]),
            (std::vector<int64_t>{3}));
  Tensor m = make<int32_t>({5}, {3, 1, 7, 1, 2});
  EXPECT_EQ(values<int64_t>(run_op("ArgMin", {m})[0]), (std::vector<int64_t>{1}));
  EXPECT_EQ(values<int64_t>(run_op(OpSpec("ArgMin").attr("select_last_index", 1), {m})[0]),
            (std::vector<int64_t>{3}));
}

TEST(ArgMin, MiddleAxisOfRank3) {
  // shape [2, 3, 2]; argmin over axis 1.
  Tensor x = make<float>({2, 3, 2}, {5, 1, 2, 4, 3, 0, 9, 9, 8, 7, 1, 8});
  auto y = run_op(OpSpec("ArgMin").attr("axis", 1), {x})[0];
  EXPECT_EQ(y.shape(), (Shape{2, 1, 2}));
  EXPECT_EQ(values<int64_t>(y), (std::vector<int64_t>{1, 2, 2, 1}));
}

TEST(ArgMax, NaNIsTheMaximumLikeNumpy) {
  const float nan = std::numeric_limits<float>::quiet_NaN();
  EXPECT_EQ(values<int64_t>(run_op("ArgMax", {make<float>({4}, {1, nan, 9, nan})})[0]),
            (std::vector<int64_t>{1}));
  EXPECT_EQ(values<int64_t>(run_op(OpSpec("ArgMax").attr("select_last_index", 1),
                                   {make<float>({4}, {1, nan, 9, nan})})[0]),
            (std::vector<int64_t>{3}));
}

TEST(ArgMax, LargeInputMatchesScan) {
  Tensor x(DataType::kFloat, {37, 1000});
  for (int64_t i = 0; i < x.numel(); ++i) x.data<float>()[i] = static_cast<float>((i * 7919) % 1009);
  auto y = run_op(OpSpec("ArgMax").attr("axis", 1).attr("keepdims", 0), {x})[0];
  for (int64_t r = 0; r < 37; ++r) {
    int64_t best = 0;
    for (int64_t c = 1; c < 1000; ++c)
      if (x.data<float>()[r * 1000 + c] > x.data<float>()[r * 1000 + best]) best = c;
    EXPECT_EQ(y.data<int64_t>()[r], best);
  }
}

TEST(ArgMax, Float16Input) {
  Tensor x(DataType::kFloat16, {3});
  x.data<Float16>()[0] = 1.0f;
  x.data<Float16>()[1] = -2.0f;
  x.data<Float16>()[2] = 3.0f;
  EXPECT_EQ(values<int64_t>(run_op("ArgMin", {x})[0]), (std::vector<int64_t>{1}));
}

TEST(ArgMax, EmptyAxisOrBadAxisIsInvalidInput) {
  try {
    run_op("ArgMax", {Tensor(DataType::kFloat, {0, 3})});
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kInvalidInput);
  }
  EXPECT_THROW(run_op(OpSpec("ArgMax").attr("axis", 2), {make<float>({2}, {1, 2})}), Error);
  auto y = run_op(OpSpec("ArgMax").attr("axis", 1), {Tensor(DataType::kFloat, {0, 3})})[0];
  EXPECT_EQ(y.shape(), (Shape{0, 1}));
}

}  // namespace
}  // namespace skiff
