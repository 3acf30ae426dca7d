#include <gtest/gtest.h>

#include "support/op_test.h"
#include "support/random.h"

namespace skiff {
namespace {

using testing::make;
using testing::OpSpec;
using testing::random_tensor;
using testing::run_op;

struct ConvCase {
  Shape x, w;  // [N, C, spatial...], [M, C/group, kernel...]
  int64_t group = 1;
  std::vector<int64_t> strides, dilations, pads;  // empty = defaults
  bool bias = true;
};

// Direct convolution from the definition, with explicit pads.
std::vector<double> ref_conv(const ConvCase& c, const Tensor& x, const Tensor& w, const Tensor* b,
                             Shape* out_shape) {
  const size_t r = c.x.size() - 2;
  auto at = [](const std::vector<int64_t>& v, size_t i, int64_t dflt) { return v.empty() ? dflt : v[i]; };
  Shape out = {c.x[0], c.w[0]};
  for (size_t i = 0; i < r; ++i) {
    const int64_t ext = at(c.dilations, i, 1) * (c.w[2 + i] - 1) + 1;
    out.push_back((c.x[2 + i] + at(c.pads, i, 0) + at(c.pads, r + i, 0) - ext) / at(c.strides, i, 1) + 1);
  }
  *out_shape = out;
  const int64_t cg = c.w[1], mg = c.w[0] / c.group;
  const Shape ospatial(out.begin() + 2, out.end()), kspatial(c.w.begin() + 2, c.w.end());
  const int64_t osize = shape_numel(ospatial), ksize = shape_numel(kspatial);
  const auto xs = shape_strides(c.x), ws = shape_strides(c.w);
  std::vector<double> y;
  for (int64_t n = 0; n < out[0]; ++n)
    for (int64_t m = 0; m < out[1]; ++m)
      for (int64_t o = 0; o < osize; ++o) {
        double s = b ? b->data<float>()[m] : 0.0;
        for (int64_t ci = 0; ci < cg; ++ci)
          for (int64_t k = 0; k < ksize; ++k) {
            int64_t xo = n * xs[0] + ((m / mg) * cg + ci) * xs[1], wo = m * ws[0] + ci * ws[1];
            bool inside = true;
            int64_t orest = o, krest = k;
            for (size_t d = r; d-- > 0;) {
              const int64_t od = orest % ospatial[d], kd = krest % kspatial[d];
              orest /= ospatial[d];
              krest /= kspatial[d];
              const int64_t id = od * at(c.strides, d, 1) - at(c.pads, d, 0) + kd * at(c.dilations, d, 1);
              inside = inside && id >= 0 && id < c.x[2 + d];
              xo += id * xs[2 + d];
              wo += kd * ws[2 + d];
            }
            if (inside) s += double(x.data<float>()[xo]) * w.data<float>()[wo];
          }
        y.push_back(s);
      }
  return y;
}

OpSpec conv_spec(const ConvCase& c) {
  OpSpec spec("Conv");
  spec.opset(11).attr("group", c.group);
  if (!c.strides.empty()) spec.attr("strides", c.strides);
  if (!c.dilations.empty()) spec.attr("dilations", c.dilations);
  if (!c.pads.empty()) spec.attr("pads", c.pads);
  return spec;
}

void check_conv(const ConvCase& c, OpSpec spec) {
  const Tensor x = random_tensor(c.x, 1), w = random_tensor(c.w, 2);
  const Tensor b = random_tensor({c.w[0]}, 3);
  Shape want_shape;
  const auto want = ref_conv(c, x, w, c.bias ? &b : nullptr, &want_shape);
  const Tensor y = run_op(spec, c.bias ? std::vector<Tensor>{x, w, b} : std::vector<Tensor>{x, w})[0];
  ASSERT_EQ(y.shape(), want_shape) << "x " << shape_str(c.x) << " w " << shape_str(c.w);
  for (int64_t i = 0; i < y.numel(); ++i)
    ASSERT_NEAR(y.data<float>()[i], want[static_cast<size_t>(i)], 1e-4)
        << "x " << shape_str(c.x) << " w " << shape_str(c.w) << " group " << c.group << " at " << i;
}

void check_conv(const ConvCase& c) { check_conv(c, conv_spec(c)); }

TEST(Conv, ChannelSweep2DMatchesReference) {
  for (int64_t ch : {1, 7, 8, 9, 17})
    for (int64_t m : {1, 8, 9}) {
      check_conv({{2, ch, 7, 9}, {m, ch, 3, 3}, 1, {}, {}, {1, 1, 1, 1}});
      check_conv({{1, ch, 5, 6}, {m, ch, 1, 1}, 1, {}, {}, {}, false});  // pointwise
    }
}

TEST(Conv, StridesDilationsAndPadsLargerThanKernel) {
  check_conv({{1, 3, 11, 10}, {4, 3, 3, 2}, 1, {2, 3}, {2, 1}, {4, 0, 5, 3}});
  check_conv({{2, 2, 9, 9}, {3, 2, 2, 2}, 1, {3, 2}, {3, 4}, {1, 2, 3, 0}});
  check_conv({{1, 5, 4, 4}, {2, 5, 1, 1}, 1, {2, 2}, {}, {}});  // strided 1x1 takes im2col
}

TEST(Conv, GroupsAndDepthwiseMatchReference) {
  check_conv({{2, 6, 8, 7}, {9, 2, 3, 3}, 3, {}, {}, {1, 1, 1, 1}});
  for (int64_t ch : {1, 7, 8, 9, 17}) {
    check_conv({{2, ch, 9, 8}, {ch, 1, 3, 3}, ch, {}, {}, {1, 1, 1, 1}});
    check_conv({{1, ch, 13, 7}, {2 * ch, 1, 5, 3}, ch, {2, 1}, {1, 2}, {3, 0, 6, 4}});
  }
}

TEST(Conv, OneAndThreeDimensionsMatchReference) {
  check_conv({{2, 3, 17}, {5, 3, 4}, 1, {2}, {2}, {3, 1}});
  check_conv({{1, 4, 5, 6, 7}, {6, 2, 3, 2, 3}, 2, {1, 2, 2}, {2, 1, 1}, {1, 0, 2, 1, 1, 0}});
  check_conv({{2, 3, 9}, {3, 1, 3}, 3, {}, {}, {1, 1}});  // 1-D depthwise: general path
}

TEST(Conv, LargeImagesAreProcessedInBandsOfRows) {
  // Column matrices beyond the budget are built a band of rows at a time.
  check_conv({{1, 128, 70, 30}, {4, 128, 3, 3}, 1, {}, {}, {1, 1, 1, 1}});
  check_conv({{1, 600, 2000}, {2, 600, 3}, 1, {}, {2}, {3, 1}});
}

TEST(Conv, AutoPadMatchesExplicitPads) {
  // 7 wide, kernel 4, stride 2 -> out 4, total pad 3+... computed by hand.
  ConvCase c{{1, 2, 7, 8}, {3, 2, 4, 3}, 1, {2, 2}, {}, {}};
  // SAME: out = ceil(in/stride) = {4, 4}; total pad = (out-1)*s + k - in = {3, 1}.
  c.pads = {1, 0, 2, 1};  // SAME_UPPER puts the odd one at the end
  check_conv(c, OpSpec("Conv").opset(11).attr("strides", c.strides).attr("auto_pad", "SAME_UPPER"));
  c.pads = {2, 1, 1, 0};
  check_conv(c, OpSpec("Conv").opset(11).attr("strides", c.strides).attr("auto_pad", "SAME_LOWER"));
  c.pads = {};
  check_conv(c, OpSpec("Conv").opset(11).attr("strides", c.strides).attr("auto_pad", "VALID")
                    .attr("pads", std::vector<int64_t>{5, 5, 5, 5}));
}

TEST(Conv, KernelShapeAttributeMustMatchWeights) {
  const Tensor x = random_tensor({1, 2, 5, 5}, 1), w = random_tensor({3, 2, 3, 3}, 2);
  EXPECT_EQ(run_op(OpSpec("Conv").attr("kernel_shape", std::vector<int64_t>{3, 3}), {x, w})[0].shape(),
            (Shape{1, 3, 3, 3}));
  EXPECT_THROW(run_op(OpSpec("Conv").attr("kernel_shape", std::vector<int64_t>{2, 3}), {x, w}), Error);
}

TEST(Conv, BadShapesFailWithInvalidInput) {
  auto code = [](const std::vector<Tensor>& in, OpSpec spec) {
    try {
      run_op(spec, in);
    } catch (const Error& e) {
      return e.code();
    }
    return ErrorCode::kInternal;
  };
  const Tensor x = random_tensor({1, 6, 5, 5}, 1);
  EXPECT_EQ(code({x, random_tensor({4, 4, 3, 3}, 2)}, OpSpec("Conv")), ErrorCode::kInvalidInput);
  EXPECT_EQ(code({x, random_tensor({4, 3, 3, 3}, 2)}, OpSpec("Conv").attr("group", 4)),
            ErrorCode::kInvalidInput);
  EXPECT_EQ(code({x, random_tensor({4, 6, 7, 3}, 2)}, OpSpec("Conv")), ErrorCode::kInvalidInput);
  EXPECT_EQ(code({x, random_tensor({4, 6, 3, 3}, 2), random_tensor({3}, 3)}, OpSpec("Conv")),
            ErrorCode::kInvalidInput);
  EXPECT_EQ(code({x, random_tensor({4, 6, 3, 3}, 2)}, OpSpec("Conv").attr("strides", std::vector<int64_t>{1})),
            ErrorCode::kInvalidInput);
  EXPECT_EQ(code({x, random_tensor({4, 6, 3, 3}, 2)}, OpSpec("Conv").attr("group", 0)),
            ErrorCode::kInvalidModel);
}

TEST(Conv, EmptyBatchGivesEmptyOutput) {
  const Tensor y = run_op(OpSpec("Conv"), {random_tensor({0, 2, 5, 5}, 1), random_tensor({3, 2, 3, 3}, 2)})[0];
  EXPECT_EQ(y.shape(), (Shape{0, 3, 3, 3}));
}

TEST(Conv, DoubleAndFloat16) {
  const Tensor x = make<double>({1, 1, 3, 3}, {1, 2, 3, 4, 5, 6, 7, 8, 9});
  const Tensor w = make<double>({1, 1, 2, 2}, {1, 0, 0, 1});
  EXPECT_EQ(testing::values<double>(run_op("Conv", {x, w})[0]), (std::vector<double>{6, 8, 12, 14}));
  Tensor xh(DataType::kFloat16, {1, 2, 3, 3}), wh(DataType::kFloat16, {2, 1, 2, 2});
  for (int64_t i = 0; i < 18; ++i) xh.data<Float16>()[i] = Float16(float(i));
  for (int64_t i = 0; i < 8; ++i) wh.data<Float16>()[i] = Float16(1.0f);
  const Tensor yh = run_op(OpSpec("Conv").attr("group", 2), {xh, wh})[0];
  EXPECT_EQ(float(yh.data<Float16>()[0]), 0 + 1 + 3 + 4);
  EXPECT_EQ(float(yh.data<Float16>()[4]), 9 + 10 + 12 + 13);
}

}  // namespace
}  // namespace skiff
