#include "engines/dnnl/dnnl_test_util.h"

namespace skiff::testing {
namespace {

TEST(DnnlConv, AwkwardChannelsAndSizesMatchReference) {
  uint64_t seed = 1;
  for (int64_t c : {1, 3, 7, 8, 9, 17})
    for (int64_t m : {1, 8, 13, 16})
      for (int64_t size : {1, 5, 9}) {
        const Tensor x = random_tensor({2, c, size, size + 2}, seed++);
        const Tensor w = random_tensor({m, c, 3, 3}, seed++);
        const Tensor b = random_tensor({m}, seed++);
        expect_dnnl_matches_native(OpSpec("Conv").attr("pads", std::vector<int64_t>{1, 1, 1, 1}), {x, w, b});
      }
}

TEST(DnnlConv, GroupsDepthwiseDilationsAsymmetricPadsMatchReference) {
  const Tensor x = random_tensor({1, 16, 11, 13}, 7);
  expect_dnnl_matches_native(OpSpec("Conv").attr("group", int64_t{16}).attr("pads", std::vector<int64_t>{1, 0, 2, 1}),
                             {x, random_tensor({16, 1, 3, 3}, 8)});
  expect_dnnl_matches_native(OpSpec("Conv").attr("group", int64_t{4}).attr("strides", std::vector<int64_t>{2, 1}),
                             {x, random_tensor({8, 4, 3, 3}, 9), random_tensor({8}, 10)});
  expect_dnnl_matches_native(OpSpec("Conv").attr("dilations", std::vector<int64_t>{2, 3}).attr("auto_pad", "SAME_UPPER"),
                             {x, random_tensor({5, 16, 3, 3}, 11)});
  expect_dnnl_matches_native(OpSpec("Conv").attr("auto_pad", "SAME_LOWER").attr("strides", std::vector<int64_t>{2, 2}),
                             {x, random_tensor({9, 16, 2, 2}, 12)});
}

TEST(DnnlConv, OneAndThreeDimensionalMatchReference) {
  expect_dnnl_matches_native(OpSpec("Conv").attr("pads", std::vector<int64_t>{2, 1}),
                             {random_tensor({2, 5, 17}, 1), random_tensor({7, 5, 4}, 2)});
  expect_dnnl_matches_native(OpSpec("Conv"), {random_tensor({1, 3, 5, 6, 7}, 3), random_tensor({4, 3, 2, 3, 2}, 4)});
}

TEST(DnnlConv, KernelLargerThanPaddedInputFallsBackToNativeError) {
  EXPECT_THROW(run_op(OpSpec("Conv").engine("dnnl"), {random_tensor({1, 1, 2, 2}, 1), random_tensor({1, 1, 3, 3}, 2)}),
               Error);
}

TEST(DnnlConvTranspose, StridesPadsGroupsMatchReference) {
  expect_dnnl_matches_native(OpSpec("ConvTranspose").attr("strides", std::vector<int64_t>{2, 2}),
                             {random_tensor({1, 8, 5, 7}, 1), random_tensor({8, 3, 2, 2}, 2), random_tensor({3}, 3)});
  expect_dnnl_matches_native(
      OpSpec("ConvTranspose").attr("strides", std::vector<int64_t>{2, 3}).attr("pads", std::vector<int64_t>{1, 0, 1, 2}),
      {random_tensor({2, 4, 6, 5}, 4), random_tensor({4, 5, 3, 4}, 5)});
  expect_dnnl_matches_native(OpSpec("ConvTranspose").attr("group", int64_t{2}),
                             {random_tensor({1, 4, 3, 3}, 6), random_tensor({4, 3, 3, 3}, 7)});
  // output_padding: the native fallback inside the region.
  expect_dnnl_matches_native(
      OpSpec("ConvTranspose").attr("strides", std::vector<int64_t>{2, 2}).attr("output_padding", std::vector<int64_t>{1, 1}),
      {random_tensor({1, 2, 3, 3}, 8), random_tensor({2, 2, 3, 3}, 9)});
}

}  // namespace
}  // namespace skiff::testing

namespace skiff::testing {
namespace {

TEST(DnnlFusedConv, ResidualAndActivationsMatchReference) {
  const Tensor x = random_tensor({1, 8, 9, 7}, 1), w = random_tensor({16, 8, 3, 3}, 2), b = random_tensor({16}, 3);
  const Tensor z = random_tensor({1, 16, 9, 7}, 4);
  const auto fused = [](const char* activation) {
    return OpSpec("FusedConv", "com.skiff").opset(1).attr("pads", std::vector<int64_t>{1, 1, 1, 1}).attr("activation", activation);
  };
  for (const char* activation : {"", "Relu", "HardSwish", "Sigmoid", "Tanh"}) {
    expect_dnnl_matches_native(fused(activation), {x, w, b});
    expect_dnnl_matches_native(fused(activation), {x, w, b, z});
  }
  expect_dnnl_matches_native(fused("Clip").attr("activation_params", std::vector<float>{-0.5f, 0.5f}), {x, w, b, z});
  expect_dnnl_matches_native(fused("HardSigmoid").attr("activation_params", std::vector<float>{0.2f, 0.5f}), {x, w, b});
  expect_dnnl_matches_native(fused("LeakyRelu").attr("activation_params", std::vector<float>{0.1f}), {x, w, Tensor(), z});
}

TEST(DnnlFusedGemm, ActivationAndBatchedMatchReference) {
  const auto fused = [](const char* activation) {
    return OpSpec("FusedGemm", "com.skiff").opset(1).attr("activation", activation);
  };
  expect_dnnl_matches_native(fused("Relu"), {random_tensor({7, 9}, 1), random_tensor({9, 5}, 2), random_tensor({5}, 3)});
  expect_dnnl_matches_native(fused("Gelu").attr("transB", int64_t{1}),
                             {random_tensor({2, 7, 9}, 4), random_tensor({5, 9}, 5), random_tensor({5}, 6)});
}

}  // namespace
}  // namespace skiff::testing
