#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <random>
#include <vector>

#include "support/op_test.h"

namespace skiff {
namespace {

using testing::make;
using testing::OpSpec;
using testing::run_op;
using testing::values;

OpSpec roi_pool(int64_t ph, int64_t pw, float scale = 1.0f) {
  return OpSpec("MaxRoiPool").opset(1).attr("pooled_shape", std::vector<int64_t>{ph, pw}).attr("spatial_scale", scale);
}

// Fast R-CNN's definition, written out directly.
std::vector<float> reference(const Tensor& x, const std::vector<float>& rois, int64_t ph_n, int64_t pw_n,
                             float scale) {
  const int64_t C = x.dim(1), H = x.dim(2), W = x.dim(3);
  std::vector<float> out;
  for (size_t n = 0; n < rois.size() / 5; ++n) {
    const float* r = &rois[n * 5];
    const int64_t b = static_cast<int64_t>(r[0]);
    const int64_t x1 = std::lround(r[1] * scale), y1 = std::lround(r[2] * scale);
    const int64_t x2 = std::lround(r[3] * scale), y2 = std::lround(r[4] * scale);
    const int64_t rh = std::max<int64_t>(y2 - y1 + 1, 1), rw = std::max<int64_t>(x2 - x1 + 1, 1);
    for (int64_t c = 0; c < C; ++c)
      for (int64_t ph = 0; ph < ph_n; ++ph)
        for (int64_t pw = 0; pw < pw_n; ++pw) {
          const int64_t h0 = std::clamp<int64_t>(ph * rh / ph_n + y1, 0, H);
          const int64_t h1 = std::clamp<int64_t>(((ph + 1) * rh + ph_n - 1) / ph_n + y1, 0, H);
          const int64_t w0 = std::clamp<int64_t>(pw * rw / pw_n + x1, 0, W);
          const int64_t w1 = std::clamp<int64_t>(((pw + 1) * rw + pw_n - 1) / pw_n + x1, 0, W);
          float best = -std::numeric_limits<float>::infinity();
          for (int64_t h = h0; h < h1; ++h)
            for (int64_t w = w0; w < w1; ++w) best = std::max(best, x.data<float>()[((b * C + c) * H + h) * W + w]);
          out.push_back(h1 <= h0 || w1 <= w0 ? 0.0f : best);
        }
  }
  return out;
}

TEST(MaxRoiPool, WholeImageIntoTwoByTwoBins) {
  std::vector<float> data(16);
  for (int i = 0; i < 16; ++i) data[i] = static_cast<float>(i);
  auto out = run_op(roi_pool(2, 2), {make<float>({1, 1, 4, 4}, data), make<float>({1, 5}, {0, 0, 0, 3, 3})});
  EXPECT_EQ(out[0].shape(), (Shape{1, 1, 2, 2}));
  EXPECT_EQ(values<float>(out[0]), (std::vector<float>{5, 7, 13, 15}));
}

TEST(MaxRoiPool, AllNegativeBinsKeepTheirMaximum) {
  auto out = run_op(roi_pool(1, 1), {make<float>({1, 1, 2, 2}, {-4, -3, -2, -5}), make<float>({1, 5}, {0, 0, 0, 1, 1})});
  EXPECT_EQ(values<float>(out[0]), (std::vector<float>{-2}));
}

TEST(MaxRoiPool, BinsOutsideTheImageAreZeroAndMalformedRoisShrinkToOnePixel) {
  auto out = run_op(roi_pool(2, 2), {make<float>({1, 1, 2, 2}, {1, 2, 3, 4}),
                                     make<float>({2, 5}, {0, 1, 1, 7, 7, 0, 1, 1, 0, 0})});
  // RoI 0 spans pixels 1..7: only its first bin touches the image.
  // RoI 1 ends before it starts: one pixel at (1, 1) fills every bin.
  EXPECT_EQ(values<float>(out[0]), (std::vector<float>{4, 0, 0, 0, 4, 4, 4, 4}));
}

TEST(MaxRoiPool, MatchesReferenceOnRandomRois) {
  std::mt19937 rng(7);
  std::uniform_real_distribution<float> value(-5, 5), coord(-3, 20);
  Tensor x(DataType::kFloat, {2, 3, 9, 17});
  for (int64_t i = 0; i < x.numel(); ++i) x.data<float>()[i] = value(rng);
  std::vector<float> rois;
  for (int n = 0; n < 13; ++n) {
    rois.push_back(static_cast<float>(n % 2));
    for (int k = 0; k < 4; ++k) rois.push_back(coord(rng));
  }
  for (auto [ph, pw, scale] : {std::tuple{3, 2, 1.0f}, {7, 8, 0.5f}, {1, 9, 0.25f}}) {
    auto out = run_op(roi_pool(ph, pw, scale), {x, make<float>({13, 5}, rois)});
    EXPECT_EQ(out[0].shape(), (Shape{13, 3, ph, pw}));
    EXPECT_EQ(values<float>(out[0]), reference(x, rois, ph, pw, scale));
  }
}

TEST(MaxRoiPool, DoubleAndNoRois) {
  auto out = run_op(roi_pool(1, 2), {make<double>({1, 1, 1, 2}, {1.5, -2.5}), make<double>({1, 5}, {0, 0, 0, 1, 0})});
  EXPECT_EQ(values<double>(out[0]), (std::vector<double>{1.5, -2.5}));
  auto none = run_op(roi_pool(2, 2), {make<float>({1, 1, 1, 1}, {1}), Tensor(DataType::kFloat, {0, 5})});
  EXPECT_EQ(none[0].shape(), (Shape{0, 1, 2, 2}));
}

ErrorCode code_of(const OpSpec& spec, const std::vector<Tensor>& inputs) {
  try {
    run_op(spec, inputs);
  } catch (const Error& e) {
    return e.code();
  }
  return ErrorCode::kInternal;
}

TEST(MaxRoiPool, RejectsBadShapesAndBatchIndices) {
  const Tensor x = make<float>({1, 1, 2, 2}, {1, 2, 3, 4});
  EXPECT_EQ(code_of(roi_pool(0, 2), {x, make<float>({1, 5}, {0, 0, 0, 1, 1})}), ErrorCode::kInvalidModel);
  EXPECT_EQ(code_of(roi_pool(2, 2), {x, make<float>({1, 4}, {0, 0, 1, 1})}), ErrorCode::kInvalidInput);
  EXPECT_EQ(code_of(roi_pool(2, 2), {make<float>({1, 4}, {1, 2, 3, 4}), make<float>({1, 5}, {0, 0, 0, 1, 1})}),
            ErrorCode::kInvalidInput);
  EXPECT_EQ(code_of(roi_pool(2, 2), {x, make<float>({1, 5}, {1, 0, 0, 1, 1})}), ErrorCode::kRuntime);
  EXPECT_EQ(code_of(roi_pool(2, 2), {x, make<float>({1, 5}, {-1, 0, 0, 1, 1})}), ErrorCode::kRuntime);
  EXPECT_EQ(code_of(roi_pool(2, 2), {x, make<float>({1, 5}, {0, NAN, 0, 1, 1})}), ErrorCode::kRuntime);
}

}  // namespace
}  // namespace skiff
