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

std::vector<float> pad1d(const char* mode, std::vector<int64_t> pads, int64_t opset = 19) {
  Tensor x = make<float>({4}, {1, 2, 3, 4});
  return values<float>(run_op(OpSpec("Pad").opset(opset).attr("mode", mode), {x, ints(pads)})[0]);
}

TEST(Pad, ModesOn1D) {
  EXPECT_EQ(pad1d("constant", {2, 1}), (std::vector<float>{0, 0, 1, 2, 3, 4, 0}));
  EXPECT_EQ(pad1d("edge", {2, 1}), (std::vector<float>{1, 1, 1, 2, 3, 4, 4}));
  EXPECT_EQ(pad1d("reflect", {2, 1}), (std::vector<float>{3, 2, 1, 2, 3, 4, 3}));
  EXPECT_EQ(pad1d("wrap", {2, 1}), (std::vector<float>{3, 4, 1, 2, 3, 4, 1}));
  // Reflect and wrap wider than the axis keep going periodically (numpy).
  EXPECT_EQ(pad1d("reflect", {5, 0}), (std::vector<float>{2, 3, 4, 3, 2, 1, 2, 3, 4}));
  EXPECT_EQ(pad1d("wrap", {0, 6}), (std::vector<float>{1, 2, 3, 4, 1, 2, 3, 4, 1, 2}));
}

TEST(Pad, NegativePadsCrop) {
  EXPECT_EQ(pad1d("constant", {-1, 2}), (std::vector<float>{2, 3, 4, 0, 0}));
  EXPECT_EQ(pad1d("edge", {1, -3}), (std::vector<float>{1, 1}));
  EXPECT_EQ(error_code([&] { pad1d("constant", {-3, -2}); }), ErrorCode::kInvalidInput);
}

TEST(Pad, ConstantValueInputAnd2D) {
  Tensor x = make<int32_t>({2, 2}, {1, 2, 3, 4});
  Tensor y = run_op("Pad", {x, ints({1, 0, 0, 1}), Tensor::scalar(int32_t{9})})[0];
  EXPECT_EQ(y.shape(), (Shape{3, 3}));
  EXPECT_EQ(values<int32_t>(y), (std::vector<int32_t>{9, 9, 9, 1, 2, 9, 3, 4, 9}));
  Tensor r = run_op(OpSpec("Pad").attr("mode", "reflect"), {iota<float>({3, 3}), ints({1, 1, 1, 1})})[0];
  EXPECT_EQ(values<float>(r), (std::vector<float>{4, 3, 4, 5, 4, 1, 0, 1, 2, 1, 4, 3, 4, 5, 4,
                                                  7, 6, 7, 8, 7, 4, 3, 4, 5, 4}));
}

TEST(Pad, AttributesBeforeOpset11) {
  Tensor x = make<float>({2}, {1, 2});
  auto y = run_op(OpSpec("Pad").opset(2).attr("pads", std::vector<int64_t>{1, 1}).attr("value", 1.5f), {x})[0];
  EXPECT_EQ(values<float>(y), (std::vector<float>{1.5f, 1, 2, 1.5f}));
  auto p = run_op(OpSpec("Pad").opset(1).attr("paddings", std::vector<int64_t>{0, 1}), {x})[0];
  EXPECT_EQ(values<float>(p), (std::vector<float>{1, 2, 0}));
}

TEST(Pad, AxesInputFromOpset18) {
  Tensor x = iota<float>({2, 2});
  Tensor y = run_op(OpSpec("Pad").opset(18), {x, ints({1, 1}), Tensor(), ints({-1})})[0];
  EXPECT_EQ(values<float>(y), (std::vector<float>{0, 0, 1, 0, 0, 2, 3, 0}));
}

TEST(Pad, EmptyAxisOnlyPadsWithConstant) {
  Tensor e(DataType::kFloat, {0, 2});
  EXPECT_EQ(run_op("Pad", {e, ints({1, 0, 1, 0})})[0].shape(), (Shape{2, 2}));
  EXPECT_EQ(error_code([&] { run_op(OpSpec("Pad").attr("mode", "edge"), {e, ints({1, 0, 1, 0})}); }),
            ErrorCode::kInvalidInput);
  EXPECT_EQ(error_code([&] { run_op(OpSpec("Pad").opset(18).attr("mode", "wrap"), {e, ints({0, 0, 0, 0})}); }),
            ErrorCode::kInvalidModel);
}

TEST(Pad, StringsAndBools) {
  Tensor s = make<std::string>({1}, {"a"});
  EXPECT_EQ(values<std::string>(run_op("Pad", {s, ints({1, 0}), make<std::string>({}, {"z"})})[0]),
            (std::vector<std::string>{"z", "a"}));
  Tensor b = make<bool>({1}, {true});
  EXPECT_EQ(values<bool>(run_op(OpSpec("Pad").attr("mode", "edge"), {b, ints({0, 2})})[0]),
            (std::vector<bool>{true, true, true}));
}

}  // namespace
}  // namespace skiff
