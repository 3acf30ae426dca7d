// NonMaxSuppression: greedy per (batch, class) selection of the highest
// scoring boxes, dropping any box whose IoU with an already selected box
// exceeds iou_threshold. Output: int64 [num_selected, 3] rows of
// (batch_index, class_index, box_index), batch-major, then class, then in
// selection order.
//
// Matches ONNX Runtime (the de facto reference): candidates must score
// strictly above score_threshold when it is given; equal scores go in index
// order; boxes with empty area or no overlap never suppress anything.
#include <algorithm>
#include <numeric>
#include <vector>

#include "core/parallel.h"
#include "engines/kernel.h"

namespace skiff {
namespace {

struct Box {
  float y_min, x_min, y_max, x_max;
};

// center_point_box 0: [y1, x1, y2, x2] with the corners in either order;
// 1: [x_center, y_center, width, height].
Box read_box(const float* b, bool center_point_box) {
  if (center_point_box) {
    const float half_w = b[2] / 2, half_h = b[3] / 2;
    return {b[1] - half_h, b[0] - half_w, b[1] + half_h, b[0] + half_w};
  }
  return {std::min(b[0], b[2]), std::min(b[1], b[3]), std::max(b[0], b[2]), std::max(b[1], b[3])};
}

bool suppresses(const Box& a, const Box& b, float iou_threshold) {
  const float ix_min = std::max(a.x_min, b.x_min), iy_min = std::max(a.y_min, b.y_min);
  const float ix_max = std::min(a.x_max, b.x_max), iy_max = std::min(a.y_max, b.y_max);
  if (ix_max <= ix_min || iy_max <= iy_min) return false;
  const float inter = (ix_max - ix_min) * (iy_max - iy_min);
  const float area_a = (a.x_max - a.x_min) * (a.y_max - a.y_min);
  const float area_b = (b.x_max - b.x_min) * (b.y_max - b.y_min);
  if (area_a <= 0 || area_b <= 0) return false;
  const float uni = area_a + area_b - inter;
  if (uni <= 0) return false;
  return inter / uni > iou_threshold;
}

class NonMaxSuppressionKernel final : public Kernel {
 public:
  explicit NonMaxSuppressionKernel(const KernelInfo& info)
      : center_point_box_(info.attr_int("center_point_box", 0)) {
    if (center_point_box_ != 0 && center_point_box_ != 1)
      info.fail("center_point_box must be 0 or 1, got ", center_point_box_);
  }

  void compute(KernelContext& ctx) const override {
    check_inputs(ctx);
    const Tensor& boxes = ctx.input(0);
    const Tensor& scores = ctx.input(1);
    const int64_t batches = scores.dim(0), classes = scores.dim(1), spatial = scores.dim(2);
    const int64_t max_out = max_output(ctx);
    const float iou_threshold = scalar_float(ctx, 3, 0.0f);
    const bool has_score_threshold = ctx.has_input(4);
    const float score_threshold = scalar_float(ctx, 4, 0.0f);

    // One selection per (batch, class), computed in parallel, then
    // concatenated in order.
    std::vector<std::vector<int64_t>> selected(static_cast<size_t>(batches * classes));
    parallel_for(batches * classes, spatial * 8, [&](int64_t t0, int64_t t1) {
      std::vector<int64_t> order;
      std::vector<Box> kept;
      for (int64_t t = t0; t < t1; ++t) {
        const int64_t b = t / classes;
        const float* score = scores.data<float>() + t * spatial;
        const float* box = boxes.data<float>() + b * spatial * 4;
        order.clear();
        for (int64_t i = 0; i < spatial; ++i)
          if (!has_score_threshold || score[i] > score_threshold) order.push_back(i);
        std::stable_sort(order.begin(), order.end(),
                         [&](int64_t x, int64_t y) { return score[x] > score[y]; });
        kept.clear();
        auto& out = selected[static_cast<size_t>(t)];
        for (int64_t i : order) {
          if (static_cast<int64_t>(out.size()) >= max_out) break;
          const Box candidate = read_box(box + i * 4, center_point_box_ != 0);
          const bool drop = std::any_of(kept.begin(), kept.end(), [&](const Box& k) {
            return suppresses(k, candidate, iou_threshold);
          });
          if (drop) continue;
          kept.push_back(candidate);
          out.push_back(i);
        }
      }
    });

    int64_t total = 0;
    for (const auto& s : selected) total += static_cast<int64_t>(s.size());
    int64_t* y = ctx.allocate_output(0, DataType::kInt64, {total, 3}).data<int64_t>();
    for (int64_t t = 0; t < batches * classes; ++t)
      for (int64_t i : selected[static_cast<size_t>(t)]) {
        *y++ = t / classes;
        *y++ = t % classes;
        *y++ = i;
      }
  }

 private:
  static void check_inputs(const KernelContext& ctx) {
    const Tensor& boxes = ctx.input(0);
    const Tensor& scores = ctx.input(1);
    if (boxes.dtype() != DataType::kFloat || scores.dtype() != DataType::kFloat)
      ctx.fail("boxes and scores must be float, got ", ctx.input_label(0), " and ",
               ctx.input_label(1));
    if (boxes.rank() != 3 || boxes.dim(2) != 4)
      ctx.fail(ctx.input_label(0), " must have shape [num_batches, spatial_dimension, 4]");
    if (scores.rank() != 3 || scores.dim(0) != boxes.dim(0) || scores.dim(2) != boxes.dim(1))
      ctx.fail(ctx.input_label(1), " must have shape [num_batches, num_classes, ",
               "spatial_dimension] matching ", ctx.input_label(0));
    if (ctx.has_input(2) && (ctx.input(2).numel() != 1 || ctx.input(2).dtype() != DataType::kInt64))
      ctx.fail(ctx.input_label(2), " must be a single int64");
    for (size_t i : {3, 4})
      if (ctx.has_input(i) && (ctx.input(i).numel() != 1 || ctx.input(i).dtype() != DataType::kFloat))
        ctx.fail(ctx.input_label(i), " must be a single float");
  }

  // Absent or negative: select nothing (the spec's default of 0).
  static int64_t max_output(const KernelContext& ctx) {
    if (!ctx.has_input(2)) return 0;
    return std::max<int64_t>(0, *ctx.input(2).data<int64_t>());
  }

  static float scalar_float(const KernelContext& ctx, size_t i, float fallback) {
    return ctx.has_input(i) ? *ctx.input(i).data<float>() : fallback;
  }

  int64_t center_point_box_;
};

}  // namespace

// 10: introduced; 11: schema-only update (same semantics); unchanged through 21.
SKIFF_KERNEL(native, "NonMaxSuppression", 10, kLatestOpset, NonMaxSuppressionKernel);
SKIFF_KERNEL_TYPES(native, "NonMaxSuppression", 10, "boxes, scores, thresholds: float; max_output_boxes_per_class: int64; output: int64");

}  // namespace skiff
