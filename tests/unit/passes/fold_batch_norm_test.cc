// fold_batch_norm and fold_affine_into_conv.
#include "pass_test_util.h"

namespace skiff::testing {
namespace {

void add_bn(ModelBuilder& b, const std::string& in, const std::string& out, int64_t channels) {
  b.weight(out + "_scale", random_tensor({channels}, 11, 0.5f, 1.5f))
      .weight(out + "_bias", random_tensor({channels}, 12))
      .weight(out + "_mean", random_tensor({channels}, 13))
      .weight(out + "_var", random_tensor({channels}, 14, 0.1f, 2.0f))
      .node("BatchNormalization", {in, out + "_scale", out + "_bias", out + "_mean", out + "_var"}, {out},
            {make_attr("epsilon", 1e-3f)});
}

TEST(FoldBatchNorm, ConvWithoutBias) {
  ModelBuilder b;
  b.input("x", {1, 3, 9, 9}).weight("w", random_tensor({8, 3, 3, 3}, 1)).node("Conv", {"x", "w"}, {"c"});
  add_bn(b, "c", "y", 8);
  b.output("y");
  ir::Model m = expect_pass_keeps_results(b.model, {"fold_batch_norm"});
  EXPECT_EQ(count_op(m, "BatchNormalization"), 0);
  EXPECT_EQ(m.graph.nodes[0].inputs.size(), 3u);
}

TEST(FoldBatchNorm, GroupedConvTransposeWithBias) {
  ModelBuilder b;
  b.input("x", {1, 4, 5, 5})
      .weight("w", random_tensor({4, 3, 2, 2}, 1))
      .weight("bias", random_tensor({6}, 2))
      .node("ConvTranspose", {"x", "w", "bias"}, {"c"},
            {make_attr("group", int64_t{2}), make_attr("strides", std::vector<int64_t>{2, 2})});
  add_bn(b, "c", "y", 6);
  b.output("y");
  ir::Model m = expect_pass_keeps_results(b.model, {"fold_batch_norm"});
  EXPECT_EQ(count_op(m, "BatchNormalization"), 0);
}

TEST(FoldBatchNorm, ConvTransposeWithoutBiasKeepsTheShiftAsAnAdd) {
  ModelBuilder b;
  b.input("x", {1, 4, 5, 5})
      .weight("w", random_tensor({4, 3, 3, 3}, 1))
      .node("ConvTranspose", {"x", "w"}, {"c"}, {make_attr("strides", std::vector<int64_t>{2, 2})});
  add_bn(b, "c", "y", 3);
  b.output("y");
  ir::Model m = expect_pass_keeps_results(b.model, {"fold_batch_norm", "fold_affine_into_conv"});
  EXPECT_EQ(count_op(m, "BatchNormalization"), 0);
  EXPECT_EQ(count_op(m, "Add"), 1);
  EXPECT_EQ(m.graph.nodes[0].inputs.size(), 2u);  // still no bias
}

TEST(FoldBatchNorm, ConvTransposeWithKernelEqualToStrideTakesABias) {
  ModelBuilder b;
  b.input("x", {1, 4, 5, 5})
      .weight("w", random_tensor({4, 3, 2, 2}, 1))
      .weight("shift", random_tensor({1, 3, 1, 1}, 2))
      .node("ConvTranspose", {"x", "w"}, {"c"}, {make_attr("strides", std::vector<int64_t>{2, 2})})
      .node("Add", {"c", "shift"}, {"a"});
  add_bn(b, "a", "y", 3);
  b.output("y");
  ir::Model m = expect_pass_keeps_results(b.model, {"fold_batch_norm", "fold_affine_into_conv"});
  EXPECT_EQ(count_op(m, "BatchNormalization"), 0);
  EXPECT_EQ(count_op(m, "Add"), 0);
  EXPECT_EQ(m.graph.nodes[0].inputs.size(), 3u);
}

TEST(FoldBatchNorm, GemmWithTransBAlphaBeta) {
  ModelBuilder b;
  b.input("x", {4, 7})
      .weight("w", random_tensor({5, 7}, 1))
      .weight("c", random_tensor({5}, 2))
      .node("Gemm", {"x", "w", "c"}, {"g"},
            {make_attr("transB", int64_t{1}), make_attr("alpha", 0.5f), make_attr("beta", 2.0f)});
  add_bn(b, "g", "y", 5);
  b.output("y");
  ir::Model m = expect_pass_keeps_results(b.model, {"fold_batch_norm"});
  EXPECT_EQ(count_op(m, "BatchNormalization"), 0);
}

TEST(FoldBatchNorm, ConvOutputReadElsewhereIsNotFolded) {
  ModelBuilder b;
  b.input("x", {1, 3, 5, 5}).weight("w", random_tensor({4, 3, 1, 1}, 1)).node("Conv", {"x", "w"}, {"c"});
  add_bn(b, "c", "y", 4);
  b.output("y").output("c");
  ir::Model m = expect_pass_keeps_results(b.model, {"fold_batch_norm"});
  EXPECT_EQ(count_op(m, "BatchNormalization"), 1);
}

TEST(FoldAffineIntoConv, ScalarScaleAndPerChannelShiftFold) {
  ModelBuilder b;
  b.input("x", {1, 3, 6, 6})
      .weight("w", random_tensor({4, 3, 3, 3}, 1))
      .weight("b", random_tensor({4}, 2))
      .weight("s", scalar_tensor(1.7f))
      .weight("shift", random_tensor({4, 1, 1}, 3))
      .node("Conv", {"x", "w", "b"}, {"c"})
      .node("Mul", {"s", "c"}, {"scaled"})
      .node("Sub", {"scaled", "shift"}, {"y"})
      .output("y");
  ir::Model m = expect_pass_keeps_results(b.model, {"fold_affine_into_conv"});
  EXPECT_EQ(m.graph.nodes.size(), 1u);
}

TEST(FoldAffineIntoConv, ConstantVaryingAlongSpaceStays) {
  ModelBuilder b;
  b.input("x", {1, 3, 6, 6})
      .weight("w", random_tensor({4, 3, 1, 1}, 1))
      .weight("s", random_tensor({6, 6}, 2))
      .node("Conv", {"x", "w"}, {"c"})
      .node("Mul", {"c", "s"}, {"y"})
      .output("y");
  ir::Model m = expect_pass_keeps_results(b.model, {"fold_affine_into_conv"});
  EXPECT_EQ(count_op(m, "Mul"), 1);
}

TEST(FoldAffineIntoNextConv, ScaleAndShiftBeforeAnUnpaddedGroupedConvFold) {
  ModelBuilder b;
  b.input("x", {1, 4, 5, 5})
      .weight("s", random_tensor({4, 1, 1}, 1, 0.5f, 2.0f))
      .weight("a", scalar_tensor(0.7f))
      .weight("w", random_tensor({6, 2, 3, 3}, 2))
      .weight("b", random_tensor({6}, 3))
      .node("Mul", {"x", "s"}, {"xs"})
      .node("Add", {"a", "xs"}, {"xa"})
      .node("Conv", {"xa", "w", "b"}, {"y"}, {make_attr("group", int64_t{2})})
      .output("y");
  ir::Model m = expect_pass_keeps_results(b.model, {"fold_affine_into_next_conv"});
  ASSERT_EQ(m.graph.nodes.size(), 1u);
  EXPECT_EQ(m.graph.nodes[0].inputs[0], "x");
}

TEST(FoldAffineIntoNextConv, PaddedConvIsLeftAlone) {
  ModelBuilder b;
  b.input("x", {1, 2, 5, 5})
      .weight("a", scalar_tensor(0.7f))
      .weight("w", random_tensor({3, 2, 3, 3}, 2))
      .node("Add", {"x", "a"}, {"xa"})
      .node("Conv", {"xa", "w"}, {"y"}, {make_attr("pads", std::vector<int64_t>{1, 1, 1, 1})})
      .output("y");
  ir::Model m = expect_pass_keeps_results(b.model, {"fold_affine_into_next_conv"});
  EXPECT_EQ(count_op(m, "Add"), 1);
}

}  // namespace
}  // namespace skiff::testing
