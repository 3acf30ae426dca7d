// The oneDNN regions' own swish step (engines/dnnl/swish.h): the AVX-512
// kernel against the exact value, and regions that use it against the
// native engine.
#include <cfloat>
#include <cmath>
#include <cstdio>
#include <limits>

#include "core/cpu.h"
#include "engines/dnnl/dnnl_test_util.h"
#include "engines/dnnl/swish.h"

namespace skiff::testing {
namespace {

double exact_swish(float x) { return x / (1.0 + std::exp(-static_cast<double>(x))); }

TEST(DnnlOwnSwish, KernelMatchesTheExactValueEverywhere) {
  if (!avx512_kernels())
    GTEST_SKIP() << "no AVX-512F here (or SKIFF_ISA is set): regions keep oneDNN's swish post-op";
  std::vector<float> x;
  for (float v = -110.f; v < 110.f; v += 0.00377f) x.push_back(v);
  for (float v : {0.f, -0.f, 1e-30f, -1e-30f, 1e-40f, -1e-40f, -87.5f, -88.f, -88.5f, -1e10f, 1e10f, FLT_MAX, -FLT_MAX})
    x.push_back(v);
  std::vector<float> y = x;
  dnnl_engine::swish_avx512(y.data(), static_cast<int64_t>(y.size()));
  double worst = 0;
  float worst_at = 0;
  for (size_t i = 0; i < x.size(); ++i) {
    const double exact = exact_swish(x[i]);
    const double error = std::fabs(y[i] - exact);
    if (x[i] >= -87.f) {
      // e^x is a normal float: relative error, tiny inputs included.
      ASSERT_LE(error, 3e-7 * std::fabs(exact)) << "x = " << x[i] << ": " << y[i] << " vs " << exact;
      if (exact != 0 && error / std::fabs(exact) > worst) {
        worst = error / std::fabs(exact);
        worst_at = x[i];
      }
    } else {
      // e^x goes subnormal, then 0 (the exact value is under 1.5e-36):
      // within the smallest normal float.
      ASSERT_LE(error, FLT_MIN) << "x = " << x[i] << ": " << y[i] << " vs " << exact;
    }
  }
  char text[64];
  std::snprintf(text, sizeof text, "%.3g at x = %.6g", worst, static_cast<double>(worst_at));
  RecordProperty("worst_relative_error", text);
  const float inf = std::numeric_limits<float>::infinity();
  float special[3] = {std::numeric_limits<float>::quiet_NaN(), inf, -inf};
  dnnl_engine::swish_avx512(special, 3);
  EXPECT_TRUE(std::isnan(special[0]));
  EXPECT_EQ(special[1], inf);
  EXPECT_TRUE(std::isnan(special[2])) << "-inf * sigmoid(-inf) is -inf * 0";
}

// Every length's tail is done, and nothing past n is touched.
TEST(DnnlOwnSwish, KernelTailsStopAtN) {
  if (!avx512_kernels())
    GTEST_SKIP() << "no AVX-512F here (or SKIFF_ISA is set): regions keep oneDNN's swish post-op";
  for (int64_t n = 0; n <= 70; ++n) {
    std::vector<float> x(static_cast<size_t>(n) + 40, 7.f);
    for (int64_t i = 0; i < n; ++i) x[static_cast<size_t>(i)] = 0.1f * static_cast<float>(i) - 3.f;
    const std::vector<float> before = x;
    dnnl_engine::swish_avx512(x.data(), n);
    for (size_t i = 0; i < x.size(); ++i) {
      if (static_cast<int64_t>(i) < n)
        ASSERT_NEAR(x[i], exact_swish(before[i]), 1e-6) << "n = " << n << ", i = " << i;
      else
        ASSERT_EQ(x[i], 7.f) << "n = " << n << ": wrote past the end at " << i;
    }
  }
}

// Convolutions with SiLU as their last (or only) activation: the region runs
// it as its own step on AVX-512 machines, after a residual sum too, and with
// channel counts whose blocked layouts carry padding.
TEST(DnnlOwnSwish, ConvolutionsEndingInSiluMatchTheNativeEngine) {
  const auto conv = [](int64_t group) {
    return OpSpec("FusedConv", "com.skiff").opset(1).attr("pads", std::vector<int64_t>{1, 1, 1, 1})
        .attr("group", group).attr("activation", "Silu");
  };
  for (int64_t channels : {16, 20, 96}) {
    const Tensor x = random_tensor({1, channels, 13, 11}, 1, -6.f, 6.f);
    const Tensor w = random_tensor({channels, channels, 3, 3}, 2);
    const Tensor b = random_tensor({channels}, 3);
    const Tensor z = random_tensor({1, channels, 13, 11}, 4);
    expect_dnnl_matches_native(conv(1), {x, w, b});
    expect_dnnl_matches_native(conv(1), {x, w, b, z});  // sum, then swish
    expect_dnnl_matches_native(conv(channels), {x, random_tensor({channels, 1, 3, 3}, 5), b});  // depthwise
  }
}

}  // namespace
}  // namespace skiff::testing
