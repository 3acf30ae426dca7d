#include "passes/pass_test_util.h"

namespace skiff::testing {
namespace {

// x + x * s in both operand orders (s per channel, as an SE block makes it).
TEST(FoldResidualIntoScale, ResidualScaleBecomesScaleByOnePlusS) {
  for (bool swapped : {false, true}) {
    ModelBuilder b;
    b.input("x", {1, 4, 5, 5}).input("s", {1, 4, 1, 1});
    b.node("Mul", swapped ? std::vector<std::string>{"s", "x"} : std::vector<std::string>{"x", "s"}, {"m"})
        .node("Add", swapped ? std::vector<std::string>{"m", "x"} : std::vector<std::string>{"x", "m"}, {"y"})
        .output("y");
    ir::Model m = expect_pass_keeps_results(b.model, {"fold_residual_into_scale"});
    EXPECT_EQ(count_op(m, "Mul"), 1);
    EXPECT_EQ(count_op(m, "Add"), 1);
    EXPECT_EQ(m.graph.nodes[1].op_type, "Mul");
    EXPECT_EQ(m.graph.nodes[1].inputs[0], "x");
  }
}

TEST(FoldResidualIntoScale, ProductReadElsewhereOrOtherAddendStays) {
  ModelBuilder b;
  b.input("x", {2, 3}).input("s", {2, 3}).input("z", {2, 3});
  b.node("Mul", {"x", "s"}, {"m"}).node("Add", {"x", "m"}, {"y"}).output("y").output("m");
  b.node("Mul", {"x", "s"}, {"m2"}).node("Add", {"z", "m2"}, {"y2"}).output("y2");
  ir::Model m = expect_pass_keeps_results(b.model, {"fold_residual_into_scale"});
  EXPECT_EQ(count_op(m, "Mul"), 2);
  EXPECT_EQ(count_op(m, "Add"), 2);
  EXPECT_EQ(m.graph.nodes[1].inputs[1], "m");
}

}  // namespace
}  // namespace skiff::testing
