// Swish (SiLU, x * sigmoid(x)) of skiff's own inside oneDNN regions.
//
// oneDNN 2.6 computes swish, as a convolution post-op or as an eltwise
// primitive, at ~0.3-0.5 ns an element on an AVX-512 core (its exp costs
// about a cycle an element; in a depthwise convolution's post-op more). On
// CPUs with AVX-512F the region therefore runs a convolution's or matmul's
// trailing swish as a separate in-place step with this kernel, ~0.20 ns an
// element (efficientnet_b0: docs/performance.md). Elsewhere, or when
// SKIFF_ISA caps skiff's kernels (avx512_kernels() in core/cpu.h), the
// post-op stays.
#pragma once

#include <cstdint>
#include <memory>

#include "engines/dnnl/op.h"

namespace skiff::dnnl_engine {

// x[i] = x[i] * sigmoid(x[i]) in place for i in [0, n), n >= 0. Within
// 3e-7 relative error of the exact value for x >= -87, where e^x is a
// normal float, and within FLT_MIN of it below (the exact value is then
// under 1.5e-36; the result goes to -0 from x ~ -104); NaN stays
// NaN, +inf stays +inf and -inf gives NaN (-inf * 0, as the unfused
// x * Sigmoid(x) does). AVX-512F only: call it when avx512_kernels().
void swish_avx512(float* x, int64_t n);

// The step that applies swish_avx512 in place to its one argument, `n`
// floats (a blocked layout's padding included: swish keeps 0 at 0).
std::shared_ptr<const OwnStep> swish_step(int64_t n);

}  // namespace skiff::dnnl_engine
