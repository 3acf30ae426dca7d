// fuse_matmul_add, fold_transpose_into_gemm, fuse_layer_norm, fuse_attention.
#include "pass_test_util.h"

namespace skiff::testing {
namespace {

TEST(FuseMatMulAdd, TwoDimensionalBecomesGemm) {
  ModelBuilder b;
  b.input("x", {4, 8})
      .weight("w", random_tensor({8, 6}, 1))
      .weight("bias", random_tensor({6}, 2))
      .node("MatMul", {"x", "w"}, {"m"})
      .node("Add", {"bias", "m"}, {"y"})
      .output("y");
  ir::Model m = expect_pass_keeps_results(b.model, {"fuse_matmul_add"});
  EXPECT_EQ(count_op(m, "Gemm"), 1);
  EXPECT_EQ(m.graph.nodes.size(), 1u);
}

ModelBuilder batched_matmul_add() {
  ModelBuilder b;
  b.input("x", {2, -1, 8})
      .weight("w", random_tensor({8, 6}, 1))
      .weight("bias", random_tensor({6}, 2))
      .node("MatMul", {"x", "w"}, {"m"})
      .node("Add", {"m", "bias"}, {"y"})
      .output("y");
  return b;
}

TEST(FuseMatMulAdd, BatchedBecomesFusedGemm) {
  ir::Model m = expect_pass_keeps_results(batched_matmul_add().model, {"fuse_matmul_add"});
  EXPECT_EQ(count_op(m, "FusedGemm"), 1);
  EXPECT_EQ(m.opset(passes::kSkiffDomain), passes::kSkiffOpset);
}

TEST(FuseMatMulAdd, PortableModeKeepsStandardOps) {
  passes::PassOptions options;
  options.portable = true;
  ir::Model m = expect_pass_keeps_results(batched_matmul_add().model, {"fuse_matmul_add"}, options);
  EXPECT_EQ(count_op(m, "FusedGemm"), 0);
  EXPECT_EQ(count_op(m, "MatMul"), 1);
}

TEST(FoldTransposeIntoGemm, TransposedOperandsBecomeFlags) {
  ModelBuilder b;
  b.input("a", {8, 4})
      .weight("w", random_tensor({6, 8}, 1))
      .node("Transpose", {"a"}, {"at"}, {make_attr("perm", std::vector<int64_t>{1, 0})})
      .node("Transpose", {"w"}, {"wt"}, {make_attr("perm", std::vector<int64_t>{1, 0})})
      .node("Gemm", {"at", "wt"}, {"g"})
      .node("Transpose", {"w"}, {"wt2"})
      .node("MatMul", {"g", "w"}, {"y0"})
      .node("Relu", {"y0"}, {"y"})
      .output("y");
  ir::Model m = expect_pass_keeps_results(b.model, {"fold_transpose_into_gemm", "eliminate_dead_code"});
  EXPECT_EQ(count_op(m, "Transpose"), 0);
  EXPECT_EQ(passes::attr_int(m.graph.nodes[0], "transA", 0), 1);
  EXPECT_EQ(passes::attr_int(m.graph.nodes[0], "transB", 0), 1);
}

// The expansion PaddleOCR's recognizer exports for LayerNorm over the last axis.
ModelBuilder layer_norm(int64_t opset, bool affine) {
  ModelBuilder b(opset);
  b.input("x", {2, -1, 16})
      .weight("two", scalar_tensor(2.0f))
      .weight("eps", scalar_tensor(1e-5f))
      .weight("gamma", random_tensor({16}, 1))
      .weight("beta", random_tensor({16}, 2))
      .node("ReduceMean", {"x"}, {"m"}, {make_attr("axes", std::vector<int64_t>{-1})})
      .node("Sub", {"x", "m"}, {"d"})
      .node("Pow", {"d", "two"}, {"p"})
      .node("ReduceMean", {"p"}, {"v"}, {make_attr("axes", std::vector<int64_t>{-1})})
      .node("Add", {"v", "eps"}, {"e"})
      .node("Sqrt", {"e"}, {"s"})
      .node("Div", {"d", "s"}, {affine ? "n" : "y"});
  if (affine) b.node("Mul", {"n", "gamma"}, {"g"}).node("Add", {"g", "beta"}, {"y"});
  b.output("y");
  return b;
}

TEST(FuseLayerNorm, ExpansionBecomesSkiffLayerNormalizationBeforeOpset17) {
  ir::Model m = expect_pass_keeps_results(layer_norm(11, true).model, {"fuse_layer_norm"});
  ASSERT_EQ(m.graph.nodes.size(), 1u);
  EXPECT_EQ(m.graph.nodes[0].op_type, "LayerNormalization");
  EXPECT_EQ(m.graph.nodes[0].domain, passes::kSkiffDomain);
}

TEST(FuseLayerNorm, StandardOpFromOpset17AndWithoutAffine) {
  ModelBuilder b = layer_norm(17, false);
  b.model.graph.inputs[0].type.shape->at(1).value = 3;  // the Scale of ones needs known dims
  ir::Model m = expect_pass_keeps_results(b.model, {"fuse_layer_norm"});
  ASSERT_EQ(m.graph.nodes.size(), 1u);
  EXPECT_EQ(m.graph.nodes[0].domain, "");
}

TEST(FuseLayerNorm, PortableModeBeforeOpset17LeavesTheExpansion) {
  passes::PassOptions options;
  options.portable = true;
  ir::Model m = expect_pass_keeps_results(layer_norm(11, true).model, {"fuse_layer_norm"}, options);
  EXPECT_EQ(count_op(m, "LayerNormalization"), 0);
}

// softmax(Q * scale @ Kᵀ) @ V as PaddleOCR's recognizer writes it.
ModelBuilder attention(bool mask) {
  // The mask's last dim must provably match the keys: fixed lengths then.
  const int64_t len = mask ? 5 : -1;
  ModelBuilder b;
  b.input("q", {2, 4, len, 8})
      .input("k", {2, 4, len, 8})
      .input("v", {2, 4, len, 8})
      .weight("scale", scalar_tensor(0.35f))
      .weight("mask", random_tensor({1, 1, 1, 5}, 9))
      .node("Mul", {"q", "scale"}, {"qs"})
      .node("Transpose", {"k"}, {"kt"}, {make_attr("perm", std::vector<int64_t>{0, 1, 3, 2})})
      .node("MatMul", {"qs", "kt"}, {"scores"});
  std::string s = "scores";
  if (mask) {
    b.node("Add", {"scores", "mask"}, {"masked"});
    s = "masked";
  }
  b.node("Softmax", {s}, {"p"}, {make_attr("axis", int64_t{-1})}).node("MatMul", {"p", "v"}, {"y"}).output("y");
  return b;
}

TEST(FuseAttention, ScaledDotProductBecomesAttention) {
  ir::Model m = expect_pass_keeps_results(attention(false).model, {"fuse_attention"});
  ASSERT_EQ(m.graph.nodes.size(), 1u);
  EXPECT_EQ(m.graph.nodes[0].op_type, "Attention");
  EXPECT_FLOAT_EQ(passes::attr_float(m.graph.nodes[0], "scale", 0), 0.35f);
}

TEST(FuseAttention, MaskIsKept) {
  ir::Model m = expect_pass_keeps_results(attention(true).model, {"fuse_attention"});
  ASSERT_EQ(m.graph.nodes.size(), 1u);
  EXPECT_EQ(m.graph.nodes[0].inputs.size(), 4u);
}

TEST(FuseAttention, ProbabilitiesReadElsewhereBlockTheFusion) {
  ModelBuilder b = attention(false);
  b.output("p");
  ir::Model m = expect_pass_keeps_results(b.model, {"fuse_attention"});
  EXPECT_EQ(count_op(m, "Attention"), 0);
}

}  // namespace
}  // namespace skiff::testing
