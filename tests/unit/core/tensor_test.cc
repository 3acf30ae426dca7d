#include "core/tensor.h"

#include <gtest/gtest.h>

#include <cstdint>

#include "core/shape.h"

namespace skiff {

TEST(Tensor, OwnedStorageIs64ByteAligned) {
  for (int64_t n : {1, 7, 17, 1000}) {
    Tensor t(DataType::kFloat, {n});
    EXPECT_EQ(reinterpret_cast<uintptr_t>(t.raw()) % 64, 0u);
  }
}

TEST(Tensor, ViewSharesUserMemoryAndCloneCopies) {
  float data[6] = {1, 2, 3, 4, 5, 6};
  Tensor v = Tensor::view(DataType::kFloat, {2, 3}, data);
  EXPECT_EQ(v.data<float>(), data);
  Tensor c = v.clone();
  EXPECT_NE(c.data<float>(), data);
  data[0] = 42;
  EXPECT_EQ(v.data<float>()[0], 42);
  EXPECT_EQ(c.data<float>()[0], 1);
}

TEST(Tensor, ReshapeKeepsStorageAndRejectsWrongCounts) {
  Tensor t = Tensor::zeros(DataType::kInt32, {2, 6});
  Tensor r = t.reshaped({3, 4});
  EXPECT_TRUE(r.same_storage(t));
  EXPECT_EQ(r.shape(), (Shape{3, 4}));
  EXPECT_THROW(t.reshaped({5}), Error);
}

TEST(Tensor, StringsAndEmptyTensors) {
  Tensor s(DataType::kString, {2});
  s.data<std::string>()[0] = "hello";
  Tensor c = s.clone();
  EXPECT_EQ(c.data<std::string>()[0], "hello");
  EXPECT_EQ(c.data<std::string>()[1], "");
  Tensor e(DataType::kFloat, {0, 3});
  EXPECT_EQ(e.numel(), 0);
  EXPECT_TRUE(e.empty());
  EXPECT_EQ(e.clone().shape(), (Shape{0, 3}));
}

TEST(Tensor, WrongTypeAccessIsAnErrorNotUndefinedBehaviour) {
  Tensor t(DataType::kFloat, {1});
  EXPECT_THROW(t.data<int32_t>(), Error);
}

TEST(Shape, NumelRejectsNegativeDimsAndOverflow) {
  EXPECT_EQ(shape_numel({}), 1);
  EXPECT_EQ(shape_numel({2, 0, 5}), 0);
  EXPECT_THROW(shape_numel({2, -1}), Error);
  EXPECT_THROW(shape_numel({int64_t{1} << 40, int64_t{1} << 40}), Error);
  EXPECT_THROW(Tensor(DataType::kFloat, {int64_t{1} << 62, 4}), Error);
}

TEST(Shape, BroadcastFollowsNumpy) {
  EXPECT_EQ(broadcast_shapes({2, 1, 4}, {3, 1}), (Shape{2, 3, 4}));
  EXPECT_EQ(broadcast_shapes({}, {5}), (Shape{5}));
  EXPECT_EQ(broadcast_shapes({0, 1}, {1, 3}), (Shape{0, 3}));
  try {
    broadcast_shapes({2, 3}, {4});
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kInvalidInput);
    EXPECT_NE(std::string(e.what()).find("[2,3]"), std::string::npos);
  }
}

TEST(Shape, NormalizeAxisNamesTheProblem) {
  EXPECT_EQ(normalize_axis(-1, 4), 3);
  EXPECT_EQ(normalize_axis(0, 1), 0);
  EXPECT_THROW(normalize_axis(4, 4), Error);
  EXPECT_THROW(normalize_axis(-5, 4), Error);
  EXPECT_EQ(shape_strides({2, 3, 4}), (std::vector<int64_t>{12, 4, 1}));
}

}  // namespace skiff
