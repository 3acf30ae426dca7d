// Small graphs run as oneDNN regions against the native engine: the forms
// the region builder chooses for whole subgraphs (ConvTranspose as a 1x1
// convolution and a pixel shuffle with the chain after it fused, Winograd
// 3x3 convolutions).
#include "passes/pass_test_util.h"

namespace skiff::testing {
namespace {

void expect_dnnl_matches_native(const ir::Model& model, double rtol = 1e-4, double atol = 1e-4) {
  const auto inputs = random_inputs(model);
  const auto expected = run_model(model, inputs);
  const auto actual = run_model(model, inputs, {"dnnl", "native"});
  ASSERT_EQ(expected.size(), actual.size());
  for (size_t i = 0; i < expected.size(); ++i) expect_close(expected[i], actual[i], rtol, atol);
}

// Add(per-channel) -> BatchNormalization -> Relu after `from`, as the
// PaddleOCR det head has them after its ConvTransposes.
void add_affine_relu(ModelBuilder& b, const std::string& from, const std::string& to, int64_t channels) {
  b.weight(to + "_shift", random_tensor({1, channels, 1, 1}, 11))
      .weight(to + "_scale", random_tensor({channels}, 12, 0.5f, 2.f))
      .weight(to + "_bias", random_tensor({channels}, 13))
      .weight(to + "_mean", random_tensor({channels}, 14))
      .weight(to + "_var", random_tensor({channels}, 15, 0.5f, 2.f))
      .node("Add", {from, to + "_shift"}, {to + "_a"})
      .node("BatchNormalization", {to + "_a", to + "_scale", to + "_bias", to + "_mean", to + "_var"}, {to + "_b"})
      .node("Relu", {to + "_b"}, {to});
}

TEST(DnnlRegion, ConvTransposeKernelEqualsStrideWithFusedChain) {
  for (int64_t m : {1, 2, 5, 24})
    for (bool bias : {false, true}) {
      ModelBuilder b;
      b.input("x", {2, 6, 5, 7}).weight("w", random_tensor({6, m, 2, 3}, 1));
      std::vector<std::string> inputs{"x", "w"};
      if (bias) {
        b.weight("b", random_tensor({m}, 2));
        inputs.push_back("b");
      }
      b.node("ConvTranspose", inputs, {"t"}, {make_attr("strides", std::vector<int64_t>{2, 3})});
      add_affine_relu(b, "t", "y", m);
      b.output("y");
      SCOPED_TRACE("M=" + std::to_string(m) + (bias ? " with bias" : ""));
      expect_dnnl_matches_native(b.model);
    }
}

TEST(DnnlRegion, ConvTransposeFeedingAnotherAndASigmoidOutput) {
  ModelBuilder b;
  b.input("x", {1, 8, 4, 6})
      .weight("w1", random_tensor({8, 8, 2, 2}, 1))
      .weight("w2", random_tensor({8, 1, 2, 2}, 2))
      .weight("b2", random_tensor({1, 1, 1, 1}, 3))
      .node("ConvTranspose", {"x", "w1"}, {"t1"}, {make_attr("strides", std::vector<int64_t>{2, 2})});
  add_affine_relu(b, "t1", "r1", 8);
  b.node("ConvTranspose", {"r1", "w2"}, {"t2"}, {make_attr("strides", std::vector<int64_t>{2, 2})})
      .node("Add", {"t2", "b2"}, {"a2"})
      .node("Sigmoid", {"a2"}, {"y"})
      .output("y");
  expect_dnnl_matches_native(b.model);
}

TEST(DnnlRegion, ConvTransposeWhoseOutputIsAlsoReadElsewhere) {
  ModelBuilder b;
  b.input("x", {1, 4, 3, 3})
      .weight("w", random_tensor({4, 3, 2, 2}, 1))
      .weight("r", random_tensor({1, 3, 6, 6}, 2))
      .node("ConvTranspose", {"x", "w"}, {"t"}, {make_attr("strides", std::vector<int64_t>{2, 2})})
      .node("Add", {"t", "r"}, {"s"})  // not per-channel: stays outside the chain
      .node("Relu", {"s"}, {"y"})
      .output("y")
      .output("t");
  expect_dnnl_matches_native(b.model);
}

// 3x3 convolutions large enough for the Winograd form, with a bias and a
// ReLU fused, then one whose chain adds a residual (direct form: the
// residual is accumulated into the output buffer).
TEST(DnnlRegion, WinogradConvolutionsMatchReference) {
  ModelBuilder b;
  const std::vector<int64_t> pads{1, 1, 1, 1};
  b.input("x", {1, 32, 64, 64})
      .weight("w1", random_tensor({24, 32, 3, 3}, 1))
      .weight("b1", random_tensor({24}, 2))
      .weight("w2", random_tensor({24, 24, 3, 3}, 3))
      .node("Conv", {"x", "w1", "b1"}, {"c1"}, {make_attr("pads", pads)})
      .node("Relu", {"c1"}, {"r1"})
      .node("Conv", {"r1", "w2"}, {"c2"}, {make_attr("pads", pads)})
      .node("Add", {"c2", "r1"}, {"y"})
      .output("y");
  expect_dnnl_matches_native(b.model);
}

// FPN top-down path: Resize (nearest, 2x) with the lateral Add fused into
// it, once where the lateral is read again (so it is not overwritten).
TEST(DnnlRegion, ResizeWithTheAddAfterItFused) {
  ModelBuilder b;
  b.input("top", {1, 8, 5, 6})
      .input("lateral", {1, 8, 10, 12})
      .weight("scales", make<float>({4}, {1, 1, 2, 2}))
      .weight("w", random_tensor({8, 8, 1, 1}, 1))
      .node("Resize", {"top", "", "scales"}, {"up"}, {make_attr("mode", "nearest")})
      .node("Add", {"up", "lateral"}, {"sum"})
      .node("Relu", {"sum"}, {"y"})
      .node("Conv", {"lateral", "w"}, {"c"})
      .node("Resize", {"y", "", "scales"}, {"up2"}, {make_attr("mode", "nearest")})
      .output("up2")
      .output("c");
  expect_dnnl_matches_native(b.model);
}

// Products with constant weights in a model whose inputs have an open dim
// (the case the region runs on the own GEMM on AVX-512 machines): MatMul
// with batch rows and a fused Relu, Gemm with transB and a bias row, and
// an N past the 128 KiB row-major limit, against the native engine.
TEST(DnnlOwnGemm, ProductsWithConstantWeightsMatchTheNativeEngine) {
  ModelBuilder b;
  b.input("x", {1, -1, 120})
      .input("x2", {-1, 72})
      .weight("w", random_tensor({120, 360}, 1))
      .weight("wt", random_tensor({40, 72}, 2))
      .weight("c", random_tensor({1, 40}, 3))
      .weight("wide", random_tensor({120, 700}, 4))
      .node("MatMul", {"x", "w"}, {"m"})
      .node("Relu", {"m"}, {"y1"})
      .node("Gemm", {"x2", "wt", "c"}, {"y2"}, {make_attr("transB", int64_t{1})})
      .node("MatMul", {"x", "wide"}, {"y3"})
      .output("y1")
      .output("y2")
      .output("y3");
  for (int64_t rows : {1, 8, 13}) {
    const std::vector<Tensor> inputs{random_tensor({1, rows, 120}, 5), random_tensor({rows + 2, 72}, 6)};
    const auto expected = run_model(b.model, inputs);
    const auto actual = run_model(b.model, inputs, {"dnnl", "native"});
    ASSERT_EQ(expected.size(), actual.size());
    for (size_t i = 0; i < expected.size(); ++i) expect_close(expected[i], actual[i], 1e-4, 1e-4);
  }
}


}  // namespace
}  // namespace skiff::testing
