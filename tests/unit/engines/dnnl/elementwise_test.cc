#include "engines/dnnl/dnnl_test_util.h"

namespace skiff::testing {
namespace {

TEST(DnnlEltwise, ActivationsMatchReference) {
  const Tensor x = random_tensor({2, 7, 9, 17}, 3, -4.f, 4.f);
  for (const char* op : {"Relu", "Sigmoid", "Tanh", "HardSwish", "Abs", "Exp"})
    expect_dnnl_matches_native(OpSpec(op), {x}, 1e-5f, 1e-4f);
  expect_dnnl_matches_native(OpSpec("LeakyRelu").attr("alpha", 0.3f), {x});
  expect_dnnl_matches_native(OpSpec("Elu").attr("alpha", 0.7f), {x});
  expect_dnnl_matches_native(OpSpec("HardSigmoid").attr("alpha", 0.25f).attr("beta", 0.4f), {x});
  expect_dnnl_matches_native(OpSpec("Sqrt"), {random_tensor({13}, 4, 0.f, 9.f)});
  expect_dnnl_matches_native(OpSpec("HardSigmoid").attr("alpha", 0.5f).attr("beta", 0.6f),
                             {make<float>({3}, {-1.f, 0.f, 1.f})});
  expect_dnnl_matches_native(OpSpec("Clip").opset(6).attr("min", -0.5f).attr("max", 0.25f), {x});
}

TEST(DnnlBinary, BroadcastingOnEveryAxisMatchesReference) {
  const Shape full{2, 3, 5, 7};
  const std::vector<Shape> others{{2, 3, 5, 7}, {1, 3, 1, 1}, {7}, {5, 1}, {2, 1, 1, 7}, {1}, {}};
  uint64_t seed = 10;
  for (const char* op : {"Add", "Sub", "Mul", "Div", "Max", "Min"})
    for (const Shape& other : others) {
      const Tensor a = random_tensor(full, seed++);
      const Tensor b = random_tensor(other, seed++, 0.5f, 2.f);
      expect_dnnl_matches_native(OpSpec(op), {a, b});
      expect_dnnl_matches_native(OpSpec(op), {b, a});  // broadcast first operand: swapped or native
    }
}

TEST(DnnlBinary, BothSidesBroadcastMatchesReference) {
  expect_dnnl_matches_native(OpSpec("Add"), {random_tensor({3, 1}, 1), random_tensor({1, 4}, 2)});
}

TEST(DnnlBinary, MismatchedShapesFailLikeNative) {
  EXPECT_THROW(run_op(OpSpec("Add").engine("dnnl"), {random_tensor({3}, 1), random_tensor({4}, 2)}), Error);
}

TEST(DnnlConcat, AxesAndOddSizesMatchReference) {
  expect_dnnl_matches_native(OpSpec("Concat").attr("axis", int64_t{1}),
                             {random_tensor({2, 3, 5}, 1), random_tensor({2, 9, 5}, 2), random_tensor({2, 1, 5}, 3)});
  expect_dnnl_matches_native(OpSpec("Concat").attr("axis", int64_t{-1}),
                             {random_tensor({4, 7}, 4), random_tensor({4, 17}, 5)});
}

}  // namespace
}  // namespace skiff::testing
