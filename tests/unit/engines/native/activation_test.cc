#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <limits>

#include "support/op_test.h"

namespace skiff {
namespace {

using testing::make;
using testing::OpSpec;
using testing::run_op;
using testing::values;

constexpr float kNaN = std::numeric_limits<float>::quiet_NaN();

// -4 .. 4 in 17 steps, so both signs, zero and the thresholds are covered.
Tensor sweep() {
  std::vector<float> v;
  for (int i = 0; i < 17; ++i) v.push_back(-4.0f + 0.5f * static_cast<float>(i));
  return make<float>({17}, v);
}

void expect_matches(const OpSpec& spec, const std::function<double(double)>& reference) {
  const Tensor x = sweep();
  const Tensor y = run_op(spec, {x})[0];
  ASSERT_EQ(y.shape(), x.shape());
  for (int64_t i = 0; i < x.numel(); ++i) {
    const double ref = reference(x.data<float>()[i]);
    EXPECT_NEAR(y.data<float>()[i], ref, 1e-5 * std::max(1.0, std::fabs(ref)))
        << spec.node.op_type << " at x=" << x.data<float>()[i];
  }
}

double sigmoid(double x) { return 1 / (1 + std::exp(-x)); }
double softplus(double x) { return std::log1p(std::exp(x)); }

TEST(Activation, ParameterFreeActivationsMatchFormulas) {
  expect_matches(OpSpec("Relu"), [](double x) { return x > 0 ? x : 0; });
  expect_matches(OpSpec("Sigmoid"), sigmoid);
  expect_matches(OpSpec("Tanh"), [](double x) { return std::tanh(x); });
  expect_matches(OpSpec("Softplus"), softplus);
  expect_matches(OpSpec("Softsign"), [](double x) { return x / (1 + std::fabs(x)); });
  expect_matches(OpSpec("HardSwish").opset(14),
                 [](double x) { return x * std::min(1.0, std::max(0.0, x / 6 + 0.5)); });
  expect_matches(OpSpec("Mish").opset(18), [](double x) { return x * std::tanh(softplus(x)); });
}

TEST(Activation, AttributesAndTheirDefaults) {
  expect_matches(OpSpec("LeakyRelu"), [](double x) { return x >= 0 ? x : 0.01 * x; });
  expect_matches(OpSpec("LeakyRelu").attr("alpha", 0.3f),
                 [](double x) { return x >= 0 ? x : 0.3 * x; });
  expect_matches(OpSpec("Elu").attr("alpha", 2.0f),
                 [](double x) { return x >= 0 ? x : 2 * std::expm1(x); });
  expect_matches(OpSpec("Selu"), [](double x) {
    return 1.0507009873554805 * (x > 0 ? x : 1.6732632423543772 * std::expm1(x));
  });
  expect_matches(OpSpec("Celu").attr("alpha", 2.0f),
                 [](double x) { return std::max(0.0, x) + std::min(0.0, 2 * std::expm1(x / 2)); });
  expect_matches(OpSpec("HardSigmoid"),
                 [](double x) { return std::clamp(0.2 * x + 0.5, 0.0, 1.0); });
  expect_matches(OpSpec("HardSigmoid").attr("alpha", 0.5f).attr("beta", 0.25f),
                 [](double x) { return std::clamp(0.5 * x + 0.25, 0.0, 1.0); });
  expect_matches(OpSpec("ThresholdedRelu"), [](double x) { return x > 1 ? x : 0; });
  expect_matches(OpSpec("ThresholdedRelu").attr("alpha", 2.0f),
                 [](double x) { return x > 2 ? x : 0; });
  expect_matches(OpSpec("Shrink"), [](double x) { return x < -0.5 ? x : x > 0.5 ? x : 0; });
  expect_matches(OpSpec("Shrink").attr("lambd", 1.5f).attr("bias", 1.5f), [](double x) {
    return x < -1.5 ? x + 1.5 : x > 1.5 ? x - 1.5 : 0;
  });
}

TEST(Activation, GeluExactAndTanhApproximation) {
  expect_matches(OpSpec("Gelu").opset(20),
                 [](double x) { return 0.5 * x * (1 + std::erf(x / std::sqrt(2.0))); });
  expect_matches(OpSpec("Gelu").opset(20).attr("approximate", "tanh"), [](double x) {
    return 0.5 * x * (1 + std::tanh(std::sqrt(2 / M_PI) * (x + 0.044715 * x * x * x)));
  });
  EXPECT_THROW(run_op(OpSpec("Gelu").opset(20).attr("approximate", "fast"), {sweep()}), Error);
}

TEST(Activation, SigmoidAndSoftplusSaturateWithoutOverflow) {
  const Tensor x = make<float>({4}, {-1000.f, 1000.f, -100.f, 100.f});
  const auto sig = values<float>(run_op("Sigmoid", {x})[0]);
  EXPECT_EQ(sig[0], 0.f);
  EXPECT_EQ(sig[1], 1.f);
  EXPECT_NEAR(sig[2], std::exp(-100.0), 1e-45);
  EXPECT_EQ(sig[3], 1.f);
  const auto sp = values<float>(run_op("Softplus", {x})[0]);
  EXPECT_EQ(sp[0], 0.f);
  EXPECT_EQ(sp[1], 1000.f);
}

TEST(Activation, ReluOnIntegersFromOpset14) {
  const Tensor x = make<int32_t>({3}, {-5, 0, 7});
  EXPECT_EQ(values<int32_t>(run_op(OpSpec("Relu").opset(14), {x})[0]),
            (std::vector<int32_t>{0, 0, 7}));
}

TEST(Activation, ShrinkOnUnsignedIntegersDoesNotWrapUnexpectedly) {
  const Tensor x = make<uint8_t>({3}, {0, 1, 10});
  EXPECT_EQ(
      values<uint8_t>(run_op(OpSpec("Shrink").attr("lambd", 1.5f).attr("bias", 1.5f), {x})[0]),
      (std::vector<uint8_t>{0, 0, 8}));
}

TEST(Activation, PReluBroadcastsSlopeToX) {
  const Tensor x = make<float>({2, 3}, {-1, 2, -3, -4, 5, -6});
  const Tensor slope = make<float>({3}, {0.1f, 0.2f, 0.3f});
  EXPECT_EQ(values<float>(run_op(OpSpec("PRelu").opset(9), {x, slope})[0]),
            (std::vector<float>{-1 * 0.1f, 2, -3 * 0.3f, -4 * 0.1f, 5, -6 * 0.3f}));
  EXPECT_THROW(run_op(OpSpec("PRelu").opset(9), {slope, x}), Error);  // slope larger than X
  const Tensor ints = make<int64_t>({3}, {-2, 3, -4});
  EXPECT_EQ(values<int64_t>(run_op(OpSpec("PRelu").opset(16), {ints, make<int64_t>({1}, {3})})[0]),
            (std::vector<int64_t>{-6, 3, -12}));
}

TEST(Activation, LegacyPReluSlopeIsPerChannel) {
  // Opset 6, X [2,3,2], slope [3]: slope applies along axis 1, not the last axis.
  std::vector<float> xv(12, -1.0f);
  const Tensor x = make<float>({2, 3, 2}, xv);
  const Tensor slope = make<float>({3}, {1, 2, 3});
  EXPECT_EQ(values<float>(run_op(OpSpec("PRelu").opset(6), {x, slope})[0]),
            (std::vector<float>{-1, -1, -2, -2, -3, -3, -1, -1, -2, -2, -3, -3}));
  EXPECT_EQ(values<float>(run_op(OpSpec("PRelu").opset(6), {x, make<float>({1}, {0.5f})})[0])[0],
            -0.5f);
}

TEST(Activation, ClipWithInputsAttributesAndIntegers) {
  const Tensor x = make<float>({5}, {-3, -1, 0, 2, kNaN});
  const auto y = values<float>(
      run_op(OpSpec("Clip").opset(13), {x, Tensor::scalar(-1.5f), Tensor::scalar(1.0f)})[0]);
  EXPECT_EQ(std::vector<float>(y.begin(), y.begin() + 4), (std::vector<float>{-1.5f, -1, 0, 1}));
  EXPECT_TRUE(std::isnan(y[4]));
  // Only max given (min omitted with an undefined tensor).
  EXPECT_EQ(values<float>(run_op(OpSpec("Clip").opset(13),
                                 {make<float>({2}, {-9, 9}), Tensor(), Tensor::scalar(0.f)})[0]),
            (std::vector<float>{-9, 0}));
  EXPECT_EQ(values<float>(run_op(OpSpec("Clip").opset(6).attr("min", -0.5f).attr("max", 0.5f),
                                 {make<float>({3}, {-2, 0.25f, 2})})[0]),
            (std::vector<float>{-0.5f, 0.25f, 0.5f}));
  EXPECT_EQ(values<int8_t>(run_op(OpSpec("Clip").opset(12),
                                  {make<int8_t>({3}, {-100, 5, 100}), Tensor::scalar<int8_t>(-10),
                                   Tensor::scalar<int8_t>(10)})[0]),
            (std::vector<int8_t>{-10, 5, 10}));
  // min > max: numpy.clip gives max everywhere.
  EXPECT_EQ(values<float>(
                run_op(OpSpec("Clip").opset(13),
                       {make<float>({2}, {-5, 5}), Tensor::scalar(2.f), Tensor::scalar(1.f)})[0]),
            (std::vector<float>{1, 1}));
}

TEST(Activation, ClipRejectsNonScalarBoundsAndMixedTypes) {
  const Tensor x = make<float>({2}, {1, 2});
  EXPECT_THROW(run_op(OpSpec("Clip").opset(13), {x, make<float>({2}, {0, 0})}), Error);
  try {
    run_op(OpSpec("Clip").opset(13), {x, Tensor::scalar<double>(0)});
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kInvalidInput);
  }
}

TEST(Activation, Float16InputsRoundOnce) {
  const Tensor x = make<Float16>({3}, {Float16(-2.f), Float16(0.5f), Float16(3.f)});
  const Tensor y = run_op(OpSpec("LeakyRelu").attr("alpha", 0.1f), {x})[0];
  ASSERT_EQ(y.dtype(), DataType::kFloat16);
  EXPECT_EQ(y.data<Float16>()[0].bits, Float16(-0.2f).bits);
  EXPECT_EQ(float(y.data<Float16>()[2]), 3.f);
}

}  // namespace
}  // namespace skiff
