#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "support/op_test.h"

namespace skiff {
namespace {

using testing::make;
using testing::OpSpec;
using testing::run_op;
using testing::values;

OpSpec multinomial(int64_t samples, float seed) {
  return OpSpec("Multinomial").opset(7).attr("sample_size", samples).attr("seed", seed);
}

TEST(Multinomial, SameSeedSameSamplesAndFrequenciesFollowProbabilities) {
  const int64_t n = 20000;
  // Log-probabilities of 0.1, 0.2, 0.7; row 1 can only pick class 2.
  const float ninf = -INFINITY;
  Tensor x = make<float>({2, 3}, {std::log(0.1f), std::log(0.2f), std::log(0.7f), ninf, ninf, 3.0f});
  auto a = run_op(multinomial(n, 5.0f), {x});
  auto b = run_op(multinomial(n, 5.0f), {x});
  EXPECT_EQ(a[0].dtype(), DataType::kInt32);
  EXPECT_EQ(a[0].shape(), (Shape{2, n}));
  EXPECT_EQ(values<int32_t>(a[0]), values<int32_t>(b[0]));
  std::vector<double> freq(3);
  for (int64_t i = 0; i < n; ++i) freq[static_cast<size_t>(a[0].data<int32_t>()[i])] += 1.0 / n;
  EXPECT_NEAR(freq[0], 0.1, 0.01);
  EXPECT_NEAR(freq[1], 0.2, 0.01);
  EXPECT_NEAR(freq[2], 0.7, 0.01);
  for (int64_t i = n; i < 2 * n; ++i) ASSERT_EQ(a[0].data<int32_t>()[i], 2);
}

TEST(Multinomial, Int64OutputAndDoubleInput) {
  auto out = run_op(multinomial(4, 1.0f).attr("dtype", 7), {make<double>({1, 2}, {-1000.0, 0.0})});
  EXPECT_EQ(out[0].dtype(), DataType::kInt64);
  EXPECT_EQ(values<int64_t>(out[0]), (std::vector<int64_t>{1, 1, 1, 1}));
}

TEST(Multinomial, RejectsBadAttributesAndRows) {
  auto code = [](const OpSpec& spec, const Tensor& x) {
    try {
      run_op(spec, {x});
    } catch (const Error& e) {
      return e.code();
    }
    return ErrorCode::kInternal;
  };
  const Tensor x = make<float>({1, 2}, {0, 0});
  EXPECT_EQ(code(multinomial(1, 0).attr("dtype", 1), x), ErrorCode::kInvalidModel);
  EXPECT_EQ(code(multinomial(-1, 0), x), ErrorCode::kInvalidModel);
  EXPECT_EQ(code(multinomial(1, 0), make<float>({2}, {0, 0})), ErrorCode::kInvalidInput);
  EXPECT_EQ(code(multinomial(1, 0), make<float>({1, 2}, {NAN, 0})), ErrorCode::kRuntime);
  EXPECT_EQ(code(multinomial(1, 0), make<float>({1, 2}, {-INFINITY, -INFINITY})), ErrorCode::kRuntime);
}

}  // namespace
}  // namespace skiff
