#include "engines/dnnl/dnnl_test_util.h"

namespace skiff::testing {
namespace {

TEST(DnnlPool, MaxAndAverageWithPadsStridesCeilMatchReference) {
  const Tensor x = random_tensor({2, 9, 13, 11}, 1);
  const std::vector<int64_t> k3{3, 3}, s2{2, 2}, pads{1, 0, 1, 1};
  expect_dnnl_matches_native(OpSpec("MaxPool").attr("kernel_shape", k3).attr("strides", s2).attr("pads", pads), {x});
  expect_dnnl_matches_native(OpSpec("MaxPool").attr("kernel_shape", k3).attr("strides", s2).attr("ceil_mode", int64_t{1}), {x});
  expect_dnnl_matches_native(OpSpec("AveragePool").attr("kernel_shape", k3).attr("pads", pads), {x});
  expect_dnnl_matches_native(
      OpSpec("AveragePool").attr("kernel_shape", k3).attr("pads", pads).attr("count_include_pad", int64_t{1}), {x});
  expect_dnnl_matches_native(
      OpSpec("AveragePool").attr("kernel_shape", k3).attr("strides", s2).attr("ceil_mode", int64_t{1}), {x});
  expect_dnnl_matches_native(OpSpec("AveragePool")
                                 .attr("kernel_shape", k3)
                                 .attr("strides", s2)
                                 .attr("ceil_mode", int64_t{1})
                                 .attr("count_include_pad", int64_t{1}),
                             {x});
  expect_dnnl_matches_native(OpSpec("GlobalAveragePool"), {x});
  expect_dnnl_matches_native(OpSpec("GlobalMaxPool"), {x});
}

TEST(DnnlMatMul, BatchedBroadcastAndAwkwardSizesMatchReference) {
  expect_dnnl_matches_native(OpSpec("MatMul"), {random_tensor({7, 9}, 1), random_tensor({9, 17}, 2)});
  expect_dnnl_matches_native(OpSpec("MatMul"), {random_tensor({2, 3, 7, 9}, 3), random_tensor({9, 5}, 4)});
  expect_dnnl_matches_native(OpSpec("MatMul"), {random_tensor({2, 1, 7, 9}, 5), random_tensor({3, 9, 5}, 6)});
  expect_dnnl_matches_native(OpSpec("MatMul"), {random_tensor({9}, 7), random_tensor({9, 5}, 8)});  // 1-D: native
}

TEST(DnnlGemm, TransposesAlphaBiasMatchReference) {
  const Tensor a = random_tensor({7, 9}, 1), at = random_tensor({9, 7}, 2);
  const Tensor b = random_tensor({9, 13}, 3), bt = random_tensor({13, 9}, 4);
  expect_dnnl_matches_native(OpSpec("Gemm"), {a, b, random_tensor({13}, 5)});
  expect_dnnl_matches_native(OpSpec("Gemm").attr("transA", int64_t{1}).attr("transB", int64_t{1}),
                             {at, bt, random_tensor({7, 1}, 6)});
  expect_dnnl_matches_native(OpSpec("Gemm").attr("alpha", 0.5f), {a, b});
  expect_dnnl_matches_native(OpSpec("Gemm").attr("beta", 2.f), {a, b, random_tensor({7, 13}, 7)});
}

TEST(DnnlNormalization, BatchNormLrnLayerNormMatchReference) {
  const Tensor x = random_tensor({2, 9, 5, 7}, 1);
  expect_dnnl_matches_native(OpSpec("BatchNormalization").attr("epsilon", 1e-3f),
                             {x, random_tensor({9}, 2), random_tensor({9}, 3), random_tensor({9}, 4),
                              random_tensor({9}, 5, 0.5f, 2.f)});
  expect_dnnl_matches_native(OpSpec("LRN").attr("size", int64_t{3}).attr("alpha", 1e-3f), {x});
  expect_dnnl_matches_native(OpSpec("LayerNormalization").attr("axis", int64_t{-2}),
                             {x, random_tensor({5, 7}, 6), random_tensor({5, 7}, 7)}, 1e-4f, 1e-3f);
  expect_dnnl_matches_native(OpSpec("LayerNormalization"), {random_tensor({3, 17}, 8), random_tensor({17}, 9)},
                             1e-4f, 1e-3f);
}

TEST(DnnlSoftmax, AxesAndLegacyCoercionMatchReference) {
  const Tensor x = random_tensor({2, 3, 5, 7}, 1, -3.f, 3.f);
  for (int64_t axis : {-1, 0, 1, 2})
    for (const char* op : {"Softmax", "LogSoftmax"}) {
      expect_dnnl_matches_native(OpSpec(op).attr("axis", axis), {x}, 1e-5f, 1e-4f);
      expect_dnnl_matches_native(OpSpec(op).opset(11).attr("axis", axis), {x}, 1e-5f, 1e-4f);
    }
}

}  // namespace
}  // namespace skiff::testing

namespace skiff::testing {
namespace {

TEST(DnnlAttention, ScaleMaskAndOddSizesMatchReference) {
  const Tensor q = random_tensor({2, 3, 7, 9}, 1), k = random_tensor({2, 3, 5, 9}, 2), v = random_tensor({2, 3, 5, 4}, 3);
  const auto attention = [] { return OpSpec("Attention", "com.skiff").opset(1); };
  expect_dnnl_matches_native(attention(), {q, k, v});
  expect_dnnl_matches_native(attention().attr("scale", 0.25f), {q, k, v, random_tensor({7, 5}, 4)});
  expect_dnnl_matches_native(attention(), {q, k, v, random_tensor({2, 1, 1, 5}, 5)});
  expect_dnnl_matches_native(attention(), {random_tensor({17, 8}, 6), random_tensor({13, 8}, 7), random_tensor({13, 16}, 8)});
  // Keys and values past one 16-column panel of the own GEMM.
  expect_dnnl_matches_native(attention(), {random_tensor({2, 20, 24}, 9), random_tensor({2, 37, 24}, 10),
                                           random_tensor({2, 37, 40}, 11)});
}

}  // namespace
}  // namespace skiff::testing
