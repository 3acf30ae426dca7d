#include <gtest/gtest.h>

#include "engines/native/manip_test_util.h"

namespace skiff {
namespace {

using testing::error_code;
using testing::iota;
using testing::ints;
using testing::make;
using testing::OpSpec;
using testing::run_op;
using testing::values;

TEST(Concat, MiddleAxisInterleavesRuns) {
  Tensor a = make<int32_t>({2, 1, 2}, {1, 2, 3, 4});
  Tensor b = make<int32_t>({2, 2, 2}, {5, 6, 7, 8, 9, 10, 11, 12});
  Tensor y = run_op(OpSpec("Concat").attr("axis", -2), {a, b})[0];
  EXPECT_EQ(y.shape(), (Shape{2, 3, 2}));
  EXPECT_EQ(values<int32_t>(y), (std::vector<int32_t>{1, 2, 5, 6, 7, 8, 3, 4, 9, 10, 11, 12}));
}

TEST(Concat, EmptyInputsAndStrings) {
  Tensor e(DataType::kString, {0, 2});
  Tensor s = make<std::string>({1, 2}, {"x", "y"});
  Tensor y = run_op(OpSpec("Concat").attr("axis", 0), {e, s, e, s})[0];
  EXPECT_EQ(values<std::string>(y), (std::vector<std::string>{"x", "y", "x", "y"}));
  EXPECT_EQ(run_op(OpSpec("Concat").attr("axis", 1), {Tensor(DataType::kFloat, {0, 2}),
                                                      Tensor(DataType::kFloat, {0, 3})})[0].shape(),
            (Shape{0, 5}));
}

TEST(Concat, LargeMatchesManualCopy) {
  Tensor a = iota<float>({17, 9, 33});
  Tensor b = iota<float>({17, 8, 33});
  Tensor y = run_op(OpSpec("Concat").attr("axis", 1), {a, b})[0];
  for (int64_t o = 0; o < 17; ++o)
    for (int64_t j = 0; j < 17 * 33; ++j) {
      const float expected = j < 9 * 33 ? a.data<float>()[o * 9 * 33 + j] : b.data<float>()[o * 8 * 33 + j - 9 * 33];
      ASSERT_EQ(y.data<float>()[o * 17 * 33 + j], expected);
    }
}

TEST(Concat, MismatchedShapesFail) {
  EXPECT_EQ(error_code([&] {
              run_op(OpSpec("Concat").attr("axis", 0), {iota<float>({1, 2}), iota<float>({1, 3})});
            }),
            ErrorCode::kInvalidInput);
  EXPECT_EQ(error_code([&] { run_op(OpSpec("Concat").attr("axis", 2), {iota<float>({1, 2})}); }),
            ErrorCode::kInvalidInput);
  EXPECT_EQ(error_code([&] { run_op(OpSpec("Concat").attr("axis", 0), {iota<float>({2}), iota<int32_t>({2})}); }),
            ErrorCode::kInvalidInput);
}

TEST(Split, EqualPartsByOutputCount) {
  auto out = run_op(OpSpec("Split").attr("axis", 1).outputs(3), {iota<float>({2, 6})});
  ASSERT_EQ(out.size(), 3u);
  EXPECT_EQ(values<float>(out[0]), (std::vector<float>{0, 1, 6, 7}));
  EXPECT_EQ(values<float>(out[2]), (std::vector<float>{4, 5, 10, 11}));
}

TEST(Split, SizesFromAttributeOrInput) {
  Tensor x = iota<int64_t>({7});
  auto a = run_op(OpSpec("Split").opset(11).attr("split", std::vector<int64_t>{2, 5}).outputs(2), {x});
  EXPECT_EQ(values<int64_t>(a[1]), (std::vector<int64_t>{2, 3, 4, 5, 6}));
  auto b = run_op(OpSpec("Split").opset(13).outputs(3), {x, ints({3, 0, 4})});
  EXPECT_EQ(b[1].shape(), (Shape{0}));
  EXPECT_EQ(values<int64_t>(b[2]), (std::vector<int64_t>{3, 4, 5, 6}));
}

TEST(Split, NumOutputsGivesSmallerLastChunk) {
  auto out = run_op(OpSpec("Split").opset(18).attr("num_outputs", 3).outputs(3), {iota<float>({7})});
  EXPECT_EQ(out[0].shape(), (Shape{3}));
  EXPECT_EQ(out[1].shape(), (Shape{3}));
  EXPECT_EQ(values<float>(out[2]), (std::vector<float>{6}));
}

TEST(Split, BadSplitsFail) {
  Tensor x = iota<float>({7});
  EXPECT_EQ(error_code([&] { run_op(OpSpec("Split").opset(13).outputs(2), {x}); }), ErrorCode::kInvalidInput);
  EXPECT_EQ(error_code([&] { run_op(OpSpec("Split").opset(13).outputs(2), {x, ints({3, 3})}); }),
            ErrorCode::kInvalidInput);
  EXPECT_EQ(error_code([&] { run_op(OpSpec("Split").opset(13).outputs(2), {x, ints({8, -1})}); }),
            ErrorCode::kInvalidInput);
  EXPECT_EQ(error_code([&] { run_op(OpSpec("Split").opset(18).attr("num_outputs", 3).outputs(2), {x}); }),
            ErrorCode::kInvalidModel);
}

}  // namespace
}  // namespace skiff
