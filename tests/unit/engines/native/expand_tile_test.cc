#include <gtest/gtest.h>

#include "engines/native/manip_test_util.h"

namespace skiff {
namespace {

using testing::error_code;
using testing::flat_index;
using testing::for_each_index;
using testing::iota;
using testing::ints;
using testing::make;
using testing::OpSpec;
using testing::run_op;
using testing::values;

TEST(Expand, BroadcastsBothWays) {
  Tensor x = make<float>({3, 1}, {1, 2, 3});
  Tensor y = run_op("Expand", {x, ints({2, 1, 4})})[0];
  EXPECT_EQ(y.shape(), (Shape{2, 3, 4}));
  for_each_index(y.shape(), [&](const std::vector<int64_t>& i) {
    ASSERT_EQ(y.data<float>()[flat_index(y.shape(), i)], static_cast<float>(i[1] + 1));
  });
  // A 1 in the shape keeps the input's larger dim.
  EXPECT_EQ(run_op("Expand", {x, ints({1, 1})})[0].shape(), (Shape{3, 1}));
}

TEST(Expand, EveryAxisBroadcastMatchesIndexing) {
  for (Shape in : {Shape{1, 9, 1}, Shape{7, 1, 17}, Shape{1, 1, 17}, Shape{9, 1}, Shape{}}) {
    Tensor x = iota<int32_t>(in);
    Tensor y = run_op("Expand", {x, ints({7, 9, 17})})[0];
    ASSERT_EQ(y.shape(), (Shape{7, 9, 17}));
    for_each_index(y.shape(), [&](const std::vector<int64_t>& i) {
      std::vector<int64_t> src;
      for (size_t d = 0; d < in.size(); ++d) src.push_back(in[d] == 1 ? 0 : i[d + 3 - in.size()]);
      ASSERT_EQ(y.data<int32_t>()[flat_index(y.shape(), i)], x.data<int32_t>()[flat_index(in, src)]);
    });
  }
}

TEST(Expand, IncompatibleShapeFails) {
  EXPECT_EQ(error_code([&] { run_op("Expand", {iota<float>({3}), ints({2})}); }), ErrorCode::kInvalidInput);
  EXPECT_EQ(error_code([&] { run_op("Expand", {iota<float>({3}), ints({-1})}); }), ErrorCode::kInvalidInput);
}

TEST(Tile, RepeatsEachDim) {
  Tensor x = make<int64_t>({2, 2}, {1, 2, 3, 4});
  Tensor y = run_op("Tile", {x, ints({2, 3})})[0];
  EXPECT_EQ(y.shape(), (Shape{4, 6}));
  for_each_index(y.shape(), [&](const std::vector<int64_t>& i) {
    ASSERT_EQ(y.data<int64_t>()[flat_index(y.shape(), i)], x.data<int64_t>()[(i[0] % 2) * 2 + i[1] % 2]);
  });
  EXPECT_EQ(run_op("Tile", {x, ints({0, 1})})[0].shape(), (Shape{0, 2}));
}

TEST(Tile, StringsAndBadRepeats) {
  Tensor s = make<std::string>({2}, {"a", "b"});
  EXPECT_EQ(values<std::string>(run_op("Tile", {s, ints({2})})[0]),
            (std::vector<std::string>{"a", "b", "a", "b"}));
  EXPECT_EQ(error_code([&] { run_op("Tile", {s, ints({2, 2})}); }), ErrorCode::kInvalidInput);
  EXPECT_EQ(error_code([&] { run_op("Tile", {s, ints({-1})}); }), ErrorCode::kInvalidInput);
}

}  // namespace
}  // namespace skiff
