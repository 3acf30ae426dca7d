#include <gtest/gtest.h>

#include <cmath>
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

struct PoolCase {
  Shape x;
  std::vector<int64_t> kernel = {}, strides = {}, pads = {}, dilations = {};
  bool ceil_mode = false;
};

// Output sizes and per-window reductions straight from the definition.
struct RefPool {
  Shape out;
  std::vector<double> max, avg_exclude, avg_include, lp2;
  std::vector<int64_t> argmax;
};

RefPool ref_pool(const PoolCase& c, const Tensor& x) {
  const size_t r = c.kernel.size();
  auto at = [](const std::vector<int64_t>& v, size_t i, int64_t d) { return v.empty() ? d : v[i]; };
  RefPool ref;
  ref.out = {c.x[0], c.x[1]};
  for (size_t i = 0; i < r; ++i) {
    const int64_t s = at(c.strides, i, 1), pb = at(c.pads, i, 0);
    const int64_t span = c.x[2 + i] + pb + at(c.pads, r + i, 0) - (at(c.dilations, i, 1) * (c.kernel[i] - 1) + 1);
    int64_t o = (c.ceil_mode ? (span + s - 1) / s : span / s) + 1;
    if (c.ceil_mode && (o - 1) * s >= c.x[2 + i] + pb) --o;
    ref.out.push_back(o);
  }
  const Shape os(ref.out.begin() + 2, ref.out.end()), is(c.x.begin() + 2, c.x.end());
  const int64_t osize = shape_numel(os), isize = shape_numel(is), ksize = shape_numel(c.kernel);
  for (int64_t p = 0; p < c.x[0] * c.x[1]; ++p)
    for (int64_t o = 0; o < osize; ++o) {
      double mx = -INFINITY, sum = 0, sq = 0;
      int64_t n = 0, padded = 0, arg = -1;
      for (int64_t k = 0; k < ksize; ++k) {
        int64_t orest = o, krest = k, off = 0;
        bool inside = true, in_padded = true;
        for (size_t d = r; d-- > 0;) {
          const int64_t od = orest % os[d], kd = krest % c.kernel[d];
          orest /= os[d];
          krest /= c.kernel[d];
          const int64_t id = od * at(c.strides, d, 1) - at(c.pads, d, 0) + kd * at(c.dilations, d, 1);
          inside = inside && id >= 0 && id < is[d];
          in_padded = in_padded && id < is[d] + at(c.pads, r + d, 0);
          off += id * shape_strides(is)[d];
        }
        padded += in_padded;
        if (!inside) continue;
        const double v = x.data<float>()[p * isize + off];
        if (v > mx) {
          mx = v;
          arg = p * isize + off;
        }
        sum += v;
        sq += v * v;
        ++n;
      }
      ref.max.push_back(mx);
      ref.argmax.push_back(arg);
      ref.avg_exclude.push_back(sum / n);
      ref.avg_include.push_back(sum / padded);
      ref.lp2.push_back(std::sqrt(sq));
    }
  return ref;
}

OpSpec pool_spec(const char* op, const PoolCase& c) {
  OpSpec spec(op);
  spec.opset(19).attr("kernel_shape", c.kernel);
  if (!c.strides.empty()) spec.attr("strides", c.strides);
  if (!c.pads.empty()) spec.attr("pads", c.pads);
  if (!c.dilations.empty()) spec.attr("dilations", c.dilations);
  if (c.ceil_mode) spec.attr("ceil_mode", 1);
  return spec;
}

void expect_near(const Tensor& y, const std::vector<double>& want, const char* what) {
  ASSERT_EQ(y.numel(), static_cast<int64_t>(want.size())) << what;
  for (int64_t i = 0; i < y.numel(); ++i)
    ASSERT_NEAR(y.data<float>()[i], want[static_cast<size_t>(i)], 1e-5) << what << " at " << i;
}

void check_pools(const PoolCase& c) {
  const Tensor x = random_tensor(c.x, 7);
  const RefPool ref = ref_pool(c, x);
  auto max = run_op(pool_spec("MaxPool", c).outputs(2), {x});
  ASSERT_EQ(max[0].shape(), ref.out);
  expect_near(max[0], ref.max, "MaxPool");
  EXPECT_EQ(values<int64_t>(max[1]), ref.argmax);
  // Windows that are all padding have no defined average without the pads.
  if (std::all_of(ref.avg_exclude.begin(), ref.avg_exclude.end(), [](double v) { return std::isfinite(v); }))
    expect_near(run_op(pool_spec("AveragePool", c), {x})[0], ref.avg_exclude, "AveragePool");
  expect_near(run_op(pool_spec("AveragePool", c).attr("count_include_pad", 1), {x})[0],
              ref.avg_include, "AveragePool count_include_pad");
  expect_near(run_op(pool_spec("LpPool", c).attr("p", 2), {x})[0], ref.lp2, "LpPool");
}

TEST(Pool, SweepsMatchReference) {
  for (int64_t ch : {1, 7, 8, 9, 17}) {
    check_pools({{2, ch, 7, 9}, {3, 3}});
    check_pools({{1, ch, 9, 8}, {3, 2}, {2, 2}, {1, 1, 1, 0}});
  }
}

TEST(Pool, CeilModeDilationsAndPadsMatchReference) {
  check_pools({{1, 2, 8, 7}, {3, 3}, {2, 2}, {}, {}, true});
  check_pools({{1, 2, 6, 6}, {2, 2}, {2, 2}, {1, 1, 1, 1}, {}, true});
  check_pools({{1, 3, 9, 11}, {2, 3}, {1, 2}, {0, 1, 1, 2}, {2, 2}});
  check_pools({{2, 2, 17}, {4}, {3}, {2, 2}, {}, true});           // 1-D
  check_pools({{1, 2, 4, 5, 6}, {2, 3, 2}, {2, 1, 2}, {1, 0, 1, 0, 1, 1}});  // 3-D
}

TEST(Pool, MaxPoolColumnMajorIndices) {
  const Tensor x = make<float>({1, 1, 2, 3}, {1, 5, 2, 4, 3, 6});
  auto out = run_op(OpSpec("MaxPool").opset(12).outputs(2).attr("kernel_shape", std::vector<int64_t>{2, 2})
                        .attr("storage_order", 1),
                    {x});
  EXPECT_EQ(values<float>(out[0]), (std::vector<float>{5, 6}));
  // 5 is at (0,1) -> column-major 0 + 1*2 = 2; 6 at (1,2) -> 1 + 2*2 = 5.
  EXPECT_EQ(values<int64_t>(out[1]), (std::vector<int64_t>{2, 5}));
}

TEST(Pool, SameAutoPadAndInt8MaxPool) {
  const Tensor x = make<int8_t>({1, 1, 3, 3}, {1, -2, 3, -4, 5, -6, 7, -8, 9});
  const Tensor y = run_op(OpSpec("MaxPool").opset(12).attr("kernel_shape", std::vector<int64_t>{2, 2})
                              .attr("auto_pad", "SAME_UPPER"),
                          {x})[0];
  EXPECT_EQ(y.shape(), (Shape{1, 1, 3, 3}));
  EXPECT_EQ(values<int8_t>(y), (std::vector<int8_t>{5, 5, 3, 7, 9, 9, 7, 9, 9}));
  const Tensor avg = run_op(OpSpec("AveragePool").attr("kernel_shape", std::vector<int64_t>{2, 2})
                                .attr("auto_pad", "SAME_LOWER"),
                            {make<float>({1, 1, 2, 2}, {1, 2, 3, 4})})[0];
  EXPECT_EQ(values<float>(avg), (std::vector<float>{1, 1.5f, 2, 2.5f}));
}

TEST(Pool, GlobalPoolsReduceAllSpatialDims) {
  const Tensor x = make<float>({1, 2, 2, 2}, {1, 2, 3, 4, -1, -2, -3, 4});
  EXPECT_EQ(values<float>(run_op("GlobalAveragePool", {x})[0]), (std::vector<float>{2.5f, -0.5f}));
  EXPECT_EQ(values<float>(run_op("GlobalMaxPool", {x})[0]), (std::vector<float>{4, 4}));
  const Tensor lp = run_op(OpSpec("GlobalLpPool").attr("p", 1), {x})[0];
  EXPECT_EQ(lp.shape(), (Shape{1, 2, 1, 1}));
  EXPECT_EQ(values<float>(lp), (std::vector<float>{10, 10}));
  const Tensor lp_legacy = run_op(OpSpec("GlobalLpPool").opset(1).attr("p", 2.0f), {x})[0];
  EXPECT_NEAR(lp_legacy.data<float>()[0], std::sqrt(30.0f), 1e-5);
  EXPECT_EQ(run_op("GlobalAveragePool", {random_tensor({2, 3, 5}, 1)})[0].shape(), (Shape{2, 3, 1}));
}

TEST(Pool, BadAttributesFail) {
  const Tensor x = random_tensor({1, 1, 4, 4}, 1);
  EXPECT_THROW(run_op(OpSpec("MaxPool"), {x}), Error);  // no kernel_shape
  EXPECT_THROW(run_op(OpSpec("MaxPool").attr("kernel_shape", std::vector<int64_t>{2}), {x}), Error);
  EXPECT_THROW(run_op(OpSpec("MaxPool").attr("kernel_shape", std::vector<int64_t>{5, 5}), {x}), Error);
  EXPECT_THROW(run_op(OpSpec("AveragePool").attr("kernel_shape", std::vector<int64_t>{2, 2})
                          .attr("strides", std::vector<int64_t>{0, 1}),
                      {x}),
               Error);
}

}  // namespace
}  // namespace skiff
