#include <gtest/gtest.h>

#include <random>

#include "support/op_test.h"

namespace skiff {
namespace {

using testing::make;
using testing::OpSpec;
using testing::run_op;
using testing::values;

Tensor random_tensor(Shape shape, uint32_t seed) {
  Tensor t(DataType::kFloat, shape);
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> dist(-1.0f, 1.0f);
  for (int64_t i = 0; i < t.numel(); ++i) t.data<float>()[i] = dist(rng);
  return t;
}

struct Case {
  Shape x, w;  // [N, C, in...], [C, M/group, kernel...]
  int64_t group = 1;
  std::vector<int64_t> strides = {}, dilations = {}, pads = {}, output_padding = {};
};

// Scatter form of the definition: every input element adds x * w to the
// output positions its kernel window covers.
std::vector<double> ref_conv_transpose(const Case& c, const Tensor& x, const Tensor& w,
                                       const Tensor& b, Shape* out_shape) {
  const size_t r = c.x.size() - 2;
  auto at = [](const std::vector<int64_t>& v, size_t i, int64_t d) { return v.empty() ? d : v[i]; };
  const int64_t mg = c.w[1], cg = c.x[1] / c.group, M = mg * c.group;
  Shape out = {c.x[0], M};
  for (size_t i = 0; i < r; ++i)
    out.push_back(at(c.strides, i, 1) * (c.x[2 + i] - 1) + at(c.output_padding, i, 0) +
                  (c.w[2 + i] - 1) * at(c.dilations, i, 1) + 1 - at(c.pads, i, 0) - at(c.pads, r + i, 0));
  *out_shape = out;
  const auto os = shape_strides(out), xs = shape_strides(c.x), ws = shape_strides(c.w);
  std::vector<double> y(static_cast<size_t>(shape_numel(out)));
  for (int64_t n = 0; n < out[0]; ++n)
    for (int64_t m = 0; m < M; ++m)
      for (int64_t i = 0; i < os[1]; ++i) y[n * os[0] + m * os[1] + i] = b.data<float>()[m];
  const Shape ins(c.x.begin() + 2, c.x.end()), ks(c.w.begin() + 2, c.w.end());
  for (int64_t n = 0; n < c.x[0]; ++n)
    for (int64_t ch = 0; ch < c.x[1]; ++ch)
      for (int64_t i = 0; i < shape_numel(ins); ++i)
        for (int64_t k = 0; k < shape_numel(ks); ++k)
          for (int64_t mm = 0; mm < mg; ++mm) {
            int64_t irest = i, krest = k, yo = n * os[0] + ((ch / cg) * mg + mm) * os[1];
            int64_t xo = n * xs[0] + ch * xs[1], wo = ch * ws[0] + mm * ws[1];
            bool inside = true;
            for (size_t d = r; d-- > 0;) {
              const int64_t id = irest % ins[d], kd = krest % ks[d];
              irest /= ins[d];
              krest /= ks[d];
              const int64_t od = id * at(c.strides, d, 1) - at(c.pads, d, 0) + kd * at(c.dilations, d, 1);
              inside = inside && od >= 0 && od < out[2 + d];
              yo += od * os[2 + d];
              xo += id * xs[2 + d];
              wo += kd * ws[2 + d];
            }
            if (inside) y[yo] += double(x.data<float>()[xo]) * w.data<float>()[wo];
          }
  return y;
}

void check(const Case& c) {
  const Tensor x = random_tensor(c.x, 1), w = random_tensor(c.w, 2);
  const Tensor b = random_tensor({c.w[1] * c.group}, 3);
  OpSpec spec("ConvTranspose");
  spec.opset(11).attr("group", c.group);
  if (!c.strides.empty()) spec.attr("strides", c.strides);
  if (!c.dilations.empty()) spec.attr("dilations", c.dilations);
  if (!c.pads.empty()) spec.attr("pads", c.pads);
  if (!c.output_padding.empty()) spec.attr("output_padding", c.output_padding);
  Shape want_shape;
  const auto want = ref_conv_transpose(c, x, w, b, &want_shape);
  const Tensor y = run_op(spec, {x, w, b})[0];
  ASSERT_EQ(y.shape(), want_shape);
  for (int64_t i = 0; i < y.numel(); ++i)
    ASSERT_NEAR(y.data<float>()[i], want[static_cast<size_t>(i)], 1e-4) << i;
}

TEST(ConvTranspose, ChannelSweepMatchesReference) {
  for (int64_t ch : {1, 7, 8, 9, 17}) {
    check({{2, ch, 5, 4}, {ch, 3, 3, 3}});
    check({{1, ch, 3, 7}, {ch, 9, 2, 3}, 1, {2, 3}, {}, {1, 0, 0, 2}});
  }
}

TEST(ConvTranspose, GroupsDilationsOutputPaddingAndLargePads) {
  check({{2, 6, 4, 5}, {6, 2, 3, 3}, 3, {2, 2}, {2, 1}, {1, 1, 1, 1}, {1, 1}});
  check({{1, 4, 6, 6}, {4, 1, 3, 3}, 4, {1, 1}, {}, {3, 2, 3, 2}});  // depthwise, pads > kernel/2
  check({{1, 2, 7}, {2, 3, 4}, 1, {3}, {2}, {2, 1}, {2}});        // 1-D
  check({{1, 2, 3, 2, 3}, {2, 2, 2, 3, 2}, 1, {2, 1, 2}});          // 3-D
}

TEST(ConvTranspose, OutputShapeAndSameAutoPad) {
  const Tensor x = random_tensor({1, 1, 3, 3}, 1), w = random_tensor({1, 2, 3, 3}, 2);
  // The natural output is 7x7; output_shape asks for more (negative pads).
  const Tensor y = run_op(OpSpec("ConvTranspose").attr("strides", std::vector<int64_t>{2, 2})
                              .attr("output_shape", std::vector<int64_t>{10, 8}),
                          {x, w})[0];
  EXPECT_EQ(y.shape(), (Shape{1, 2, 10, 8}));
  const Tensor s = run_op(OpSpec("ConvTranspose").attr("strides", std::vector<int64_t>{2, 2})
                              .attr("auto_pad", "SAME_UPPER"),
                          {x, w})[0];
  EXPECT_EQ(s.shape(), (Shape{1, 2, 6, 6}));
  // SAME_UPPER: total pad 1 goes to the end, so s is `full` cropped.
  const Tensor full = run_op(OpSpec("ConvTranspose").attr("strides", std::vector<int64_t>{2, 2}), {x, w})[0];
  EXPECT_EQ(full.shape(), (Shape{1, 2, 7, 7}));
  for (int64_t r = 0; r < 6; ++r)
    for (int64_t col = 0; col < 6; ++col)
      EXPECT_FLOAT_EQ(s.data<float>()[r * 6 + col], full.data<float>()[r * 7 + col]);
}

TEST(ConvTranspose, BadShapesFail) {
  const Tensor x = random_tensor({1, 4, 3, 3}, 1);
  EXPECT_THROW(run_op(OpSpec("ConvTranspose"), {x, random_tensor({3, 2, 3, 3}, 2)}), Error);
  EXPECT_THROW(run_op(OpSpec("ConvTranspose").attr("group", 3), {x, random_tensor({4, 2, 3, 3}, 2)}),
               Error);
  EXPECT_THROW(run_op(OpSpec("ConvTranspose"), {x, random_tensor({4, 2, 3, 3}, 2), random_tensor({3}, 3)}),
               Error);
}

TEST(ConvTranspose, DoubleMatchesFloat) {
  const Tensor x = make<double>({1, 1, 2, 2}, {1, 2, 3, 4});
  const Tensor w = make<double>({1, 1, 2, 2}, {1, 1, 1, 1});
  EXPECT_EQ(values<double>(run_op(OpSpec("ConvTranspose"), {x, w})[0]),
            (std::vector<double>{1, 3, 2, 4, 10, 6, 3, 7, 4}));
}

}  // namespace
}  // namespace skiff
