#include <gtest/gtest.h>
#include <omp.h>

#include <algorithm>
#include <limits>
#include <numeric>
#include <random>

#include "support/op_test.h"

namespace skiff {
namespace {

using testing::make;
using testing::OpSpec;
using testing::run_op;
using testing::values;

std::vector<Tensor> topk(const Tensor& x, int64_t k, int64_t axis = -1, int64_t largest = 1) {
  return run_op(OpSpec("TopK").opset(11).outputs(2).attr("axis", axis).attr("largest", largest),
                {x, make<int64_t>({1}, {k})});
}

TEST(TopK, LargestAlongLastAxis) {
  auto out = topk(make<float>({2, 4}, {1, 4, 2, 3, 8, 5, 7, 6}), 2);
  EXPECT_EQ(out[0].shape(), (Shape{2, 2}));
  EXPECT_EQ(values<float>(out[0]), (std::vector<float>{4, 3, 8, 7}));
  EXPECT_EQ(values<int64_t>(out[1]), (std::vector<int64_t>{1, 3, 0, 2}));
}

TEST(TopK, SmallestAlongFirstAxis) {
  auto out = topk(make<int32_t>({3, 2}, {5, 0, 1, 9, 3, 4}), 2, 0, 0);
  EXPECT_EQ(out[0].shape(), (Shape{2, 2}));
  EXPECT_EQ(values<int32_t>(out[0]), (std::vector<int32_t>{1, 0, 3, 4}));
  EXPECT_EQ(values<int64_t>(out[1]), (std::vector<int64_t>{1, 0, 2, 2}));
}

TEST(TopK, TiesKeepLowerIndexFirst) {
  auto out = topk(make<float>({6}, {2, 5, 2, 5, 5, 1}), 4);
  EXPECT_EQ(values<int64_t>(out[1]), (std::vector<int64_t>{1, 3, 4, 0}));
  auto small = topk(make<float>({6}, {2, 5, 2, 5, 5, 1}), 3, -1, 0);
  EXPECT_EQ(values<int64_t>(small[1]), (std::vector<int64_t>{5, 0, 2}));
}

TEST(TopK, NaNRanksAboveNumbers) {
  const float nan = std::numeric_limits<float>::quiet_NaN();
  auto out = topk(make<float>({4}, {1, nan, 3, 2}), 2);
  EXPECT_EQ(values<int64_t>(out[1]), (std::vector<int64_t>{1, 2}));
  auto small = topk(make<float>({4}, {1, nan, 3, 2}), 4, -1, 0);
  EXPECT_EQ(values<int64_t>(small[1]), (std::vector<int64_t>{0, 3, 2, 1}));
}

TEST(TopK, Opset1TakesKAsAttribute) {
  auto out = run_op(OpSpec("TopK").opset(1).outputs(2).attr("k", 1),
                    {make<float>({2, 3}, {1, 3, 2, 6, 5, 4})});
  EXPECT_EQ(values<float>(out[0]), (std::vector<float>{3, 6}));
  EXPECT_EQ(values<int64_t>(out[1]), (std::vector<int64_t>{1, 0}));
}

TEST(TopK, LargeRowsMatchFullSort) {
  std::mt19937 rng(3);
  std::uniform_int_distribution<int> dist(0, 50);
  Tensor x(DataType::kFloat, {9, 1000});
  for (int64_t i = 0; i < x.numel(); ++i) x.data<float>()[i] = static_cast<float>(dist(rng));
  for (int64_t k : {1, 17, 999, 1000}) {
    auto out = topk(x, k);
    for (int64_t r = 0; r < 9; ++r) {
      std::vector<int64_t> order(1000);
      std::iota(order.begin(), order.end(), 0);
      const float* v = x.data<float>() + r * 1000;
      std::stable_sort(order.begin(), order.end(), [&](int64_t a, int64_t b) { return v[a] > v[b]; });
      for (int64_t j = 0; j < k; ++j) ASSERT_EQ(out[1].data<int64_t>()[r * k + j], order[j]);
    }
  }
}

// One row long enough to be split across threads (the chunked selection),
// with heavy ties and NaNs: the result must equal a stable full sort.
TEST(TopK, OneLongRowSplitAcrossThreadsMatchesFullSort) {
  const int saved = omp_get_max_threads();
  omp_set_num_threads(2);
  std::mt19937 rng(5);
  std::uniform_int_distribution<int> dist(0, 300);
  const int64_t n = 50001;
  Tensor x(DataType::kFloat, {1, n});
  float* v = x.data<float>();
  for (int64_t i = 0; i < n; ++i) v[i] = static_cast<float>(dist(rng));
  for (int64_t i = 0; i < n; i += 997) v[i] = std::numeric_limits<float>::quiet_NaN();
  for (int64_t largest : {1, 0}) {
    std::vector<int64_t> order(static_cast<size_t>(n));
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(), [&](int64_t a, int64_t b) {
      const bool an = v[a] != v[a], bn = v[b] != v[b];
      if (an || bn) return an && !bn ? largest == 1 : (!an && bn ? largest == 0 : false);
      return largest ? v[a] > v[b] : v[a] < v[b];
    });
    for (int64_t k : {1, 7, 100, 25000}) {
      auto out = topk(x, k, -1, largest);
      for (int64_t j = 0; j < k; ++j)
        ASSERT_EQ(out[1].data<int64_t>()[j], order[static_cast<size_t>(j)])
            << "largest " << largest << " k " << k << " at " << j;
    }
  }
  omp_set_num_threads(saved);
}

TEST(TopK, KZeroAndKEqualToAxis) {
  auto none = topk(make<float>({2, 3}, {1, 2, 3, 4, 5, 6}), 0);
  EXPECT_EQ(none[0].shape(), (Shape{2, 0}));
  auto all = topk(make<float>({3}, {1, 3, 2}), 3);
  EXPECT_EQ(values<float>(all[0]), (std::vector<float>{3, 2, 1}));
}

TEST(TopK, KLargerThanAxisIsInvalidInput) {
  try {
    topk(make<float>({3}, {1, 2, 3}), 4);
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kInvalidInput);
  }
  EXPECT_THROW(topk(make<float>({3}, {1, 2, 3}), -1), Error);
  EXPECT_THROW(topk(make<float>({3}, {1, 2, 3}), 1, 1), Error);
}

}  // namespace
}  // namespace skiff
