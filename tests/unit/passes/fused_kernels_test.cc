// The native com.skiff kernels against the standard ops they fuse.
#include "pass_test_util.h"

namespace skiff::testing {
namespace {

using passes::kSkiffDomain;

TEST(FusedKernels, FusedConvEqualsConvPlusZPlusActivation) {
  const Tensor x = random_tensor({2, 4, 9, 7}, 1), w = random_tensor({6, 2, 3, 3}, 2);
  const Tensor bias = random_tensor({6}, 3), z = random_tensor({2, 6, 5, 4}, 4);
  auto conv = OpSpec("Conv").attr("group", 2).attr("strides", std::vector<int64_t>{2, 2})
                  .attr("pads", std::vector<int64_t>{1, 1, 1, 1});
  const Tensor c = run_op(conv, {x, w, bias})[0];
  const Tensor sum = run_op("Add", {c, z})[0];
  const Tensor expected = run_op(OpSpec("LeakyRelu").attr("alpha", 0.2f), {sum})[0];
  auto fused = OpSpec("FusedConv", kSkiffDomain).opset(1).attr("group", 2)
                   .attr("strides", std::vector<int64_t>{2, 2}).attr("pads", std::vector<int64_t>{1, 1, 1, 1})
                   .attr("activation", "LeakyRelu").attr("activation_params", std::vector<float>{0.2f});
  expect_close(expected, run_op(fused, {x, w, bias, z})[0]);
}

TEST(FusedKernels, FusedConvRejectsUnknownActivationAndWrongParams) {
  const Tensor x = random_tensor({1, 1, 3, 3}, 1), w = random_tensor({1, 1, 1, 1}, 2);
  EXPECT_THROW(run_op(OpSpec("FusedConv", kSkiffDomain).opset(1).attr("activation", "Swoosh"), {x, w}), Error);
  EXPECT_THROW(run_op(OpSpec("FusedConv", kSkiffDomain).opset(1).attr("activation", "Clip"), {x, w}), Error);
}

TEST(FusedKernels, FusedGemmBatchedEqualsMatMulAddActivation) {
  for (const char* act : {"Relu", "Sigmoid", "Tanh", "Gelu", "GeluTanh", "Silu", "HardSwish"}) {
    const Tensor a = random_tensor({2, 3, 17}, 1, -3, 3), b = random_tensor({17, 9}, 2), c = random_tensor({9}, 3);
    const Tensor sum = run_op("Add", {run_op("MatMul", {a, b})[0], c})[0];
    Tensor expected;
    if (std::string(act) == "Gelu" || std::string(act) == "GeluTanh")
      expected = run_op(OpSpec("Gelu").opset(20).attr("approximate", std::string(act) == "Gelu" ? "none" : "tanh"),
                        {sum})[0];
    else if (std::string(act) == "Silu")
      expected = run_op("Mul", {sum, run_op("Sigmoid", {sum})[0]})[0];
    else
      expected = run_op(OpSpec(act).opset(14), {sum})[0];
    const Tensor actual = run_op(OpSpec("FusedGemm", kSkiffDomain).opset(1).attr("activation", act), {a, b, c})[0];
    SCOPED_TRACE(act);
    expect_close(expected, actual);
  }
}

TEST(FusedKernels, FusedGemmTwoDimensionalWithTransposesEqualsGemm) {
  const Tensor a = random_tensor({7, 5}, 1), b = random_tensor({8, 7}, 2), c = random_tensor({5, 1}, 3);
  auto gemm = OpSpec("Gemm").attr("transA", 1).attr("transB", 1).attr("alpha", 0.5f).attr("beta", 2.0f);
  auto fused = OpSpec("FusedGemm", kSkiffDomain).opset(1).attr("transA", 1).attr("transB", 1)
                   .attr("alpha", 0.5f).attr("beta", 2.0f);
  expect_close(run_op(gemm, {a, b, c})[0], run_op(fused, {a, b, c})[0]);
}

TEST(FusedKernels, AttentionEqualsSoftmaxOfScaledScores) {
  const Tensor q = random_tensor({2, 3, 5, 8}, 1), k = random_tensor({2, 3, 7, 8}, 2);
  const Tensor v = random_tensor({2, 3, 7, 4}, 3), mask = random_tensor({1, 1, 5, 7}, 4);
  const Tensor kt = run_op(OpSpec("Transpose").attr("perm", std::vector<int64_t>{0, 1, 3, 2}), {k})[0];
  const Tensor scores = run_op("Mul", {run_op("MatMul", {q, kt})[0], scalar_tensor(0.3f)})[0];
  const Tensor probs = run_op(OpSpec("Softmax").attr("axis", int64_t{-1}), {run_op("Add", {scores, mask})[0]})[0];
  const Tensor expected = run_op("MatMul", {probs, v})[0];
  expect_close(expected, run_op(OpSpec("Attention", kSkiffDomain).opset(1).attr("scale", 0.3f), {q, k, v, mask})[0]);
}

TEST(FusedKernels, AttentionRejectsMismatchedBatches) {
  const Tensor q = random_tensor({2, 5, 8}, 1), k = random_tensor({3, 5, 8}, 2), v = random_tensor({3, 5, 8}, 3);
  EXPECT_THROW(run_op(OpSpec("Attention", kSkiffDomain).opset(1), {q, k, v}), Error);
}

TEST(FusedKernels, SkiffLayerNormalizationEqualsOnnxOne) {
  const Tensor x = random_tensor({2, 3, 16}, 1), scale = random_tensor({16}, 2), bias = random_tensor({16}, 3);
  auto onnx_ln = OpSpec("LayerNormalization").attr("epsilon", 1e-5f);
  auto skiff_ln = OpSpec("LayerNormalization", kSkiffDomain).opset(1).attr("epsilon", 1e-5f);
  expect_close(run_op(onnx_ln, {x, scale, bias})[0], run_op(skiff_ln, {x, scale, bias})[0], 0, 0);
}

}  // namespace
}  // namespace skiff::testing
