#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <string>

#include "support/op_test.h"

namespace skiff {
namespace {

using testing::make;
using testing::OpSpec;
using testing::run_op;
using testing::values;

Tensor none() { return Tensor(); }
Tensor scales(std::vector<float> s) { return make<float>({static_cast<int64_t>(s.size())}, s); }
Tensor sizes(std::vector<int64_t> s) { return make<int64_t>({static_cast<int64_t>(s.size())}, s); }

Tensor iota_image(Shape shape) {
  Tensor t(DataType::kFloat, shape);
  for (int64_t i = 0; i < t.numel(); ++i) t.data<float>()[i] = static_cast<float>(i);
  return t;
}

TEST(Resize, NearestUpsampleAsymmetricRepeatsPixels) {
  auto y = run_op(OpSpec("Resize").opset(13).attr("mode", "nearest").attr("nearest_mode", "floor")
                      .attr("coordinate_transformation_mode", "asymmetric"),
                  {make<float>({1, 1, 2, 2}, {1, 2, 3, 4}), none(), scales({1, 1, 2, 3})})[0];
  EXPECT_EQ(y.shape(), (Shape{1, 1, 4, 6}));
  EXPECT_EQ(values<float>(y), (std::vector<float>{1, 1, 1, 2, 2, 2, 1, 1, 1, 2, 2, 2,
                                                  3, 3, 3, 4, 4, 4, 3, 3, 3, 4, 4, 4}));
}

// Bilinear, half_pixel, computed directly from the 2-D formula with clamping.
TEST(Resize, LinearHalfPixelMatchesBilinearFormula) {
  const int64_t h = 7, w = 9, oh = 13, ow = 4;
  Tensor x = iota_image({2, 1, h, w});
  for (int64_t i = 0; i < x.numel(); ++i) x.data<float>()[i] = std::sin(0.37f * static_cast<float>(i));
  auto y = run_op(OpSpec("Resize").opset(13).attr("mode", "linear"),
                  {x, none(), none(), sizes({2, 1, oh, ow})})[0];
  ASSERT_EQ(y.shape(), (Shape{2, 1, oh, ow}));
  for (int64_t n = 0; n < 2; ++n)
    for (int64_t i = 0; i < oh; ++i)
      for (int64_t j = 0; j < ow; ++j) {
        auto coord = [](int64_t o, int64_t in, int64_t out) {
          double c = (o + 0.5) * static_cast<double>(in) / static_cast<double>(out) - 0.5;
          return std::clamp(c, 0.0, static_cast<double>(in - 1));
        };
        const double cy = coord(i, h, oh), cx = coord(j, w, ow);
        const int64_t y0 = static_cast<int64_t>(cy), x0 = static_cast<int64_t>(cx);
        const int64_t y1 = std::min(y0 + 1, h - 1), x1 = std::min(x0 + 1, w - 1);
        const double fy = cy - y0, fx = cx - x0;
        auto at = [&](int64_t r, int64_t c) { return x.data<float>()[(n * h + r) * w + c]; };
        const double want = (1 - fy) * ((1 - fx) * at(y0, x0) + fx * at(y0, x1)) +
                            fy * ((1 - fx) * at(y1, x0) + fx * at(y1, x1));
        EXPECT_NEAR(y.data<float>()[(n * oh + i) * ow + j], want, 1e-5) << i << "," << j;
      }
}

TEST(Resize, LinearAlignCornersKeepsARamp) {
  auto y = run_op(OpSpec("Resize").opset(11).attr("mode", "linear")
                      .attr("coordinate_transformation_mode", "align_corners"),
                  {make<float>({4}, {0, 3, 6, 9}), Tensor(DataType::kFloat, {0}), scales({2.5f})})[0];
  ASSERT_EQ(y.shape(), (Shape{10}));
  for (int64_t j = 0; j < 10; ++j) EXPECT_NEAR(y.data<float>()[j], j, 1e-5);
}

// length_resized is scale * length_original (2.4), not the output length 2.
TEST(Resize, AlignCornersWithFractionalScaleUsesScaledLength) {
  auto y = run_op(OpSpec("Resize").opset(13).attr("mode", "linear")
                      .attr("coordinate_transformation_mode", "align_corners"),
                  {make<float>({4}, {0, 3, 6, 9}), none(), scales({0.6f})})[0];
  ASSERT_EQ(y.shape(), (Shape{2}));
  EXPECT_NEAR(y.data<float>()[0], 0, 1e-6);
  EXPECT_NEAR(y.data<float>()[1], 3 * 3 / (0.6 * 4 - 1), 1e-5);
  auto by_size = run_op(OpSpec("Resize").opset(13).attr("mode", "linear")
                            .attr("coordinate_transformation_mode", "align_corners"),
                        {make<float>({4}, {0, 3, 6, 9}), none(), none(), sizes({2})})[0];
  EXPECT_EQ(values<float>(by_size), (std::vector<float>{0, 9}));
}

TEST(Resize, CubicPreservesConstantsAndIdentity) {
  Tensor c(DataType::kFloat, {1, 1, 5, 6});
  for (int64_t i = 0; i < c.numel(); ++i) c.data<float>()[i] = 2.5f;
  auto up = run_op(OpSpec("Resize").opset(13).attr("mode", "cubic"), {c, none(), scales({1, 1, 1.7f, 0.6f})})[0];
  EXPECT_EQ(up.shape(), (Shape{1, 1, 8, 3}));
  for (float v : values<float>(up)) EXPECT_NEAR(v, 2.5f, 1e-5);
  Tensor x = iota_image({3, 4});
  auto same = run_op(OpSpec("Resize").opset(13).attr("mode", "cubic"), {x, none(), scales({1, 1})})[0];
  EXPECT_EQ(values<float>(same), values<float>(x));
}

TEST(Resize, CubicMatchesKeysKernel) {
  // 1-D asymmetric upsample by 2: output 1 sits at x = 0.5 between inputs 0 and 1.
  Tensor x = make<float>({5}, {1, 4, 2, 8, 5});
  auto y = run_op(OpSpec("Resize").opset(13).attr("mode", "cubic")
                      .attr("coordinate_transformation_mode", "asymmetric"),
                  {x, none(), scales({2})})[0];
  const double A = -0.75;
  auto w = [&](double t) {
    t = std::fabs(t);
    return t <= 1 ? ((A + 2) * t - (A + 3)) * t * t + 1 : ((A * t - 5 * A) * t + 8 * A) * t - 4 * A;
  };
  // Taps at -1 (clamped to 0), 0, 1, 2 around x = 0.5; and 1, 2, 3, 4 around x = 2.5.
  const double out1 = w(1.5) * 1 + w(0.5) * 1 + w(0.5) * 4 + w(1.5) * 2;
  const double out5 = w(1.5) * 4 + w(0.5) * 2 + w(0.5) * 8 + w(1.5) * 5;
  EXPECT_NEAR(y.data<float>()[1], out1, 1e-5);
  EXPECT_NEAR(y.data<float>()[5], out5, 1e-5);
  EXPECT_NEAR(y.data<float>()[4], 2, 1e-6);
}

TEST(Resize, TfCropAndResizeExtrapolatesOutsideTheImage) {
  Tensor x = iota_image({1, 1, 4, 4});
  Tensor roi = make<float>({8}, {0, 0, 0.5f, -0.5f, 1, 1, 1, 0.5f});
  auto y = run_op(OpSpec("Resize").opset(13).attr("mode", "linear")
                      .attr("coordinate_transformation_mode", "tf_crop_and_resize")
                      .attr("extrapolation_value", 10.0f),
                  {x, roi, none(), sizes({1, 1, 2, 3})})[0];
  // Rows map to 1.5 and 3; columns to -1.5 (outside), 0, 1.5.
  EXPECT_EQ(values<float>(y), (std::vector<float>{10, 6, 7.5f, 10, 12, 13.5f}));
}

TEST(Resize, NearestModesRoundAsNamed) {
  Tensor x = make<float>({4}, {10, 20, 30, 40});
  // asymmetric with scale 8/4: x = j/2, halves at odd j.
  auto at = [&](const char* mode) {
    return values<float>(run_op(OpSpec("Resize").opset(13).attr("nearest_mode", mode)
                                    .attr("coordinate_transformation_mode", "asymmetric"),
                                {x, none(), none(), sizes({8})})[0]);
  };
  EXPECT_EQ(at("round_prefer_floor"), (std::vector<float>{10, 10, 20, 20, 30, 30, 40, 40}));
  EXPECT_EQ(at("round_prefer_ceil"), (std::vector<float>{10, 20, 20, 30, 30, 40, 40, 40}));
  EXPECT_EQ(at("floor"), (std::vector<float>{10, 10, 20, 20, 30, 30, 40, 40}));
  EXPECT_EQ(at("ceil"), (std::vector<float>{10, 20, 20, 30, 30, 40, 40, 40}));
}

TEST(Resize, Opset18AxesAndKeepAspectRatio) {
  Tensor x = iota_image({1, 2, 4, 8});
  auto y = run_op(OpSpec("Resize").opset(18).attr("axes", std::vector<int64_t>{2, 3})
                      .attr("keep_aspect_ratio_policy", "not_larger"),
                  {x, none(), none(), sizes({2, 2})})[0];
  EXPECT_EQ(y.shape(), (Shape{1, 2, 1, 2}));
  auto z = run_op(OpSpec("Resize").opset(18).attr("axes", std::vector<int64_t>{-1})
                      .attr("keep_aspect_ratio_policy", "not_smaller"),
                  {x, none(), none(), sizes({2})})[0];
  EXPECT_EQ(z.shape(), (Shape{1, 2, 4, 2}));
}

TEST(Resize, AntialiasAveragesWhenDownsampling) {
  // A ramp stays a ramp under a symmetric filter; without antialias a 4x
  // downsample only looks at two neighbours, with it at about eight.
  Tensor ramp = iota_image({32});
  auto y = run_op(OpSpec("Resize").opset(18).attr("mode", "linear").attr("antialias", int64_t{1}),
                  {ramp, none(), scales({0.25f})})[0];
  ASSERT_EQ(y.shape(), (Shape{8}));
  for (int64_t j = 2; j < 6; ++j) EXPECT_NEAR(y.data<float>()[j], 4 * j + 1.5, 1e-4);
  Tensor alt(DataType::kFloat, {32});
  for (int64_t i = 0; i < 32; ++i) alt.data<float>()[i] = i % 2 ? 1.f : -1.f;
  auto smooth = run_op(OpSpec("Resize").opset(18).attr("mode", "cubic").attr("antialias", int64_t{1}),
                       {alt, none(), scales({0.25f})})[0];
  for (int64_t j = 2; j < 6; ++j) EXPECT_NEAR(smooth.data<float>()[j], 0, 0.1);
}

TEST(Resize, Opset10NearestCeilsWhenDownsampling) {
  auto y = run_op(OpSpec("Resize").opset(10), {iota_image({5}), scales({0.6f})})[0];
  // x = j / 0.6 = 0, 1.67, 3.33 -> ceil -> 0, 2, 4.
  EXPECT_EQ(values<float>(y), (std::vector<float>{0, 2, 4}));
}

TEST(Upsample, Opset7ScalesAttributeAndOpset9Input) {
  Tensor x = make<float>({1, 2}, {1, 3});
  auto a = run_op(OpSpec("Upsample").opset(7).attr("scales", std::vector<float>{1, 2}), {x})[0];
  EXPECT_EQ(values<float>(a), (std::vector<float>{1, 1, 3, 3}));
  auto b = run_op(OpSpec("Upsample").opset(9).attr("mode", "linear"), {x, scales({1, 2})})[0];
  EXPECT_EQ(values<float>(b), (std::vector<float>{1, 2, 3, 3}));
}

TEST(Resize, IntegerLinearRoundsAndStringsNearest) {
  auto y = run_op(OpSpec("Resize").opset(13).attr("mode", "linear")
                      .attr("coordinate_transformation_mode", "align_corners"),
                  {make<uint8_t>({2}, {0, 255}), none(), none(), sizes({4})})[0];
  EXPECT_EQ(values<uint8_t>(y), (std::vector<uint8_t>{0, 85, 170, 255}));
  auto s = run_op(OpSpec("Resize").opset(13).attr("coordinate_transformation_mode", "asymmetric"),
                  {make<std::string>({2}, {"a", "b"}), none(), scales({2})})[0];
  EXPECT_EQ(values<std::string>(s), (std::vector<std::string>{"a", "a", "b", "b"}));
}

TEST(Resize, LargeNCHWMatchesPerAxisComposition) {
  // Resizing H then W separately must equal resizing both at once.
  std::mt19937 rng(5);
  std::uniform_real_distribution<float> dist(-1, 1);
  Tensor x(DataType::kFloat, {2, 3, 17, 9});
  for (int64_t i = 0; i < x.numel(); ++i) x.data<float>()[i] = dist(rng);
  OpSpec spec = OpSpec("Resize").opset(13).attr("mode", "cubic");
  auto both = run_op(spec, {x, none(), none(), sizes({2, 3, 31, 8})})[0];
  auto h = run_op(spec, {x, none(), none(), sizes({2, 3, 31, 9})})[0];
  auto hw = run_op(spec, {h, none(), none(), sizes({2, 3, 31, 8})})[0];
  ASSERT_EQ(both.numel(), hw.numel());
  for (int64_t i = 0; i < both.numel(); ++i) EXPECT_NEAR(both.data<float>()[i], hw.data<float>()[i], 1e-5);
}

TEST(Resize, BadScalesOrSizesAreInvalidInput) {
  Tensor x = iota_image({2, 2});
  auto code = [&](std::vector<Tensor> inputs) {
    try {
      run_op(OpSpec("Resize").opset(13), inputs);
    } catch (const Error& e) {
      return e.code();
    }
    return ErrorCode::kInternal;
  };
  EXPECT_EQ(code({x, none(), scales({2})}), ErrorCode::kInvalidInput);
  EXPECT_EQ(code({x, none(), scales({2, -1})}), ErrorCode::kInvalidInput);
  EXPECT_EQ(code({x, none(), scales({2, 2}), sizes({4, 4})}), ErrorCode::kInvalidInput);
  EXPECT_EQ(code({x, none(), none(), none()}), ErrorCode::kInvalidInput);
  EXPECT_EQ(code({Tensor(DataType::kFloat, {0, 2}), none(), none(), sizes({3, 2})}), ErrorCode::kInvalidInput);
  EXPECT_THROW(run_op(OpSpec("Resize").opset(13).attr("mode", "area"), {x, none(), scales({1, 1})}), Error);
}

}  // namespace
}  // namespace skiff
