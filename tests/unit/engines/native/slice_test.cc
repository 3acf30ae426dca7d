#include <gtest/gtest.h>

#include <limits>

#include "engines/native/manip_test_util.h"

namespace skiff {
namespace {

using testing::error_code;
using testing::iota;
using testing::ints;
using testing::OpSpec;
using testing::run_op;
using testing::values;

constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
constexpr int64_t kMin = std::numeric_limits<int64_t>::min();

TEST(Slice, StepsIncludingNegativeMatchPython) {
  Tensor x = iota<int64_t>({10});
  auto slice = [&](int64_t start, int64_t end, int64_t step) {
    return values<int64_t>(run_op("Slice", {x, ints({start}), ints({end}), ints({0}), ints({step})})[0]);
  };
  EXPECT_EQ(slice(1, 8, 3), (std::vector<int64_t>{1, 4, 7}));
  EXPECT_EQ(slice(8, 1, -3), (std::vector<int64_t>{8, 5, 2}));
  EXPECT_EQ(slice(-1, kMin, -1), (std::vector<int64_t>{9, 8, 7, 6, 5, 4, 3, 2, 1, 0}));
  EXPECT_EQ(slice(kMax, kMin, -4), (std::vector<int64_t>{9, 5, 1}));
  EXPECT_EQ(slice(kMin, kMax, 1).size(), 10u);
  EXPECT_EQ(slice(-3, -1, 1), (std::vector<int64_t>{7, 8}));
  EXPECT_EQ(slice(5, 5, 1), (std::vector<int64_t>{}));
  EXPECT_EQ(slice(0, 10, kMax), (std::vector<int64_t>{0}));
  EXPECT_EQ(slice(9, -20, kMin), (std::vector<int64_t>{9}));
}

TEST(Slice, AxesDefaultAndNegative) {
  Tensor x = iota<float>({3, 4, 5});
  Tensor y = run_op("Slice", {x, ints({1, 1}), ints({3, 3})})[0];
  EXPECT_EQ(y.shape(), (Shape{2, 2, 5}));
  EXPECT_EQ(y.data<float>()[0], 25.0f);
  Tensor z = run_op("Slice", {x, ints({-2}), ints({kMin}), ints({-1}), ints({-1})})[0];
  EXPECT_EQ(z.shape(), (Shape{3, 4, 4}));
  EXPECT_EQ(z.data<float>()[0], 3.0f);
  EXPECT_EQ(z.data<float>()[3], 0.0f);
}

TEST(Slice, AttributesBeforeOpset10) {
  Tensor y = run_op(OpSpec("Slice").opset(9).attr("starts", std::vector<int64_t>{1}).attr(
                        "ends", std::vector<int64_t>{1000}).attr("axes", std::vector<int64_t>{1}),
                    {iota<float>({2, 3})})[0];
  EXPECT_EQ(values<float>(y), (std::vector<float>{1, 2, 4, 5}));
}

TEST(Slice, LargeStridedMatchesLoop) {
  Tensor x = iota<int32_t>({9, 17, 33});
  Tensor y = run_op("Slice", {x, ints({8, 1, 32}), ints({kMin, 17, 0}), ints({0, 1, 2}), ints({-2, 3, -5})})[0];
  ASSERT_EQ(y.shape(), (Shape{5, 6, 7}));
  int64_t k = 0;
  for (int64_t a = 8; a >= 0; a -= 2)
    for (int64_t b = 1; b < 17; b += 3)
      for (int64_t c = 32; c > 0; c -= 5) ASSERT_EQ(y.data<int32_t>()[k++], (a * 17 + b) * 33 + c);
}

TEST(Slice, BadParametersFail) {
  Tensor x = iota<float>({4});
  EXPECT_EQ(error_code([&] { run_op("Slice", {x, ints({0}), ints({2}), ints({0}), ints({0})}); }),
            ErrorCode::kInvalidInput);
  EXPECT_EQ(error_code([&] { run_op("Slice", {x, ints({0}), ints({2}), ints({1})}); }), ErrorCode::kInvalidInput);
  EXPECT_EQ(error_code([&] { run_op("Slice", {x, ints({0, 0}), ints({2})}); }), ErrorCode::kInvalidInput);
  EXPECT_EQ(error_code([&] { run_op("Slice", {iota<float>({2, 2}), ints({0, 0}), ints({1, 1}), ints({0, -2})}); }),
            ErrorCode::kInvalidInput);
}

}  // namespace
}  // namespace skiff
