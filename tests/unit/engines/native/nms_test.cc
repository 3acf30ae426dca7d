#include <gtest/gtest.h>

#include "support/op_test.h"

namespace skiff {
namespace {

using testing::make;
using testing::OpSpec;
using testing::run_op;
using testing::values;

// Six boxes: two clusters of three near-duplicates and one far away.
Tensor corner_boxes() {
  return make<float>({1, 6, 4}, {0, 0, 1, 1, 0, 0.1f, 1, 1.1f, 0, -0.1f, 1, 0.9f,
                                 0, 10, 1, 11, 0, 10.1f, 1, 11.1f, 0, 100, 1, 101});
}
Tensor six_scores() { return make<float>({1, 1, 6}, {0.9f, 0.75f, 0.6f, 0.95f, 0.5f, 0.3f}); }

Tensor nms(const Tensor& boxes, const Tensor& scores, int64_t max_out, float iou,
           const Tensor& score_threshold, int64_t center_point_box = 0) {
  return run_op(OpSpec("NonMaxSuppression").opset(11).attr("center_point_box", center_point_box),
                {boxes, scores, make<int64_t>({1}, {max_out}), make<float>({1}, {iou}),
                 score_threshold})[0];
}

TEST(NonMaxSuppression, SuppressesOverlapsInScoreOrder) {
  auto out = nms(corner_boxes(), six_scores(), 3, 0.5f, make<float>({1}, {0.0f}));
  EXPECT_EQ(out.shape(), (Shape{3, 3}));
  EXPECT_EQ(values<int64_t>(out), (std::vector<int64_t>{0, 0, 3, 0, 0, 0, 0, 0, 5}));
}

TEST(NonMaxSuppression, CenterPointBoxesGiveTheSameSelection) {
  auto boxes = make<float>({1, 6, 4}, {0.5f, 0.5f, 1, 1, 0.5f, 0.6f, 1, 1, 0.5f, 0.4f, 1, 1,
                                       0.5f, 10.5f, 1, 1, 0.5f, 10.6f, 1, 1, 0.5f, 100.5f, 1, 1});
  auto out = nms(boxes, six_scores(), 3, 0.5f, make<float>({1}, {0.0f}), 1);
  EXPECT_EQ(values<int64_t>(out), (std::vector<int64_t>{0, 0, 3, 0, 0, 0, 0, 0, 5}));
}

TEST(NonMaxSuppression, ScoreThresholdIsStrict) {
  auto out = nms(corner_boxes(), six_scores(), 10, 0.5f, make<float>({1}, {0.3f}));
  EXPECT_EQ(values<int64_t>(out), (std::vector<int64_t>{0, 0, 3, 0, 0, 0}));
}

TEST(NonMaxSuppression, NoMaxOutputSelectsNothing) {
  auto out = run_op(OpSpec("NonMaxSuppression").opset(11), {corner_boxes(), six_scores()});
  EXPECT_EQ(out[0].shape(), (Shape{0, 3}));
  auto zero = nms(corner_boxes(), six_scores(), 0, 0.5f, Tensor());
  EXPECT_EQ(zero.shape(), (Shape{0, 3}));
}

TEST(NonMaxSuppression, EqualScoresKeepIndexOrderAndIdenticalBoxesCollapse) {
  auto boxes = make<float>({1, 3, 4}, {0, 0, 1, 1, 0, 0, 1, 1, 5, 5, 6, 6});
  auto scores = make<float>({1, 1, 3}, {0.5f, 0.5f, 0.5f});
  auto out = nms(boxes, scores, 5, 0.5f, Tensor());
  EXPECT_EQ(values<int64_t>(out), (std::vector<int64_t>{0, 0, 0, 0, 0, 2}));
}

TEST(NonMaxSuppression, BatchesThenClassesInOrder) {
  auto boxes = make<float>({2, 2, 4}, {0, 0, 1, 1, 0, 2, 1, 3, 0, 0, 1, 1, 0, 0, 1, 1});
  auto scores = make<float>({2, 2, 2}, {0.1f, 0.9f, 0.8f, 0.2f, 0.3f, 0.4f, 0.6f, 0.5f});
  auto out = nms(boxes, scores, 2, 0.5f, Tensor());
  EXPECT_EQ(values<int64_t>(out), (std::vector<int64_t>{0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 1, 1,
                                                        1, 0, 1, 1, 1, 0}));
}

TEST(NonMaxSuppression, RejectsMismatchedShapes) {
  try {
    run_op(OpSpec("NonMaxSuppression").opset(11),
           {corner_boxes(), make<float>({1, 1, 5}, {1, 2, 3, 4, 5})});
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kInvalidInput);
  }
}

}  // namespace
}  // namespace skiff
