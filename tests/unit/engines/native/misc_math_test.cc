#include <gtest/gtest.h>

#include <cmath>

#include "support/op_test.h"

namespace skiff {
namespace {

using testing::make;
using testing::OpSpec;
using testing::run_op;
using testing::values;

OpSpec unpool() {
  return OpSpec("MaxUnpool").opset(11).attr("kernel_shape", std::vector<int64_t>{2, 2})
      .attr("strides", std::vector<int64_t>{2, 2});
}

TEST(MaxUnpool, ScattersIntoTheInferredShape) {
  auto out = run_op(unpool(), {make<float>({1, 1, 2, 2}, {1, 2, 3, 4}),
                               make<int64_t>({1, 1, 2, 2}, {5, 7, 13, 15})});
  ASSERT_EQ(out[0].shape(), (Shape{1, 1, 4, 4}));
  EXPECT_EQ(values<float>(out[0]),
            (std::vector<float>{0, 0, 0, 0, 0, 1, 0, 2, 0, 0, 0, 0, 0, 3, 0, 4}));
}

TEST(MaxUnpool, OutputShapeIndicesAddressTheOutput) {
  // MaxPool of a 5x5 image with maxima at (1,1), (1,3), (3,1), (3,3).
  auto out = run_op(unpool(), {make<float>({1, 1, 2, 2}, {5, 6, 7, 8}),
                               make<int64_t>({1, 1, 2, 2}, {6, 8, 16, 18}),
                               make<int64_t>({4}, {1, 1, 5, 5})});
  ASSERT_EQ(out[0].shape(), (Shape{1, 1, 5, 5}));
  const auto y = values<float>(out[0]);
  EXPECT_EQ(y[6], 5);
  EXPECT_EQ(y[8], 6);
  EXPECT_EQ(y[16], 7);
  EXPECT_EQ(y[18], 8);
  EXPECT_EQ(y[0] + y[24], 0);
}

TEST(MaxUnpool, PadsShrinkTheOutput) {
  auto out = run_op(OpSpec("MaxUnpool").opset(11).attr("kernel_shape", std::vector<int64_t>{3})
                        .attr("strides", std::vector<int64_t>{2})
                        .attr("pads", std::vector<int64_t>{1, 0}),
                    {make<double>({1, 2, 2}, {1, 2, 3, 4}), make<int64_t>({1, 2, 2}, {0, 3, 4, 7})});
  // (2 - 1) * 2 + 3 - 1 = 4 per channel.
  ASSERT_EQ(out[0].shape(), (Shape{1, 2, 4}));
  EXPECT_EQ(values<double>(out[0]), (std::vector<double>{1, 0, 0, 2, 3, 0, 0, 4}));
}

TEST(MaxUnpool, IndexOutOfRangeIsRuntimeError) {
  try {
    run_op(unpool(), {make<float>({1, 1, 1, 1}, {1}), make<int64_t>({1, 1, 1, 1}, {4})});
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kRuntime);
  }
  EXPECT_THROW(run_op(unpool(), {make<float>({1, 1, 1, 1}, {1}), make<int64_t>({1, 1, 1, 1}, {-1})}),
               Error);
}

TEST(MaxUnpool, RequiresKernelShape) {
  try {
    run_op(OpSpec("MaxUnpool").opset(11), {make<float>({1, 1, 1}, {1}), make<int64_t>({1, 1, 1}, {0})});
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kInvalidModel);
  }
}

TEST(LpNormalization, L2AlongLastAxisAndL1AlongFirst) {
  auto x = make<float>({2, 2}, {3, 4, 0, 0});
  auto l2 = run_op(OpSpec("LpNormalization").opset(1), {x});
  EXPECT_EQ(values<float>(l2[0]), (std::vector<float>{0.6f, 0.8f, 0, 0}));
  auto l1 = run_op(OpSpec("LpNormalization").opset(1).attr("axis", int64_t{0}).attr("p", int64_t{1}),
                   {make<float>({2, 2}, {1, -2, 3, 2})});
  EXPECT_EQ(values<float>(l1[0]), (std::vector<float>{0.25f, -0.5f, 0.75f, 0.5f}));
}

TEST(LpNormalization, MiddleAxisOfThreeDims) {
  Tensor x(DataType::kDouble, {2, 3, 2});
  for (int64_t i = 0; i < 12; ++i) x.data<double>()[i] = static_cast<double>(i + 1);
  auto out = run_op(OpSpec("LpNormalization").opset(1).attr("axis", int64_t{-2}), {x});
  for (int64_t o = 0; o < 2; ++o)
    for (int64_t k = 0; k < 2; ++k) {
      double norm = 0;
      for (int64_t j = 0; j < 3; ++j) norm += std::pow(x.data<double>()[(o * 3 + j) * 2 + k], 2);
      for (int64_t j = 0; j < 3; ++j) {
        const int64_t i = (o * 3 + j) * 2 + k;
        EXPECT_NEAR(out[0].data<double>()[i], x.data<double>()[i] / std::sqrt(norm), 1e-15);
      }
    }
}

TEST(LpNormalization, RejectsBadP) {
  EXPECT_THROW(run_op(OpSpec("LpNormalization").opset(1).attr("p", int64_t{3}),
                      {make<float>({1}, {1})}),
               Error);
}

}  // namespace
}  // namespace skiff
