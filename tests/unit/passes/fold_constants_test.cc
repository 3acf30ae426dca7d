#include "pass_test_util.h"

namespace skiff::testing {
namespace {

TEST(FoldConstants, ChainOfConstantNodesBecomesOneInitializer) {
  ModelBuilder b;
  b.input("x", {2, 3})
      .weight("a", random_tensor({2, 3}, 1))
      .weight("b", random_tensor({2, 3}, 2))
      .node("Add", {"a", "b"}, {"ab"})
      .node("Exp", {"ab"}, {"e"})
      .node("Mul", {"x", "e"}, {"y"})
      .output("y");
  ir::Model m = expect_pass_keeps_results(b.model, {"fold_constants", "eliminate_dead_code"});
  EXPECT_EQ(count_op(m, "Add"), 0);
  EXPECT_EQ(count_op(m, "Exp"), 0);
  EXPECT_EQ(m.graph.nodes.size(), 1u);
  EXPECT_EQ(m.graph.initializers.size(), 1u);  // only "e" is left
}

TEST(FoldConstants, RandomOpsAreNotFolded) {
  ModelBuilder b;
  b.input("x", {2})
      .node("RandomUniform", {}, {"r"}, {make_attr("shape", std::vector<int64_t>{2})})
      .node("Add", {"x", "r"}, {"y"})
      .output("y");
  ir::Model m = b.model;
  run_only(m, {"fold_constants"});
  EXPECT_EQ(count_op(m, "RandomUniform"), 1);
}

TEST(FoldConstants, ResultsOverTheSizeLimitStay) {
  ModelBuilder b;
  b.input("x", {64, 64})
      .weight("shape", int64_tensor({64, 64}))
      .weight("one", random_tensor({1}, 3))
      .node("Expand", {"one", "shape"}, {"big"})
      .node("Add", {"x", "big"}, {"y"})
      .output("y");
  ir::Model m = b.model;
  passes::PassOptions options;
  options.fold_limit_bytes = 1024;  // 64 x 64 floats are 16 KB
  run_only(m, {"fold_constants"}, options);
  EXPECT_EQ(count_op(m, "Expand"), 1);
  m = b.model;
  run_only(m, {"fold_constants"});
  EXPECT_EQ(count_op(m, "Expand"), 0);
}

TEST(FoldConstants, ConstantGraphOutputKeepsItsName) {
  ModelBuilder b;
  b.input("x", {2})
      .weight("a", random_tensor({2}, 1))
      .node("Neg", {"a"}, {"y"})
      .node("Abs", {"x"}, {"z"})
      .output("y")
      .output("z");
  ir::Model m = expect_pass_keeps_results(b.model, {"fold_constants"});
  EXPECT_TRUE(m.graph.is_initializer("y"));
}

}  // namespace
}  // namespace skiff::testing
