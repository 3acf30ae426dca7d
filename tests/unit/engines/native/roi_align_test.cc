#include <gtest/gtest.h>

#include "support/op_test.h"

namespace skiff {
namespace {

using testing::make;
using testing::OpSpec;
using testing::run_op;
using testing::values;

// [1, 1, 5, 5] map whose value is the column index: bilinear sampling of it
// returns the sample's x coordinate.
Tensor ramp() {
  Tensor x(DataType::kFloat, {1, 1, 5, 5});
  for (int64_t i = 0; i < 25; ++i) x.data<float>()[i] = static_cast<float>(i % 5);
  return x;
}

OpSpec roi_align(int opset, const char* mode, const char* transform, int64_t out, int64_t ratio) {
  OpSpec spec("RoiAlign");
  spec.opset(opset).attr("mode", mode).attr("output_height", out).attr("output_width", out)
      .attr("sampling_ratio", ratio);
  if (opset >= 16) spec.attr("coordinate_transformation_mode", transform);
  return spec;
}

TEST(RoiAlign, HalfPixelShiftsSamplesByHalfAPixel) {
  auto rois = make<float>({1, 4}, {0, 0, 4, 4});
  auto batch = make<int64_t>({1}, {0});
  auto half = run_op(roi_align(16, "avg", "half_pixel", 2, 1), {ramp(), rois, batch});
  EXPECT_EQ(half[0].shape(), (Shape{1, 1, 2, 2}));
  EXPECT_EQ(values<float>(half[0]), (std::vector<float>{0.5f, 2.5f, 0.5f, 2.5f}));
  auto output_half = run_op(roi_align(16, "avg", "output_half_pixel", 2, 1), {ramp(), rois, batch});
  EXPECT_EQ(values<float>(output_half[0]), (std::vector<float>{1, 3, 1, 3}));
  // Opset 10 has no attribute and no shift.
  auto v10 = run_op(roi_align(10, "avg", "", 2, 1), {ramp(), rois, batch});
  EXPECT_EQ(values<float>(v10[0]), (std::vector<float>{1, 3, 1, 3}));
}

TEST(RoiAlign, MaxTakesTheLargestSample) {
  auto rois = make<float>({1, 4}, {0, 0, 4, 4});
  auto batch = make<int64_t>({1}, {0});
  // One bin, 2x2 samples at pixels 1 and 3 of the ramp.
  auto avg = run_op(roi_align(16, "avg", "output_half_pixel", 1, 2), {ramp(), rois, batch});
  EXPECT_EQ(values<float>(avg[0]), (std::vector<float>{2}));
  auto max = run_op(roi_align(16, "max", "output_half_pixel", 1, 2), {ramp(), rois, batch});
  EXPECT_EQ(values<float>(max[0]), (std::vector<float>{3}));
}

TEST(RoiAlign, SamplesOutsideTheMapCountAsZero) {
  Tensor ones(DataType::kFloat, {1, 1, 2, 2});
  for (int i = 0; i < 4; ++i) ones.data<float>()[i] = 1;
  // One bin from -4 to 0 with samples at -3 and -1: only (-1, -1) lands
  // within a pixel of the map (clamped to pixel 0); 1 of 4 samples.
  auto out = run_op(roi_align(16, "avg", "output_half_pixel", 1, 2),
                    {ones, make<float>({1, 4}, {-4, -4, 0, 0}), make<int64_t>({1}, {0})});
  EXPECT_EQ(values<float>(out[0]), (std::vector<float>{0.25f}));
}

TEST(RoiAlign, PicksTheBatchImageAndAdaptiveGrid) {
  Tensor x(DataType::kDouble, {2, 2, 3, 3});
  for (int64_t i = 0; i < x.numel(); ++i) x.data<double>()[i] = static_cast<double>(i / 9);
  auto out = run_op(roi_align(16, "avg", "half_pixel", 2, 0),
                    {x, make<double>({2, 4}, {0.5, 0.5, 2.5, 2.5, 0, 0, 3, 3}),
                     make<int64_t>({2}, {1, 0})});
  EXPECT_EQ(out[0].shape(), (Shape{2, 2, 2, 2}));
  EXPECT_EQ(values<double>(out[0]),
            (std::vector<double>{2, 2, 2, 2, 3, 3, 3, 3, 0, 0, 0, 0, 1, 1, 1, 1}));
}

TEST(RoiAlign, BatchIndexOutOfRangeIsRuntimeError) {
  try {
    run_op(roi_align(16, "avg", "half_pixel", 1, 1),
           {ramp(), make<float>({1, 4}, {0, 0, 1, 1}), make<int64_t>({1}, {1})});
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kRuntime);
  }
}

TEST(RoiAlign, RejectsBadModeAndShapes) {
  EXPECT_THROW(run_op(roi_align(16, "mean", "half_pixel", 1, 1),
                      {ramp(), make<float>({1, 4}, {0, 0, 1, 1}), make<int64_t>({1}, {0})}),
               Error);
  try {
    run_op(roi_align(16, "avg", "half_pixel", 1, 1),
           {ramp(), make<float>({1, 3}, {0, 0, 1}), make<int64_t>({1}, {0})});
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kInvalidInput);
  }
}

}  // namespace
}  // namespace skiff
