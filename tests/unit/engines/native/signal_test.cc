#include <gtest/gtest.h>

#include <cmath>
#include <complex>
#include <numbers>
#include <random>

#include "support/op_test.h"

namespace skiff {
namespace {

using testing::make;
using testing::OpSpec;
using testing::run_op;
using testing::values;

// Naive DFT of the complex signal `x`, sign -1 forward.
std::vector<std::complex<double>> naive_dft(const std::vector<std::complex<double>>& x,
                                            int64_t n, bool inverse) {
  std::vector<std::complex<double>> y(static_cast<size_t>(n));
  const double sign = inverse ? 1.0 : -1.0;
  for (int64_t k = 0; k < n; ++k)
    for (int64_t j = 0; j < std::min<int64_t>(n, static_cast<int64_t>(x.size())); ++j)
      y[k] += x[j] * std::polar(1.0, sign * 2 * std::numbers::pi * double((j * k) % n) / double(n));
  if (inverse)
    for (auto& v : y) v /= static_cast<double>(n);
  return y;
}

TEST(DFT, MatchesNaiveDftForAwkwardLengths) {
  std::mt19937 rng(1);
  std::uniform_real_distribution<double> dist(-1, 1);
  for (int64_t n : {1, 2, 7, 8, 9, 17, 100, 128}) {
    for (bool inverse : {false, true}) {
      Tensor x(DataType::kDouble, {1, n, 2});
      std::vector<std::complex<double>> ref(static_cast<size_t>(n));
      for (int64_t j = 0; j < n; ++j) {
        ref[j] = {dist(rng), dist(rng)};
        x.data<double>()[2 * j] = ref[j].real();
        x.data<double>()[2 * j + 1] = ref[j].imag();
      }
      auto out = run_op(OpSpec("DFT").opset(17).attr("inverse", int64_t{inverse}), {x, Tensor()});
      ASSERT_EQ(out[0].shape(), (Shape{1, n, 2}));
      const auto want = naive_dft(ref, n, inverse);
      for (int64_t k = 0; k < n; ++k) {
        EXPECT_NEAR(out[0].data<double>()[2 * k], want[k].real(), 1e-10) << n << " " << k;
        EXPECT_NEAR(out[0].data<double>()[2 * k + 1], want[k].imag(), 1e-10) << n << " " << k;
      }
    }
  }
}

TEST(DFT, OnesidedRealInputWithPaddingLength) {
  auto x = make<float>({1, 3, 1}, {1, 2, 3});
  auto out = run_op(OpSpec("DFT").opset(17).attr("onesided", int64_t{1}),
                    {x, make<int64_t>({}, {5})});
  ASSERT_EQ(out[0].shape(), (Shape{1, 3, 2}));
  const auto want = naive_dft({1, 2, 3}, 5, false);
  for (int64_t k = 0; k < 3; ++k) {
    EXPECT_NEAR(out[0].data<float>()[2 * k], want[k].real(), 1e-5);
    EXPECT_NEAR(out[0].data<float>()[2 * k + 1], want[k].imag(), 1e-5);
  }
}

TEST(DFT, AlongAnInnerAxisAndTruncatedLength) {
  // [2, 3, 4, 1]: transform axis 2 (length 4) truncated to 3.
  Tensor x(DataType::kFloat, {2, 3, 4, 1});
  for (int64_t i = 0; i < 24; ++i) x.data<float>()[i] = static_cast<float>(i % 5);
  auto out = run_op(OpSpec("DFT").opset(17).attr("axis", int64_t{2}), {x, make<int32_t>({1}, {3})});
  ASSERT_EQ(out[0].shape(), (Shape{2, 3, 3, 2}));
  for (int64_t line = 0; line < 6; ++line) {
    std::vector<std::complex<double>> sig;
    for (int64_t j = 0; j < 4; ++j) sig.push_back(x.data<float>()[line * 4 + j]);
    const auto want = naive_dft(sig, 3, false);
    for (int64_t k = 0; k < 3; ++k)
      EXPECT_NEAR(out[0].data<float>()[(line * 3 + k) * 2], want[k].real(), 1e-5);
  }
}

TEST(DFT, RejectsBadAxisAndLength) {
  auto x = make<float>({1, 4, 1}, {1, 2, 3, 4});
  EXPECT_THROW(run_op(OpSpec("DFT").opset(17).attr("axis", int64_t{2}), {x, Tensor()}), Error);
  try {
    run_op(OpSpec("DFT").opset(17), {x, make<int64_t>({}, {0})});
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kInvalidInput);
  }
}

TEST(STFT, FramesAreWindowedDfts) {
  Tensor signal(DataType::kFloat, {1, 20, 1});
  for (int64_t i = 0; i < 20; ++i) signal.data<float>()[i] = std::sin(0.3f * i);
  auto window = make<float>({6}, {0.1f, 0.5f, 1, 1, 0.5f, 0.1f});
  auto out = run_op(OpSpec("STFT").opset(17), {signal, make<int64_t>({}, {4}), window, Tensor()});
  // frames = 1 + (20 - 6) / 4 = 4; onesided bins = 6 / 2 + 1 = 4.
  ASSERT_EQ(out[0].shape(), (Shape{1, 4, 4, 2}));
  for (int64_t f = 0; f < 4; ++f) {
    std::vector<std::complex<double>> frame;
    for (int64_t j = 0; j < 6; ++j)
      frame.push_back(signal.data<float>()[f * 4 + j] * window.data<float>()[j]);
    const auto want = naive_dft(frame, 6, false);
    for (int64_t k = 0; k < 4; ++k) {
      EXPECT_NEAR(out[0].data<float>()[(f * 4 + k) * 2], want[k].real(), 1e-5);
      EXPECT_NEAR(out[0].data<float>()[(f * 4 + k) * 2 + 1], want[k].imag(), 1e-5);
    }
  }
}

TEST(STFT, FrameLengthWithoutWindowAndTwoSided) {
  auto signal = make<float>({1, 4, 1}, {1, 0, 0, 0});
  auto out = run_op(OpSpec("STFT").opset(17).attr("onesided", int64_t{0}),
                    {signal, make<int32_t>({}, {2}), Tensor(), make<int64_t>({}, {2})});
  ASSERT_EQ(out[0].shape(), (Shape{1, 2, 2, 2}));
  EXPECT_EQ(values<float>(out[0]), (std::vector<float>{1, 0, 1, 0, 0, 0, 0, 0}));
}

TEST(STFT, RejectsFrameLongerThanSignal) {
  try {
    run_op(OpSpec("STFT").opset(17),
           {make<float>({1, 3, 1}, {1, 2, 3}), make<int64_t>({}, {1}), Tensor(),
            make<int64_t>({}, {4})});
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kInvalidInput);
  }
}

TEST(Windows, PeriodicAndSymmetricValues) {
  auto hann = run_op(OpSpec("HannWindow").opset(17), {make<int64_t>({}, {4})});
  const auto h = values<float>(hann[0]);
  EXPECT_NEAR(h[0], 0, 1e-7);
  EXPECT_NEAR(h[1], 0.5, 1e-7);
  EXPECT_NEAR(h[2], 1, 1e-7);
  EXPECT_NEAR(h[3], 0.5, 1e-7);
  auto sym = run_op(OpSpec("HannWindow").opset(17).attr("periodic", int64_t{0}),
                    {make<int32_t>({}, {3})});
  EXPECT_NEAR(values<float>(sym[0])[1], 1, 1e-7);
  auto blackman = run_op(OpSpec("BlackmanWindow").opset(17).attr("output_datatype", int64_t{11}),
                         {make<int64_t>({}, {4})});
  ASSERT_EQ(blackman[0].dtype(), DataType::kDouble);
  const auto b = values<double>(blackman[0]);
  EXPECT_NEAR(b[0], 0, 1e-12);
  EXPECT_NEAR(b[1], 0.34, 1e-12);
  EXPECT_NEAR(b[2], 1, 1e-12);
  auto hamming = run_op(OpSpec("HammingWindow").opset(17), {make<int64_t>({}, {2})});
  EXPECT_NEAR(values<float>(hamming[0])[0], 4.0 / 46, 1e-7);
  EXPECT_NEAR(values<float>(hamming[0])[1], 1, 1e-7);
}

TEST(Windows, DegenerateSizes) {
  auto one = run_op(OpSpec("HammingWindow").opset(17).attr("periodic", int64_t{0}),
                    {make<int64_t>({}, {1})});
  EXPECT_EQ(values<float>(one[0]), (std::vector<float>{1}));
  auto none = run_op(OpSpec("HannWindow").opset(17), {make<int64_t>({}, {0})});
  EXPECT_EQ(none[0].shape(), (Shape{0}));
  EXPECT_THROW(run_op(OpSpec("HannWindow").opset(17), {make<int64_t>({}, {-1})}), Error);
}

TEST(MelWeightMatrix, TriangularFiltersMatchReference) {
  auto out = run_op(OpSpec("MelWeightMatrix").opset(17),
                    {make<int64_t>({}, {3}), make<int64_t>({}, {64}), make<int64_t>({}, {16000}),
                     make<float>({}, {100}), make<float>({}, {8000})});
  ASSERT_EQ(out[0].shape(), (Shape{33, 3}));
  // Edges at bins 0, 2, 5, 10, 19 (from the ONNX reference formula).
  std::vector<float> want(33 * 3, 0.0f);
  auto set = [&](int row, int col, double v) { want[row * 3 + col] = static_cast<float>(v); };
  for (int j = 0; j <= 2; ++j) set(j, 0, j / 2.0);
  for (int j = 2; j < 5; ++j) set(j, 0, (5 - j) / 3.0);
  for (int j = 2; j <= 5; ++j) set(j, 1, (j - 2) / 3.0);
  for (int j = 5; j < 10; ++j) set(j, 1, (10 - j) / 5.0);
  for (int j = 5; j <= 10; ++j) set(j, 2, (j - 5) / 5.0);
  for (int j = 10; j < 19; ++j) set(j, 2, (19 - j) / 9.0);
  const auto got = values<float>(out[0]);
  for (size_t i = 0; i < want.size(); ++i) EXPECT_FLOAT_EQ(got[i], want[i]) << i;
}

TEST(MelWeightMatrix, EdgeBeyondTheSpectrumIsRuntimeError) {
  try {
    run_op(OpSpec("MelWeightMatrix").opset(17),
           {make<int64_t>({}, {3}), make<int64_t>({}, {64}), make<int64_t>({}, {16000}),
            make<float>({}, {0}), make<float>({}, {20000})});
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kRuntime);
  }
}

}  // namespace
}  // namespace skiff
