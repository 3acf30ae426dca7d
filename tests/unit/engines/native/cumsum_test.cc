#include <gtest/gtest.h>

#include "engines/native/manip_test_util.h"

namespace skiff {
namespace {

using testing::error_code;
using testing::iota;
using testing::make;
using testing::OpSpec;
using testing::run_op;
using testing::values;

std::vector<double> cumsum(int exclusive, int reverse) {
  Tensor x = make<double>({5}, {1, 2, 3, 4, 5});
  return values<double>(run_op(OpSpec("CumSum").attr("exclusive", exclusive).attr("reverse", reverse),
                               {x, Tensor::scalar(int32_t{0})})[0]);
}

TEST(CumSum, ExclusiveAndReverseCombinations) {
  EXPECT_EQ(cumsum(0, 0), (std::vector<double>{1, 3, 6, 10, 15}));
  EXPECT_EQ(cumsum(1, 0), (std::vector<double>{0, 1, 3, 6, 10}));
  EXPECT_EQ(cumsum(0, 1), (std::vector<double>{15, 14, 12, 9, 5}));
  EXPECT_EQ(cumsum(1, 1), (std::vector<double>{14, 12, 9, 5, 0}));
}

TEST(CumSum, MiddleAndNegativeAxis) {
  Tensor x = iota<int64_t>({2, 3, 2});
  Tensor y = run_op("CumSum", {x, Tensor::scalar(int64_t{-2})})[0];
  EXPECT_EQ(values<int64_t>(y), (std::vector<int64_t>{0, 1, 2, 4, 6, 9, 6, 7, 14, 16, 24, 27}));
}

TEST(CumSum, LargeMatchesSerialSum) {
  Tensor x = iota<float>({64, 9, 37});
  Tensor y = run_op("CumSum", {x, Tensor::scalar(int64_t{1})})[0];
  for (int64_t o = 0; o < 64; ++o)
    for (int64_t j = 0; j < 37; ++j) {
      float acc = 0;
      for (int64_t k = 0; k < 9; ++k) {
        acc += x.data<float>()[(o * 9 + k) * 37 + j];
        ASSERT_EQ(y.data<float>()[(o * 9 + k) * 37 + j], acc);
      }
    }
}

TEST(CumSum, BadAxisOrTypeFails) {
  Tensor x = iota<float>({3});
  EXPECT_EQ(error_code([&] { run_op("CumSum", {x, Tensor::scalar(int64_t{1})}); }), ErrorCode::kInvalidInput);
  EXPECT_EQ(error_code([&] { run_op("CumSum", {x, Tensor::scalar(0.0f)}); }), ErrorCode::kInvalidInput);
  EXPECT_EQ(error_code([&] { run_op("CumSum", {iota<int8_t>({3}), Tensor::scalar(int64_t{0})}); }),
            ErrorCode::kUnsupported);
}

}  // namespace
}  // namespace skiff
