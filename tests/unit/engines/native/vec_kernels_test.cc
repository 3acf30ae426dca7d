// The per-ISA float kernels (vec_kernels.h): every set against the portable
// one and against double-precision math, on awkward sizes and unaligned
// pointers, with NaN and infinities. The whole unit suite also runs with
// SKIFF_ISA=scalar (ctest unit_tests_scalar_isa), so the op tests cover the
// portable set through the kernels as well.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <string>
#include <vector>

#include "engines/native/vec_kernels.h"
#include "engines/native/vec_test_util.h"
#include "support/op_test.h"
#include "support/random.h"

namespace skiff {
namespace {

using namespace skiff::testing;  // NOLINT: the shared helpers

// Inputs spanning every regime of the approximations: a dense sweep of
// [-20, 20], big magnitudes, subnormal-producing ones, signed zeros, inf, NaN.
std::vector<float> unary_inputs() {
  std::vector<float> v;
  for (int i = -200000; i <= 200000; ++i) v.push_back(static_cast<float>(i) * 1e-4f);
  for (float big = 20; big < 1e30f; big *= 1.37f) v.insert(v.end(), {big, -big});
  for (float x = 80; x < 110; x += 0.01f) v.insert(v.end(), {x, -x});
  v.insert(v.end(), {0.0f, -0.0f, 1e-30f, -1e-30f, kInf, -kInf, kNaN});
  return v;
}

struct UnaryCase {
  VecUnary kind;
  double (*reference)(double);
  double rtol, atol;  // |y - ref| <= atol + rtol * |ref|
};

double gelu(double x) { return 0.5 * x * (1 + std::erf(x / std::sqrt(2.0))); }
double gelu_tanh(double x) {
  return 0.5 * x * (1 + std::tanh(0.7978845608028654 * (x + 0.044715 * x * x * x)));
}

// The documented accuracy of simd_avx2.h (a few ulp; absolute near zero
// crossings and in the subnormal range); the portable set (glibc) meets it too.
const UnaryCase kUnaryCases[] = {
    {VecUnary::kExp, [](double x) { return std::exp(x); }, 3e-7, 1e-38},
    {VecUnary::kSigmoid, [](double x) { return 1 / (1 + std::exp(-x)); }, 5e-7, 1e-38},
    {VecUnary::kSilu, [](double x) { return x / (1 + std::exp(-x)); }, 5e-7, 1e-38},
    {VecUnary::kTanh, [](double x) { return std::tanh(x); }, 5e-7, 1e-38},
    {VecUnary::kErf, [](double x) { return std::erf(x); }, 3e-7, 2e-7},
    {VecUnary::kGelu, gelu, 5e-7, 5e-7},
    {VecUnary::kGeluTanh, gelu_tanh, 5e-7, 5e-7},
};

TEST(VecKernels, TranscendentalsStayWithinDocumentedError) {
  const std::vector<float> x = unary_inputs();
  std::vector<float> y(x.size());
  for (CpuIsa isa : isas()) {
    for (const UnaryCase& c : kUnaryCases) {
      vec_kernels_for(isa).unary({c.kind}, x.data(), y.data(), static_cast<int64_t>(x.size()));
      double worst = 0;
      for (size_t i = 0; i < x.size(); ++i) {
        const double ref = c.reference(x[i]);
        if (std::isnan(ref) || std::isinf(static_cast<float>(ref))) {
          EXPECT_TRUE(same(y[i], static_cast<float>(ref)))
              << isa_name(isa) << " op " << int(c.kind) << " at " << x[i] << " gave " << y[i];
          continue;
        }
        const double err = std::fabs(y[i] - ref);
        const double allowed = c.atol + c.rtol * std::fabs(ref);
        worst = std::max(worst, err / allowed);
        ASSERT_LE(err, allowed) << isa_name(isa) << " op " << int(c.kind) << " at x = " << x[i]
                                << ": " << y[i] << " vs " << ref;
      }
      EXPECT_LE(worst, 1.0);
    }
  }
}

TEST(VecKernels, EveryUnarySetMatchesThePortableOneOnAwkwardSizes) {
  const std::vector<VecUnaryOp> ops = {
      {VecUnary::kRelu},           {VecUnary::kLeakyRelu, 0.1f}, {VecUnary::kClip, -0.5f, 0.75f},
      {VecUnary::kExp},            {VecUnary::kSigmoid},         {VecUnary::kSilu},
      {VecUnary::kTanh},
      {VecUnary::kErf},            {VecUnary::kGelu},            {VecUnary::kGeluTanh},
      {VecUnary::kHardSigmoid, 0.2f, 0.5f}, {VecUnary::kHardSwish}};
  for (int64_t n : kSizes) {
    const Tensor t = testing::random_tensor({n + 3}, static_cast<uint32_t>(n), -6.0f, 6.0f);
    std::vector<float> x(t.data<float>(), t.data<float>() + n + 3);
    if (n > 2) x[1] = kNaN, x[2] = kInf, x[n - 1] = -kInf;
    for (const VecUnaryOp& op : ops) {
      Guarded expected(n);
      vec_kernels_for(CpuIsa::kScalar).unary(op, x.data() + 1, expected.begin(), n);
      for (CpuIsa isa : isas()) {
        Guarded y(n);
        vec_kernels_for(isa).unary(op, x.data() + 1, y.begin(), n);
        ASSERT_TRUE(y.intact()) << isa_name(isa) << " op " << int(op.kind) << " n " << n;
        for (int64_t i = 0; i < n; ++i) {
          const float e = expected.begin()[i], v = y.begin()[i];
          const bool close = same(e, v) || std::fabs(e - v) <= 1e-6f * std::fmax(1.0f, std::fabs(e));
          EXPECT_TRUE(close) << isa_name(isa) << " op " << int(op.kind) << " n " << n << " at "
                             << x[static_cast<size_t>(i + 1)] << ": " << v << " vs " << e;
        }
      }
    }
  }
}

TEST(VecKernels, BinaryRunsAreExactForEveryStepPattern) {
  for (int64_t n : kSizes) {
    const Tensor ta = testing::random_tensor({n + 2}, 1, -3.0f, 3.0f);
    const Tensor tb = testing::random_tensor({n + 2}, 2, -3.0f, 3.0f);
    std::vector<float> a(ta.data<float>(), ta.data<float>() + n + 2);
    std::vector<float> b(tb.data<float>(), tb.data<float>() + n + 2);
    if (n > 4) a[2] = kNaN, b[3] = kInf, b[4] = 0.0f, a[4] = -kInf;
    for (VecBinary op : {VecBinary::kAdd, VecBinary::kSub, VecBinary::kMul, VecBinary::kDiv})
      for (int64_t step_a : {0, 1})
        for (int64_t step_b : {0, 1}) {
          Guarded expected(n);
          vec_kernels_for(CpuIsa::kScalar)
              .binary(op, a.data() + 1, step_a, b.data() + 1, step_b, expected.begin(), n);
          for (CpuIsa isa : isas()) {
            Guarded y(n);
            vec_kernels_for(isa).binary(op, a.data() + 1, step_a, b.data() + 1, step_b, y.begin(), n);
            ASSERT_TRUE(y.intact()) << isa_name(isa);
            for (int64_t i = 0; i < n; ++i)
              EXPECT_TRUE(same(y.begin()[i], expected.begin()[i]))
                  << isa_name(isa) << " op " << int(op) << " steps " << step_a << step_b << " n "
                  << n << " at " << i;
          }
        }
  }
}

TEST(VecKernels, SoftmaxBlocksMatchThePortableOneOnEveryLayout) {
  for (VecSoftmax kind : {VecSoftmax::kSoftmax, VecSoftmax::kLogSoftmax})
    for (int64_t n : {1, 7, 8, 9, 33})
      for (int64_t inner : {1, 3, 8, 9, 17, 100}) {
        const int64_t size = n * inner;
        const Tensor t = testing::random_tensor({size + 1}, static_cast<uint32_t>(size), -8, 8);
        std::vector<float> x(t.data<float>(), t.data<float>() + size + 1);
        // An all -inf lane (lane 0 when inner > 1, else the whole row for n = 1),
        // and a NaN in the last lane when there is more than one.
        for (int64_t j = 0; j < n && inner > 1; ++j) x[static_cast<size_t>(1 + j * inner)] = -kInf;
        if (inner > 2) x[static_cast<size_t>(size)] = kNaN;
        std::vector<float> scratch(static_cast<size_t>(2 * inner));
        Guarded expected(size);
        vec_kernels_for(CpuIsa::kScalar)
            .softmax(kind, x.data() + 1, expected.begin(), n, inner, inner, scratch.data());
        for (CpuIsa isa : isas()) {
          Guarded y(size);
          vec_kernels_for(isa).softmax(kind, x.data() + 1, y.begin(), n, inner, inner, scratch.data());
          ASSERT_TRUE(y.intact()) << isa_name(isa);
          for (int64_t i = 0; i < size; ++i) {
            const float e = expected.begin()[i], v = y.begin()[i];
            EXPECT_TRUE(same(e, v) || std::fabs(e - v) <= 1e-6f * std::fmax(1.0f, std::fabs(e)))
                << isa_name(isa) << " kind " << int(kind) << " n " << n << " inner " << inner
                << " at " << i << ": " << v << " vs " << e;
          }
        }
      }
}

TEST(VecKernels, ReductionFoldsMatchThePortableOne) {
  for (VecReduce kind : {VecReduce::kSum, VecReduce::kSumSquare, VecReduce::kMax, VecReduce::kMin,
                         VecReduce::kL1, VecReduce::kProd})
    for (int64_t n : kSizes)
      for (int special = 0; special < 3; ++special) {  // none, a NaN, an inf
        const Tensor t = testing::random_tensor({n + 1}, static_cast<uint32_t>(n + 40), -4, 4);
        std::vector<float> x(t.data<float>(), t.data<float>() + n + 1);
        if (n > 0 && special == 1) x[static_cast<size_t>(n)] = kNaN;
        if (n > 0 && special == 2) x[static_cast<size_t>(n)] = -kInf;
        const float expected = vec_kernels_for(CpuIsa::kScalar).reduce(kind, x.data() + 1, n);
        std::vector<float> acc_expected(x.rbegin(), x.rend());
        vec_kernels_for(CpuIsa::kScalar).accumulate(kind, acc_expected.data(), x.data() + 1, n);
        for (CpuIsa isa : isas()) {
          const float r = vec_kernels_for(isa).reduce(kind, x.data() + 1, n);
          EXPECT_TRUE(same(r, expected) || std::fabs(r - expected) <= 1e-5f * std::fmax(1, std::fabs(expected)))
              << isa_name(isa) << " kind " << int(kind) << " n " << n << ": " << r << " vs " << expected;
          std::vector<float> acc(x.rbegin(), x.rend());
          vec_kernels_for(isa).accumulate(kind, acc.data(), x.data() + 1, n);
          // Fused multiply-add rounds x * x + acc once: a last-bit difference.
          for (size_t i = 0; i < acc.size(); ++i)
            EXPECT_TRUE(same(acc[i], acc_expected[i]) ||
                        std::fabs(acc[i] - acc_expected[i]) <= 1e-6f * std::fabs(acc_expected[i]))
                << isa_name(isa) << " kind " << int(kind) << " n " << n << " at " << i;
        }
      }
}

TEST(VecKernels, ReductionsOverEveryAxisSetMatchDoubleMath) {
  const Tensor x = testing::random_tensor({3, 5, 17}, 11, -3, 3);
  for (std::vector<int64_t> axes : std::vector<std::vector<int64_t>>{{0}, {1}, {2}, {0, 2}, {1, 2}, {0, 1, 2}})
    for (const char* op : {"ReduceSum", "ReduceMean", "ReduceMax", "ReduceMin", "ReduceSumSquare", "ReduceL2"}) {
      const Tensor y = testing::run_op(testing::OpSpec(op).opset(11).attr("axes", axes), {x})[0];
      std::vector<double> ref(static_cast<size_t>(y.numel()), std::string(op) == "ReduceMax" ? -1e30 : std::string(op) == "ReduceMin" ? 1e30 : 0);
      const int64_t dims[3] = {3, 5, 17};
      for (int64_t i = 0; i < x.numel(); ++i) {
        const int64_t idx[3] = {i / 85, (i / 17) % 5, i % 17};
        int64_t o = 0;
        for (int d = 0; d < 3; ++d)
          if (std::find(axes.begin(), axes.end(), d) == axes.end()) o = o * dims[d] + idx[d];
        const double v = x.data<float>()[i];
        double& r = ref[static_cast<size_t>(o)];
        const std::string name = op;
        if (name == "ReduceMax") r = std::max(r, v);
        else if (name == "ReduceMin") r = std::min(r, v);
        else if (name == "ReduceSumSquare" || name == "ReduceL2") r += v * v;
        else r += v;
      }
      int64_t count = 1;
      for (int64_t a : axes) count *= dims[a];
      for (int64_t o = 0; o < y.numel(); ++o) {
        double r = ref[static_cast<size_t>(o)];
        if (std::string(op) == "ReduceMean") r /= static_cast<double>(count);
        if (std::string(op) == "ReduceL2") r = std::sqrt(r);
        EXPECT_NEAR(y.data<float>()[o], r, 1e-5 * std::max(1.0, std::fabs(r))) << op << " at " << o;
      }
    }
}

TEST(VecKernels, SkiffIsaCapsTheChosenSet) {
  const char* requested = std::getenv("SKIFF_ISA");
  if (requested != nullptr && std::string(requested) == "scalar") {
    EXPECT_EQ(kernel_isa(), CpuIsa::kScalar);
  } else if (cpu_supports(CpuIsa::kAvx2)) {
    EXPECT_EQ(kernel_isa(), CpuIsa::kAvx2);
  }
  EXPECT_EQ(&vec_kernels(), &vec_kernels_for(kernel_isa()));
}

// The op kernels on the vectorized paths, against float math done here, for
// runs of every length class and every broadcast axis.
TEST(VecKernels, BinaryOpsBroadcastOnEveryAxisAtAwkwardSizes) {
  for (int64_t w : {1, 7, 8, 9, 17, 33}) {
    const Shape full = {2, 3, w};
    const Tensor a = testing::random_tensor(full, 7, -2, 2);
    for (const Shape& bs : std::vector<Shape>{{}, {w}, {3, 1}, {2, 1, 1}, {1, 3, w}, {2, 1, w}, full}) {
      const Tensor b = testing::random_tensor(bs, 8, 0.5f, 2);
      for (const char* op : {"Add", "Sub", "Mul", "Div"}) {
        const Tensor y = testing::run_op(op, {a, b})[0];
        ASSERT_EQ(y.shape(), full);
        Shape pad(3 - bs.size(), 1);
        pad.insert(pad.end(), bs.begin(), bs.end());
        for (int64_t i = 0; i < y.numel(); ++i) {
          const int64_t i0 = i / (3 * w), i1 = (i / w) % 3, i2 = i % w;
          const int64_t bi = ((pad[0] == 1 ? 0 : i0) * pad[1] + (pad[1] == 1 ? 0 : i1)) * pad[2] +
                             (pad[2] == 1 ? 0 : i2);
          const float u = a.data<float>()[i], v = b.data<float>()[bi];
          const float ref = op[0] == 'A' ? u + v : op[0] == 'S' ? u - v : op[0] == 'M' ? u * v : u / v;
          ASSERT_EQ(y.data<float>()[i], ref) << op << " w " << w << " at " << i;
        }
      }
    }
  }
}

// Axis 0 and 1 have inner sizes above the 1024-column work items of the
// vectorized path (5500 and 1100 columns: whole tiles and a tail).
TEST(VecKernels, SoftmaxOnEveryAxisSumsToOne) {
  const int64_t dims[3] = {2, 5, 1100};
  const Tensor x = testing::random_tensor({dims[0], dims[1], dims[2]}, 5, -10, 10);
  for (int64_t axis : {0, 1, 2}) {
    const Tensor y = testing::run_op(testing::OpSpec("Softmax").attr("axis", axis), {x})[0];
    const int64_t stride = axis == 0 ? dims[1] * dims[2] : axis == 1 ? dims[2] : 1;
    for (int64_t i = 0; i < x.numel(); ++i) {
      if ((i / stride) % dims[axis] != 0) continue;  // first element of a lane
      double sum = 0, expected_first = 0, max = -1e30;
      for (int64_t j = 0; j < dims[axis]; ++j)
        max = std::max<double>(max, x.data<float>()[i + j * stride]);
      for (int64_t j = 0; j < dims[axis]; ++j) {
        sum += y.data<float>()[i + j * stride];
        expected_first += std::exp(x.data<float>()[i + j * stride] - max);
      }
      ASSERT_NEAR(sum, 1.0, 1e-5) << "axis " << axis << " at " << i;
      ASSERT_NEAR(y.data<float>()[i], std::exp(x.data<float>()[i] - max) / expected_first, 1e-6);
    }
  }
}

TEST(VecKernels, SoftmaxColumnSubsetLeavesOtherColumnsAlone) {
  const int64_t n = 5, inner = 21, width = 13;
  const Tensor t = testing::random_tensor({n * inner}, 9, -4, 4);
  const float* x = t.data<float>();
  std::vector<float> scratch(2 * inner);
  std::vector<float> full(static_cast<size_t>(n * inner));
  vec_kernels_for(CpuIsa::kScalar).softmax(VecSoftmax::kSoftmax, x, full.data(), n, inner, inner,
                                           scratch.data());
  for (CpuIsa isa : isas()) {
    std::vector<float> y(static_cast<size_t>(n * inner), 7.0f);
    vec_kernels_for(isa).softmax(VecSoftmax::kSoftmax, x, y.data(), n, inner, width, scratch.data());
    for (int64_t j = 0; j < n; ++j)
      for (int64_t k = 0; k < inner; ++k) {
        const size_t i = static_cast<size_t>(j * inner + k);
        if (k < width)
          EXPECT_NEAR(y[i], full[i], 1e-6f) << isa_name(isa) << " row " << j << " column " << k;
        else
          EXPECT_EQ(y[i], 7.0f) << isa_name(isa) << " row " << j << " column " << k;
      }
  }
}

}  // namespace
}  // namespace skiff
