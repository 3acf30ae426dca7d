// The pipeline as a whole: levels, disabled passes, requested outputs are
// never removed, pruning, export round trip.
#include "onnx/export.h"
#include "onnx/onnx.h"
#include "pass_test_util.h"

namespace skiff::testing {
namespace {

// Conv -> BN -> Relu -> Conv -> Add(residual) -> Sigmoid-SiLU.
ModelBuilder small_net() {
  ModelBuilder b;
  b.input("x", {1, 4, 6, 6})
      .weight("w1", random_tensor({4, 4, 3, 3}, 1))
      .weight("w2", random_tensor({4, 4, 1, 1}, 2))
      .weight("scale", random_tensor({4}, 3, 0.5f, 1.5f))
      .weight("bias", random_tensor({4}, 4))
      .weight("mean", random_tensor({4}, 5))
      .weight("var", random_tensor({4}, 6, 0.5f, 1.5f))
      .node("Conv", {"x", "w1"}, {"c1"}, {make_attr("pads", std::vector<int64_t>{1, 1, 1, 1})})
      .node("BatchNormalization", {"c1", "scale", "bias", "mean", "var"}, {"bn"})
      .node("Relu", {"bn"}, {"r"})
      .node("Conv", {"r", "w2"}, {"c2"})
      .node("Add", {"c2", "x"}, {"s"})
      .node("Sigmoid", {"s"}, {"sg"})
      .node("Mul", {"s", "sg"}, {"y"})
      .output("y");
  return b;
}

TEST(PassManager, LevelsFuseMoreAndKeepResults) {
  ModelBuilder b = small_net();
  const auto inputs = random_inputs(b.model);
  const auto expected = run_model(b.model, inputs);
  size_t previous = b.model.graph.nodes.size() + 1;
  for (auto level : {passes::OptLevel::kNone, passes::OptLevel::kBasic, passes::OptLevel::kExtended,
                     passes::OptLevel::kAll}) {
    ir::Model m = b.model;
    passes::PassOptions options;
    options.level = level;
    passes::optimize(m, options);
    expect_close(expected[0], run_model(m, inputs)[0]);
    EXPECT_LE(m.graph.nodes.size(), previous);
    previous = m.graph.nodes.size();
  }
  EXPECT_EQ(previous, 2u);  // FusedConv(Relu) and FusedConv(Z = x, Silu)
}

TEST(PassManager, DisabledPassDoesNotRun) {
  ir::Model m = small_net().model;
  passes::PassOptions options;
  options.disabled = {"fuse_activation"};
  passes::optimize(m, options);
  EXPECT_EQ(count_op(m, "Sigmoid"), 1);
  options.disabled = {"no_such_pass"};
  EXPECT_THROW(passes::optimize(m, options), Error);
}

TEST(PassManager, RequestedOutputsAreNeverRemoved) {
  // Every intermediate is also a graph output: no fusion may remove one.
  ModelBuilder b = small_net();
  for (const auto& node : std::vector<ir::Node>(b.model.graph.nodes))
    for (const auto& out : node.outputs)
      if (out != "y") b.output(out);
  const auto inputs = random_inputs(b.model);
  const auto expected = run_model(b.model, inputs);
  ir::Model m = b.model;
  passes::PassOptions options;
  options.level = passes::OptLevel::kAll;
  passes::optimize(m, options);
  ASSERT_EQ(m.graph.outputs.size(), b.model.graph.outputs.size());
  const auto actual = run_model(m, inputs);
  for (size_t i = 0; i < expected.size(); ++i) {
    EXPECT_EQ(m.graph.outputs[i].name, b.model.graph.outputs[i].name);
    expect_close(expected[i], actual[i]);
  }
}

TEST(PassManager, PruneKeepsOnlyWhatTheOutputNeeds) {
  ModelBuilder b = small_net();
  b.input("unused", {2});
  ir::Model m = b.model;
  passes::prune_to_outputs(m, {"r"});
  EXPECT_EQ(m.graph.nodes.size(), 3u);  // Conv, BN, Relu
  EXPECT_EQ(m.graph.inputs.size(), 1u);
  EXPECT_EQ(m.graph.initializers.count("w2"), 0u);
  EXPECT_EQ(m.graph.outputs[0].type.dtype, DataType::kFloat);  // typed by shape inference
  ir::Model full = b.model;
  full.graph.outputs[0].name = "r";
  const auto inputs = std::vector<Tensor>{random_tensor({1, 4, 6, 6}, 3)};
  const auto expected = run_model(full, {inputs[0], random_tensor({2}, 4)});
  expect_close(expected[0], run_model(m, inputs)[0]);
  EXPECT_THROW(passes::prune_to_outputs(m, {"nonexistent"}), Error);
}

TEST(Export, OptimizedModelRoundTripsThroughOnnx) {
  ir::Model m = small_net().model;
  passes::optimize(m, passes::PassOptions{});
  const std::string bytes = onnx::serialize_model(m);
  ir::Model loaded = onnx::load_model_from_bytes(bytes.data(), bytes.size(), "");
  EXPECT_EQ(loaded.graph.nodes.size(), m.graph.nodes.size());
  EXPECT_EQ(loaded.opset(passes::kSkiffDomain), passes::kSkiffOpset);
  const auto inputs = random_inputs(m);
  expect_close(run_model(m, inputs)[0], run_model(loaded, inputs)[0], 0, 0);
}

}  // namespace
}  // namespace skiff::testing

namespace skiff::testing {
namespace {

// The then_branch and else_branch attributes of an If node.
std::vector<ir::Attribute> if_branches(const ir::Graph& then_graph, const ir::Graph& else_graph) {
  ir::Attribute then_branch, else_branch;
  then_branch.name = "then_branch";
  then_branch.type = ir::Attribute::Type::kGraph;
  then_branch.g = std::make_shared<ir::Graph>(then_graph);
  else_branch = then_branch;
  else_branch.name = "else_branch";
  else_branch.g = std::make_shared<ir::Graph>(else_graph);
  return {then_branch, else_branch};
}

TEST(PassManager, SubgraphsAreOptimizedToo) {
  // If(cond) { Relu(Conv(x, w)) via an Identity } else { x }: the branch
  // reads x and w from the outer graph.
  ModelBuilder branch;
  branch.node("Identity", {"x"}, {"xi"})
      .node("Conv", {"xi", "w"}, {"c"})
      .node("Relu", {"c"}, {"then_out"})
      .output("then_out");
  ModelBuilder other;
  other.node("Identity", {"x"}, {"else_out"}).output("else_out");
  ModelBuilder b;
  b.input("x", {1, 2, 4, 4}).input("cond", {}, DataType::kBool).weight("w", random_tensor({2, 2, 1, 1}, 1));
  b.node("If", {"cond"}, {"y"}, if_branches(branch.model.graph, other.model.graph)).output("y");

  Tensor cond(DataType::kBool, {});
  cond.data<bool>()[0] = true;
  const std::vector<Tensor> inputs = {random_tensor({1, 2, 4, 4}, 2), cond};
  const auto expected = run_model(b.model, inputs);
  ir::Model m = b.model;
  passes::optimize(m, passes::PassOptions{});
  const ir::Graph& then_graph = *m.graph.nodes[0].attr("then_branch")->g;
  ASSERT_EQ(then_graph.nodes.size(), 1u);
  EXPECT_EQ(then_graph.nodes[0].op_type, "FusedConv");
  EXPECT_EQ(m.graph.nodes[0].attr("else_branch")->g->nodes.size(), 1u);  // Identity to an output stays
  expect_close(expected[0], run_model(m, inputs)[0]);
}

// If(cond) { Conv(x, w * two) } else { x + b }: w is a constant of the outer
// graph that only the then branch reads; b is read by the outer graph too.
ir::Model model_with_captured_constants() {
  ModelBuilder then_body;
  then_body.weight("two", scalar_tensor(2.0f))
      .node("Mul", {"w", "two"}, {"w2"})
      .node("Conv", {"x", "w2"}, {"then_out"})
      .output("then_out");
  ModelBuilder else_body;
  else_body.node("Add", {"x", "b"}, {"else_out"}).output("else_out");
  ModelBuilder b;
  b.input("x", {1, 2, 4, 4}).input("cond", {}, DataType::kBool);
  b.weight("w", random_tensor({2, 2, 1, 1}, 1)).weight("b", random_tensor({1, 2, 1, 1}, 3));
  b.node("If", {"cond"}, {"y"}, if_branches(then_body.model.graph, else_body.model.graph))
      .node("Mul", {"y", "b"}, {"z"})
      .output("z");
  return b.model;
}

TEST(PassManager, OuterConstantsFoldInsideSubgraphs) {
  const ir::Model model = model_with_captured_constants();
  for (bool take_then : {true, false}) {
    Tensor cond(DataType::kBool, {});
    cond.data<bool>()[0] = take_then;
    const std::vector<Tensor> inputs = {random_tensor({1, 2, 4, 4}, 2), cond};
    const auto expected = run_model(model, inputs);
    ir::Model m = model;
    passes::optimize(m, passes::PassOptions{});
    const ir::Graph& then_graph = *m.graph.nodes[0].attr("then_branch")->g;
    // w * two was folded: the branch holds one Conv on a constant of its own.
    ASSERT_EQ(then_graph.nodes.size(), 1u);
    EXPECT_EQ(then_graph.nodes[0].op_type, "Conv");
    EXPECT_NE(then_graph.initializer(then_graph.nodes[0].inputs[1]), nullptr);
    EXPECT_TRUE(then_graph.free_values() == std::vector<std::string>{"x"});
    // w now lives only in the branch; b, which the outer Mul reads, stays.
    EXPECT_EQ(m.graph.initializer("w"), nullptr);
    EXPECT_NE(m.graph.initializer("b"), nullptr);
    expect_close(expected[0], run_model(m, inputs)[0]);
  }
}

TEST(PassManager, OverridableInitializersAreNotSunk) {
  // An initializer that is also a graph input is a default the caller may
  // replace: the branch must keep reading the outer value.
  ir::Model m = model_with_captured_constants();
  ir::ValueInfo w_input;
  w_input.name = "w";
  w_input.type.kind = ir::TypeInfo::Kind::kTensor;
  w_input.type.dtype = DataType::kFloat;
  m.graph.inputs.push_back(w_input);
  passes::optimize(m, passes::PassOptions{});
  const ir::Graph& then_graph = *m.graph.nodes[0].attr("then_branch")->g;
  const auto captured = then_graph.free_values();
  EXPECT_NE(std::find(captured.begin(), captured.end(), "w"), captured.end());
  EXPECT_NE(m.graph.initializer("w"), nullptr);
}

}  // namespace
}  // namespace skiff::testing
