#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <string>

#include "support/op_test.h"

namespace skiff {
namespace {

using testing::make;
using testing::OpSpec;
using testing::run_op;
using testing::values;

constexpr float kNaN = std::numeric_limits<float>::quiet_NaN();
constexpr float kInf = std::numeric_limits<float>::infinity();

Tensor cast(const Tensor& x, DataType to, int64_t opset = 13) {
  return run_op(OpSpec("Cast").opset(opset).attr("to", static_cast<int64_t>(to)), {x})[0];
}

TEST(Cast, FloatToStringMatchesNumpyFormatting) {
  const Tensor x =
      make<float>({15}, {0.9767611f, 0.039187793f, 1e-5f, 1e16f, 123456789.f, 1.0f, -0.0f, kNaN,
                         kInf, 100.0f, 1.5e-4f, 3.4028235e38f, 1e-45f, 1e-4f, -kInf});
  EXPECT_EQ(values<std::string>(cast(x, DataType::kString)),
            (std::vector<std::string>{"0.9767611", "0.039187793", "1e-05", "1e+16", "123456790.0",
                                      "1.0", "-0.0", "nan", "inf", "100.0", "0.00015",
                                      "3.4028235e+38", "1e-45", "1e-04", "-inf"}));
  EXPECT_EQ(
      values<std::string>(cast(make<double>({4}, {0.1, 1.0 / 3, 1e22, 5e-324}), DataType::kString)),
      (std::vector<std::string>{"0.1", "0.3333333333333333", "1e+22", "5e-324"}));
  const Tensor h =
      make<Float16>({4}, {Float16(0.1f), Float16(65504.f), Float16(0.000061035f), Float16(6e-8f)});
  EXPECT_EQ(values<std::string>(cast(h, DataType::kString)),
            (std::vector<std::string>{"0.1", "65500.0", "6.104e-05", "6e-08"}));
}

TEST(Cast, IntegersAndBoolsToString) {
  EXPECT_EQ(values<std::string>(cast(make<int8_t>({2}, {-5, 7}), DataType::kString)),
            (std::vector<std::string>{"-5", "7"}));
  EXPECT_EQ(
      values<std::string>(cast(make<uint64_t>({1}, {18446744073709551615ull}), DataType::kString)),
      (std::vector<std::string>{"18446744073709551615"}));
  EXPECT_EQ(values<std::string>(cast(make<bool>({2}, {true, false}), DataType::kString)),
            (std::vector<std::string>{"True", "False"}));
}

TEST(Cast, StringToNumbersAcceptsSpecialValues) {
  const Tensor s =
      make<std::string>({7}, {"0.47892547", "NaN", "INF", "+INF", "-INF", " 1.5", "1e3"});
  const auto f = values<float>(cast(s, DataType::kFloat));
  EXPECT_EQ(f[0], 0.47892547f);
  EXPECT_TRUE(std::isnan(f[1]));
  EXPECT_EQ(f[2], kInf);
  EXPECT_EQ(f[3], kInf);
  EXPECT_EQ(f[4], -kInf);
  EXPECT_EQ(f[5], 1.5f);
  EXPECT_EQ(f[6], 1000.f);
  EXPECT_EQ(values<int64_t>(cast(make<std::string>({3}, {"-42", "+7", "3.9"}), DataType::kInt64)),
            (std::vector<int64_t>{-42, 7, 3}));
  EXPECT_EQ(
      values<bool>(cast(make<std::string>({4}, {"True", "false", "0", "2"}), DataType::kBool)),
      (std::vector<bool>{true, false, false, true}));
  EXPECT_EQ(values<std::string>(cast(make<std::string>({1}, {"x"}), DataType::kString)),
            (std::vector<std::string>{"x"}));
}

TEST(Cast, UnparsableStringIsRuntimeError) {
  try {
    cast(make<std::string>({2}, {"1", "abc"}), DataType::kFloat);
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kRuntime);
    EXPECT_NE(std::string(e.what()).find("abc"), std::string::npos);
  }
}

TEST(Cast, FloatToIntegerTruncatesWithoutUndefinedBehaviour) {
  const Tensor x = make<float>({6}, {3.9f, -3.9f, kNaN, 1e20f, -1e20f, -1.0f});
  EXPECT_EQ(values<int64_t>(cast(x, DataType::kInt64)),
            (std::vector<int64_t>{3, -3, 0, std::numeric_limits<int64_t>::max(),
                                  std::numeric_limits<int64_t>::min(), -1}));
  EXPECT_EQ(values<int32_t>(cast(make<float>({2}, {2.5f, -7.f}), DataType::kInt32)),
            (std::vector<int32_t>{2, -7}));
  EXPECT_EQ(values<uint8_t>(cast(make<float>({3}, {-1.f, 255.f, 300.f}), DataType::kUInt8)),
            (std::vector<uint8_t>{255, 255, 44}));
  EXPECT_EQ(values<uint64_t>(cast(make<double>({1}, {1.8e19}), DataType::kUInt64))[0],
            18000000000000000000ull);
}

TEST(Cast, BoolConversions) {
  EXPECT_EQ(values<bool>(cast(make<float>({4}, {0.f, 0.5f, -2.f, kNaN}), DataType::kBool)),
            (std::vector<bool>{false, true, true, true}));
  EXPECT_EQ(values<float>(cast(make<bool>({2}, {true, false}), DataType::kFloat)),
            (std::vector<float>{1, 0}));
  EXPECT_EQ(values<bool>(cast(make<int64_t>({2}, {0, -9}), DataType::kBool)),
            (std::vector<bool>{false, true}));
}

TEST(Cast, IntegerNarrowingWraps) {
  EXPECT_EQ(values<int8_t>(cast(make<int64_t>({3}, {300, -129, 5}), DataType::kInt8)),
            (std::vector<int8_t>{44, 127, 5}));
  EXPECT_EQ(values<float>(cast(make<int32_t>({2}, {16777217, -3}), DataType::kFloat)),
            (std::vector<float>{16777216.f, -3.f}));
}

TEST(Cast, SixteenBitFloatsRoundToNearestEven) {
  // Inputs of ONNX's test_cast_FLOAT_to_BFLOAT16. Its expected data (ONNX
  // 1.12) truncates (16117, 16117, 16209); newer ONNX and ONNX Runtime round
  // to nearest even, as here: 0x3ef5eeb0 rounds up to 16118.
  const Tensor x = make<float>({6}, {0.47892547f, 0.48033667f, 0.81910545f, kNaN, kInf, -kInf});
  const Tensor b = cast(x, DataType::kBFloat16);
  const std::vector<uint16_t> expected = {16117, 16118, 16210, 32704, 32640, 65408};
  for (size_t i = 0; i < expected.size(); ++i)
    EXPECT_EQ(b.data<BFloat16>()[i].bits, expected[i]) << i;
  // 2049 + 2^-30 lies just above the midpoint of float16 neighbours 2048 and
  // 2050: it must round up, although rounding via float first would tie to 2048.
  const Tensor h =
      cast(make<double>({2}, {2049.0 + std::ldexp(1.0, -30), 2049.0}), DataType::kFloat16);
  EXPECT_EQ(float(h.data<Float16>()[0]), 2050.f);
  EXPECT_EQ(float(h.data<Float16>()[1]), 2048.f);
  EXPECT_EQ(values<double>(cast(h, DataType::kDouble)), (std::vector<double>{2050.0, 2048.0}));
  EXPECT_EQ(float(cast(make<double>({1}, {1e10}), DataType::kFloat16).data<Float16>()[0]), kInf);
}

TEST(Cast, LegacyStringTargetAndCastLike) {
  const Tensor x = make<int32_t>({2}, {1, 2});
  const Tensor y = run_op(OpSpec("Cast").opset(1).attr("to", "FLOAT"), {x})[0];
  EXPECT_EQ(y.dtype(), DataType::kFloat);
  EXPECT_EQ(values<float>(y), (std::vector<float>{1, 2}));
  EXPECT_THROW(run_op(OpSpec("Cast").opset(1).attr("to", "QUATERNION"), {x}), Error);
  const Tensor like = run_op(OpSpec("CastLike").opset(15), {x, Tensor(DataType::kDouble, {0})})[0];
  EXPECT_EQ(like.dtype(), DataType::kDouble);
  EXPECT_EQ(values<double>(like), (std::vector<double>{1, 2}));
}

TEST(Cast, InvalidTargetIsInvalidModel) {
  try {
    run_op(OpSpec("Cast").opset(13).attr("to", static_cast<int64_t>(99)), {make<float>({1}, {1})});
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kInvalidModel);
  }
  EXPECT_THROW(cast(make<float>({1}, {1}), DataType::kComplex64), Error);
}

TEST(Cast, EmptyTensorsAndSameType) {
  EXPECT_EQ(cast(Tensor(DataType::kFloat, {0, 2}), DataType::kString).shape(), (Shape{0, 2}));
  EXPECT_EQ(values<float>(cast(make<float>({2}, {1.5f, -2}), DataType::kFloat)),
            (std::vector<float>{1.5f, -2}));
}

}  // namespace
}  // namespace skiff
