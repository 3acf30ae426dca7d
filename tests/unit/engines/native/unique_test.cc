#include <gtest/gtest.h>

#include "support/op_test.h"

namespace skiff::testing {

TEST(Unique, NotSortedKeepsFirstOccurrenceOrder) {
  Tensor x = make<float>({6}, {2, 1, 1, 3, 4, 3});
  auto out = run_op(OpSpec("Unique").opset(11).attr("sorted", int64_t{0}).outputs(4), {x});
  EXPECT_EQ(values<float>(out[0]), (std::vector<float>{2, 1, 3, 4}));
  EXPECT_EQ(values<int64_t>(out[1]), (std::vector<int64_t>{0, 1, 3, 4}));
  EXPECT_EQ(values<int64_t>(out[2]), (std::vector<int64_t>{0, 1, 1, 2, 3, 2}));
  EXPECT_EQ(values<int64_t>(out[3]), (std::vector<int64_t>{1, 2, 2, 1}));
}

TEST(Unique, SortedSlicesAlongAxisAreLexicographic) {
  Tensor x = make<int64_t>({3, 2}, {1, 1, 0, 5, 1, 1});
  auto out = run_op(OpSpec("Unique").opset(11).attr("axis", int64_t{0}).outputs(4), {x});
  EXPECT_EQ(out[0].shape(), (Shape{2, 2}));
  EXPECT_EQ(values<int64_t>(out[0]), (std::vector<int64_t>{0, 5, 1, 1}));
  EXPECT_EQ(values<int64_t>(out[2]), (std::vector<int64_t>{1, 0, 1}));
  EXPECT_EQ(values<int64_t>(out[3]), (std::vector<int64_t>{1, 2}));
}

TEST(Unique, EmptyInputGivesEmptyOutputs) {
  Tensor x(DataType::kFloat, {0});
  auto out = run_op(OpSpec("Unique").opset(11).outputs(4), {x});
  EXPECT_EQ(out[0].numel(), 0);
  EXPECT_EQ(out[2].numel(), 0);
}

}  // namespace skiff::testing
