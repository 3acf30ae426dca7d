#include "engines/native/broadcast.h"

#include <gtest/gtest.h>
#include <omp.h>

#include <vector>

namespace skiff {
namespace {

// Flat offset in `in` (right-aligned, size-1 dims repeated) of the output
// element at flat index `flat`: the textbook definition the plan must match.
int64_t reference_offset(const Shape& in, const Shape& out, int64_t flat) {
  int64_t offset = 0, stride = 1;
  const size_t pad = out.size() - in.size();
  for (size_t d = out.size(); d-- > 0;) {
    const int64_t index = flat % out[d];
    flat /= out[d];
    if (d < pad) continue;
    const int64_t dim = in[d - pad];
    if (dim != 1) offset += index * stride;
    stride *= dim;
  }
  return offset;
}

std::vector<int64_t> iota(int64_t n, int64_t start) {
  std::vector<int64_t> v(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) v[static_cast<size_t>(i)] = start + i;
  return v;
}

// Adds two tensors of distinct values through broadcast_binary and checks
// every element against reference_offset.
void check_binary(const Shape& a, const Shape& b) {
  const BroadcastPlan plan({a, b});
  const auto va = iota(shape_numel(a), 0), vb = iota(shape_numel(b), 1000000);
  std::vector<int64_t> out(static_cast<size_t>(plan.numel()), -1);
  broadcast_binary(plan, va.data(), vb.data(), out.data(),
                   [](int64_t x, int64_t y) { return x * 10000000 + y; });
  const Shape& o = plan.output_shape();
  for (int64_t i = 0; i < plan.numel(); ++i) {
    const int64_t expected =
        va[reference_offset(a, o, i)] * 10000000 + vb[reference_offset(b, o, i)];
    ASSERT_EQ(out[static_cast<size_t>(i)], expected)
        << shape_str(a) << " + " << shape_str(b) << " at " << i;
  }
}

TEST(Broadcast, OutputShapeFollowsNumpy) {
  Shape out;
  ASSERT_TRUE(try_broadcast_shapes({{2, 1, 4}, {3, 1}, {}}, &out));
  EXPECT_EQ(out, (Shape{2, 3, 4}));
  ASSERT_TRUE(try_broadcast_shapes({{0, 3}, {1, 3}}, &out));
  EXPECT_EQ(out, (Shape{0, 3}));
  ASSERT_TRUE(try_broadcast_shapes({{}, {}}, &out));
  EXPECT_EQ(out, Shape{});
  EXPECT_FALSE(try_broadcast_shapes({{2, 3}, {4}}, &out));
  EXPECT_FALSE(try_broadcast_shapes({{0}, {3}}, &out));
}

TEST(Broadcast, EveryAxisAndAwkwardSizesMatchReference) {
  const std::vector<Shape> shapes = {{},         {1},          {7},          {8, 1},
                                     {1, 9},     {8, 9},       {17, 1, 9},   {1, 8, 1},
                                     {17, 8, 9}, {2, 1, 8, 1}, {1, 17, 1, 9}};
  for (const Shape& a : shapes)
    for (const Shape& b : shapes) {
      Shape out;
      if (try_broadcast_shapes({a, b}, &out)) check_binary(a, b);
    }
}

TEST(Broadcast, FastPathsMergeDimensions) {
  // Same shape: one flat run; scalar: step 0; column broadcast: step 0 inside rows.
  EXPECT_EQ(BroadcastPlan({{4, 5, 6}, {4, 5, 6}}).inner_step(1), 1);
  EXPECT_EQ(BroadcastPlan({{4, 5, 6}, {}}).inner_step(1), 0);
  EXPECT_EQ(BroadcastPlan({{4, 5}, {4, 1}}).inner_step(1), 0);
  EXPECT_EQ(BroadcastPlan({{4, 5}, {5}}).inner_step(1), 1);
  int runs = 0;
  BroadcastPlan({{4, 5, 6}, {4, 5, 6}})
      .for_each_run(0, 120, [&](int64_t, const int64_t*, int64_t len) {
        ++runs;
        EXPECT_EQ(len, 120);
      });
  EXPECT_EQ(runs, 1);
}

TEST(Broadcast, RunsSplitAtArbitraryChunkBoundaries) {
  const BroadcastPlan plan({{3, 7, 5}, {7, 1}});
  for (int64_t begin = 0; begin < plan.numel(); begin += 4) {
    int64_t next = begin;
    plan.for_each_run(begin, std::min<int64_t>(begin + 13, plan.numel()),
                      [&](int64_t o, const int64_t* in, int64_t len) {
                        EXPECT_EQ(o, next);
                        EXPECT_EQ(in[0], o);
                        EXPECT_EQ(in[1], reference_offset({7, 1}, {3, 7, 5}, o));
                        next += len;
                      });
    EXPECT_EQ(next, std::min<int64_t>(begin + 13, plan.numel()));
  }
}

TEST(Broadcast, ParallelSplitMatchesReference) {
  const int saved = omp_get_max_threads();
  omp_set_num_threads(4);
  check_binary({3, 7001}, {7001});
  check_binary({5, 4001, 1}, {5, 1, 3});
  check_binary({40001}, {});
  omp_set_num_threads(saved);
}

TEST(Broadcast, EmptyOutputRunsNothing) {
  const BroadcastPlan plan({{0, 3}, {3}});
  EXPECT_EQ(plan.numel(), 0);
  bool called = false;
  plan.for_each_run(0, 10, [&](int64_t, const int64_t*, int64_t) { called = true; });
  EXPECT_FALSE(called);
}

TEST(Broadcast, NaryMatchesReference) {
  const Shape c{4, 1, 3}, x{5, 1}, y{1, 3};
  const BroadcastPlan plan({c, x, y});
  ASSERT_EQ(plan.output_shape(), (Shape{4, 5, 3}));
  const auto vc = iota(12, 0), vx = iota(5, 100), vy = iota(3, 200);
  std::vector<int64_t> out(static_cast<size_t>(plan.numel()));
  broadcast_nary(
      plan, out.data(), [](int64_t p, int64_t q, int64_t r) { return p * 1000000 + q * 1000 + r; },
      1, vc.data(), vx.data(), vy.data());
  for (int64_t i = 0; i < plan.numel(); ++i)
    EXPECT_EQ(out[i], vc[reference_offset(c, plan.output_shape(), i)] * 1000000 +
                          vx[reference_offset(x, plan.output_shape(), i)] * 1000 +
                          vy[reference_offset(y, plan.output_shape(), i)]);
}

TEST(Broadcast, UnidirectionalAndIncompatibleShapesAreRejected) {
  EXPECT_TRUE(broadcastable_to({3, 1}, {2, 3, 4}));
  EXPECT_FALSE(broadcastable_to({2, 3, 4}, {3, 4}));
  EXPECT_FALSE(broadcastable_to({5}, {3, 4}));
  try {
    BroadcastPlan({{2, 3}, {4}});
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kInvalidInput);
  }
  EXPECT_THROW(BroadcastPlan({{2, 3}}, Shape{3}), Error);
}

TEST(Broadcast, LegacyAlignsBAtAxisOrSuffix) {
  EXPECT_EQ(legacy_broadcast_shape({2, 3, 4, 5}, {3, 4}, 1), (Shape{1, 3, 4, 1}));
  EXPECT_EQ(legacy_broadcast_shape({2, 3, 4, 5}, {4, 5}, std::nullopt), (Shape{1, 1, 4, 5}));
  EXPECT_EQ(legacy_broadcast_shape({2, 3}, {2, 1}, 0), (Shape{2, 1}));
  EXPECT_EQ(legacy_broadcast_shape({2, 3}, {}, std::nullopt), (Shape{1, 1}));
  EXPECT_EQ(legacy_broadcast_shape({2, 3, 4}, {3}, -2), (Shape{1, 3, 1}));
  EXPECT_THROW(legacy_broadcast_shape({2, 3, 4, 5}, {3, 4}, std::nullopt), Error);
  EXPECT_THROW(legacy_broadcast_shape({2, 3}, {2, 3, 4}, std::nullopt), Error);
  EXPECT_THROW(legacy_broadcast_shape({2, 3}, {3}, 2), Error);
}

}  // namespace
}  // namespace skiff
