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

template <class T>
Tensor ramp(const Shape& shape, T start, T step) {
  Tensor t(dtype_of<T>(), shape);
  for (int64_t i = 0; i < t.numel(); ++i)
    t.data<T>()[i] = static_cast<T>(start + step * static_cast<T>(i));
  return t;
}

ErrorCode error_code(const std::function<void()>& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.code();
  }
  return ErrorCode::kInternal;  // "no error" marker: no kernel path raises kInternal here
}

TEST(Binary, ArithmeticBroadcastsOnEveryAxis) {
  const Tensor a = ramp<float>({2, 3, 4}, 1.f, 1.f);
  const std::vector<Shape> b_shapes = {{}, {4}, {3, 1}, {2, 1, 1}, {1, 3, 4}, {2, 3, 4}, {2, 1, 4}};
  for (const Shape& bs : b_shapes) {
    const Tensor b = ramp<float>(bs, 0.5f, 0.25f);
    for (const char* op : {"Add", "Sub", "Mul", "Div"}) {
      const Tensor y = run_op(OpSpec(op), {a, b})[0];
      ASSERT_EQ(y.shape(), (Shape{2, 3, 4})) << op;
      for (int64_t i = 0; i < 24; ++i) {
        const int64_t i0 = i / 12, i1 = (i / 4) % 3, i2 = i % 4;
        const Shape pad = Shape(3 - bs.size(), 1);
        Shape full = pad;
        full.insert(full.end(), bs.begin(), bs.end());
        const int64_t bi = ((full[0] == 1 ? 0 : i0) * full[1] + (full[1] == 1 ? 0 : i1)) * full[2] +
                           (full[2] == 1 ? 0 : i2);
        const float u = a.data<float>()[i], v = b.data<float>()[bi];
        const float ref = op[0] == 'A'   ? u + v
                          : op[0] == 'S' ? u - v
                          : op[0] == 'M' ? u * v
                                         : u / v;
        EXPECT_FLOAT_EQ(y.data<float>()[i], ref)
            << op << " with B " << shape_str(bs) << " at " << i;
      }
    }
  }
}

TEST(Binary, BroadcastingBothWaysGrowsTheOutput) {
  const Tensor a = ramp<int32_t>({3, 1}, 0, 10);
  const Tensor b = ramp<int32_t>({1, 4}, 1, 1);
  EXPECT_EQ(values<int32_t>(run_op("Add", {a, b})[0]),
            (std::vector<int32_t>{1, 2, 3, 4, 11, 12, 13, 14, 21, 22, 23, 24}));
}

TEST(Binary, IntegerArithmeticWraps) {
  const int32_t max = std::numeric_limits<int32_t>::max();
  EXPECT_EQ(
      values<int32_t>(run_op("Add", {make<int32_t>({1}, {max}), make<int32_t>({1}, {1})})[0])[0],
      std::numeric_limits<int32_t>::min());
  EXPECT_EQ(values<uint16_t>(run_op(OpSpec("Mul").opset(14), {make<uint16_t>({1}, {65535}),
                                                              make<uint16_t>({1}, {65535})})[0])[0],
            1);
  EXPECT_EQ(values<uint8_t>(run_op(OpSpec("Sub").opset(14),
                                   {make<uint8_t>({1}, {1}), make<uint8_t>({1}, {2})})[0])[0],
            255);
}

TEST(Binary, IntegerDivisionTruncatesAndRefusesZero) {
  EXPECT_EQ(values<int32_t>(
                run_op("Div", {make<int32_t>({4}, {-7, 7, -7, std::numeric_limits<int32_t>::min()}),
                               make<int32_t>({4}, {2, -2, -2, -1})})[0]),
            (std::vector<int32_t>{-3, -3, 3, std::numeric_limits<int32_t>::min()}));
  EXPECT_EQ(values<uint8_t>(run_op(OpSpec("Div").opset(14),
                                   {make<uint8_t>({2}, {255, 7}), make<uint8_t>({1}, {2})})[0]),
            (std::vector<uint8_t>{127, 3}));
  EXPECT_EQ(error_code([] {
              run_op("Div", {make<int64_t>({2}, {1, 2}), make<int64_t>({2}, {1, 0})});
            }),
            ErrorCode::kRuntime);
  // Float division by zero is IEEE, not an error.
  EXPECT_TRUE(std::isinf(
      values<float>(run_op("Div", {make<float>({1}, {1}), make<float>({1}, {0})})[0])[0]));
}

TEST(Binary, ModFollowsDivisorSignUnlessFmod) {
  const Tensor a = make<int32_t>({4}, {-4, 7, 5, -7});
  const Tensor b = make<int32_t>({4}, {3, -3, 3, -3});
  EXPECT_EQ(values<int32_t>(run_op("Mod", {a, b})[0]), (std::vector<int32_t>{2, -2, 2, -1}));
  EXPECT_EQ(values<int32_t>(run_op(OpSpec("Mod").attr("fmod", 1), {a, b})[0]),
            (std::vector<int32_t>{-1, 1, 2, -1}));
  const Tensor fa = make<float>({2}, {-4.5f, 7.5f});
  const Tensor fb = make<float>({2}, {2.f, -2.f});
  EXPECT_EQ(values<float>(run_op(OpSpec("Mod").attr("fmod", 1), {fa, fb})[0]),
            (std::vector<float>{-0.5f, 1.5f}));
  EXPECT_EQ(values<float>(run_op(OpSpec("Mod"), {fa, fb})[0]), (std::vector<float>{1.5f, -0.5f}));
  EXPECT_EQ(
      values<int64_t>(run_op("Mod", {make<int64_t>({1}, {std::numeric_limits<int64_t>::min()}),
                                     make<int64_t>({1}, {-1})})[0])[0],
      0);
  EXPECT_EQ(error_code([] {
              run_op("Mod", {make<uint8_t>({1}, {1}), make<uint8_t>({1}, {0})});
            }),
            ErrorCode::kRuntime);
}

TEST(Binary, PowMixesBaseAndExponentTypes) {
  EXPECT_EQ(
      values<float>(run_op("Pow", {make<float>({3}, {1, 2, 3}), make<int64_t>({3}, {4, 5, 6})})[0]),
      (std::vector<float>{1, 32, 729}));
  EXPECT_EQ(values<int32_t>(
                run_op("Pow", {make<int32_t>({3}, {1, 2, 3}), make<float>({3}, {4, 5, 0.5f})})[0]),
            (std::vector<int32_t>{1, 32, 1}));
  EXPECT_EQ(values<int64_t>(run_op("Pow", {make<int64_t>({5}, {2, -3, 1, -1, 5}),
                                           make<int64_t>({5}, {10, 3, -4, -3, -1})})[0]),
            (std::vector<int64_t>{1024, -27, 1, -1, 0}));
  const Tensor h = run_op(OpSpec("Pow").opset(15),
                          {make<Float16>({1}, {Float16(3.f)}), make<float>({1}, {2.f})})[0];
  EXPECT_EQ(float(h.data<Float16>()[0]), 9.f);
  EXPECT_EQ(values<float>(run_op("Pow", {make<float>({2}, {2, 4}), Tensor::scalar(0.5f)})[0]),
            (std::vector<float>{std::sqrt(2.f), 2.f}));
}

TEST(Binary, BitShiftAndBitwiseOps) {
  const Tensor x = make<uint8_t>({4}, {1, 2, 128, 255});
  const Tensor s = make<uint8_t>({4}, {1, 3, 1, 8});
  EXPECT_EQ(
      values<uint8_t>(run_op(OpSpec("BitShift").opset(11).attr("direction", "LEFT"), {x, s})[0]),
      (std::vector<uint8_t>{2, 16, 0, 0}));
  EXPECT_EQ(
      values<uint8_t>(run_op(OpSpec("BitShift").opset(11).attr("direction", "RIGHT"), {x, s})[0]),
      (std::vector<uint8_t>{0, 0, 64, 0}));
  EXPECT_EQ(error_code([&] {
              run_op(OpSpec("BitShift").opset(11).attr("direction", "UP"), {x, s});
            }),
            ErrorCode::kInvalidModel);
  const Tensor a = make<int16_t>({2}, {0b1100, -1});
  const Tensor b = make<int16_t>({1}, {0b1010});
  EXPECT_EQ(values<int16_t>(run_op(OpSpec("BitwiseAnd").opset(18), {a, b})[0]),
            (std::vector<int16_t>{0b1000, 0b1010}));
  EXPECT_EQ(values<int16_t>(run_op(OpSpec("BitwiseOr").opset(18), {a, b})[0]),
            (std::vector<int16_t>{0b1110, -1}));
  EXPECT_EQ(values<int16_t>(run_op(OpSpec("BitwiseXor").opset(18), {a, b})[0]),
            (std::vector<int16_t>{0b0110, ~0b1010}));
  EXPECT_EQ(values<int16_t>(run_op(OpSpec("BitwiseNot").opset(18), {a})[0]),
            (std::vector<int16_t>{~0b1100, 0}));
}

TEST(Binary, LogicOpsOnBools) {
  const Tensor a = make<bool>({2, 2}, {true, true, false, false});
  const Tensor b = make<bool>({2}, {true, false});
  EXPECT_EQ(values<bool>(run_op("And", {a, b})[0]), (std::vector<bool>{true, false, false, false}));
  EXPECT_EQ(values<bool>(run_op("Or", {a, b})[0]), (std::vector<bool>{true, true, true, false}));
  EXPECT_EQ(values<bool>(run_op("Xor", {a, b})[0]), (std::vector<bool>{false, true, true, false}));
  EXPECT_EQ(error_code([&] {
              run_op("And", {make<int32_t>({1}, {1}), make<int32_t>({1}, {1})});
            }),
            ErrorCode::kUnsupported);
}

TEST(Binary, ComparisonsGiveBool) {
  const Tensor a = make<float>({3}, {1, 2, 3});
  const Tensor b = Tensor::scalar(2.f);
  const Tensor eq = run_op("Equal", {a, b})[0];
  ASSERT_EQ(eq.dtype(), DataType::kBool);
  EXPECT_EQ(values<bool>(eq), (std::vector<bool>{false, true, false}));
  EXPECT_EQ(values<bool>(run_op("Less", {a, b})[0]), (std::vector<bool>{true, false, false}));
  EXPECT_EQ(values<bool>(run_op("Greater", {a, b})[0]), (std::vector<bool>{false, false, true}));
  EXPECT_EQ(values<bool>(run_op("LessOrEqual", {a, b})[0]), (std::vector<bool>{true, true, false}));
  EXPECT_EQ(values<bool>(run_op("GreaterOrEqual", {a, b})[0]),
            (std::vector<bool>{false, true, true}));
  const Tensor nan = make<float>({1}, {std::numeric_limits<float>::quiet_NaN()});
  EXPECT_FALSE(values<bool>(run_op("Equal", {nan, nan})[0])[0]);
  const Tensor s1 = make<std::string>({3}, {"a", "bc", ""});
  const Tensor s2 = make<std::string>({3}, {"a", "b", ""});
  EXPECT_EQ(values<bool>(run_op(OpSpec("Equal").opset(19), {s1, s2})[0]),
            (std::vector<bool>{true, false, true}));
  EXPECT_EQ(values<bool>(run_op(OpSpec("Equal"),
                                {make<bool>({2}, {true, false}), make<bool>({1}, {false})})[0]),
            (std::vector<bool>{false, true}));
}

TEST(Binary, LegacyBroadcastAlignsBAtAxis) {
  const Tensor a = ramp<float>({2, 3}, 0.f, 1.f);
  const auto add = [&](OpSpec spec, const Tensor& b) {
    return values<float>(run_op(spec.opset(6), {a, b})[0]);
  };
  EXPECT_EQ(add(OpSpec("Add").attr("broadcast", 1).attr("axis", 0), make<float>({2}, {10, 20})),
            (std::vector<float>{10, 11, 12, 23, 24, 25}));
  EXPECT_EQ(add(OpSpec("Add").attr("broadcast", 1), make<float>({3}, {10, 20, 30})),
            (std::vector<float>{10, 21, 32, 13, 24, 35}));
  EXPECT_EQ(add(OpSpec("Add").attr("broadcast", 1).attr("axis", 0), make<float>({2, 1}, {10, 20})),
            (std::vector<float>{10, 11, 12, 23, 24, 25}));
  EXPECT_EQ(add(OpSpec("Add").attr("broadcast", 1), Tensor::scalar(1.f)),
            (std::vector<float>{1, 2, 3, 4, 5, 6}));
  EXPECT_EQ(add(OpSpec("Add"), a), (std::vector<float>{0, 2, 4, 6, 8, 10}));
  // broadcast=0 demands equal shapes; a B that only fits at another axis fails.
  EXPECT_EQ(error_code([&] {
              run_op(OpSpec("Add").opset(6), {a, make<float>({3}, {1, 2, 3})});
            }),
            ErrorCode::kInvalidInput);
  EXPECT_EQ(error_code([&] {
              run_op(OpSpec("Add").opset(6).attr("broadcast", 1), {a, make<float>({2}, {1, 2})});
            }),
            ErrorCode::kInvalidInput);
  EXPECT_EQ(values<float>(
                run_op(OpSpec("Pow").opset(1).attr("broadcast", 1), {a, Tensor::scalar(2.f)})[0]),
            (std::vector<float>{0, 1, 4, 9, 16, 25}));
  EXPECT_EQ(values<bool>(run_op(OpSpec("Less").opset(1).attr("broadcast", 1).attr("axis", 0),
                                {a, make<float>({2}, {1, 4})})[0]),
            (std::vector<bool>{true, false, false, true, false, false}));
}

TEST(Binary, BadShapesAndTypesAreInvalidInput) {
  try {
    run_op("Add", {make<float>({2, 3}, {1, 2, 3, 4, 5, 6}), make<float>({2}, {1, 2})});
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kInvalidInput);
    EXPECT_NE(std::string(e.what()).find("[2,3]"), std::string::npos) << e.what();
  }
  EXPECT_EQ(error_code([] {
              run_op("Add", {make<float>({1}, {1}), make<double>({1}, {1})});
            }),
            ErrorCode::kInvalidInput);
}

TEST(Binary, EmptyAndScalarOperands) {
  const Tensor empty(DataType::kFloat, {0, 4});
  EXPECT_EQ(run_op("Mul", {empty, make<float>({4}, {1, 2, 3, 4})})[0].shape(), (Shape{0, 4}));
  EXPECT_EQ(run_op("Mul", {empty, make<float>({1, 1}, {1})})[0].shape(), (Shape{0, 4}));
  const Tensor y = run_op("Sub", {Tensor::scalar(5.f), Tensor::scalar(2.f)})[0];
  EXPECT_EQ(y.shape(), Shape{});
  EXPECT_EQ(y.data<float>()[0], 3.f);
  // Integer division with an empty output never looks at (absent) divisors.
  EXPECT_EQ(run_op("Div", {Tensor(DataType::kInt32, {0}), make<int32_t>({1}, {0})})[0].numel(), 0);
}

}  // namespace
}  // namespace skiff
