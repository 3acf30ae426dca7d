#include <gtest/gtest.h>

#include "engines/native/manip_test_util.h"

namespace skiff {
namespace {

using testing::error_code;
using testing::flat_index;
using testing::for_each_index;
using testing::iota;
using testing::make;
using testing::OpSpec;
using testing::run_op;
using testing::values;

// y[idx] == x[idx permuted back], checked index by index.
template <class T>
void expect_transposed(const Tensor& x, const std::vector<int64_t>& perm, const Tensor& y) {
  ASSERT_EQ(y.rank(), x.rank());
  for (size_t d = 0; d < perm.size(); ++d) ASSERT_EQ(y.dim(static_cast<int64_t>(d)), x.dim(perm[d]));
  for_each_index(y.shape(), [&](const std::vector<int64_t>& idx) {
    std::vector<int64_t> src(idx.size());
    for (size_t d = 0; d < perm.size(); ++d) src[static_cast<size_t>(perm[d])] = idx[d];
    ASSERT_EQ(y.data<T>()[flat_index(y.shape(), idx)], x.data<T>()[flat_index(x.shape(), src)]);
  });
}

TEST(Transpose, DefaultReversesDims) {
  Tensor x = iota<float>({2, 3, 4});
  Tensor y = run_op("Transpose", {x})[0];
  expect_transposed<float>(x, {2, 1, 0}, y);
}

TEST(Transpose, Every3DPermutationOfAwkwardSizes) {
  for (Shape shape : {Shape{7, 8, 9}, Shape{1, 17, 33}, Shape{40, 1, 35}}) {
    Tensor x = iota<int32_t>(shape);
    std::vector<int64_t> perm{0, 1, 2};
    do {
      Tensor y = run_op(OpSpec("Transpose").attr("perm", perm), {x})[0];
      expect_transposed<int32_t>(x, perm, y);
    } while (std::next_permutation(perm.begin(), perm.end()));
  }
}

TEST(Transpose, Large2DUsesTilesAndMatches) {
  Tensor x = iota<double>({131, 257});
  expect_transposed<double>(x, {1, 0}, run_op("Transpose", {x})[0]);
  Tensor b = iota<uint8_t>({3, 65, 70});
  expect_transposed<uint8_t>(b, {0, 2, 1}, run_op(OpSpec("Transpose").attr("perm", std::vector<int64_t>{0, 2, 1}), {b})[0]);
}

TEST(Transpose, StringsEmptyAndScalar) {
  Tensor s = make<std::string>({2, 2}, {"a", "b", "c", "d"});
  EXPECT_EQ(values<std::string>(run_op("Transpose", {s})[0]),
            (std::vector<std::string>{"a", "c", "b", "d"}));
  EXPECT_EQ(run_op("Transpose", {Tensor(DataType::kFloat, {0, 3})})[0].shape(), (Shape{3, 0}));
  EXPECT_EQ(values<float>(run_op("Transpose", {Tensor::scalar(2.5f)})[0]), (std::vector<float>{2.5f}));
}

TEST(Transpose, BadPermIsInvalidInput) {
  Tensor x = iota<float>({2, 3});
  for (auto perm : {std::vector<int64_t>{0, 0}, {0}, {0, 2}, {-1, 0}})
    EXPECT_EQ(error_code([&] { run_op(OpSpec("Transpose").attr("perm", perm), {x}); }),
              ErrorCode::kInvalidInput);
}

TEST(DepthToSpace, DcrAndCrdMatchNumpyFormulas) {
  const int64_t n = 2, c = 8, h = 3, w = 2, b = 2;
  Tensor x = iota<float>({n, c, h, w});
  for (const char* mode : {"DCR", "CRD"}) {
    Tensor y = run_op(OpSpec("DepthToSpace").opset(13).attr("blocksize", b).attr("mode", mode), {x})[0];
    ASSERT_EQ(y.shape(), (Shape{n, c / 4, h * b, w * b}));
    const bool dcr = std::string(mode) == "DCR";
    for_each_index(y.shape(), [&](const std::vector<int64_t>& i) {
      const int64_t bh = i[2] % b, bw = i[3] % b;
      const int64_t ch = dcr ? (bh * b + bw) * (c / 4) + i[1] : i[1] * b * b + bh * b + bw;
      ASSERT_EQ(y.data<float>()[flat_index(y.shape(), i)],
                x.data<float>()[flat_index(x.shape(), {i[0], ch, i[2] / b, i[3] / b})])
          << mode;
    });
  }
}

TEST(SpaceToDepth, InvertsDepthToSpaceDcr) {
  Tensor x = iota<float>({1, 2, 6, 9});
  Tensor d = run_op(OpSpec("SpaceToDepth").attr("blocksize", 3), {x})[0];
  EXPECT_EQ(d.shape(), (Shape{1, 18, 2, 3}));
  Tensor back = run_op(OpSpec("DepthToSpace").attr("blocksize", 3), {d})[0];
  EXPECT_EQ(values<float>(back), values<float>(x));
}

TEST(SpaceToDepth, IndivisibleSizesFail) {
  EXPECT_EQ(error_code([&] { run_op(OpSpec("SpaceToDepth").attr("blocksize", 2), {iota<float>({1, 1, 3, 4})}); }),
            ErrorCode::kInvalidInput);
  EXPECT_EQ(error_code([&] { run_op(OpSpec("DepthToSpace").attr("blocksize", 2), {iota<float>({1, 3, 2, 2})}); }),
            ErrorCode::kInvalidInput);
  EXPECT_EQ(error_code([&] { run_op(OpSpec("DepthToSpace").attr("blocksize", 0), {iota<float>({1, 4, 2, 2})}); }),
            ErrorCode::kInvalidModel);
}

}  // namespace
}  // namespace skiff
