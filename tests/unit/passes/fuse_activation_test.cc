// fuse_activation and fuse_conv_add: every activation form becomes the
// FusedConv / FusedGemm activation, results unchanged.
#include "pass_test_util.h"

namespace skiff::testing {
namespace {

using passes::kSkiffDomain;

ModelBuilder conv_model(int64_t opset = 13) {
  ModelBuilder b(opset);
  b.input("x", {1, 3, 7, 7})
      .weight("w", random_tensor({5, 3, 3, 3}, 1))
      .weight("b", random_tensor({5}, 2))
      .node("Conv", {"x", "w", "b"}, {"c"}, {make_attr("pads", std::vector<int64_t>{1, 1, 1, 1})});
  return b;
}

std::string fused_activation(const ir::Model& m) {
  for (const auto& n : m.graph.nodes)
    if (n.domain == kSkiffDomain) return passes::attr_string(n, "activation", "<none>");
  return "<not fused>";
}

void expect_fused(ModelBuilder& b, const std::string& activation) {
  b.output("y");
  ir::Model m = expect_pass_keeps_results(b.model, {"fuse_activation"});
  EXPECT_EQ(fused_activation(m), activation);
  EXPECT_EQ(m.graph.nodes.size(), 1u);
}

TEST(FuseActivation, ConvRelu) {
  ModelBuilder b = conv_model();
  b.node("Relu", {"c"}, {"y"});
  expect_fused(b, "Relu");
}

TEST(FuseActivation, ConvClipWithInputBounds) {
  ModelBuilder b = conv_model(11);
  b.weight("lo", scalar_tensor(-0.5f)).weight("hi", scalar_tensor(0.5f)).node("Clip", {"c", "lo", "hi"}, {"y"});
  expect_fused(b, "Clip");
}

TEST(FuseActivation, ConvLeakyReluAndHardSigmoidKeepTheirParameters) {
  ModelBuilder b = conv_model();
  b.node("LeakyRelu", {"c"}, {"y"}, {make_attr("alpha", 0.3f)});
  expect_fused(b, "LeakyRelu");
  ModelBuilder h = conv_model();
  h.node("HardSigmoid", {"c"}, {"y"}, {make_attr("alpha", 0.3f), make_attr("beta", 0.4f)});
  expect_fused(h, "HardSigmoid");
}

TEST(FuseActivation, SiluAsXTimesSigmoid) {
  ModelBuilder b = conv_model();
  b.node("Sigmoid", {"c"}, {"s"}).node("Mul", {"s", "c"}, {"y"});
  expect_fused(b, "Silu");
}

TEST(FuseActivation, HardSwishAsXTimesHardSigmoid) {
  ModelBuilder b = conv_model();
  b.node("HardSigmoid", {"c"}, {"h"}, {make_attr("alpha", 1.0f / 6), make_attr("beta", 0.5f)})
      .node("Mul", {"c", "h"}, {"y"});
  expect_fused(b, "HardSwish");
}

TEST(FuseActivation, HardSwishInPaddleOcrForm) {
  // x * Clip(x + 3, 0, 6) / 6 with Clip bounds as inputs (opset 11).
  ModelBuilder b = conv_model(11);
  b.weight("three", scalar_tensor(3.0f))
      .weight("zero", scalar_tensor(0.0f))
      .weight("six", scalar_tensor(6.0f))
      .node("Add", {"c", "three"}, {"a"})
      .node("Clip", {"a", "zero", "six"}, {"cl"})
      .node("Mul", {"c", "cl"}, {"m"})
      .node("Div", {"m", "six"}, {"y"});
  expect_fused(b, "HardSwish");
}

TEST(FuseActivation, HardSwishWithClipAttributes) {
  // x * (Clip(3 + x) * 1/6) with Clip bounds as attributes (opset 9).
  ModelBuilder b = conv_model(9);
  b.weight("three", scalar_tensor(3.0f))
      .weight("sixth", scalar_tensor(1.0f / 6))
      .node("Add", {"three", "c"}, {"a"})
      .node("Clip", {"a"}, {"cl"}, {make_attr("min", 0.0f), make_attr("max", 6.0f)})
      .node("Mul", {"cl", "sixth"}, {"q"})
      .node("Mul", {"q", "c"}, {"y"});
  expect_fused(b, "HardSwish");
}

TEST(FuseActivation, PatternWithAnOutsideReaderIsNotFused) {
  ModelBuilder b = conv_model();
  b.node("Sigmoid", {"c"}, {"s"}).node("Mul", {"s", "c"}, {"y"}).output("y").output("s");
  ir::Model m = expect_pass_keeps_results(b.model, {"fuse_activation"});
  EXPECT_EQ(fused_activation(m), "<not fused>");
}

ModelBuilder matmul_model() {
  ModelBuilder b;
  b.input("x", {2, 3, 8}).weight("w", random_tensor({8, 6}, 1)).node("MatMul", {"x", "w"}, {"c"});
  return b;
}

TEST(FuseActivation, MatMulGeluErfForm) {
  ModelBuilder b = matmul_model();
  b.weight("sqrt2", scalar_tensor(1.41421356f))
      .weight("one", scalar_tensor(1.0f))
      .weight("half", scalar_tensor(0.5f))
      .node("Div", {"c", "sqrt2"}, {"d"})
      .node("Erf", {"d"}, {"e"})
      .node("Add", {"e", "one"}, {"a"})
      .node("Mul", {"c", "a"}, {"m"})
      .node("Mul", {"m", "half"}, {"y"});
  expect_fused(b, "Gelu");
}

TEST(FuseActivation, MatMulGeluTanhForm) {
  ModelBuilder b = matmul_model();
  b.weight("three", scalar_tensor(3.0f))
      .weight("k", scalar_tensor(0.044715f))
      .weight("c2", scalar_tensor(0.7978845608f))
      .weight("one", scalar_tensor(1.0f))
      .weight("half", scalar_tensor(0.5f))
      .node("Pow", {"c", "three"}, {"p"})
      .node("Mul", {"p", "k"}, {"pk"})
      .node("Add", {"c", "pk"}, {"s"})
      .node("Mul", {"s", "c2"}, {"u"})
      .node("Tanh", {"u"}, {"t"})
      .node("Add", {"t", "one"}, {"a"})
      .node("Mul", {"c", "half"}, {"h"})
      .node("Mul", {"h", "a"}, {"y"});
  expect_fused(b, "GeluTanh");
}

TEST(FuseConvAdd, ResidualAddBecomesZ) {
  ModelBuilder b = conv_model();
  b.node("Add", {"x_skip", "c"}, {"s"}).node("Relu", {"s"}, {"y"}).output("y");
  b.model.graph.nodes.insert(b.model.graph.nodes.begin(), ir::Node{});
  auto& skip = b.model.graph.nodes.front();
  skip.op_type = "Conv";
  skip.name = "skip";
  skip.inputs = {"x", "w"};
  skip.outputs = {"x_skip"};
  skip.attributes = {make_attr("pads", std::vector<int64_t>{1, 1, 1, 1})};
  ir::Model m = expect_pass_keeps_results(b.model, {"fuse_conv_add", "fuse_activation"});
  EXPECT_EQ(count_op(m, "Add"), 0);
  EXPECT_EQ(count_op(m, "Relu"), 0);
  EXPECT_EQ(count_op(m, "FusedConv"), 1);  // one Conv takes the other's output as Z
  EXPECT_EQ(count_op(m, "Conv"), 1);
}

TEST(FuseConvAdd, BroadcastingAddIsNotFused) {
  ModelBuilder b = conv_model();
  b.weight("bias", random_tensor({5, 1, 1}, 4)).node("Add", {"c", "bias"}, {"y"}).output("y");
  ir::Model m = expect_pass_keeps_results(b.model, {"fuse_conv_add"});
  EXPECT_EQ(count_op(m, "Add"), 1);
}

}  // namespace
}  // namespace skiff::testing
