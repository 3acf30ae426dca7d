// The oneDNN regions' own matrix product (engines/dnnl/own_gemm.h): the
// AVX-512 kernel against a plain loop in double precision, over both tile
// shapes and their remainders, both tile orders, row strides and post-ops;
// and 1x1 convolutions in regions against the native engine.
#include <cmath>
#include <string>

#include "core/cpu.h"
#include "engines/dnnl/dnnl_test_util.h"
#include "engines/dnnl/own_gemm.h"

namespace skiff::testing {
namespace {

using dnnl_engine::OwnGemmArgs;
using dnnl_engine::OwnGemmShape;
using dnnl_engine::OwnPostOp;
using alg = dnnl::algorithm;
using Kind = OwnPostOp::Kind;

// C = post_ops(A B + bias) on random data, the tiles split over three
// calls as threads would; every element of C (and the guard columns past
// N in each row and the guard floats past C) checked against a plain loop.
void check(int64_t m, int64_t n, int64_t k, int64_t lda_extra, int64_t ldc_extra,
           const std::vector<OwnPostOp>& post_ops, bool with_bias) {
  SCOPED_TRACE("M " + std::to_string(m) + " N " + std::to_string(n) + " K " + std::to_string(k) + " lda +" +
               std::to_string(lda_extra) + " ldc +" + std::to_string(ldc_extra) + (with_bias ? ", bias" : ""));
  OwnGemmShape s;
  s.m = m;
  s.n = n;
  s.k = k;
  s.lda = k + lda_extra;
  s.ldc = n + ldc_extra;
  const std::vector<float> a = random_floats(static_cast<size_t>(m * s.lda), 1);
  const std::vector<float> w = random_floats(static_cast<size_t>(n * k), 2);  // N x K, as a 1x1 convolution's weights
  const std::vector<float> bias = random_floats(static_cast<size_t>(n), 3);
  const int64_t blocks = (n + 15) / 16;
  std::vector<float> packed(static_cast<size_t>(blocks * k * 16), 0.f);  // Oihw16o
  for (int64_t o = 0; o < n; ++o)
    for (int64_t i = 0; i < k; ++i)
      packed[static_cast<size_t>(((o / 16) * k + i) * 16 + o % 16)] = w[static_cast<size_t>(o * k + i)];
  const float guard = 12345.f;
  std::vector<float> c = random_floats(static_cast<size_t>(m * s.ldc), 4);  // the residual of a sum post-op
  for (int64_t r = 0; r < m; ++r)
    for (int64_t j = n; j < s.ldc; ++j) c[static_cast<size_t>(r * s.ldc + j)] = guard;
  const std::vector<float> residual = c;
  c.resize(c.size() + 16, guard);
  const std::vector<float> per_channel = random_floats(static_cast<size_t>(n), 5);
  const float one_value = -0.5f;
  std::vector<void*> data(8, nullptr);
  data[6] = const_cast<float*>(per_channel.data());
  data[7] = const_cast<float*>(&one_value);

  OwnGemmArgs g;
  g.shape = &s;
  g.post_ops = &post_ops;
  g.a = a.data();
  g.b = packed.data();
  g.bias = with_bias ? bias.data() : nullptr;
  g.c = c.data();
  g.operands = data.data();
  const auto t = dnnl_engine::own_gemm_tiling(s);
  const int64_t tiles = t.row_tiles * t.column_tiles;
  dnnl_engine::own_gemm_avx512(g, 0, tiles / 3);
  dnnl_engine::own_gemm_avx512(g, tiles / 3, 2 * tiles / 3);
  dnnl_engine::own_gemm_avx512(g, 2 * tiles / 3, tiles);

  for (int64_t r = 0; r < m; ++r) {
    for (int64_t j = 0; j < n; ++j) {
      double acc = with_bias ? bias[static_cast<size_t>(j)] : 0.0;
      for (int64_t i = 0; i < k; ++i)
        acc += static_cast<double>(a[static_cast<size_t>(r * s.lda + i)]) * w[static_cast<size_t>(j * k + i)];
      const size_t at = static_cast<size_t>(r * s.ldc + j);
      for (const OwnPostOp& op : post_ops) {
        if (op.kind == Kind::kEltwise) acc = op.algorithm == alg::eltwise_relu ? std::max(acc, 0.0)
                                           : acc * std::min(std::max(acc + 3, 0.0), 6.0) / 6;
        else if (op.kind == Kind::kSum) acc += op.scale * residual[at];
        else if (op.algorithm == alg::binary_mul) acc *= op.per_channel ? per_channel[static_cast<size_t>(j)] : one_value;
        else acc += op.per_channel ? per_channel[static_cast<size_t>(j)] : one_value;
      }
      ASSERT_NEAR(c[at], acc, 1e-5 * (1 + std::sqrt(static_cast<double>(k)))) << "row " << r << " column " << j;
    }
    for (int64_t j = n; j < s.ldc; ++j) ASSERT_EQ(c[static_cast<size_t>(r * s.ldc + j)], guard) << "row " << r;
  }
  for (size_t i = static_cast<size_t>(m * s.ldc); i < c.size(); ++i) ASSERT_EQ(c[i], guard) << "wrote past C";
}

TEST(DnnlOwnGemm, KernelMatchesAPlainLoopOverShapes) {
  if (!avx512_kernels()) GTEST_SKIP() << "no AVX-512F here (or SKIFF_ISA is set): regions keep oneDNN's convolution";
  const std::vector<OwnPostOp> none;
  // N: multiples of 64 (6 x 4 tiles), of 48 (8 x 3), and others, with one
  // or two vectors left over and a partial last vector; M: remainders of
  // both tile heights; K: 1 and odd sizes; a B too large for the
  // row-major tile order (K N > 32K floats).
  for (int64_t n : {64, 128, 48, 96, 16, 32, 60, 120, 7, 200})
    for (int64_t m : {1, 5, 8, 13, 30})
      for (int64_t k : {1, 17, 64}) check(m, n, k, 0, 0, none, true);
  check(20, 120, 300, 0, 0, none, true);
  check(9, 256, 200, 0, 0, none, false);
  check(11, 40, 24, 5, 3, none, true);  // row strides past K and N
}

TEST(DnnlOwnGemm, KernelAppliesPostOps) {
  if (!avx512_kernels()) GTEST_SKIP() << "no AVX-512F here (or SKIFF_ISA is set): regions keep oneDNN's convolution";
  OwnPostOp hardswish, relu, sum, mul, add;
  hardswish.algorithm = alg::eltwise_hardswish;
  relu.algorithm = alg::eltwise_relu;
  sum.kind = Kind::kSum;
  mul.kind = add.kind = Kind::kBinary;
  mul.algorithm = alg::binary_mul;
  mul.per_channel = true;
  mul.operand = 6;
  add.algorithm = alg::binary_add;
  add.operand = 7;
  for (const auto& chain : std::vector<std::vector<OwnPostOp>>{
           {hardswish, mul, add}, {sum, relu}, {relu, sum}, {mul}, {add, hardswish}}) {
    check(14, 120, 40, 0, 0, chain, true);
    check(7, 64, 33, 0, 0, chain, false);
  }
}

// 1x1 convolutions inside regions (channels-last, as oneDNN picks on
// AVX-512), with fused activations and a residual, against the native
// engine; on AVX-512 machines the own kernel runs the ones it takes.
TEST(DnnlOwnGemm, PointwiseConvolutionsMatchTheNativeEngine) {
  for (int64_t c : {16, 130, 240})
    for (int64_t o : {24, 64, 120}) {
      expect_dnnl_matches_native(OpSpec("Conv"), {random_tensor({1, c, 5, 9}, 1), random_tensor({o, c, 1, 1}, 2),
                                                  random_tensor({o}, 3)});
      const auto fused = OpSpec("FusedConv", "com.skiff").opset(1).attr("activation", "HardSwish");
      expect_dnnl_matches_native(fused, {random_tensor({2, c, 3, 4}, 4), random_tensor({o, c, 1, 1}, 5),
                                         random_tensor({o}, 6), random_tensor({2, o, 3, 4}, 7)});
    }
}

}  // namespace
}  // namespace skiff::testing
