#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "support/op_test.h"
#include "support/random.h"

namespace skiff {
namespace {

using testing::make;
using testing::OpSpec;
using testing::run_op;
using testing::values;

// Inputs in [-2, 2).
Tensor random_tensor(const Shape& shape, uint32_t seed) {
  return testing::random_tensor(shape, seed, -2.f, 2.f);
}

// Naive reference: visits every input element and folds it into its output.
std::vector<double> reference(const Tensor& x, const std::vector<bool>& reduced,
                              const std::string& op) {
  const Shape& s = x.shape();
  int64_t out_n = 1;
  for (size_t i = 0; i < s.size(); ++i)
    if (!reduced[i]) out_n *= s[i];
  std::vector<double> acc(static_cast<size_t>(out_n),
                          op == "ReduceMax" ? -INFINITY : op == "ReduceMin" ? INFINITY :
                          op == "ReduceProd" ? 1.0 : 0.0);
  std::vector<double> mx(acc.size(), -INFINITY);
  std::vector<int64_t> idx(s.size(), 0);
  for (int pass = 0; pass < 2; ++pass) {
    for (int64_t n = 0; n < x.numel(); ++n) {
      int64_t rem = n, o = 0, mul = 1;
      for (size_t k = s.size(); k-- > 0;) {
        idx[k] = rem % s[k];
        rem /= s[k];
        if (!reduced[k]) { o += idx[k] * mul; mul *= s[k]; }
      }
      const double v = x.data<float>()[n];
      double& a = acc[o];
      if (pass == 0) { mx[o] = std::max(mx[o], v); continue; }
      if (op == "ReduceSum" || op == "ReduceMean" || op == "ReduceLogSum") a += v;
      else if (op == "ReduceMax") a = std::max(a, v);
      else if (op == "ReduceMin") a = std::min(a, v);
      else if (op == "ReduceProd") a *= v;
      else if (op == "ReduceL1") a += std::fabs(v);
      else if (op == "ReduceL2" || op == "ReduceSumSquare") a += v * v;
      else if (op == "ReduceLogSumExp") a += std::exp(v - mx[o]);
    }
  }
  const double count = static_cast<double>(x.numel()) / static_cast<double>(std::max<int64_t>(out_n, 1));
  for (size_t o = 0; o < acc.size(); ++o) {
    if (op == "ReduceMean") acc[o] /= count;
    if (op == "ReduceL2") acc[o] = std::sqrt(acc[o]);
    if (op == "ReduceLogSum") acc[o] = std::log(acc[o]);
    if (op == "ReduceLogSumExp") acc[o] = std::log(acc[o]) + mx[o];
  }
  return acc;
}

const char* kOps[] = {"ReduceSum", "ReduceMean", "ReduceMax", "ReduceMin", "ReduceProd",
                      "ReduceL1", "ReduceL2", "ReduceLogSum", "ReduceLogSumExp", "ReduceSumSquare"};

void check_all_ops(const Shape& shape, const std::vector<int64_t>& axes, int64_t opset) {
  Tensor x = random_tensor(shape, 7);
  std::vector<bool> reduced(shape.size(), axes.empty());
  for (int64_t a : axes) reduced[a < 0 ? a + shape.size() : a] = true;
  for (const char* op : kOps) {
    Tensor in = x;
    if (std::string(op) == "ReduceLogSum") {  // needs positive sums
      in = x.clone();
      for (int64_t i = 0; i < in.numel(); ++i) in.data<float>()[i] = std::fabs(in.data<float>()[i]);
    }
    const bool input_axes = opset >= 18 || (opset >= 13 && std::string(op) == "ReduceSum");
    OpSpec spec(op);
    spec.opset(opset).attr("keepdims", int64_t{0});
    std::vector<Tensor> inputs{in};
    if (input_axes) {
      if (!axes.empty()) inputs.push_back(make<int64_t>({static_cast<int64_t>(axes.size())}, axes));
    } else if (!axes.empty()) {
      spec.attr("axes", axes);
    }
    auto y = run_op(spec, inputs)[0];
    auto expected = reference(in, reduced, op);
    ASSERT_EQ(y.numel(), static_cast<int64_t>(expected.size())) << op;
    for (size_t i = 0; i < expected.size(); ++i)
      EXPECT_NEAR(y.data<float>()[i], expected[i], 1e-4 * (1 + std::fabs(expected[i]))) << op << " at " << i;
  }
}

TEST(Reduce, InnerAxisMatchesReference) { check_all_ops({3, 17}, {1}, 11); }
TEST(Reduce, OuterAxisMatchesReference) { check_all_ops({9, 8}, {0}, 11); }
TEST(Reduce, MiddleAxesMatchReference) { check_all_ops({2, 7, 3, 5}, {1, 3}, 13); }
TEST(Reduce, AllAxesWhenAxesOmitted) { check_all_ops({4, 1, 9}, {}, 18); }
TEST(Reduce, NegativeAxesFromInput) { check_all_ops({5, 3, 8}, {-1, -3}, 18); }
TEST(Reduce, LargeParallelRows) { check_all_ops({64, 1031}, {1}, 18); }
TEST(Reduce, LargeParallelColumns) { check_all_ops({1031, 64}, {0}, 18); }

TEST(Reduce, KeepdimsKeepsReducedAxesAsOnes) {
  auto y = run_op(OpSpec("ReduceSum").opset(11).attr("axes", std::vector<int64_t>{1}),
                  {make<float>({2, 3}, {1, 2, 3, 4, 5, 6})})[0];
  EXPECT_EQ(y.shape(), (Shape{2, 1}));
  EXPECT_EQ(values<float>(y), (std::vector<float>{6, 15}));
}

TEST(Reduce, Rank0InputIsItsOwnReduction) {
  auto y = run_op(OpSpec("ReduceL2").opset(13), {make<float>({}, {-3})})[0];
  EXPECT_EQ(y.shape(), Shape{});
  EXPECT_FLOAT_EQ(y.data<float>()[0], 3);
}

TEST(Reduce, EmptyAxesWithNoopReturnsInput) {
  Tensor x = make<float>({2, 2}, {1, 2, 3, 4});
  auto y = run_op(OpSpec("ReduceSum").opset(13).attr("noop_with_empty_axes", int64_t{1}),
                  {x, make<int64_t>({0}, {})})[0];
  EXPECT_EQ(y.shape(), (Shape{2, 2}));
  EXPECT_EQ(values<float>(y), (std::vector<float>{1, 2, 3, 4}));
}

TEST(Reduce, EmptySetGivesIdentityValues) {
  Tensor x(DataType::kFloat, {2, 0, 4});
  Tensor axes = make<int64_t>({1}, {1});
  auto one = [&](const char* op) { return run_op(OpSpec(op).opset(18), {x, axes})[0]; };
  EXPECT_EQ(one("ReduceSum").shape(), (Shape{2, 1, 4}));
  EXPECT_EQ(one("ReduceSum").data<float>()[0], 0);
  EXPECT_EQ(one("ReduceProd").data<float>()[0], 1);
  EXPECT_EQ(one("ReduceMax").data<float>()[0], -INFINITY);
  EXPECT_EQ(one("ReduceMin").data<float>()[0], INFINITY);
  EXPECT_EQ(one("ReduceL2").data<float>()[0], 0);
  EXPECT_EQ(one("ReduceLogSum").data<float>()[0], -INFINITY);
  EXPECT_EQ(one("ReduceLogSumExp").data<float>()[0], -INFINITY);
  EXPECT_TRUE(std::isnan(one("ReduceMean").data<float>()[0]));
}

TEST(Reduce, EmptyKeptAxisGivesEmptyOutput) {
  Tensor x(DataType::kFloat, {0, 3});
  auto y = run_op(OpSpec("ReduceMax").opset(11).attr("axes", std::vector<int64_t>{1}), {x})[0];
  EXPECT_EQ(y.shape(), (Shape{0, 1}));
}

TEST(Reduce, IntegerTypes) {
  Tensor x = make<int32_t>({2, 3}, {1, -2, 3, 4, 5, -6});
  auto sum = run_op(OpSpec("ReduceSum").opset(11).attr("axes", std::vector<int64_t>{1}), {x})[0];
  EXPECT_EQ(values<int32_t>(sum), (std::vector<int32_t>{2, 3}));
  auto mx = run_op(OpSpec("ReduceMax").opset(11).attr("axes", std::vector<int64_t>{0}), {x})[0];
  EXPECT_EQ(values<int32_t>(mx), (std::vector<int32_t>{4, 5, 3}));
  auto l1 = run_op(OpSpec("ReduceL1").opset(11), {x})[0];
  EXPECT_EQ(values<int32_t>(l1), (std::vector<int32_t>{21}));
  Tensor u = make<uint64_t>({3}, {1, 2, 4});
  auto prod = run_op(OpSpec("ReduceProd").opset(11), {u})[0];
  EXPECT_EQ(values<uint64_t>(prod), (std::vector<uint64_t>{8}));
}

TEST(Reduce, Float16AccumulatesInFloat) {
  Tensor x(DataType::kFloat16, {4096});
  for (int64_t i = 0; i < 4096; ++i) x.data<Float16>()[i] = Float16(1.0f);
  auto y = run_op(OpSpec("ReduceSum").opset(13), {x})[0];
  EXPECT_EQ(static_cast<float>(y.data<Float16>()[0]), 4096.0f);
}

TEST(Reduce, MaxPropagatesNaN) {
  auto y = run_op(OpSpec("ReduceMax").opset(11),
                  {make<float>({3}, {1, std::numeric_limits<float>::quiet_NaN(), 2})})[0];
  EXPECT_TRUE(std::isnan(y.data<float>()[0]));
}

TEST(Reduce, LogSumExpIsStableForLargeValues) {
  auto y = run_op(OpSpec("ReduceLogSumExp").opset(11), {make<float>({2}, {1000, 1000})})[0];
  EXPECT_NEAR(y.data<float>()[0], 1000 + std::log(2.0), 1e-3);
}

TEST(Reduce, BoolMaxIsAnyAtOpset20) {
  Tensor x = make<bool>({2, 2}, {false, true, false, false});
  auto y = run_op(OpSpec("ReduceMax").opset(20).attr("keepdims", int64_t{0}),
                  {x, make<int64_t>({1}, {1})})[0];
  EXPECT_EQ(values<bool>(y), (std::vector<bool>{true, false}));
}

TEST(Reduce, BadAxisIsInvalidInput) {
  try {
    run_op(OpSpec("ReduceSum").opset(13), {make<float>({2}, {1, 2}), make<int64_t>({1}, {2})});
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kInvalidInput);
  }
  EXPECT_THROW(run_op(OpSpec("ReduceMean").opset(11).attr("axes", std::vector<int64_t>{0, 0}),
                      {make<float>({2}, {1, 2})}),
               Error);
}

TEST(Reduce, AxesAttributeAtOpset18IsInvalidModel) {
  try {
    run_op(OpSpec("ReduceMean").opset(18).attr("axes", std::vector<int64_t>{0}),
           {make<float>({2}, {1, 2})});
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kInvalidModel);
  }
}

}  // namespace
}  // namespace skiff
