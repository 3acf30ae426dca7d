#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>

#include "support/op_test.h"

namespace skiff {
namespace {

using testing::make;
using testing::OpSpec;
using testing::run_op;
using testing::values;

template <class T>
Tensor random_tensor(Shape shape, std::mt19937& rng) {
  Tensor t(dtype_of<T>(), std::move(shape));
  std::uniform_int_distribution<int> dist(std::numeric_limits<T>::min(),
                                          std::numeric_limits<T>::max());
  for (int64_t i = 0; i < t.numel(); ++i) t.data<T>()[i] = static_cast<T>(dist(rng));
  return t;
}

TEST(MatMulInteger, PerTensorZeroPoint) {
  auto a = make<uint8_t>({4, 3}, {11, 7, 3, 10, 6, 2, 9, 5, 1, 8, 4, 0});
  auto b = make<uint8_t>({3, 2}, {1, 4, 2, 5, 3, 6});
  auto out = run_op(OpSpec("MatMulInteger").opset(10), {a, b, Tensor::scalar<uint8_t>(12), Tensor()});
  EXPECT_EQ(out[0].dtype(), DataType::kInt32);
  EXPECT_EQ(values<int32_t>(out[0]),
            (std::vector<int32_t>{-38, -83, -44, -98, -50, -113, -56, -128}));
}

TEST(MatMulInteger, PerRowAndPerColumnZeroPoints) {
  auto a = make<uint8_t>({4, 3}, {11, 7, 3, 10, 6, 2, 9, 5, 1, 8, 4, 0});
  auto b = make<uint8_t>({3, 2}, {1, 4, 2, 5, 3, 6});
  auto out = run_op(OpSpec("MatMulInteger").opset(10),
                    {a, b, make<uint8_t>({4}, {1, 2, 3, 4}), make<uint8_t>({2}, {1, 2})});
  EXPECT_EQ(values<int32_t>(out[0]), (std::vector<int32_t>{10, 46, 4, 28, -2, 10, -8, -8}));
}

// Mixed signedness, broadcast batch dims and every awkward size of K.
TEST(MatMulInteger, BatchedMixedTypesMatchReference) {
  std::mt19937 rng(7);
  for (int64_t K : {1, 7, 8, 9, 17}) {
    auto a = random_tensor<int8_t>({2, 1, 3, K}, rng);
    auto b = random_tensor<uint8_t>({3, K, 5}, rng);
    auto out = run_op(OpSpec("MatMulInteger").opset(10),
                      {a, b, Tensor::scalar<int8_t>(-3), Tensor::scalar<uint8_t>(200)});
    ASSERT_EQ(out[0].shape(), (Shape{2, 3, 3, 5}));
    for (int64_t n = 0; n < 2; ++n)
      for (int64_t c = 0; c < 3; ++c)
        for (int64_t i = 0; i < 3; ++i)
          for (int64_t j = 0; j < 5; ++j) {
            int32_t acc = 0;
            for (int64_t k = 0; k < K; ++k)
              acc += (a.data<int8_t>()[(n * 3 + i) * K + k] + 3) *
                     (b.data<uint8_t>()[(c * K + k) * 5 + j] - 200);
            ASSERT_EQ(out[0].data<int32_t>()[((n * 3 + c) * 3 + i) * 5 + j], acc);
          }
  }
}

TEST(MatMulInteger, OneDimensionalOperandsAndEmpty) {
  auto out = run_op(OpSpec("MatMulInteger").opset(10),
                    {make<uint8_t>({2}, {1, 2}), make<uint8_t>({2}, {3, 4}), Tensor(), Tensor()});
  EXPECT_EQ(out[0].shape(), (Shape{}));
  EXPECT_EQ(values<int32_t>(out[0]), (std::vector<int32_t>{11}));
  auto empty = run_op(OpSpec("MatMulInteger").opset(10),
                      {Tensor(DataType::kUInt8, {0, 3}), Tensor(DataType::kUInt8, {3, 2}),
                       Tensor(), Tensor()});
  EXPECT_EQ(empty[0].shape(), (Shape{0, 2}));
}

TEST(MatMulInteger, RejectsZeroPointOfWrongLength) {
  try {
    run_op(OpSpec("MatMulInteger").opset(10),
           {make<uint8_t>({2, 2}, {1, 2, 3, 4}), make<uint8_t>({2, 2}, {1, 2, 3, 4}),
            make<uint8_t>({3}, {1, 2, 3}), Tensor()});
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kInvalidInput);
  }
}

TEST(QLinearMatMul, MatchesOnnxExample) {
  auto a = make<uint8_t>({2, 4}, {208, 236, 0, 238, 3, 214, 255, 29});
  auto b = make<uint8_t>({4, 3}, {152, 51, 244, 60, 26, 255, 0, 127, 246, 127, 254, 247});
  auto out = run_op(OpSpec("QLinearMatMul").opset(10),
                    {a, make<float>({1}, {0.0066f}), make<uint8_t>({1}, {113}), b,
                     make<float>({1}, {0.00705f}), make<uint8_t>({1}, {114}),
                     make<float>({1}, {0.0107f}), make<uint8_t>({1}, {118})});
  EXPECT_EQ(values<uint8_t>(out[0]), (std::vector<uint8_t>{168, 115, 255, 1, 66, 151}));
}

TEST(QLinearMatMul, Int8PerColumnScales) {
  auto a = make<int8_t>({1, 2}, {10, -20});
  auto b = make<int8_t>({2, 2}, {1, 2, 3, 4});
  // acc = [10 - 60, 20 - 80] = [-50, -60]; multipliers [0.1, 0.5] / 1.
  auto out = run_op(OpSpec("QLinearMatMul").opset(10),
                    {a, Tensor::scalar(1.0f), Tensor::scalar<int8_t>(0), b,
                     make<float>({2}, {0.1f, 0.5f}), make<int8_t>({2}, {0, 0}),
                     Tensor::scalar(1.0f), Tensor::scalar<int8_t>(5)});
  EXPECT_EQ(values<int8_t>(out[0]), (std::vector<int8_t>{0, -25}));
}

// Direct 2-D reference conv on shifted values, int32.
std::vector<int32_t> reference_conv(const Tensor& x, int32_t xz, const Tensor& w,
                                    const std::vector<int32_t>& wz, int64_t group, int64_t pad,
                                    int64_t stride) {
  const int64_t N = x.dim(0), C = x.dim(1), H = x.dim(2), W = x.dim(3);
  const int64_t M = w.dim(0), CG = w.dim(1), KH = w.dim(2), KW = w.dim(3);
  const int64_t OH = (H + 2 * pad - KH) / stride + 1, OW = (W + 2 * pad - KW) / stride + 1;
  std::vector<int32_t> y(static_cast<size_t>(N * M * OH * OW));
  for (int64_t n = 0; n < N; ++n)
    for (int64_t m = 0; m < M; ++m)
      for (int64_t oh = 0; oh < OH; ++oh)
        for (int64_t ow = 0; ow < OW; ++ow) {
          int32_t acc = 0;
          for (int64_t c = 0; c < CG; ++c)
            for (int64_t kh = 0; kh < KH; ++kh)
              for (int64_t kw = 0; kw < KW; ++kw) {
                const int64_t ih = oh * stride - pad + kh, iw = ow * stride - pad + kw;
                if (ih < 0 || ih >= H || iw < 0 || iw >= W) continue;
                const int64_t ci = (m / (M / group)) * CG + c;
                acc += (x.data<uint8_t>()[((n * C + ci) * H + ih) * W + iw] - xz) *
                       (w.data<int8_t>()[((m * CG + c) * KH + kh) * KW + kw] -
                        wz[static_cast<size_t>(wz.size() == 1 ? 0 : m)]);
              }
          y[static_cast<size_t>(((n * M + m) * OH + oh) * OW + ow)] = acc;
        }
  return y;
}

TEST(ConvInteger, PaddingUsesTheZeroPoint) {
  // 1x1x2x2 input, 2x2 kernel of ones, pad 1: corners see one pixel each.
  auto x = make<uint8_t>({1, 1, 2, 2}, {2, 3, 4, 5});
  auto w = make<uint8_t>({1, 1, 2, 2}, {1, 1, 1, 1});
  auto out = run_op(OpSpec("ConvInteger").opset(10).attr("pads", std::vector<int64_t>{1, 1, 1, 1}),
                    {x, w, Tensor::scalar<uint8_t>(1), Tensor()});
  EXPECT_EQ(out[0].shape(), (Shape{1, 1, 3, 3}));
  EXPECT_EQ(values<int32_t>(out[0]), (std::vector<int32_t>{1, 3, 2, 4, 10, 6, 3, 7, 4}));
}

TEST(ConvInteger, GroupedStridedPerChannelZeroPointsMatchReference) {
  std::mt19937 rng(11);
  for (int64_t size : {1, 7, 8, 9}) {
    auto x = random_tensor<uint8_t>({2, 4, size, size + 2}, rng);
    auto w = random_tensor<int8_t>({6, 2, 3, 3}, rng);
    auto wz = make<int8_t>({6}, {0, 1, -1, 2, -2, 3});
    auto out = run_op(OpSpec("ConvInteger").opset(10).attr("group", 2)
                          .attr("pads", std::vector<int64_t>{1, 1, 1, 1})
                          .attr("strides", std::vector<int64_t>{2, 2}),
                      {x, w, Tensor::scalar<uint8_t>(128), wz});
    EXPECT_EQ(values<int32_t>(out[0]),
              reference_conv(x, 128, w, {0, 1, -1, 2, -2, 3}, 2, 1, 2));
  }
}

TEST(QLinearConv, RequantizesWithBiasAndPerChannelScales) {
  std::mt19937 rng(5);
  auto x = random_tensor<uint8_t>({1, 3, 5, 5}, rng);
  auto w = random_tensor<int8_t>({2, 3, 3, 3}, rng);
  const float x_scale = 0.02f, y_scale = 0.5f;
  const std::vector<float> w_scale = {0.01f, 0.03f};
  auto bias = make<int32_t>({2}, {100, -300});
  auto out = run_op(OpSpec("QLinearConv").opset(10).attr("pads", std::vector<int64_t>{1, 1, 1, 1}),
                    {x, Tensor::scalar(x_scale), Tensor::scalar<uint8_t>(120), w,
                     make<float>({2}, w_scale), make<int8_t>({2}, {0, 0}), Tensor::scalar(y_scale),
                     Tensor::scalar<uint8_t>(128), bias});
  const std::vector<int32_t> acc = reference_conv(x, 120, w, {0}, 1, 1, 1);
  ASSERT_EQ(out[0].numel(), static_cast<int64_t>(acc.size()));
  for (size_t i = 0; i < acc.size(); ++i) {
    const size_t m = i / 25;
    const float v = static_cast<float>(acc[i] + bias.data<int32_t>()[m]) *
                    (x_scale * w_scale[m] / y_scale);
    const float q = std::clamp(std::nearbyint(v) + 128.0f, 0.0f, 255.0f);
    ASSERT_EQ(out[0].data<uint8_t>()[i], static_cast<uint8_t>(q)) << i;
  }
}

TEST(QLinearConv, RejectsBiasOfWrongLength) {
  auto x = make<uint8_t>({1, 1, 1, 1}, {1});
  auto w = make<uint8_t>({2, 1, 1, 1}, {1, 1});
  try {
    run_op(OpSpec("QLinearConv").opset(10),
           {x, Tensor::scalar(1.0f), Tensor::scalar<uint8_t>(0), w, Tensor::scalar(1.0f),
            Tensor::scalar<uint8_t>(0), Tensor::scalar(1.0f), Tensor::scalar<uint8_t>(0),
            make<int32_t>({1}, {0})});
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kInvalidInput);
  }
}

}  // namespace
}  // namespace skiff
