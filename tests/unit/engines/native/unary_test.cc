#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <limits>
#include <random>

#include "support/op_test.h"

namespace skiff {
namespace {

using testing::make;
using testing::OpSpec;
using testing::run_op;
using testing::values;

constexpr float kNaN = std::numeric_limits<float>::quiet_NaN();
constexpr float kInf = std::numeric_limits<float>::infinity();

template <class T>
Tensor random_tensor(const Shape& shape, double lo, double hi, uint32_t seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<double> dist(lo, hi);
  Tensor t(dtype_of<T>(), shape);
  for (int64_t i = 0; i < t.numel(); ++i) t.data<T>()[i] = static_cast<T>(dist(rng));
  return t;
}

struct MathCase {
  const char* op;
  double lo, hi;
  std::function<double(double)> reference;
};

TEST(Unary, FloatMathMatchesLibmForFloatAndDouble) {
  const std::vector<MathCase> cases = {
      {"Exp", -5, 5, [](double x) { return std::exp(x); }},
      {"Log", 0.01, 10, [](double x) { return std::log(x); }},
      {"Sqrt", 0, 10, [](double x) { return std::sqrt(x); }},
      {"Reciprocal", 0.5, 10, [](double x) { return 1 / x; }},
      {"Floor", -5, 5, [](double x) { return std::floor(x); }},
      {"Ceil", -5, 5, [](double x) { return std::ceil(x); }},
      {"Sin", -5, 5, [](double x) { return std::sin(x); }},
      {"Cos", -5, 5, [](double x) { return std::cos(x); }},
      {"Tan", -1.2, 1.2, [](double x) { return std::tan(x); }},
      {"Asin", -1, 1, [](double x) { return std::asin(x); }},
      {"Acos", -1, 1, [](double x) { return std::acos(x); }},
      {"Atan", -5, 5, [](double x) { return std::atan(x); }},
      {"Sinh", -3, 3, [](double x) { return std::sinh(x); }},
      {"Cosh", -3, 3, [](double x) { return std::cosh(x); }},
      {"Asinh", -5, 5, [](double x) { return std::asinh(x); }},
      {"Acosh", 1, 5, [](double x) { return std::acosh(x); }},
      {"Atanh", -0.99, 0.99, [](double x) { return std::atanh(x); }},
      {"Erf", -3, 3, [](double x) { return std::erf(x); }},
      {"Abs", -5, 5, [](double x) { return std::fabs(x); }},
      {"Neg", -5, 5, [](double x) { return -x; }},
  };
  for (const auto& c : cases) {
    const Tensor xf = random_tensor<float>({3, 17}, c.lo, c.hi, 7);
    const Tensor yf = run_op(OpSpec(c.op).opset(13), {xf})[0];
    ASSERT_EQ(yf.shape(), xf.shape());
    for (int64_t i = 0; i < xf.numel(); ++i) {
      const double ref = c.reference(xf.data<float>()[i]);
      EXPECT_NEAR(yf.data<float>()[i], ref, 1e-5 * std::max(1.0, std::fabs(ref))) << c.op;
    }
    const Tensor xd = random_tensor<double>({9}, c.lo, c.hi, 8);
    const Tensor yd = run_op(OpSpec(c.op).opset(13), {xd})[0];
    for (int64_t i = 0; i < xd.numel(); ++i)
      EXPECT_NEAR(yd.data<double>()[i], c.reference(xd.data<double>()[i]), 1e-12) << c.op;
  }
}

TEST(Unary, Float16ComputesInFloatAndRoundsOnce) {
  const Tensor x =
      make<Float16>({4}, {Float16(0.5f), Float16(-1.0f), Float16(2.0f), Float16(0.0f)});
  const Tensor y = run_op(OpSpec("Exp").opset(13), {x})[0];
  ASSERT_EQ(y.dtype(), DataType::kFloat16);
  for (int64_t i = 0; i < 4; ++i)
    EXPECT_EQ(y.data<Float16>()[i].bits, Float16(std::exp(float(x.data<Float16>()[i]))).bits);
  const Tensor b = make<BFloat16>({2}, {BFloat16(4.0f), BFloat16(9.0f)});
  EXPECT_EQ(float(run_op(OpSpec("Sqrt").opset(13), {b})[0].data<BFloat16>()[1]), 3.0f);
}

TEST(Unary, RoundHalvesToEven) {
  const Tensor x = make<float>({8}, {0.5f, 1.5f, 2.5f, -0.5f, -1.5f, 2.3f, -2.7f, 3.5f});
  EXPECT_EQ(values<float>(run_op(OpSpec("Round").opset(11), {x})[0]),
            (std::vector<float>{0, 2, 2, -0.f, -2, 2, -3, 4}));
}

TEST(Unary, IntegerAbsNegWrapAtMinimum) {
  const Tensor x = make<int8_t>({4}, {-128, -5, 0, 127});
  EXPECT_EQ(values<int8_t>(run_op(OpSpec("Abs"), {x})[0]), (std::vector<int8_t>{-128, 5, 0, 127}));
  EXPECT_EQ(values<int8_t>(run_op(OpSpec("Neg"), {x})[0]), (std::vector<int8_t>{-128, 5, 0, -127}));
  const Tensor big = make<int64_t>({2}, {std::numeric_limits<int64_t>::min(), -3});
  EXPECT_EQ(values<int64_t>(run_op(OpSpec("Abs"), {big})[0])[1], 3);
  const Tensor u = make<uint8_t>({2}, {0, 200});
  EXPECT_EQ(values<uint8_t>(run_op(OpSpec("Abs"), {u})[0]), (std::vector<uint8_t>{0, 200}));
  EXPECT_THROW(run_op(OpSpec("Neg"), {u}), Error);  // Neg has no unsigned types
}

TEST(Unary, SignOnIntsFloatsAndNaN) {
  EXPECT_EQ(values<int32_t>(run_op(OpSpec("Sign"), {make<int32_t>({3}, {-7, 0, 9})})[0]),
            (std::vector<int32_t>{-1, 0, 1}));
  EXPECT_EQ(values<uint16_t>(run_op(OpSpec("Sign"), {make<uint16_t>({2}, {0, 9})})[0]),
            (std::vector<uint16_t>{0, 1}));
  const auto y =
      values<float>(run_op(OpSpec("Sign"), {make<float>({4}, {-2.5f, 0.f, 3.f, kNaN})})[0]);
  EXPECT_EQ(y[0], -1);
  EXPECT_EQ(y[1], 0);
  EXPECT_EQ(y[2], 1);
  EXPECT_TRUE(std::isnan(y[3]));
}

TEST(Unary, ErfOnIntegersTruncates) {
  EXPECT_EQ(values<int32_t>(run_op(OpSpec("Erf"), {make<int32_t>({3}, {-3, 0, 5})})[0]),
            (std::vector<int32_t>{0, 0, 0}));
}

TEST(Unary, IsNaNIsInfAndNotGiveBool) {
  const Tensor x = make<float>({5}, {1.f, kNaN, kInf, -kInf, 0.f});
  const Tensor nan = run_op(OpSpec("IsNaN"), {x})[0];
  ASSERT_EQ(nan.dtype(), DataType::kBool);
  EXPECT_EQ(values<bool>(nan), (std::vector<bool>{false, true, false, false, false}));
  EXPECT_EQ(values<bool>(run_op(OpSpec("IsInf"), {x})[0]),
            (std::vector<bool>{false, false, true, true, false}));
  EXPECT_EQ(values<bool>(run_op(OpSpec("IsInf").attr("detect_negative", 0), {x})[0]),
            (std::vector<bool>{false, false, true, false, false}));
  EXPECT_EQ(values<bool>(run_op(OpSpec("IsInf").attr("detect_positive", 0), {x})[0]),
            (std::vector<bool>{false, false, false, true, false}));
  EXPECT_EQ(values<bool>(run_op(OpSpec("Not"), {make<bool>({2}, {true, false})})[0]),
            (std::vector<bool>{false, true}));
}

TEST(Unary, EmptyAndScalarTensorsKeepTheirShape) {
  const Tensor empty(DataType::kFloat, {0, 3});
  EXPECT_EQ(run_op("Exp", {empty})[0].shape(), (Shape{0, 3}));
  const Tensor scalar = Tensor::scalar(4.0f);
  const Tensor y = run_op("Sqrt", {scalar})[0];
  EXPECT_EQ(y.shape(), Shape{});
  EXPECT_EQ(y.data<float>()[0], 2.0f);
}

TEST(Unary, LegacyOpsetIgnoresConsumedInputs) {
  const Tensor x = make<float>({2}, {-1.f, 2.f});
  const auto y =
      run_op(OpSpec("Abs").opset(1).attr("consumed_inputs", std::vector<int64_t>{0}), {x});
  EXPECT_EQ(values<float>(y[0]), (std::vector<float>{1.f, 2.f}));
}

TEST(Unary, UnsupportedTypeIsReported) {
  try {
    run_op("Exp", {make<int32_t>({1}, {1})});
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kUnsupported);
    EXPECT_NE(std::string(e.what()).find("int32"), std::string::npos);
  }
}

TEST(Unary, LargeTensorRunsInParallelCorrectly) {
  const Tensor x = random_tensor<float>({100003}, -4, 4, 3);
  const Tensor y = run_op(OpSpec("Tanh"), {x})[0];
  for (int64_t i = 0; i < x.numel(); i += 997)
    EXPECT_NEAR(y.data<float>()[i], std::tanh(x.data<float>()[i]), 1e-6);
}

}  // namespace
}  // namespace skiff
