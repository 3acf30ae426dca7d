#include <gtest/gtest.h>

#include <cmath>

#include "support/op_test.h"

namespace skiff {
namespace {

using testing::make;
using testing::OpSpec;
using testing::run_op;
using testing::values;

OpSpec grid_sample(const char* mode, const char* padding, int64_t align_corners) {
  return OpSpec("GridSample").opset(16).attr("mode", mode).attr("padding_mode", padding)
      .attr("align_corners", align_corners);
}

// A grid that hits every pixel centre of an h x w image.
Tensor identity_grid(int64_t h, int64_t w, bool align_corners) {
  Tensor g(DataType::kFloat, {1, h, w, 2});
  for (int64_t i = 0; i < h; ++i)
    for (int64_t j = 0; j < w; ++j) {
      float* p = g.data<float>() + (i * w + j) * 2;
      p[0] = align_corners ? 2.0f * j / (w - 1) - 1 : (2.0f * j + 1) / w - 1;
      p[1] = align_corners ? 2.0f * i / (h - 1) - 1 : (2.0f * i + 1) / h - 1;
    }
  return g;
}

Tensor image() {
  Tensor x(DataType::kFloat, {1, 2, 3, 4});
  for (int64_t i = 0; i < 24; ++i) x.data<float>()[i] = static_cast<float>(i * i % 7);
  return x;
}

TEST(GridSample, IdentityGridReproducesTheInput) {
  for (const char* mode : {"bilinear", "nearest", "bicubic"})
    for (int64_t align : {0, 1}) {
      auto out = run_op(grid_sample(mode, "border", align), {image(), identity_grid(3, 4, align)});
      ASSERT_EQ(out[0].shape(), (Shape{1, 2, 3, 4}));
      const auto want = values<float>(image());
      const auto got = values<float>(out[0]);
      for (size_t i = 0; i < want.size(); ++i)
        EXPECT_NEAR(got[i], want[i], 1e-5) << mode << " align_corners=" << align << " @" << i;
    }
}

TEST(GridSample, PaddingModesOutsideTheImage) {
  // One row [10, 20, 30]; x = -1.5 maps to pixel -1.25.
  auto x = make<float>({1, 1, 1, 3}, {10, 20, 30});
  auto grid = make<float>({1, 1, 1, 2}, {-1.5f, 0});
  EXPECT_EQ(values<float>(run_op(grid_sample("bilinear", "zeros", 0), {x, grid})[0])[0], 0.0f);
  EXPECT_EQ(values<float>(run_op(grid_sample("bilinear", "border", 0), {x, grid})[0])[0], 10.0f);
  // Reflected about -0.5 to 0.25: 0.75 * 10 + 0.25 * 20.
  EXPECT_FLOAT_EQ(values<float>(run_op(grid_sample("bilinear", "reflection", 0), {x, grid})[0])[0],
                  12.5f);
}

TEST(GridSample, ZerosPaddingBlendsWithZeroAtTheEdge) {
  auto x = make<float>({1, 1, 1, 2}, {8, 8});
  // x = 1 with align_corners=0 is the right edge of the last pixel: pixel 1.5.
  auto out = run_op(grid_sample("bilinear", "zeros", 0), {x, make<float>({1, 1, 1, 2}, {1, 0})});
  EXPECT_FLOAT_EQ(values<float>(out[0])[0], 4.0f);
}

TEST(GridSample, NearestRoundsHalfToEven) {
  auto x = make<float>({1, 1, 1, 5}, {1, 2, 3, 4, 5});
  // align_corners=1: pixel = (v + 1) * 2, so -0.75 -> 0.5 and -0.25 -> 1.5.
  auto out = run_op(grid_sample("nearest", "zeros", 1),
                    {x, make<float>({1, 1, 2, 2}, {-0.75f, 0, -0.25f, 0})});
  EXPECT_EQ(values<float>(out[0]), (std::vector<float>{1, 3}));
}

TEST(GridSample, BicubicUsesAMinusThreeQuarters) {
  Tensor x(DataType::kDouble, {1, 1, 6, 6});
  for (int64_t i = 0; i < 36; ++i) x.data<double>()[i] = static_cast<double>(i % 6);
  // A ramp along x, sampled inside (all 16 taps in range) at x = 2.25 and
  // 2.825. With a = -0.75 cubic convolution does not reproduce ramps: it
  // reads 1 + sum_k c_k * k, i.e. 2.296875 and 2.778078125.
  auto grid = make<double>({1, 1, 2, 2}, {-0.1, 0.2, 0.13, -0.3});
  auto out = run_op(grid_sample("bicubic", "zeros", 1), {x, grid});
  EXPECT_NEAR(values<double>(out[0])[0], 2.296875, 1e-12);
  EXPECT_NEAR(values<double>(out[0])[1], 2.778078125, 1e-12);
  // Constants stay constant: the weights sum to 1.
  for (int64_t i = 0; i < 36; ++i) x.data<double>()[i] = 7;
  EXPECT_NEAR(values<double>(run_op(grid_sample("bicubic", "border", 0), {x, grid})[0])[1], 7, 1e-12);
}

TEST(GridSample, NaNGridGivesNaN) {
  auto out = run_op(grid_sample("bicubic", "zeros", 0),
                    {image(), make<float>({1, 1, 1, 2}, {std::nanf(""), 0})});
  EXPECT_TRUE(std::isnan(values<float>(out[0])[0]));
}

TEST(GridSample, RejectsBadGrid) {
  try {
    run_op(grid_sample("bilinear", "zeros", 0), {image(), make<float>({1, 1, 1, 3}, {0, 0, 0})});
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kInvalidInput);
  }
  EXPECT_THROW(run_op(grid_sample("linear", "zeros", 0), {image(), identity_grid(3, 4, false)}),
               Error);
}

}  // namespace
}  // namespace skiff
