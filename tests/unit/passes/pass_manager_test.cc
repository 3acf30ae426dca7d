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
