#include "engines/partition.h"

#include <gtest/gtest.h>

namespace skiff {
namespace {

ir::Node make_node(std::string op, std::vector<std::string> inputs, std::vector<std::string> outputs) {
  ir::Node node;
  node.op_type = std::move(op);
  node.name = node.op_type + "_" + outputs[0];
  node.inputs = std::move(inputs);
  node.outputs = std::move(outputs);
  return node;
}

ir::Graph graph_with(std::vector<ir::Node> nodes, std::vector<std::string> outputs) {
  ir::Graph g;
  ir::ValueInfo x;
  x.name = "x";
  x.type.kind = ir::TypeInfo::Kind::kTensor;
  x.type.dtype = DataType::kFloat;
  g.inputs.push_back(x);
  for (auto& name : outputs) {
    ir::ValueInfo vi;
    vi.name = name;
    g.outputs.push_back(vi);
  }
  g.nodes = std::move(nodes);
  return g;
}

const std::map<std::string, int64_t> kOpsets{{"", 17}};

TEST(Partition, ChainOfSupportedNodesIsOneRegion) {
  const auto g = graph_with({make_node("Relu", {"x"}, {"a"}), make_node("Sigmoid", {"a"}, {"b"}),
                             make_node("Add", {"a", "b"}, {"y"})},
                            {"y"});
  const Partition p = partition_graph(g, kOpsets, {"dnnl", "native"});
  ASSERT_EQ(p.regions.size(), 1u);
  EXPECT_EQ(p.regions[0].members.size(), 3u);
  EXPECT_EQ(p.regions[0].inputs, std::vector<std::string>{"x"});
  EXPECT_EQ(p.regions[0].outputs, std::vector<std::string>{"y"});
  EXPECT_EQ(p.graph.nodes.size(), 1u);
}

TEST(Partition, PathThroughNativeNodeKeepsRegionsApart) {
  // Relu -> Floor (native) -> Add, and Relu -> Add directly: one region for
  // Relu and Add would have to run both before and after Floor.
  const auto g = graph_with({make_node("Relu", {"x"}, {"a"}), make_node("Floor", {"a"}, {"b"}),
                             make_node("Add", {"a", "b"}, {"y"})},
                            {"y"});
  const Partition p = partition_graph(g, kOpsets, {"dnnl", "native"});
  EXPECT_EQ(p.regions.size(), 2u);
  EXPECT_EQ(p.single_nodes.at("native"), 1);
  EXPECT_NO_THROW(p.graph.topological_order());
}

TEST(Partition, RegionOutputsIncludeValuesReadOutside) {
  const auto g = graph_with({make_node("Relu", {"x"}, {"a"}), make_node("Tanh", {"a"}, {"b"}),
                             make_node("Floor", {"a"}, {"c"})},
                            {"b", "c"});
  const Partition p = partition_graph(g, kOpsets, {"dnnl", "native"});
  ASSERT_EQ(p.regions.size(), 1u);
  EXPECT_EQ(p.regions[0].outputs, (std::vector<std::string>{"a", "b"}));
}

TEST(Partition, NativeOnlyFormsNoRegionsAndUnknownEngineFails) {
  const auto g = graph_with({make_node("Relu", {"x"}, {"y"})}, {"y"});
  EXPECT_TRUE(partition_graph(g, kOpsets, {"native"}).regions.empty());
  EXPECT_THROW(partition_graph(g, kOpsets, {"gpu"}), Error);
}

TEST(Partition, CapturedValuesJoinRegionsWhenTheirTypesAreGiven) {
  // A subgraph body reads "outer" from its enclosing graph: no declaration
  // of its own says it is float, so only the types handed down (Plan::compile
  // passes them) let its nodes join a region.
  auto g = graph_with({make_node("Relu", {"outer"}, {"a"}), make_node("Sigmoid", {"a"}, {"y"})}, {"y"});
  g.inputs.clear();
  EXPECT_TRUE(partition_graph(g, kOpsets, {"dnnl", "native"}).regions.empty());
  const Partition p = partition_graph(g, kOpsets, {"dnnl", "native"}, {{"outer", DataType::kFloat}});
  ASSERT_EQ(p.regions.size(), 1u);
  EXPECT_EQ(p.regions[0].inputs, std::vector<std::string>{"outer"});
  EXPECT_EQ(p.regions[0].members.size(), 2u);
}

}  // namespace
}  // namespace skiff
