#include <gtest/gtest.h>

#include <cmath>

#include "support/op_test.h"
#include "support/random.h"

namespace skiff {
namespace {

using testing::make;
using testing::OpSpec;
using testing::run_op;
using testing::values;

// Inputs in [-3, 3).
Tensor random_tensor(const Shape& shape, uint32_t seed) {
  return testing::random_tensor(shape, seed, -3.f, 3.f);
}

// Reference softmax over groups: element i belongs to group (i / (n*inner),
// i % inner) and the group has n members spaced by `inner`.
std::vector<double> reference(const Tensor& x, int64_t n, int64_t inner, bool log) {
  std::vector<double> y(static_cast<size_t>(x.numel()));
  const float* p = x.data<float>();
  for (int64_t o = 0; o < x.numel() / (n * inner); ++o)
    for (int64_t k = 0; k < inner; ++k) {
      double mx = -INFINITY, sum = 0;
      for (int64_t j = 0; j < n; ++j) mx = std::max<double>(mx, p[(o * n + j) * inner + k]);
      for (int64_t j = 0; j < n; ++j) sum += std::exp(p[(o * n + j) * inner + k] - mx);
      for (int64_t j = 0; j < n; ++j) {
        const double v = p[(o * n + j) * inner + k] - mx;
        y[(o * n + j) * inner + k] = log ? v - std::log(sum) : std::exp(v) / sum;
      }
    }
  return y;
}

void expect_near(const Tensor& y, const std::vector<double>& ref) {
  ASSERT_EQ(y.numel(), static_cast<int64_t>(ref.size()));
  for (size_t i = 0; i < ref.size(); ++i) EXPECT_NEAR(y.data<float>()[i], ref[i], 1e-5) << i;
}

TEST(Softmax, Opset13NormalisesOneMiddleAxis) {
  Tensor x = random_tensor({2, 7, 9}, 1);
  expect_near(run_op(OpSpec("Softmax").opset(13).attr("axis", 1), {x})[0], reference(x, 7, 9, false));
  expect_near(run_op(OpSpec("LogSoftmax").opset(13).attr("axis", -2), {x})[0], reference(x, 7, 9, true));
}

TEST(Softmax, Opset13DefaultsToLastAxis) {
  Tensor x = random_tensor({3, 17}, 2);
  expect_near(run_op(OpSpec("Softmax").opset(13), {x})[0], reference(x, 17, 1, false));
}

TEST(Softmax, Opset11CoercesTo2DAtAxis) {
  // Default axis 1: each batch row normalises its whole trailing block [7*8].
  Tensor x = random_tensor({3, 7, 8}, 3);
  expect_near(run_op(OpSpec("Softmax").opset(11), {x})[0], reference(x, 56, 1, false));
  expect_near(run_op(OpSpec("LogSoftmax").opset(11).attr("axis", 0), {x})[0],
              reference(x, 168, 1, true));
}

TEST(Softmax, LargeValuesDoNotOverflow) {
  auto y = run_op(OpSpec("Softmax").opset(13), {make<float>({3}, {10000, 10001, 10002})})[0];
  EXPECT_NEAR(y.data<float>()[2], 0.66524, 1e-4);
  auto l = run_op(OpSpec("LogSoftmax").opset(13), {make<float>({2}, {-1e30f, 1e30f})})[0];
  EXPECT_EQ(l.data<float>()[1], 0);
}

TEST(Softmax, ManyRowsInParallel) {
  Tensor x = random_tensor({513, 129}, 4);
  expect_near(run_op(OpSpec("Softmax").opset(13), {x})[0], reference(x, 129, 1, false));
}

TEST(Softmax, Float16RoundsOnceOnStore) {
  Tensor x(DataType::kFloat16, {2});
  x.data<Float16>()[0] = 0.0f;
  x.data<Float16>()[1] = 0.0f;
  auto y = run_op(OpSpec("Softmax").opset(13), {x})[0];
  EXPECT_EQ(static_cast<float>(y.data<Float16>()[0]), 0.5f);
}

TEST(Softmax, EmptyInputGivesEmptyOutput) {
  auto y = run_op(OpSpec("Softmax").opset(13), {Tensor(DataType::kFloat, {0, 4})})[0];
  EXPECT_EQ(y.shape(), (Shape{0, 4}));
}

TEST(Hardmax, MarksFirstMaximum) {
  auto y = run_op(OpSpec("Hardmax").opset(13), {make<float>({2, 3}, {1, 3, 3, 0, -1, -2})})[0];
  EXPECT_EQ(values<float>(y), (std::vector<float>{0, 1, 0, 1, 0, 0}));
  auto z = run_op(OpSpec("Hardmax").opset(13).attr("axis", 0),
                  {make<float>({2, 3}, {1, 3, 3, 0, 5, 3})})[0];
  EXPECT_EQ(values<float>(z), (std::vector<float>{1, 0, 1, 0, 1, 0}));
  auto w = run_op(OpSpec("Hardmax").opset(11), {make<float>({2, 2}, {1, 2, 4, 3})})[0];
  EXPECT_EQ(values<float>(w), (std::vector<float>{0, 1, 1, 0}));
}

TEST(Softmax, BadAxisIsInvalidInput) {
  try {
    run_op(OpSpec("Softmax").opset(13).attr("axis", 2), {make<float>({2, 2}, {1, 2, 3, 4})});
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kInvalidInput);
  }
}

}  // namespace
}  // namespace skiff
