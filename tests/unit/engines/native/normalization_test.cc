#include <gtest/gtest.h>

#include <cmath>

#include "support/op_test.h"
#include "support/random.h"

namespace skiff {
namespace {

using testing::make;
using testing::OpSpec;
using testing::random_tensor;
using testing::run_op;
using testing::values;

// Mean and population variance of x[o, g, i] over o and i, for group g.
void ref_stats(const Tensor& x, int64_t outer, int64_t groups, int64_t inner, int64_t g,
               double* mean, double* var) {
  double s = 0, q = 0;
  for (int64_t o = 0; o < outer; ++o)
    for (int64_t i = 0; i < inner; ++i) s += x.data<float>()[(o * groups + g) * inner + i];
  *mean = s / double(outer * inner);
  for (int64_t o = 0; o < outer; ++o)
    for (int64_t i = 0; i < inner; ++i) {
      const double d = x.data<float>()[(o * groups + g) * inner + i] - *mean;
      q += d * d;
    }
  *var = q / double(outer * inner);
}

TEST(BatchNormalization, InferenceMatchesDefinitionForChannelSweep) {
  for (int64_t c : {1, 7, 8, 9, 17}) {
    const Tensor x = random_tensor({2, c, 3, 5}, 1), scale = random_tensor({c}, 2),
                 bias = random_tensor({c}, 3), mean = random_tensor({c}, 4),
                 var = random_tensor({c}, 5, 0.1f, 2.0f);
    const Tensor y = run_op(OpSpec("BatchNormalization").opset(15).attr("epsilon", 1e-3f),
                            {x, scale, bias, mean, var})[0];
    for (int64_t i = 0; i < x.numel(); ++i) {
      const int64_t ch = (i / 15) % c;
      const double want = (x.data<float>()[i] - mean.data<float>()[ch]) /
                              std::sqrt(var.data<float>()[ch] + 1e-3) * scale.data<float>()[ch] +
                          bias.data<float>()[ch];
      ASSERT_NEAR(y.data<float>()[i], want, 1e-5);
    }
  }
}

TEST(BatchNormalization, TrainingModeUpdatesRunningStatistics) {
  const int64_t c = 3;
  const Tensor x = random_tensor({4, c, 2, 3}, 1), scale = random_tensor({c}, 2),
               bias = random_tensor({c}, 3), mean = random_tensor({c}, 4),
               var = random_tensor({c}, 5, 0.1f, 2.0f);
  const auto out = run_op(OpSpec("BatchNormalization").opset(15).outputs(3)
                              .attr("training_mode", 1).attr("momentum", 0.8f),
                          {x, scale, bias, mean, var});
  for (int64_t ch = 0; ch < c; ++ch) {
    double bm, bv;
    ref_stats(x, 4, c, 6, ch, &bm, &bv);
    EXPECT_NEAR(out[1].data<float>()[ch], mean.data<float>()[ch] * 0.8 + bm * 0.2, 1e-5);
    EXPECT_NEAR(out[2].data<float>()[ch], var.data<float>()[ch] * 0.8 + bv * 0.2, 1e-5);
    const double want0 = (x.data<float>()[ch * 6] - bm) / std::sqrt(bv + 1e-5) * scale.data<float>()[ch] +
                         bias.data<float>()[ch];
    EXPECT_NEAR(out[0].data<float>()[ch * 6], want0, 1e-4);
  }
}

TEST(BatchNormalization, LegacySpatialZeroUsesPerElementParameters) {
  const Tensor x = make<float>({2, 2, 1}, {1, 2, 3, 4});
  const Tensor scale = make<float>({2, 1}, {1, 2}), bias = make<float>({2, 1}, {0, 1});
  const Tensor mean = make<float>({2, 1}, {1, 1}), var = make<float>({2, 1}, {1, 4});
  const Tensor y = run_op(OpSpec("BatchNormalization").opset(7).attr("spatial", 0).attr("epsilon", 0.0f),
                          {x, scale, bias, mean, var})[0];
  EXPECT_EQ(values<float>(y), (std::vector<float>{0, 2, 2, 4}));
}

TEST(BatchNormalization, WrongParameterSizeFails) {
  const Tensor x = random_tensor({1, 3, 2, 2}, 1), p = random_tensor({2}, 2);
  EXPECT_THROW(run_op(OpSpec("BatchNormalization").opset(15), {x, p, p, p, p}), Error);
}

TEST(InstanceNormalization, NormalizesEachPlane) {
  for (int64_t c : {1, 7, 9}) {
    const Tensor x = random_tensor({2, c, 5, 3}, 1), scale = random_tensor({c}, 2),
                 bias = random_tensor({c}, 3);
    const Tensor y = run_op(OpSpec("InstanceNormalization").opset(6), {x, scale, bias})[0];
    for (int64_t p = 0; p < 2 * c; ++p) {
      double m, v;
      ref_stats(x, 1, 2 * c, 15, p, &m, &v);
      for (int64_t i = 0; i < 15; ++i)
        ASSERT_NEAR(y.data<float>()[p * 15 + i],
                    (x.data<float>()[p * 15 + i] - m) / std::sqrt(v + 1e-5) * scale.data<float>()[p % c] +
                        bias.data<float>()[p % c],
                    1e-5);
    }
  }
}

TEST(LayerNormalization, EveryAxisWithStatisticsOutputs) {
  const Tensor x = random_tensor({2, 3, 4}, 1);
  for (int64_t axis : {0, 1, 2, -1, -2}) {
    const int64_t a = axis < 0 ? axis + 3 : axis;
    Shape normalized(x.shape().begin() + a, x.shape().end());
    const int64_t inner = shape_numel(normalized), outer = 24 / inner;
    const Tensor scale = random_tensor(normalized, 2), bias = random_tensor(normalized, 3);
    const auto out = run_op(OpSpec("LayerNormalization").opset(17).outputs(3).attr("axis", axis),
                            {x, scale, bias});
    Shape stats_shape = x.shape();
    for (int64_t d = a; d < 3; ++d) stats_shape[d] = 1;
    EXPECT_EQ(out[1].shape(), stats_shape);
    for (int64_t r = 0; r < outer; ++r) {
      double m, v;
      ref_stats(x, 1, outer, inner, r, &m, &v);
      EXPECT_NEAR(out[1].data<float>()[r], m, 1e-6);
      EXPECT_NEAR(out[2].data<float>()[r], 1 / std::sqrt(v + 1e-5), 1e-4);
      for (int64_t i = 0; i < inner; ++i)
        ASSERT_NEAR(out[0].data<float>()[r * inner + i],
                    (x.data<float>()[r * inner + i] - m) / std::sqrt(v + 1e-5) * scale.data<float>()[i] +
                        bias.data<float>()[i],
                    1e-5);
    }
  }
}

TEST(LayerNormalization, ScaleBroadcastsAndBiasIsOptional) {
  const Tensor x = make<float>({1, 2, 2}, {1, 3, 5, 9});
  const Tensor y = run_op(OpSpec("LayerNormalization").opset(17).attr("axis", 1).attr("epsilon", 0.0f),
                          {x, make<float>({2}, {1, 2})})[0];
  // mean 4.5, variance 35 / 4
  const double s = std::sqrt(8.75);
  EXPECT_NEAR(y.data<float>()[0], -3.5 / s, 1e-5);
  EXPECT_NEAR(y.data<float>()[1], 2 * -1.5 / s, 1e-5);
  EXPECT_NEAR(y.data<float>()[3], 2 * 4.5 / s, 1e-5);
  EXPECT_THROW(run_op(OpSpec("LayerNormalization").opset(17), {x, make<float>({3}, {1, 2, 3})}), Error);
  EXPECT_THROW(run_op(OpSpec("LayerNormalization").opset(17).attr("axis", 3), {x, make<float>({1}, {1})}),
               Error);
}

TEST(LRN, MatchesDefinitionForEvenAndOddSizes) {
  const Tensor x = random_tensor({2, 9, 2, 3}, 1);
  for (int64_t size : {1, 2, 3, 4, 5}) {
    const Tensor y = run_op(OpSpec("LRN").attr("size", size).attr("alpha", 0.3f).attr("beta", 0.6f)
                                .attr("bias", 2.0f),
                            {x})[0];
    for (int64_t i = 0; i < x.numel(); ++i) {
      const int64_t c = (i / 6) % 9, n = i / 54, s = i % 6;
      double sq = 0;
      for (int64_t cc = std::max<int64_t>(0, c - (size - 1) / 2); cc <= std::min<int64_t>(8, c + size / 2); ++cc) {
        const double v = x.data<float>()[n * 54 + cc * 6 + s];
        sq += v * v;
      }
      ASSERT_NEAR(y.data<float>()[i], x.data<float>()[i] / std::pow(2.0 + 0.3 / size * sq, 0.6), 1e-5);
    }
  }
}

TEST(MeanVarianceNormalization, DefaultAndCustomAxes) {
  const Tensor x = random_tensor({2, 3, 2, 2}, 1);
  const Tensor y = run_op(OpSpec("MeanVarianceNormalization").opset(13), {x})[0];
  // Default axes {0, 2, 3}: per channel over batch and space.
  for (int64_t c = 0; c < 3; ++c) {
    double s = 0, q = 0;
    for (int64_t n = 0; n < 2; ++n)
      for (int64_t i = 0; i < 4; ++i) s += x.data<float>()[(n * 3 + c) * 4 + i];
    const double m = s / 8;
    for (int64_t n = 0; n < 2; ++n)
      for (int64_t i = 0; i < 4; ++i) q += std::pow(x.data<float>()[(n * 3 + c) * 4 + i] - m, 2);
    const int64_t at = 3 * 4 + c * 4 + 1;  // n = 1, i = 1
    EXPECT_NEAR(y.data<float>()[at], (x.data<float>()[at] - m) / (std::sqrt(q / 8) + 1e-9), 1e-5);
  }
  const Tensor z = run_op(OpSpec("MeanVarianceNormalization").attr("axes", std::vector<int64_t>{-1}),
                          {make<float>({2, 2}, {1, 3, 5, 5})})[0];
  EXPECT_NEAR(z.data<float>()[0], -1.0, 1e-6);
  EXPECT_NEAR(z.data<float>()[1], 1.0, 1e-6);
  EXPECT_EQ(z.data<float>()[2], 0.0f);
}

TEST(LpNormalization, L1AndL2AlongAxis) {
  const Tensor x = make<float>({2, 2}, {3, 4, 0, 0});
  EXPECT_EQ(values<float>(run_op(OpSpec("LpNormalization").opset(1), {x})[0]),
            (std::vector<float>{0.6f, 0.8f, 0, 0}));
  const Tensor y = run_op(OpSpec("LpNormalization").opset(1).attr("axis", 0).attr("p", 1), {x})[0];
  EXPECT_EQ(values<float>(y), (std::vector<float>{1, 1, 0, 0}));
  EXPECT_THROW(run_op(OpSpec("LpNormalization").opset(1).attr("p", 3), {x}), Error);
}

}  // namespace
}  // namespace skiff
