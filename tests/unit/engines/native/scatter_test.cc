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

TEST(ScatterElements, WritesAlongAxisWithoutTouchingData) {
  Tensor data = Tensor::zeros(DataType::kFloat, {3, 3});
  Tensor idx = ints({1, 0, 2, 0, 2, 1}).reshaped({2, 3});
  Tensor upd = make<float>({2, 3}, {1.0f, 1.1f, 1.2f, 2.0f, 2.1f, 2.2f});
  Tensor y = run_op("ScatterElements", {data, idx, upd})[0];
  EXPECT_EQ(values<float>(y), (std::vector<float>{2.0f, 1.1f, 0, 1.0f, 0, 2.2f, 0, 2.1f, 1.2f}));
  EXPECT_EQ(values<float>(data), std::vector<float>(9, 0.0f));
}

TEST(ScatterElements, NegativeIndexOnLastAxisAndScatterAlias) {
  Tensor data = make<int32_t>({1, 5}, {1, 2, 3, 4, 5});
  Tensor idx = ints({1, -2}).reshaped({1, 2});
  Tensor upd = make<int32_t>({1, 2}, {11, 21});
  EXPECT_EQ(values<int32_t>(run_op(OpSpec("ScatterElements").attr("axis", 1), {data, idx, upd})[0]),
            (std::vector<int32_t>{1, 11, 3, 21, 5}));
  EXPECT_EQ(values<int32_t>(run_op(OpSpec("Scatter").opset(9).attr("axis", 1), {data, idx, upd})[0]),
            (std::vector<int32_t>{1, 11, 3, 21, 5}));
}

TEST(ScatterElements, ReductionsCombineRepeatedIndices) {
  Tensor data = make<float>({1, 3}, {1, 2, 3});
  Tensor idx = ints({1, 1}).reshaped({1, 2});
  Tensor upd = make<float>({1, 2}, {4, 5});
  auto run = [&](const char* r, int64_t opset) {
    return values<float>(run_op(OpSpec("ScatterElements").opset(opset).attr("axis", 1).attr("reduction", r),
                                {data, idx, upd})[0]);
  };
  EXPECT_EQ(run("add", 16), (std::vector<float>{1, 11, 3}));
  EXPECT_EQ(run("mul", 16), (std::vector<float>{1, 40, 3}));
  EXPECT_EQ(run("max", 18), (std::vector<float>{1, 5, 3}));
  EXPECT_EQ(run("min", 18), (std::vector<float>{1, 2, 3}));
  EXPECT_EQ(error_code([&] { run("max", 16); }), ErrorCode::kInvalidModel);
}

TEST(ScatterElements, BadIndicesFail) {
  Tensor data = iota<float>({2, 2});
  EXPECT_EQ(error_code([&] {
              run_op("ScatterElements", {data, ints({2}).reshaped({1, 1}), make<float>({1, 1}, {0})});
            }),
            ErrorCode::kRuntime);
  EXPECT_EQ(error_code([&] {
              run_op("ScatterElements", {data, ints({0}).reshaped({1, 1}), make<float>({1}, {0})});
            }),
            ErrorCode::kInvalidInput);
}

TEST(ScatterND, SlicesAndReductions) {
  Tensor data = iota<float>({4, 2});
  Tensor idx = ints({3, 0, 3}).reshaped({3, 1});
  Tensor upd = make<float>({3, 2}, {10, 20, 30, 40, 1, 1});
  EXPECT_EQ(values<float>(run_op(OpSpec("ScatterND").opset(16).attr("reduction", "add"), {data, idx, upd})[0]),
            (std::vector<float>{30, 41, 2, 3, 4, 5, 17, 28}));
  Tensor one = run_op("ScatterND", {data, ints({1, 1}).reshaped({1, 2}), make<float>({1}, {-1})})[0];
  EXPECT_EQ(values<float>(one), (std::vector<float>{0, 1, 2, -1, 4, 5, 6, 7}));
}

TEST(ScatterND, StringsAndBadIndices) {
  Tensor data = make<std::string>({3}, {"a", "b", "c"});
  Tensor y = run_op("ScatterND", {data, ints({-1}).reshaped({1, 1}), make<std::string>({1}, {"z"})})[0];
  EXPECT_EQ(values<std::string>(y), (std::vector<std::string>{"a", "b", "z"}));
  EXPECT_EQ(error_code([&] {
              run_op("ScatterND", {data, ints({3}).reshaped({1, 1}), make<std::string>({1}, {"z"})});
            }),
            ErrorCode::kRuntime);
  EXPECT_EQ(error_code([&] {
              run_op("ScatterND", {data, ints({0}).reshaped({1, 1}), make<std::string>({2}, {"z", "y"})});
            }),
            ErrorCode::kInvalidInput);
}

}  // namespace
}  // namespace skiff
