#include <gtest/gtest.h>

#include <cmath>

#include "support/op_test.h"

namespace skiff::testing {

TEST(NegativeLogLikelihoodLoss, MeanIgnoresIgnoredTargetsInNumeratorAndDenominator) {
  // input [N=2, C=3], targets {2, ignored}: mean over the one counted target.
  Tensor input = make<float>({2, 3}, {0.1f, 0.2f, 0.3f, 0.4f, 0.5f, 0.6f});
  Tensor target = make<int64_t>({2}, {2, -1});
  auto out = run_op(OpSpec("NegativeLogLikelihoodLoss").opset(13).attr("ignore_index", int64_t{-1}),
                    {input, target});
  EXPECT_EQ(out[0].rank(), 0);
  EXPECT_FLOAT_EQ(out[0].data<float>()[0], -0.3f);
}

TEST(NegativeLogLikelihoodLoss, OutOfRangeTargetIsAClearError) {
  Tensor input = make<float>({1, 2}, {0.f, 0.f});
  Tensor target = make<int64_t>({1}, {5});
  try {
    run_op(OpSpec("NegativeLogLikelihoodLoss").opset(13), {input, target});
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kRuntime);
    EXPECT_NE(std::string(e.what()).find("target 5"), std::string::npos) << e.what();
  }
}

TEST(SoftmaxCrossEntropyLoss, MatchesLogSoftmaxAndReturnsLogProb) {
  Tensor scores = make<double>({1, 2, 2}, {1.0, 2.0, 3.0, 0.0});  // [N, C, D]
  Tensor labels = make<int32_t>({1, 2}, {1, 0});
  auto out = run_op(OpSpec("SoftmaxCrossEntropyLoss").opset(13).attr("reduction", "none").outputs(2),
                    {scores, labels});
  // position 0: classes {1, 3}, label 1 -> -log(e^3 / (e^1 + e^3))
  EXPECT_NEAR(out[0].data<double>()[0], std::log(std::exp(1.0) + std::exp(3.0)) - 3.0, 1e-12);
  // position 1: classes {2, 0}, label 0 -> -log(e^2 / (e^2 + 1))
  EXPECT_NEAR(out[0].data<double>()[1], std::log(std::exp(2.0) + 1.0) - 2.0, 1e-12);
  EXPECT_EQ(out[1].shape(), (Shape{1, 2, 2}));
}

}  // namespace skiff::testing
