#include <gtest/gtest.h>

#include <limits>

#include "support/op_test.h"

namespace skiff {
namespace {

using testing::make;
using testing::OpSpec;
using testing::run_op;
using testing::values;

TEST(QuantizeLinear, RoundsHalfToEvenAndSaturates) {
  auto x = make<float>({8}, {0.5f, 1.5f, 2.5f, -0.5f, -1.5f, 1000.f, -1000.f, 3.f});
  auto out = run_op(OpSpec("QuantizeLinear").opset(13),
                    {x, Tensor::scalar(1.0f), Tensor::scalar<uint8_t>(10)});
  EXPECT_EQ(values<uint8_t>(out[0]), (std::vector<uint8_t>{10, 12, 12, 10, 8, 255, 0, 13}));
  auto signed_out = run_op(OpSpec("QuantizeLinear").opset(13),
                           {x, Tensor::scalar(1.0f), Tensor::scalar<int8_t>(-1)});
  EXPECT_EQ(values<int8_t>(signed_out[0]), (std::vector<int8_t>{-1, 1, 1, -1, -3, 127, -128, 2}));
}

TEST(QuantizeLinear, DefaultsToUint8WithZeroPointZero) {
  auto out = run_op(OpSpec("QuantizeLinear").opset(10),
                    {make<float>({3}, {-4.f, 4.f, 9.f}), Tensor::scalar(2.0f), Tensor()});
  EXPECT_EQ(out[0].dtype(), DataType::kUInt8);
  EXPECT_EQ(values<uint8_t>(out[0]), (std::vector<uint8_t>{0, 2, 4}));
}

TEST(QuantizeLinear, PerAxisWithNegativeAxis) {
  auto x = make<float>({2, 3}, {2, 4, 6, 8, 10, 12});
  auto out = run_op(OpSpec("QuantizeLinear").opset(13).attr("axis", -1),
                    {x, make<float>({3}, {1, 2, 4}), make<int8_t>({3}, {0, 1, -1})});
  EXPECT_EQ(values<int8_t>(out[0]), (std::vector<int8_t>{2, 3, 1, 8, 6, 2}));
}

TEST(QuantizeLinear, BlockedScales) {
  // Blocks of 2 along axis 1: columns {0,1} and {2}.
  auto x = make<float>({2, 3}, {2, 4, 6, 8, 10, 12});
  auto out = run_op(OpSpec("QuantizeLinear").opset(21).attr("axis", 1).attr("block_size", 2),
                    {x, make<float>({2, 2}, {2, 3, 4, 6}), make<uint8_t>({2, 2}, {0, 0, 0, 1})});
  EXPECT_EQ(values<uint8_t>(out[0]), (std::vector<uint8_t>{1, 2, 2, 2, 2, 3}));
}

TEST(QuantizeLinear, NaNMapsToZeroPointAndEmptyWorks) {
  const float nan = std::numeric_limits<float>::quiet_NaN();
  auto out = run_op(OpSpec("QuantizeLinear").opset(13),
                    {make<float>({1}, {nan}), Tensor::scalar(1.0f), Tensor::scalar<uint8_t>(7)});
  EXPECT_EQ(values<uint8_t>(out[0]), (std::vector<uint8_t>{7}));
  auto empty = run_op(OpSpec("QuantizeLinear").opset(13),
                      {Tensor(DataType::kFloat, {0, 3}), Tensor::scalar(1.0f), Tensor()});
  EXPECT_EQ(empty[0].shape(), (Shape{0, 3}));
}

TEST(QuantizeLinear, RejectsScaleOfWrongLength) {
  try {
    run_op(OpSpec("QuantizeLinear").opset(13),
           {make<float>({2, 3}, {1, 2, 3, 4, 5, 6}), make<float>({2}, {1, 1}), Tensor()});
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kInvalidInput);
  }
  EXPECT_THROW(run_op(OpSpec("QuantizeLinear").opset(10),
                      {make<float>({2, 2}, {1, 2, 3, 4}), make<float>({2}, {1, 1}), Tensor()}),
               Error);
}

TEST(DequantizeLinear, PerTensorAndPerAxis) {
  auto out = run_op(OpSpec("DequantizeLinear").opset(10),
                    {make<uint8_t>({4}, {0, 3, 128, 255}), Tensor::scalar(2.0f),
                     Tensor::scalar<uint8_t>(128)});
  EXPECT_EQ(values<float>(out[0]), (std::vector<float>{-256, -250, 0, 254}));
  auto axis = run_op(OpSpec("DequantizeLinear").opset(13).attr("axis", 0),
                     {make<int8_t>({2, 2}, {-128, 127, 1, 2}), make<float>({2}, {1, 0.5f}),
                      make<int8_t>({2}, {0, 2})});
  EXPECT_EQ(values<float>(axis[0]), (std::vector<float>{-128, 127, -0.5f, 0}));
}

TEST(DequantizeLinear, Int32WithoutZeroPoint) {
  auto out = run_op(OpSpec("DequantizeLinear").opset(13),
                    {make<int32_t>({3}, {-70000, 0, 70000}), Tensor::scalar(0.5f), Tensor()});
  EXPECT_EQ(values<float>(out[0]), (std::vector<float>{-35000, 0, 35000}));
}

TEST(DequantizeLinear, RejectsZeroPointOfOtherType) {
  EXPECT_THROW(run_op(OpSpec("DequantizeLinear").opset(13),
                      {make<int8_t>({1}, {1}), Tensor::scalar(1.0f), Tensor::scalar<uint8_t>(1)}),
               Error);
}

TEST(DynamicQuantizeLinear, ScaleAndZeroPointCoverZero) {
  auto out = run_op(OpSpec("DynamicQuantizeLinear").opset(11).outputs(3),
                    {make<float>({6}, {0, 2, -3, -2.5f, 1.34f, 0.5f})});
  const float scale = 5.0f / 255.0f;
  EXPECT_FLOAT_EQ(*out[1].data<float>(), scale);
  EXPECT_EQ(*out[2].data<uint8_t>(), 153);
  EXPECT_EQ(values<uint8_t>(out[0]), (std::vector<uint8_t>{153, 255, 0, 26, 221, 179}));
}

TEST(DynamicQuantizeLinear, AllZerosGiveZeroScale) {
  auto out = run_op(OpSpec("DynamicQuantizeLinear").opset(11).outputs(3),
                    {make<float>({3}, {0, 0, 0})});
  EXPECT_EQ(*out[1].data<float>(), 0.0f);
  EXPECT_EQ(values<uint8_t>(out[0]), (std::vector<uint8_t>{0, 0, 0}));
}

}  // namespace
}  // namespace skiff
