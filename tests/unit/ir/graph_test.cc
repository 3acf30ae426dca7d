#include "ir/graph.h"

#include <gtest/gtest.h>

namespace skiff::ir {

namespace {

Node make_node(const std::string& op, std::vector<std::string> inputs, std::vector<std::string> outputs) {
  Node n;
  n.op_type = op;
  n.name = outputs.empty() ? op : outputs[0];
  n.inputs = std::move(inputs);
  n.outputs = std::move(outputs);
  return n;
}

}  // namespace

TEST(Graph, TopologicalOrderPutsProducersFirstAndKeepsFileOrderOtherwise) {
  Graph g;
  g.inputs.push_back({"x", {}, ""});
  g.nodes.push_back(make_node("Relu", {"b"}, {"c"}));
  g.nodes.push_back(make_node("Abs", {"x"}, {"a"}));
  g.nodes.push_back(make_node("Neg", {"a"}, {"b"}));
  g.nodes.push_back(make_node("Exp", {"x"}, {"d"}));
  EXPECT_EQ(g.topological_order(), (std::vector<size_t>{1, 2, 0, 3}));
}

TEST(Graph, CycleIsAnInvalidModelErrorNamingTheNodes) {
  Graph g;
  g.name = "cyclic";
  g.nodes.push_back(make_node("Relu", {"b"}, {"a"}));
  g.nodes.push_back(make_node("Abs", {"a"}, {"b"}));
  try {
    g.topological_order();
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kInvalidModel);
    EXPECT_NE(std::string(e.what()).find("cycle"), std::string::npos);
    EXPECT_NE(std::string(e.what()).find("Relu node 'a'"), std::string::npos);
  }
}

TEST(Graph, FreeValuesAreWhatASubgraphCaptures) {
  auto body = std::make_shared<Graph>();
  body->inputs.push_back({"i", {}, ""});
  body->nodes.push_back(make_node("Add", {"i", "outer_w"}, {"o"}));
  body->outputs.push_back({"o", {}, ""});
  EXPECT_EQ(body->free_values(), (std::vector<std::string>{"outer_w"}));

  // The node owning the subgraph depends on the captured value's producer.
  Graph g;
  Node owner = make_node("If", {"cond"}, {"y"});
  Attribute a;
  a.name = "then_branch";
  a.type = Attribute::Type::kGraph;
  a.g = body;
  owner.attributes.push_back(a);
  g.nodes.push_back(owner);
  g.nodes.push_back(make_node("Relu", {"x"}, {"outer_w"}));
  EXPECT_EQ(g.topological_order(), (std::vector<size_t>{1, 0}));
}

TEST(TypeInfo, PrintsSymbolicAndUnknownDims) {
  TypeInfo t;
  t.kind = TypeInfo::Kind::kTensor;
  t.dtype = DataType::kFloat;
  t.shape = std::vector<Dim>{{-1, "batch"}, {3, ""}, {-1, ""}};
  EXPECT_EQ(t.str(), "float[batch,3,?]");
}

}  // namespace skiff::ir
