// Tests of the removal passes: dead code, identities, redundant and neutral
// ops, common subexpressions, duplicate initializers.
#include "pass_test_util.h"

namespace skiff::testing {
namespace {

TEST(EliminateDeadCode, RemovesUnreachableNodesAndUnusedInitializers) {
  ModelBuilder b;
  b.input("x", {4})
      .weight("unused", random_tensor({4}, 1))
      .weight("w", random_tensor({4}, 2))
      .node("Mul", {"x", "w"}, {"y"})
      .node("Neg", {"x"}, {"dead"})
      .node("Exp", {"dead"}, {"dead2"})
      .output("y");
  ir::Model m = expect_pass_keeps_results(b.model, {"eliminate_dead_code"});
  EXPECT_EQ(m.graph.nodes.size(), 1u);
  EXPECT_EQ(m.graph.initializers.size(), 1u);
  EXPECT_EQ(m.graph.inputs.size(), 1u);
}

TEST(EliminateIdentity, IdentityAndInferenceDropoutAreRemoved) {
  ModelBuilder b(13);
  b.input("x", {4})
      .node("Identity", {"x"}, {"a"})
      .node("Dropout", {"a"}, {"b"})
      .node("Relu", {"b"}, {"y"})
      .output("y");
  ir::Model m = expect_pass_keeps_results(b.model, {"eliminate_identity"});
  EXPECT_EQ(m.graph.nodes.size(), 1u);
  EXPECT_EQ(m.graph.nodes[0].inputs[0], "x");
}

TEST(EliminateIdentity, IdentityWritingAGraphOutputKeepsTheOutputName) {
  ModelBuilder b;
  b.input("x", {4}).node("Relu", {"x"}, {"r"}).node("Identity", {"r"}, {"y"}).output("y");
  ir::Model m = expect_pass_keeps_results(b.model, {"eliminate_identity"});
  ASSERT_EQ(m.graph.nodes.size(), 1u);
  EXPECT_EQ(m.graph.nodes[0].outputs[0], "y");
}

TEST(EliminateIdentity, IdentityFromInputToOutputStays) {
  ModelBuilder b;
  b.input("x", {4}).node("Identity", {"x"}, {"y"}).output("y");
  ir::Model m = expect_pass_keeps_results(b.model, {"eliminate_identity"});
  EXPECT_EQ(count_op(m, "Identity"), 1);
}

TEST(EliminateIdentity, DropoutWhoseMaskIsReadStays) {
  ModelBuilder b(13);
  b.input("x", {4}).node("Dropout", {"x"}, {"d", "mask"}).output("d").output("mask");
  ir::Model m = b.model;
  run_only(m, {"eliminate_identity"});
  EXPECT_EQ(count_op(m, "Dropout"), 1);
}

TEST(EliminateRedundantOps, TransposePairCancelsAndReshapeChainsCollapse) {
  ModelBuilder b;
  b.input("x", {2, 3, 4})
      .weight("s1", int64_tensor({6, 4}))
      .weight("s2", int64_tensor({4, 6}))
      .node("Transpose", {"x"}, {"t1"}, {make_attr("perm", std::vector<int64_t>{1, 0, 2})})
      .node("Transpose", {"t1"}, {"t2"}, {make_attr("perm", std::vector<int64_t>{1, 0, 2})})
      .node("Reshape", {"t2", "s1"}, {"r1"})
      .node("Reshape", {"r1", "s2"}, {"r2"})
      .node("Relu", {"r2"}, {"y"})
      .output("y");
  ir::Model m = expect_pass_keeps_results(b.model, {"eliminate_redundant_ops", "eliminate_dead_code"});
  EXPECT_EQ(count_op(m, "Transpose"), 0);
  EXPECT_EQ(count_op(m, "Reshape"), 1);
}

TEST(EliminateRedundantOps, CastToTheSameTypeAndLosslessRoundTripsGo) {
  ModelBuilder b;
  b.input("x", {4})
      .node("Cast", {"x"}, {"same"}, {make_attr("to", int64_t{1})})
      .node("Cast", {"same"}, {"wide"}, {make_attr("to", int64_t{11})})
      .node("Cast", {"wide"}, {"back"}, {make_attr("to", int64_t{1})})
      .node("Relu", {"back"}, {"y"})
      .output("y");
  ir::Model m = expect_pass_keeps_results(b.model, {"eliminate_redundant_ops", "eliminate_dead_code"});
  EXPECT_EQ(count_op(m, "Cast"), 0);
}

TEST(EliminateRedundantOps, NarrowingRoundTripStays) {
  ModelBuilder b;
  b.input("x", {4})
      .node("Cast", {"x"}, {"i"}, {make_attr("to", int64_t{7})})
      .node("Cast", {"i"}, {"y"}, {make_attr("to", int64_t{1})})
      .output("y");
  ir::Model m = expect_pass_keeps_results(b.model, {"eliminate_redundant_ops"});
  EXPECT_EQ(count_op(m, "Cast"), 2);
}

TEST(EliminateNeutralOps, MulByOneAndAddZeroGo) {
  ModelBuilder b;
  b.input("x", {2, 3})
      .weight("one", scalar_tensor(1.0f))
      .weight("zero", random_tensor({3}, 1, 0.0f, 0.0f))
      .node("Mul", {"one", "x"}, {"a"})
      .node("Add", {"a", "zero"}, {"b"})
      .node("Sigmoid", {"b"}, {"y"})
      .output("y");
  ir::Model m = expect_pass_keeps_results(b.model, {"eliminate_neutral_ops"});
  EXPECT_EQ(m.graph.nodes.size(), 1u);
}

TEST(EliminateNeutralOps, ConstantThatWidensTheShapeStays) {
  ModelBuilder b;
  b.input("x", {3})
      .weight("ones", random_tensor({2, 3}, 1, 1.0f, 1.0f))
      .node("Mul", {"x", "ones"}, {"y"})
      .output("y");
  ir::Model m = expect_pass_keeps_results(b.model, {"eliminate_neutral_ops"});
  EXPECT_EQ(count_op(m, "Mul"), 1);
}

TEST(EliminateCommonSubexpressions, EqualNodesMerge) {
  ModelBuilder b;
  b.input("x", {4})
      .node("Sigmoid", {"x"}, {"a"})
      .node("Sigmoid", {"x"}, {"b"})
      .node("Add", {"a", "b"}, {"y"})
      .output("y");
  ir::Model m = expect_pass_keeps_results(b.model, {"eliminate_common_subexpressions"});
  EXPECT_EQ(count_op(m, "Sigmoid"), 1);
  EXPECT_EQ(m.graph.nodes.back().inputs[0], m.graph.nodes.back().inputs[1]);
}

TEST(EliminateCommonSubexpressions, DifferentAttributesDoNotMerge) {
  ModelBuilder b;
  b.input("x", {4})
      .node("LeakyRelu", {"x"}, {"a"}, {make_attr("alpha", 0.1f)})
      .node("LeakyRelu", {"x"}, {"b"}, {make_attr("alpha", 0.2f)})
      .node("Add", {"a", "b"}, {"y"})
      .output("y");
  ir::Model m = expect_pass_keeps_results(b.model, {"eliminate_common_subexpressions"});
  EXPECT_EQ(count_op(m, "LeakyRelu"), 2);
}

TEST(MergeDuplicateInitializers, EqualWeightsBecomeOne) {
  ModelBuilder b;
  b.input("x", {3})
      .weight("w1", random_tensor({3}, 5))
      .weight("w2", random_tensor({3}, 5))
      .weight("w3", random_tensor({3}, 6))
      .node("Mul", {"x", "w1"}, {"a"})
      .node("Mul", {"x", "w2"}, {"b"})
      .node("Mul", {"x", "w3"}, {"c"})
      .node("Sum", {"a", "b", "c"}, {"y"})
      .output("y");
  ir::Model m = expect_pass_keeps_results(b.model, {"merge_duplicate_initializers", "eliminate_common_subexpressions"});
  EXPECT_EQ(m.graph.initializers.size(), 2u);
  EXPECT_EQ(count_op(m, "Mul"), 2);
}

}  // namespace
}  // namespace skiff::testing
