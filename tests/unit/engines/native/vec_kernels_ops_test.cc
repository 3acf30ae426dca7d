// The per-ISA kernels of Pow, Where, PRelu, the variadic Max/Min and
// ReduceLogSumExp (vec_kernels.h): every set against the portable one and a
// scalar reference written here, on tails of 1..33 elements, every step
// pattern, NaN, infinities and signed zeros; then the ops on every broadcast
// axis through their kernels.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "engines/native/vec_kernels.h"
#include "engines/native/vec_test_util.h"
#include "support/op_test.h"
#include "support/random.h"

namespace skiff {
namespace {

using namespace skiff::testing;  // NOLINT: the shared helpers

// Float bits as an integer that orders like the values (+0 and -0 both 0),
// so that the distance of two floats is their difference in ulp.
int64_t ordered(float f) {
  int32_t i;
  std::memcpy(&i, &f, sizeof i);
  return i >= 0 ? i : -static_cast<int64_t>(i & 0x7fffffff);
}

// 0 when both agree exactly (NaN with NaN), else the ulp distance (inf is
// one ulp past FLT_MAX, as in the bits); a large value when one is NaN.
int64_t ulp_distance(float a, float b) {
  if (same(a, b)) return 0;
  if (std::isnan(a) || std::isnan(b)) return INT32_MAX;
  return std::llabs(ordered(a) - ordered(b));
}

uint32_t bits(float f) {
  uint32_t u;
  std::memcpy(&u, &f, sizeof u);
  return u;
}

// Bases and exponents for Pow: every special operand of C's pow, subnormals,
// +-1, integers and halves, then random magnitudes of both signs.
std::vector<float> pow_bases() {
  std::vector<float> v = {0.0f, -0.0f, 1e-45f, -1e-40f, 1e-38f, 1e-30f, 0.5f, 1.0f, -1.0f, 2.0f,
                          -2.0f, 3.7f, -3.7f, 10.0f, 1e10f, 1e30f, -1e30f, 3e38f, kInf, -kInf, kNaN};
  std::mt19937 rng(3);
  std::uniform_real_distribution<float> exponent(-20.0f, 20.0f);
  for (int i = 0; i < 3000; ++i) v.push_back((i % 2 ? -1.0f : 1.0f) * std::exp2(exponent(rng)));
  return v;
}
const float kPowExponents[] = {0.0f,  -0.0f, 1.0f,  -1.0f,  2.0f, -2.0f,    3.0f,    -3.0f,
                               0.5f,  -0.5f, 1.5f,  2.5f,   7.0f, 10.0f,    -10.0f,  1e-3f,
                               0.33f, 100.f, -100.f, 1e10f, -1e10f, 16777217.0f, kInf, -kInf,
                               kNaN};
// The fixed exponents (1, 2, 0.5, 3) may differ from glibc's powf by 1 ulp
// (documented in binary_avx2.cc and docs/kernels.md); every other exponent
// is std::pow itself.
constexpr int64_t kPowUlp = 1;

TEST(VecKernelsOps, PowIsStdPowButForOneUlpOnFixedExponents) {
  const std::vector<float> x = pow_bases();
  const auto n = static_cast<int64_t>(x.size());
  std::vector<float> y(x.size());
  for (CpuIsa isa : isas()) {
    for (float e : kPowExponents) {
      // A scalar exponent (the fast paths for 1, 2, 0.5, 3) ...
      vec_kernels_for(isa).binary(VecBinary::kPow, x.data(), 1, &e, 0, y.data(), n);
      const bool fast = isa != CpuIsa::kScalar && (e == 1.0f || e == 2.0f || e == 0.5f || e == 3.0f);
      for (size_t i = 0; i < x.size(); ++i)
        ASSERT_LE(ulp_distance(y[i], std::pow(x[i], e)), fast ? kPowUlp : 0)
            << isa_name(isa) << " pow(" << x[i] << ", " << e << ") = " << y[i] << " vs "
            << std::pow(x[i], e);
      // ... and the same exponent as a stepping operand (the general path).
      const std::vector<float> ev(x.size(), e);
      vec_kernels_for(isa).binary(VecBinary::kPow, x.data(), 1, ev.data(), 1, y.data(), n);
      for (size_t i = 0; i < x.size(); ++i)
        ASSERT_EQ(ulp_distance(y[i], std::pow(x[i], e)), 0)
            << isa_name(isa) << " pow(" << x[i] << ", " << e << ") = " << y[i];
    }
    // A broadcast base with stepping exponents.
    const float base = -2.5f;
    std::vector<float> es(kPowExponents, kPowExponents + std::size(kPowExponents)), r(es.size());
    vec_kernels_for(isa).binary(VecBinary::kPow, &base, 0, es.data(), 1, r.data(), static_cast<int64_t>(es.size()));
    for (size_t i = 0; i < es.size(); ++i)
      ASSERT_EQ(ulp_distance(r[i], std::pow(base, es[i])), 0) << isa_name(isa) << " pow(-2.5, " << es[i] << ")";
  }
}

// Negative bases with integer exponents keep their sign rules on every path.
TEST(VecKernelsOps, PowOfNegativeBasesWithIntegerExponents) {
  for (CpuIsa isa : isas())
    for (float e : {-7.0f, -3.0f, -2.0f, -1.0f, 1.0f, 2.0f, 3.0f, 4.0f, 5.0f, 11.0f}) {
      const std::vector<float> x = {-1.5f, -2.0f, -0.75f, -1.0f, -0.0f, -kInf, -1e-40f, -3.0f, -10.0f};
      std::vector<float> y(x.size());
      const std::vector<float> ev(x.size(), e);
      for (int64_t step : {0, 1}) {
        vec_kernels_for(isa).binary(VecBinary::kPow, x.data(), 1, ev.data(), step, y.data(),
                                    static_cast<int64_t>(x.size()));
        for (size_t i = 0; i < x.size(); ++i) {
          const float ref = std::pow(x[i], e);
          EXPECT_EQ(std::signbit(y[i]), std::signbit(ref)) << isa_name(isa) << " " << x[i] << "^" << e;
          EXPECT_LE(ulp_distance(y[i], ref), 1) << isa_name(isa) << " " << x[i] << "^" << e;
        }
      }
    }
}

// Operands with NaN, infinities and signed zeros, at a misaligned offset.
std::vector<float> edgy(int64_t n, uint32_t seed) {
  const Tensor t = random_tensor({n + 2}, seed, -3.0f, 3.0f);
  std::vector<float> v(t.data<float>(), t.data<float>() + n + 2);
  const float specials[] = {kNaN, -kNaN, kInf, -kInf, 0.0f, -0.0f};
  for (int64_t i = 1; i < n + 1; i += 3) v[static_cast<size_t>(i)] = specials[(i + seed) % 6];
  return v;
}

// f(isa, a, step_a, b, step_b, y, n) against ref(a, b) bit for bit, for every
// size and step pattern.
template <class Run, class Ref>
void expect_exact_runs(const char* what, Run run, Ref ref) {
  for (int64_t n : kSizes)
    for (int64_t step_a : {0, 1})
      for (int64_t step_b : {0, 1}) {
        const std::vector<float> a = edgy(n, 1), b = edgy(n, 2);
        for (CpuIsa isa : isas()) {
          Guarded y(n);
          run(isa, a.data() + 1, step_a, b.data() + 1, step_b, y.begin(), n);
          ASSERT_TRUE(y.intact()) << what << " " << isa_name(isa) << " n " << n;
          for (int64_t i = 0; i < n; ++i) {
            const float u = a[static_cast<size_t>(1 + i * step_a)];
            const float v = b[static_cast<size_t>(1 + i * step_b)];
            ASSERT_EQ(bits(y.begin()[i]), bits(ref(u, v)))
                << what << " " << isa_name(isa) << " steps " << step_a << step_b << " n " << n
                << " at " << i << ": (" << u << ", " << v << ") gave " << y.begin()[i];
          }
        }
      }
}

TEST(VecKernelsOps, ExtremumKeepsTheFirstNaNAndTheFirstOfEqualValues) {
  for (bool max : {true, false}) {
    const VecExtremum op = max ? VecExtremum::kMax : VecExtremum::kMin;
    expect_exact_runs(
        max ? "Max" : "Min",
        [op](CpuIsa isa, const float* a, int64_t sa, const float* b, int64_t sb, float* y,
             int64_t n) { vec_kernels_for(isa).extremum(op, a, sa, b, sb, y, n); },
        [max](float a, float b) {
          if (std::isnan(a)) return a;
          if (std::isnan(b)) return b;
          return (max ? a < b : b < a) ? b : a;
        });
  }
}

TEST(VecKernelsOps, PReluRunsAreExact) {
  expect_exact_runs(
      "PRelu",
      [](CpuIsa isa, const float* x, int64_t sx, const float* s, int64_t ss, float* y, int64_t n) {
        vec_kernels_for(isa).prelu(x, sx, s, ss, y, n);
      },
      [](float x, float s) { return x < 0 ? s * x : x; });
}

TEST(VecKernelsOps, WhereSelectsForEveryStepPattern) {
  for (int64_t n : kSizes)
    for (int pattern = 0; pattern < 8; ++pattern) {
      const int64_t sc = pattern & 1, sa = (pattern >> 1) & 1, sb = pattern >> 2;
      const std::vector<float> a = edgy(n, 3), b = edgy(n, 4);
      std::vector<uint8_t> bytes(static_cast<size_t>(n + 1));
      for (size_t i = 0; i < bytes.size(); ++i) bytes[i] = (i * 7 + 3) % 5 < 2;
      const bool* c = reinterpret_cast<const bool*>(bytes.data());
      for (CpuIsa isa : isas()) {
        Guarded y(n);
        vec_kernels_for(isa).where(c + 1, sc, a.data() + 1, sa, b.data() + 1, sb, y.begin(), n);
        ASSERT_TRUE(y.intact()) << isa_name(isa) << " n " << n;
        for (int64_t i = 0; i < n; ++i) {
          const float ref = c[1 + i * sc] ? a[static_cast<size_t>(1 + i * sa)]
                                          : b[static_cast<size_t>(1 + i * sb)];
          ASSERT_EQ(bits(y.begin()[i]), bits(ref))
              << isa_name(isa) << " pattern " << pattern << " n " << n << " at " << i;
        }
      }
    }
}

TEST(VecKernelsOps, SumsOfExponentialsMatchDoubleMath) {
  for (int64_t n : kSizes) {
    const Tensor t = random_tensor({n + 1}, static_cast<uint32_t>(n + 7), -30.0f, 10.0f);
    const float* x = t.data<float>() + 1;
    const Tensor ts = random_tensor({n + 1}, static_cast<uint32_t>(n + 8), -5.0f, 5.0f);
    const float* shift = ts.data<float>() + 1;
    // The kernels subtract the shift in float, as the reference op does.
    double ref = 0;
    for (int64_t i = 0; i < n; ++i) ref += std::exp(static_cast<double>(x[i] - 2.5f));
    for (CpuIsa isa : isas()) {
      EXPECT_NEAR(vec_kernels_for(isa).sum_exp(x, n, 2.5f), ref, 1e-6 * ref + 1e-30)
          << isa_name(isa) << " n " << n;
      std::vector<float> acc(static_cast<size_t>(n), 1.0f);
      vec_kernels_for(isa).accumulate_exp(acc.data(), x, shift, n);
      for (int64_t i = 0; i < n; ++i) {
        const double r = 1.0 + std::exp(static_cast<double>(x[i] - shift[i]));
        EXPECT_NEAR(acc[static_cast<size_t>(i)], r, 3e-7 * r) << isa_name(isa) << " at " << i;
      }
    }
    // inf and NaN inputs: exp(inf) = inf, NaN propagates, exp(-inf) = 0.
    const float specials[] = {1.0f, -kInf, 2.0f};
    const float with_nan[] = {1.0f, kNaN};
    const float with_inf[] = {kInf, 0.0f};
    for (CpuIsa isa : isas()) {
      EXPECT_FLOAT_EQ(vec_kernels_for(isa).sum_exp(specials, 3, 0.0f), std::exp(1.0f) + std::exp(2.0f));
      EXPECT_TRUE(std::isnan(vec_kernels_for(isa).sum_exp(with_nan, 2, 0.0f)));
      EXPECT_EQ(vec_kernels_for(isa).sum_exp(with_inf, 2, 0.0f), kInf);
    }
  }
}

// Index into an operand of shape `pad` (rank 3, 1 = broadcast) for element i
// of a [2, 3, w] output.
int64_t operand_index(const Shape& pad, int64_t i, int64_t w) {
  const int64_t i0 = i / (3 * w), i1 = (i / w) % 3, i2 = i % w;
  return ((pad[0] == 1 ? 0 : i0) * pad[1] + (pad[1] == 1 ? 0 : i1)) * pad[2] + (pad[2] == 1 ? 0 : i2);
}

Shape padded(const Shape& s) {
  Shape pad(3 - s.size(), 1);
  pad.insert(pad.end(), s.begin(), s.end());
  return pad;
}

const std::vector<Shape> operand_shapes(int64_t w) {
  return {{}, {w}, {3, 1}, {2, 1, 1}, {1, 3, w}, {2, 1, w}, {2, 3, w}};
}

// The ops on the vectorized paths against float math done here (Pow against
// std::pow, within kPowUlp where the exponent is a fixed one), on every
// broadcast axis at awkward widths.
TEST(VecKernelsOps, OpsBroadcastOnEveryAxisAtAwkwardSizes) {
  for (int64_t w : {1, 7, 8, 9, 17, 33}) {
    const Shape full = {2, 3, w};
    const Tensor a = random_tensor(full, 7, -2, 2);
    for (const Shape& bs : operand_shapes(w)) {
      const Tensor b = random_tensor(bs, 8, 0.25f, 3);
      const Shape pad = padded(bs);
      for (const char* op : {"Pow", "PRelu", "Max", "Min", "Sum", "Mean"}) {
        const std::string name = op;
        // Pow of positive bases (no NaN from fractional exponents).
        const Tensor base = name == "Pow" ? random_tensor(full, 9, 0.1f, 2) : a;
        const Tensor y = run_op(op, {base, b})[0];
        ASSERT_EQ(y.shape(), full);
        for (int64_t i = 0; i < y.numel(); ++i) {
          const float u = base.data<float>()[i], v = b.data<float>()[operand_index(pad, i, w)];
          const float got = y.data<float>()[i];
          if (name == "Pow") {
            ASSERT_LE(ulp_distance(got, std::pow(u, v)), kPowUlp) << "Pow(" << u << ", " << v << ")";
            continue;
          }
          const float ref = name == "PRelu" ? (u < 0 ? v * u : u)
                            : name == "Max" ? std::max(u, v)
                            : name == "Min" ? std::min(u, v)
                            : name == "Sum" ? u + v
                                            : (u + v) / 2.0f;
          ASSERT_EQ(got, ref) << op << " w " << w << " at " << i;
        }
      }
    }
  }
}

TEST(VecKernelsOps, VariadicOpsFoldThreeBroadcastInputs) {
  const Tensor a = random_tensor({2, 3, 17}, 1, -2, 2);
  const Tensor b = random_tensor({3, 1}, 2, -2, 2);
  const Tensor c = random_tensor({17}, 3, -2, 2);
  for (const char* op : {"Max", "Min", "Sum", "Mean"}) {
    const Tensor y = run_op(op, {a, b, c})[0];
    for (int64_t i = 0; i < y.numel(); ++i) {
      const float u = a.data<float>()[i], v = b.data<float>()[(i / 17) % 3], t = c.data<float>()[i % 17];
      const std::string name = op;
      const float ref = name == "Max"   ? std::max(std::max(u, v), t)
                        : name == "Min" ? std::min(std::min(u, v), t)
                        : name == "Sum" ? (u + v) + t
                                        : ((u + v) + t) / 3.0f;
      ASSERT_EQ(y.data<float>()[i], ref) << op << " at " << i;
    }
  }
}

TEST(VecKernelsOps, WhereBroadcastsAllThreeInputs) {
  for (int64_t w : {1, 9, 17}) {
    const Shape full = {2, 3, w};
    for (const Shape& cs : operand_shapes(w))
      for (const auto& [xs, ys] : std::vector<std::pair<Shape, Shape>>{
               {{}, full}, {{w}, {2, 3, 1}}, {full, {3, 1}}}) {
        Tensor c(DataType::kBool, cs);
        for (int64_t i = 0; i < c.numel(); ++i) c.data<bool>()[i] = (i * 5 + 1) % 3 == 0;
        const Tensor x = random_tensor(xs, 4, -2, 2), y = random_tensor(ys, 5, -2, 2);
        const Tensor out = run_op("Where", {c, x, y})[0];
        ASSERT_EQ(out.shape(), full);
        for (int64_t i = 0; i < out.numel(); ++i) {
          const bool ci = c.data<bool>()[operand_index(padded(cs), i, w)];
          const float ref = ci ? x.data<float>()[operand_index(padded(xs), i, w)]
                               : y.data<float>()[operand_index(padded(ys), i, w)];
          ASSERT_EQ(out.data<float>()[i], ref) << "w " << w << " at " << i;
        }
      }
  }
}

TEST(VecKernelsOps, ReductionsOverEveryAxisSetMatchDoubleMath) {
  const Tensor x = random_tensor({3, 5, 17}, 12, 0.5f, 1.5f);
  const int64_t dims[3] = {3, 5, 17};
  for (std::vector<int64_t> axes : std::vector<std::vector<int64_t>>{{0}, {1}, {2}, {0, 2}, {1, 2}, {0, 1, 2}})
    for (const std::string op : {"ReduceProd", "ReduceL1", "ReduceLogSum", "ReduceLogSumExp"}) {
      const Tensor y = run_op(OpSpec(op).opset(11).attr("axes", axes), {x})[0];
      std::vector<double> ref(static_cast<size_t>(y.numel()), op == "ReduceProd" ? 1 : 0);
      for (int64_t i = 0; i < x.numel(); ++i) {
        const int64_t idx[3] = {i / 85, (i / 17) % 5, i % 17};
        int64_t o = 0;
        for (int d = 0; d < 3; ++d)
          if (std::find(axes.begin(), axes.end(), d) == axes.end()) o = o * dims[d] + idx[d];
        const double v = (i % 4 == 0 && op == "ReduceL1") ? -x.data<float>()[i] : x.data<float>()[i];
        double& r = ref[static_cast<size_t>(o)];
        r = op == "ReduceProd" ? r * v : op == "ReduceL1" ? r + std::fabs(v)
            : op == "ReduceLogSumExp" ? r + std::exp(v) : r + v;
      }
      for (int64_t o = 0; o < y.numel(); ++o) {
        double r = ref[static_cast<size_t>(o)];
        if (op == "ReduceLogSum" || op == "ReduceLogSumExp") r = std::log(r);
        EXPECT_NEAR(y.data<float>()[o], r, 2e-6 * std::max(1.0, std::fabs(r))) << op << " at " << o;
      }
    }
}

// ReduceLogSumExp's rows with -inf, inf and NaN, innermost axis reduced or kept.
TEST(VecKernelsOps, LogSumExpKeepsInfinitiesAndNaN) {
  const Tensor x = make<float>({4, 3}, {-kInf, -kInf, -kInf, 1.0f, kInf, 2.0f, 1.0f, kNaN, 0.0f,
                                        1000.0f, 1000.0f, -kInf});
  const Tensor rows = run_op(OpSpec("ReduceLogSumExp").opset(11).attr("axes", std::vector<int64_t>{1}), {x})[0];
  EXPECT_EQ(rows.data<float>()[0], -kInf);
  EXPECT_EQ(rows.data<float>()[1], kInf);
  EXPECT_TRUE(std::isnan(rows.data<float>()[2]));
  EXPECT_NEAR(rows.data<float>()[3], 1000.0f + std::log(2.0f), 1e-3);
  const Tensor cols = run_op(OpSpec("ReduceLogSumExp").opset(11).attr("axes", std::vector<int64_t>{0}), {x})[0];
  EXPECT_EQ(cols.data<float>()[0], 1000.0f);
  EXPECT_TRUE(std::isnan(cols.data<float>()[1]));
  EXPECT_NEAR(cols.data<float>()[2], std::log(std::exp(2.0f) + 1.0f), 1e-6);
}

}  // namespace
}  // namespace skiff
