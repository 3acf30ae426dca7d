#include "passes/shape_inference.h"

#include "pass_test_util.h"

namespace skiff::testing {
namespace {

// Reshape(x, Concat(Shape(x)[0:1], [-1])) as exporters write a flatten.
ModelBuilder flatten_by_shape(Shape input_shape) {
  ModelBuilder b;
  b.input("x", input_shape)
      .weight("starts", int64_tensor({0}))
      .weight("ends", int64_tensor({1}))
      .weight("minus_one", int64_tensor({-1}))
      .node("Shape", {"x"}, {"s"})
      .node("Slice", {"s", "starts", "ends"}, {"batch"})
      .node("Concat", {"batch", "minus_one"}, {"target"}, {make_attr("axis", int64_t{0})})
      .node("Reshape", {"x", "target"}, {"flat"})
      .node("Relu", {"flat"}, {"y"})
      .output("y");
  return b;
}

TEST(ShapeInference, ShapeGatherConcatReshapeChainFoldsWithFixedShapes) {
  ModelBuilder b = flatten_by_shape({2, 3, 4});
  ir::Model m = expect_pass_keeps_results(b.model, {"shape_inference", "fold_constants", "eliminate_dead_code"});
  EXPECT_EQ(count_op(m, "Shape"), 0);
  EXPECT_EQ(count_op(m, "Concat"), 0);
  EXPECT_EQ(count_op(m, "Reshape"), 1);
  EXPECT_EQ(m.graph.nodes.size(), 2u);
}

TEST(ShapeInference, InputShapesGivenInOptionsFoldSymbolicChains) {
  ModelBuilder b = flatten_by_shape({-1, 3, -1});
  ir::Model m = b.model;
  passes::PassOptions options;
  options.input_shapes["x"] = {2, 3, 4};
  run_only(m, {"shape_inference", "fold_constants", "eliminate_dead_code"}, options);
  EXPECT_EQ(m.graph.nodes.size(), 2u);
  const auto inputs = std::vector<Tensor>{random_tensor({2, 3, 4}, 1)};
  expect_close(run_model(b.model, inputs)[0], run_model(m, inputs)[0]);
}

TEST(ShapeInference, ReshapeTargetRestatingSymbolicDimsBecomesConstant) {
  // Reshape(x [N, S, 12], [N, S, 3, 4]) with N and S symbolic: copying both
  // dims (0, 0) is exact whatever their values.
  ModelBuilder b;
  b.input("x", {-1, -1, 12})
      .weight("starts", int64_tensor({0}))
      .weight("ends", int64_tensor({2}))
      .weight("tail", int64_tensor({3, 4}))
      .node("Shape", {"x"}, {"s"})
      .node("Slice", {"s", "starts", "ends"}, {"ns"})
      .node("Concat", {"ns", "tail"}, {"target"}, {make_attr("axis", int64_t{0})})
      .node("Reshape", {"x", "target"}, {"y"})
      .output("y");
  ir::Model m = expect_pass_keeps_results(b.model, {"shape_inference", "eliminate_dead_code"});
  EXPECT_EQ(m.graph.nodes.size(), 1u);
  const Tensor* target = m.graph.initializer(m.graph.nodes[0].inputs[1]);
  ASSERT_NE(target, nullptr);
  EXPECT_EQ(values<int64_t>(*target), (std::vector<int64_t>{0, 0, 3, 4}));
}

TEST(ShapeInference, SymbolicDimsFlowThroughConvAndElementwiseOps) {
  ModelBuilder b;
  b.input("x", {-1, 3, -1, -1})
      .weight("w", random_tensor({8, 3, 3, 3}, 1))
      .node("Conv", {"x", "w"}, {"c"}, {make_attr("pads", std::vector<int64_t>{1, 1, 1, 1})})
      .node("Conv", {"x", "w"}, {"s"}, {make_attr("strides", std::vector<int64_t>{2, 2})})
      .node("Relu", {"c"}, {"r"})
      .node("Add", {"r", "c"}, {"y"})
      .output("y")
      .output("s");
  const auto shapes = passes::infer_shapes(b.model.graph, b.model.opsets);
  const auto& x = *shapes.at("x").dims;
  const auto& y = *shapes.at("y").dims;
  ASSERT_EQ(y.size(), 4u);
  EXPECT_TRUE(passes::same_dim(y[0], x[0]));
  EXPECT_EQ(y[1].value, 8);
  EXPECT_TRUE(passes::same_dim(y[2], x[2]));  // pads 1, 3x3, stride 1: same size
  EXPECT_TRUE(passes::same_dim(y[3], x[3]));
  const auto& s = *shapes.at("s").dims;
  EXPECT_FALSE(passes::same_dim(s[2], x[2]));  // strided: a new symbol
  EXPECT_FALSE(s[2].param.empty());
}

}  // namespace
}  // namespace skiff::testing
