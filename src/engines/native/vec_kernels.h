// Float kernels with one implementation per instruction set: the portable
// one (scalar C++, compiled for the x86-64-v2 baseline) lives in the op
// family's file, the AVX2+FMA one in <family>_avx2.cc. The op kernels call
// them through the pointers `vec_kernels()` returns, chosen once per process
// by kernel_isa() (core/cpu.h; SKIFF_ISA=scalar forces the portable set);
// tests reach every set through vec_kernels_for().
//
// All functions take contiguous float arrays of n >= 0 elements, may be
// called concurrently, and do not throw.
#pragma once

#include <cstdint>

#include "core/cpu.h"

namespace skiff {

// Unary float maps, with their parameters: LeakyRelu alpha; Clip lo = alpha,
// hi = beta; HardSigmoid alpha * x + beta.
// kSilu is x * sigmoid(x) (FusedConv's activation).
enum class VecUnary { kRelu, kLeakyRelu, kClip, kExp, kSigmoid, kSilu, kTanh, kErf, kGelu,
                      kGeluTanh, kHardSigmoid, kHardSwish };
struct VecUnaryOp {
  VecUnary kind;
  float alpha = 0, beta = 0;
};

// Vectorized loops cost well under parallel_for's unit of 1 ns an element,
// so their work is split in blocks of kVecBlock elements (vec_parallel_for in
// elementwise.h) with costs per block, measured on one core (AVX2; the
// portable set is slower, so it parallelizes no later than it should):
// Add/Mul/Relu-like maps ~100 ns per 1024 elements in cache, exp/sigmoid/
// tanh/erf-based ones ~400.
constexpr int64_t kVecBlock = 1024;
constexpr int64_t kVecCheapBlockCost = 100;
constexpr int64_t vec_unary_block_cost(VecUnary op) {
  return op == VecUnary::kRelu || op == VecUnary::kLeakyRelu || op == VecUnary::kClip ||
                 op == VecUnary::kHardSigmoid || op == VecUnary::kHardSwish
             ? kVecCheapBlockCost
             : 400;
}

// kPow is std::pow's float semantics (the AVX2 set within 3 ulp of it).
enum class VecBinary { kAdd, kSub, kMul, kDiv, kPow };
// Pow with a general exponent costs ~2.6 ns an element on either set (glibc's
// powf, or a double-precision log and the float exp), so ~2600 ns per block
// (its fixed-exponent paths are cheaper: they parallelize early); the rest
// are cheap.
constexpr int64_t vec_binary_block_cost(VecBinary op) {
  return op == VecBinary::kPow ? 2600 : kVecCheapBlockCost;
}

// The variadic Max/Min fold: NaN wins (the first operand's when both are),
// and of equal values (+0 and -0) the first operand is kept.
enum class VecExtremum { kMax, kMin };

// Folds for reductions; NaN propagates through kMax and kMin (numpy). kL1
// sums |x|, kProd multiplies.
enum class VecReduce { kSum, kSumSquare, kMax, kMin, kL1, kProd };

// softmax's kinds (Hardmax stays in softmax.cc's reference loop).
enum class VecSoftmax { kSoftmax, kLogSoftmax };

// The kernels' signatures, shared by the table and the per-ISA declarations.
// y[i] = op(x[i]). x may equal y.
using VecUnaryFn = void(const VecUnaryOp& op, const float* x, float* y, int64_t n);
// y[i] = op(a[i * step_a], b[i * step_b]); a step is 0 (repeat element 0) or
// 1. Same-shape, scalar, per-channel and row broadcasts all reduce to runs of
// this (BroadcastPlan). y may equal a stepping operand.
using VecBinaryFn = void(VecBinary op, const float* a, int64_t step_a, const float* b,
                         int64_t step_b, float* y, int64_t n);
// Softmax or LogSoftmax along n of columns [0, width) of an [n, inner] block
// (rows `inner` floats apart; width <= inner); `scratch` holds 2 * width
// floats. x may equal y.
using VecSoftmaxFn = void(VecSoftmax kind, const float* x, float* y, int64_t n, int64_t inner,
                          int64_t width, float* scratch);
// The fold of x[0, n) (a reduction over the innermost axis); 0 for kSum and
// kSumSquare, -inf for kMax and +inf for kMin when n = 0.
using VecReduceFn = float(VecReduce kind, const float* x, int64_t n);
// acc[i] = fold(acc[i], x[i]) (a reduction over an outer axis).
using VecAccumulateFn = void(VecReduce kind, float* acc, const float* x, int64_t n);
// ReduceLogSumExp's sums: sum of exp(x[i] - shift) over x[0, n), and
// acc[i] += exp(x[i] - shift[i]).
using VecSumExpFn = float(const float* x, int64_t n, float shift);
using VecAccumulateExpFn = void(float* acc, const float* x, const float* shift, int64_t n);
// Where over a broadcast run: y[i] = c[i * step_c] ? a[i * step_a] : b[i * step_b]
// (steps 0 or 1, as VecBinaryFn).
using VecWhereFn = void(const bool* c, int64_t step_c, const float* a, int64_t step_a,
                        const float* b, int64_t step_b, float* y, int64_t n);
// PRelu over a broadcast run: y[i] = x < 0 ? slope * x : x, x = x[i * step_x],
// slope = slope[i * step_s].
using VecPReluFn = void(const float* x, int64_t step_x, const float* slope, int64_t step_s,
                        float* y, int64_t n);
// y[i] = Max or Min of (a[i * step_a], b[i * step_b]) (VecExtremum).
using VecExtremumFn = void(VecExtremum op, const float* a, int64_t step_a, const float* b,
                           int64_t step_b, float* y, int64_t n);

struct VecKernels {
  VecUnaryFn* unary;
  VecBinaryFn* binary;
  VecSoftmaxFn* softmax;
  VecReduceFn* reduce;
  VecAccumulateFn* accumulate;
  VecSumExpFn* sum_exp;
  VecAccumulateExpFn* accumulate_exp;
  VecWhereFn* where;
  VecPReluFn* prelu;
  VecExtremumFn* extremum;
};

// The set for the process's kernel_isa().
const VecKernels& vec_kernels();
// The set for `isa` (which the CPU must support).
const VecKernels& vec_kernels_for(CpuIsa isa);

// The per-ISA sets, defined by the family files (scalar:: in activation.cc,
// binary.cc, softmax.cc, reduce.cc, where.cc, variadic.cc; avx2:: in their
// *_avx2.cc files) and assembled by vec_kernels.cc.
namespace scalar {
VecUnaryFn unary;
VecBinaryFn binary;
VecSoftmaxFn softmax;
VecReduceFn reduce;
VecAccumulateFn accumulate;
VecSumExpFn sum_exp;
VecAccumulateExpFn accumulate_exp;
VecWhereFn where;
VecPReluFn prelu;
VecExtremumFn extremum;
}  // namespace scalar
namespace avx2 {
VecUnaryFn unary;
VecBinaryFn binary;
VecSoftmaxFn softmax;
VecReduceFn reduce;
VecAccumulateFn accumulate;
VecSumExpFn sum_exp;
VecAccumulateExpFn accumulate_exp;
VecWhereFn where;
VecPReluFn prelu;
VecExtremumFn extremum;
}  // namespace avx2

}  // namespace skiff
