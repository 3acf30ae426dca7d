// What Conv and ConvTranspose share: their dtypes, the checks of W and B
// against X and the attributes, and a gemm for every one of those dtypes.
#pragma once

#include <type_traits>

#include "core/dispatch.h"
#include "engines/kernel.h"
#include "engines/native/gemm.h"
#include "engines/native/window.h"

namespace skiff {

inline constexpr TypeList<float, double, Float16, BFloat16> kConvTypes{};

// Fails unless W (input 1) has the rank and the dtype of X (input 0).
void check_conv_weights(const KernelContext& ctx);

// W's spatial dims, after checking them against the kernel_shape attribute
// (when given) and B (input 2, when given) against `out_channels`.
Shape conv_kernel(const KernelContext& ctx, const WindowAttrs& attrs, int64_t out_channels);

// What compute does for both ops: unless Y is empty, calls
// run(x, w, bias, y) with the data of X, W, B (nullptr when absent) and Y
// as X's dtype.
template <class Run>
void run_conv(KernelContext& ctx, Run&& run) {
  const Tensor& x = ctx.input(0);
  Tensor& y = ctx.output(0);
  if (y.empty()) return;
  dispatch(kConvTypes, x.dtype(), [&](auto tag) {
    using T = typename decltype(tag)::type;
    const T* bias = ctx.has_input(2) ? ctx.input(2).data<T>() : nullptr;
    run(x.data<T>(), ctx.input(1).data<T>(), bias, y.data<T>());
  }, ctx.prefix() + ctx.input_label(0));
}

// gemm on whatever type T is: the blocked float kernel (threaded or not) or
// the generic one. A is never transposed-and-strided at once: lda is M when
// trans_a, K otherwise.
template <class T>
void conv_gemm(bool trans_a, int64_t M, int64_t N, int64_t K, const T* A, const T* B, int64_t ldb,
               float beta, T* C, int64_t ldc, bool threaded) {
  const int64_t lda = trans_a ? M : K;
  if constexpr (std::is_same_v<T, float>)
    (threaded ? gemm : gemm_serial)(trans_a, false, M, N, K, 1.0f, A, lda, B, ldb, beta, C, ldc);
  else
    gemm_generic<T>(trans_a, false, M, N, K, 1.0, A, lda, B, ldb, beta, C, ldc);
}

}  // namespace skiff
