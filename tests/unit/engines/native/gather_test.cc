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

TEST(Gather, Axis1WithNegativeAndInt32Indices) {
  Tensor x = iota<float>({2, 3, 2});
  Tensor idx = make<int32_t>({2, 2}, {0, -1, 2, 1});
  Tensor y = run_op(OpSpec("Gather").attr("axis", 1), {x, idx})[0];
  EXPECT_EQ(y.shape(), (Shape{2, 2, 2, 2}));
  EXPECT_EQ(values<float>(y),
            (std::vector<float>{0, 1, 4, 5, 4, 5, 2, 3, 6, 7, 10, 11, 10, 11, 8, 9}));
}

TEST(Gather, ScalarIndexDropsTheAxis) {
  Tensor y = run_op("Gather", {iota<int64_t>({3, 2}), Tensor::scalar(int64_t{2})})[0];
  EXPECT_EQ(y.shape(), (Shape{2}));
  EXPECT_EQ(values<int64_t>(y), (std::vector<int64_t>{4, 5}));
}

TEST(Gather, StringsAndEmptyIndices) {
  Tensor s = make<std::string>({3}, {"a", "b", "c"});
  EXPECT_EQ(values<std::string>(run_op("Gather", {s, ints({2, 0, 2})})[0]),
            (std::vector<std::string>{"c", "a", "c"}));
  EXPECT_EQ(run_op("Gather", {s, ints({})})[0].shape(), (Shape{0}));
}

TEST(Gather, OutOfRangeIndexIsRuntimeError) {
  Tensor x = iota<float>({3});
  EXPECT_EQ(error_code([&] { run_op("Gather", {x, ints({3})}); }), ErrorCode::kRuntime);
  EXPECT_EQ(error_code([&] { run_op("Gather", {x, ints({-4})}); }), ErrorCode::kRuntime);
  EXPECT_EQ(error_code([&] { run_op("Gather", {x, make<float>({1}, {0})}); }), ErrorCode::kInvalidInput);
}

TEST(GatherElements, PicksAlongAxis) {
  Tensor x = make<int32_t>({3, 3}, {1, 2, 3, 4, 5, 6, 7, 8, 9});
  Tensor idx = ints({1, 2, 0, 2, 0, 0});
  Tensor y0 = run_op(OpSpec("GatherElements").attr("axis", 0), {x, idx.reshaped({2, 3})})[0];
  EXPECT_EQ(values<int32_t>(y0), (std::vector<int32_t>{4, 8, 3, 7, 2, 3}));
  Tensor y1 = run_op(OpSpec("GatherElements").attr("axis", -1), {x, ints({-1, 0, 1, 1}).reshaped({2, 2})})[0];
  EXPECT_EQ(values<int32_t>(y1), (std::vector<int32_t>{3, 1, 5, 5}));
  EXPECT_EQ(error_code([&] { run_op("GatherElements", {x, ints({3}).reshaped({1, 1})}); }),
            ErrorCode::kRuntime);
  EXPECT_EQ(error_code([&] { run_op("GatherElements", {x, ints({0, 0, 0, 0}).reshaped({1, 4})}); }),
            ErrorCode::kInvalidInput);
}

TEST(GatherND, TuplesAndBatchDims) {
  Tensor x = iota<float>({2, 2, 2});
  Tensor y = run_op("GatherND", {x, ints({0, 1, 1, 0}).reshaped({2, 2})})[0];
  EXPECT_EQ(y.shape(), (Shape{2, 2}));
  EXPECT_EQ(values<float>(y), (std::vector<float>{2, 3, 4, 5}));
  Tensor b = run_op(OpSpec("GatherND").attr("batch_dims", 1), {x, ints({1, -1}).reshaped({2, 1})})[0];
  EXPECT_EQ(b.shape(), (Shape{2, 2}));
  EXPECT_EQ(values<float>(b), (std::vector<float>{2, 3, 6, 7}));
  Tensor full = run_op("GatherND", {x, ints({1, 0, 1}).reshaped({1, 3})})[0];
  EXPECT_EQ(values<float>(full), (std::vector<float>{5}));
}

TEST(GatherND, BadIndicesFail) {
  Tensor x = iota<float>({2, 2});
  EXPECT_EQ(error_code([&] { run_op("GatherND", {x, ints({0, 2}).reshaped({1, 2})}); }), ErrorCode::kRuntime);
  EXPECT_EQ(error_code([&] { run_op("GatherND", {x, ints({0, 0, 0}).reshaped({1, 3})}); }),
            ErrorCode::kInvalidInput);
  EXPECT_EQ(error_code([&] {
              run_op(OpSpec("GatherND").attr("batch_dims", 1), {x, ints({0, 0, 0}).reshaped({3, 1})});
            }),
            ErrorCode::kInvalidInput);
}

}  // namespace
}  // namespace skiff
