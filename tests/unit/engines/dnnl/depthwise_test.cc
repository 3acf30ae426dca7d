// The oneDNN regions' own depthwise convolution (engines/dnnl/depthwise.h):
// the AVX-512 kernel against a plain loop in double precision, over kernel
// sizes, strides, paddings, channel tails and every post-op it takes; and
// regions that use it against the native engine.
#include <algorithm>
#include <cmath>
#include <string>

#include "core/cpu.h"
#include "engines/dnnl/depthwise.h"
#include "engines/dnnl/dnnl_test_util.h"

namespace skiff::testing {
namespace {

using dnnl_engine::DepthwiseArgs;
using dnnl_engine::OwnPostOp;
using dnnl_engine::ConvGeometry;
using alg = dnnl::algorithm;
using Kind = OwnPostOp::Kind;

double eltwise(const OwnPostOp& op, double x) {
  switch (op.algorithm) {
    case alg::eltwise_relu: return x > 0 ? x : op.alpha * x;
    case alg::eltwise_clip: return std::min<double>(std::max<double>(x, op.alpha), op.beta);
    case alg::eltwise_linear: return op.alpha * x + op.beta;
    case alg::eltwise_hardswish: return x * std::min(std::max(x + 3, 0.0), 6.0) / 6;
    default: ADD_FAILURE() << "eltwise not in the test"; return x;
  }
}

double binary(alg a, double x, double y) {
  switch (a) {
    case alg::binary_add: return x + y;
    case alg::binary_mul: return x * y;
    case alg::binary_sub: return x - y;
    case alg::binary_div: return x / y;
    case alg::binary_max: return std::max(x, y);
    case alg::binary_min: return std::min(x, y);
    default: ADD_FAILURE() << "binary not in the test"; return x;
  }
}

// Runs the kernel on random data (in two item ranges, as two threads would)
// and compares every output, and the guard floats past the output, with
// the plain loop.
void check(const ConvGeometry& s, const std::vector<OwnPostOp>& post_ops, bool with_bias) {
  SCOPED_TRACE("C " + std::to_string(s.channels) + ", " + std::to_string(s.in_h) + "x" + std::to_string(s.in_w) +
               ", kernel " + std::to_string(s.kernel_h) + "x" + std::to_string(s.kernel_w) + ", stride " +
               std::to_string(s.stride_w) + ", pads " + std::to_string(s.pad_top) + "," + std::to_string(s.pad_left) +
               ", batch " + std::to_string(s.batch) + (with_bias ? ", bias" : ""));
  const int64_t c = s.channels, blocks = (c + 15) / 16;
  const std::vector<float> src = random_floats(static_cast<size_t>(s.batch * s.in_h * s.in_w * c), 1);
  const std::vector<float> w = random_floats(static_cast<size_t>(c * s.kernel_h * s.kernel_w), 2);
  const std::vector<float> bias = random_floats(static_cast<size_t>(c), 3);
  // Goihw16g: [blocks][KH][KW][16], zero past C.
  std::vector<float> packed(static_cast<size_t>(blocks * s.kernel_h * s.kernel_w * 16), 0.f);
  for (int64_t ch = 0; ch < c; ++ch)
    for (int64_t k = 0; k < s.kernel_h * s.kernel_w; ++k)
      packed[static_cast<size_t>(((ch / 16) * s.kernel_h * s.kernel_w + k) * 16 + ch % 16)] =
          w[static_cast<size_t>(ch * s.kernel_h * s.kernel_w + k)];
  const size_t out_size = static_cast<size_t>(s.batch * s.out_h * s.out_w * c);
  const float guard = 12345.f;
  std::vector<float> dst = random_floats(out_size, 4);  // the residual of a sum post-op
  const std::vector<float> residual = dst;
  dst.resize(out_size + 16, guard);
  const std::vector<float> per_channel = random_floats(static_cast<size_t>(c), 5);
  const float one_value = 0.75f;
  std::vector<void*> data(8, nullptr);
  data[6] = const_cast<float*>(per_channel.data());
  data[7] = const_cast<float*>(&one_value);

  DepthwiseArgs a;
  a.shape = &s;
  a.post_ops = &post_ops;
  a.src = src.data();
  a.weights = packed.data();
  a.bias = with_bias ? bias.data() : nullptr;
  a.dst = dst.data();
  a.operands = data.data();
  const int64_t items = s.batch * s.out_h * blocks;
  dnnl_engine::depthwise_avx512(a, 0, items / 3);
  dnnl_engine::depthwise_avx512(a, items / 3, items);

  for (int64_t n = 0; n < s.batch; ++n)
    for (int64_t oy = 0; oy < s.out_h; ++oy)
      for (int64_t ox = 0; ox < s.out_w; ++ox)
        for (int64_t ch = 0; ch < c; ++ch) {
          double acc = with_bias ? bias[static_cast<size_t>(ch)] : 0.0;
          for (int64_t ky = 0; ky < s.kernel_h; ++ky)
            for (int64_t kx = 0; kx < s.kernel_w; ++kx) {
              const int64_t iy = oy * s.stride_h - s.pad_top + ky, ix = ox * s.stride_w - s.pad_left + kx;
              if (iy < 0 || iy >= s.in_h || ix < 0 || ix >= s.in_w) continue;
              acc += static_cast<double>(w[static_cast<size_t>((ch * s.kernel_h + ky) * s.kernel_w + kx)]) *
                     src[static_cast<size_t>(((n * s.in_h + iy) * s.in_w + ix) * c + ch)];
            }
          const size_t at = static_cast<size_t>(((n * s.out_h + oy) * s.out_w + ox) * c + ch);
          for (const OwnPostOp& op : post_ops) {
            if (op.kind == Kind::kEltwise) acc = eltwise(op, acc);
            else if (op.kind == Kind::kSum) acc += op.scale * residual[at];
            else acc = binary(op.algorithm, acc, op.per_channel ? per_channel[static_cast<size_t>(ch)] : one_value);
          }
          ASSERT_NEAR(dst[at], acc, 2e-5 * (1 + std::fabs(acc))) << "n " << n << " y " << oy << " x " << ox << " c " << ch;
        }
  for (size_t i = out_size; i < dst.size(); ++i) ASSERT_EQ(dst[i], guard) << "wrote past the output";
}

ConvGeometry shape(int64_t c, int64_t ih, int64_t iw, int64_t kh, int64_t kw, int64_t stride, int64_t pad_top,
                     int64_t pad_left, int64_t pad_bottom, int64_t pad_right, int64_t batch = 1) {
  ConvGeometry s;
  s.batch = batch;
  s.channels = c;
  s.in_h = ih;
  s.in_w = iw;
  s.kernel_h = kh;
  s.kernel_w = kw;
  s.stride_h = s.stride_w = stride;
  s.pad_top = pad_top;
  s.pad_left = pad_left;
  s.out_h = (ih + pad_top + pad_bottom - kh) / stride + 1;
  s.out_w = (iw + pad_left + pad_right - kw) / stride + 1;
  return s;
}

TEST(DnnlOwnDepthwise, KernelMatchesAPlainLoopOverShapes) {
  if (!avx512_kernels()) GTEST_SKIP() << "no AVX-512F here (or SKIFF_ISA is set): regions keep oneDNN's convolution";
  const std::vector<OwnPostOp> none;
  // The compiled-in kernels (3 and 5 wide, strides 1 and 2, 7 at stride 1)
  // and the general one (4 wide, stride 3); channel counts with a tail;
  // rows narrower than the kernel (every column an edge); 8-column blocks
  // with remainders; asymmetric and zero pads; a batch.
  for (int64_t c : {16, 64, 24, 7})
    for (int64_t kw : {3, 5, 7, 4})
      for (int64_t stride : {1, 2, 3})
        for (int64_t iw : {2, 9, 27}) {
          const int64_t pad = kw / 2;
          check(shape(c, 6, iw, kw, kw, stride, pad, pad, pad, pad), none, true);
        }
  check(shape(32, 7, 19, 3, 3, 1, 0, 0, 0, 0, 2), none, false);
  check(shape(48, 9, 21, 3, 3, 2, 1, 0, 2, 1, 3), none, true);
  check(shape(20, 5, 11, 3, 5, 1, 2, 1, 0, 3), none, true);
}

TEST(DnnlOwnDepthwise, KernelAppliesEveryPostOpInOrder) {
  if (!avx512_kernels()) GTEST_SKIP() << "no AVX-512F here (or SKIFF_ISA is set): regions keep oneDNN's convolution";
  auto elt = [](alg a, float alpha = 0, float beta = 0) {
    OwnPostOp op;
    op.algorithm = a;
    op.alpha = alpha;
    op.beta = beta;
    return op;
  };
  auto bin = [](alg a, bool per_channel) {
    OwnPostOp op;
    op.kind = Kind::kBinary;
    op.algorithm = a;
    op.per_channel = per_channel;
    op.operand = per_channel ? 6 : 7;
    return op;
  };
  OwnPostOp sum;
  sum.kind = Kind::kSum;
  sum.scale = 1.f;
  const std::vector<std::vector<OwnPostOp>> chains = {
      // PaddleOCR's depthwise blocks: hardswish, then a learnt scale and bias.
      {elt(alg::eltwise_hardswish), bin(alg::binary_mul, false), bin(alg::binary_add, false)},
      {elt(alg::eltwise_relu)},
      {elt(alg::eltwise_relu, 0.1f)},
      {elt(alg::eltwise_clip, 0.f, 6.f)},
      {elt(alg::eltwise_linear, 0.5f, -0.25f), elt(alg::eltwise_clip, 0.f, 1.f)},
      {sum, elt(alg::eltwise_relu)},
      {bin(alg::binary_mul, true), bin(alg::binary_sub, true), bin(alg::binary_div, false)},
      {bin(alg::binary_max, true), bin(alg::binary_min, false), sum},
  };
  for (const auto& chain : chains) {
    check(shape(40, 5, 13, 3, 3, 1, 1, 1, 1, 1), chain, true);
    check(shape(16, 4, 20, 5, 5, 2, 2, 2, 2, 2), chain, false);
  }
}

// Depthwise convolutions inside regions, with the chains the region fuses
// into them, against the native engine (on AVX-512 machines the own kernel
// runs them; elsewhere oneDNN does).
TEST(DnnlOwnDepthwise, RegionsMatchTheNativeEngine) {
  for (int64_t c : {16, 24, 64})
    for (int64_t stride : {1, 2}) {
      const auto spec = OpSpec("FusedConv", "com.skiff").opset(1).attr("group", c)
          .attr("strides", std::vector<int64_t>{stride, stride}).attr("pads", std::vector<int64_t>{2, 2, 2, 2})
          .attr("activation", "HardSwish");
      expect_dnnl_matches_native(spec, {random_tensor({1, c, 9, 23}, 1), random_tensor({c, 1, 5, 5}, 2),
                                        random_tensor({c}, 3)});
      expect_dnnl_matches_native(OpSpec("Conv").attr("group", c).attr("strides", std::vector<int64_t>{stride, stride}),
                                 {random_tensor({2, c, 7, 12}, 4), random_tensor({c, 1, 3, 3}, 5)});
    }
}

}  // namespace
}  // namespace skiff::testing
