// MatMul (numpy matmul semantics) and Gemm, both on the shared gemm.
#include <algorithm>

#include "core/dispatch.h"
#include "core/parallel.h"
#include "engines/kernel.h"
#include "engines/native/gemm.h"
#include "engines/native/matmul_shape.h"

namespace skiff {
namespace {

inline constexpr TypeList<float, double, Float16, BFloat16, int32_t, int64_t, uint32_t, uint64_t>
    kMatMulTypes{};

// C = alpha * op(A) * op(B) + beta * C for any MatMul/Gemm type: float takes
// the blocked gemm, the rest the generic loop nest.
template <class T>
void gemm_any(bool trans_a, bool trans_b, int64_t M, int64_t N, int64_t K, double alpha,
              const T* A, int64_t lda, const T* B, int64_t ldb, double beta, T* C, int64_t ldc,
              bool threaded) {
  if constexpr (std::is_same_v<T, float>) {
    (threaded ? gemm : gemm_serial)(trans_a, trans_b, M, N, K, static_cast<float>(alpha), A, lda,
                                    B, ldb, static_cast<float>(beta), C, ldc);
  } else {
    gemm_generic<T>(trans_a, trans_b, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc);
  }
}

class MatMulKernel final : public Kernel {
 public:
  explicit MatMulKernel(const KernelInfo& info) {}

  void prepare(KernelContext& ctx) const override {
    const Tensor& a = ctx.input(0);
    const Tensor& b = ctx.input(1);
    if (a.dtype() != b.dtype())
      ctx.fail(ctx.input_label(0), " and ", ctx.input_label(1), " must have the same type");
    ctx.set_output(0, a.dtype(), matmul_shape(ctx, 0, 1).output);
  }

  void compute(KernelContext& ctx) const override {
    const MatMulShape s = matmul_shape(ctx, 0, 1);
    const Tensor& a = ctx.input(0);
    Tensor& y = ctx.output(0);
    dispatch(kMatMulTypes, a.dtype(), [&](auto tag) {
      using T = typename decltype(tag)::type;
      run<T>(s, a.data<T>(), ctx.input(1).data<T>(), y.data<T>());
    }, ctx.describe_input(0));
  }

 private:
  template <class T>
  static void run(const MatMulShape& s, const T* A, const T* B, T* Y) {
    const int64_t batches = shape_numel(s.batch);
    const int64_t a_mat = s.M * s.K, b_mat = s.K * s.N, y_mat = s.M * s.N;
    if (batches == 0 || y_mat == 0) return;
    // B shared by every batch and A contiguous: one tall gemm.
    const bool b_shared = std::all_of(s.b_step.begin(), s.b_step.end(), [](int64_t v) { return v == 0; });
    const bool a_dense = std::count(s.a_step.begin(), s.a_step.end(), 0) ==
                         std::count(s.batch.begin(), s.batch.end(), 1);
    if (b_shared && a_dense) {
      gemm_any<T>(false, false, batches * s.M, s.N, s.K, 1.0, A, s.K, B, s.N, 0.0, Y, s.N, true);
      return;
    }
    auto one = [&](int64_t batch, bool threaded) {
      const auto [a_off, b_off] = matmul_batch_offsets(s, batch);
      gemm_any<T>(false, false, s.M, s.N, s.K, 1.0, A + a_off * a_mat, s.K, B + b_off * b_mat,
                  s.N, 0.0, Y + batch * y_mat, s.N, threaded);
    };
    // Many small products: one thread per product; few large ones: threads
    // inside each product.
    if (batches >= max_threads() && y_mat * s.K < (int64_t{1} << 21)) {
      parallel_for(batches, y_mat * s.K + 1, [&](int64_t b0, int64_t b1) {
        for (int64_t b = b0; b < b1; ++b) one(b, false);
      });
    } else {
      for (int64_t b = 0; b < batches; ++b) one(b, true);
    }
  }
};

// 9: integer types; 13: bfloat16.
SKIFF_KERNEL(native, "MatMul", 1, kLatestOpset, MatMulKernel);
SKIFF_KERNEL_TYPES(native, "MatMul", 1, "float, double, float16, bfloat16, int32, int64, uint32, uint64");

class GemmKernel final : public Kernel {
 public:
  explicit GemmKernel(const KernelInfo& info)
      : trans_a_(info.attr_int("transA", 0) != 0),
        trans_b_(info.attr_int("transB", 0) != 0),
        alpha_(info.attr_float("alpha", 1.0f)),
        beta_(info.attr_float("beta", 1.0f)),
        legacy_broadcast_(info.opset() < 7 ? info.attr_int("broadcast", 0) != 0 : true) {
    if (info.opset() < 11 && !info.has_input(2)) info.fail("input C is required before opset 11");
  }

  void prepare(KernelContext& ctx) const override {
    const Tensor& a = ctx.input(0);
    const Tensor& b = ctx.input(1);
    if (a.rank() != 2 || b.rank() != 2)
      ctx.fail("A and B must be 2-D, got ", ctx.input_label(0), " and ", ctx.input_label(1));
    if (a.dtype() != b.dtype())
      ctx.fail(ctx.input_label(0), " and ", ctx.input_label(1), " must have the same type");
    const int64_t M = trans_a_ ? a.dim(1) : a.dim(0), K = trans_a_ ? a.dim(0) : a.dim(1);
    const int64_t KB = trans_b_ ? b.dim(1) : b.dim(0), N = trans_b_ ? b.dim(0) : b.dim(1);
    if (K != KB)
      ctx.fail("inner dimensions differ (transA=", trans_a_, ", transB=", trans_b_, "): ",
               ctx.input_label(0), " and ", ctx.input_label(1));
    if (ctx.has_input(2)) check_c(ctx, M, N);
    ctx.set_output(0, a.dtype(), {M, N});
  }

  void compute(KernelContext& ctx) const override {
    const Tensor& a = ctx.input(0);
    const Tensor& b = ctx.input(1);
    Tensor& y = ctx.output(0);
    const int64_t M = y.dim(0), N = y.dim(1), K = trans_a_ ? a.dim(0) : a.dim(1);
    const bool has_c = ctx.has_input(2) && beta_ != 0.0f;
    dispatch(kMatMulTypes, a.dtype(), [&](auto tag) {
      using T = typename decltype(tag)::type;
      T* out = y.data<T>();
      if (has_c) broadcast_c(ctx.input(2).data<T>(), ctx.input(2).shape(), M, N, out);
      const T* A = a.data<T>();
      const T* B = b.data<T>();
      const int64_t lda = a.dim(1), ldb = b.dim(1);
      if constexpr (std::is_integral_v<T>) {
        // Integer products accumulate exactly; the float alpha and beta are
        // applied afterwards, as the reference does, then truncated.
        std::vector<T> c_copy(out, out + (has_c ? M * N : 0));
        gemm_generic<T>(trans_a_, trans_b_, M, N, K, 1.0, A, lda, B, ldb, 0.0, out, N);
        for (int64_t i = 0; i < M * N; ++i) {
          double v = alpha_ * static_cast<double>(out[i]);
          if (has_c) v += beta_ * static_cast<double>(c_copy[static_cast<size_t>(i)]);
          out[i] = static_cast<T>(v);
        }
      } else {
        gemm_any<T>(trans_a_, trans_b_, M, N, K, alpha_, A, lda, B, ldb, has_c ? beta_ : 0.0,
                    out, N, true);
      }
    }, ctx.describe_input(0));
  }

 private:
  // C broadcasts unidirectionally to [M, N]; before opset 7 only when the
  // `broadcast` attribute is set (otherwise C must be exactly [M, N]).
  void check_c(const KernelContext& ctx, int64_t M, int64_t N) const {
    const Tensor& c = ctx.input(2);
    if (c.dtype() != ctx.input(0).dtype())
      ctx.fail(ctx.input_label(2), " must have the type of A");
    if (c.rank() > 2) ctx.fail(ctx.input_label(2), " must have rank <= 2");
    const int64_t cm = c.rank() == 2 ? c.dim(0) : 1;
    const int64_t cn = c.rank() >= 1 ? c.dim(-1) : 1;
    const bool exact = c.rank() == 2 && cm == M && cn == N;
    if (!legacy_broadcast_ && !exact)
      ctx.fail(ctx.input_label(2), " must be [", M, ",", N, "] when broadcast=0");
    if ((cm != 1 && cm != M) || (cn != 1 && cn != N))
      ctx.fail(ctx.input_label(2), " does not broadcast to [", M, ",", N, "]");
  }

  template <class T>
  static void broadcast_c(const T* c, const Shape& shape, int64_t M, int64_t N, T* out) {
    const int64_t cm = shape.size() == 2 ? shape[0] : 1;
    const int64_t cn = shape.empty() ? 1 : shape.back();
    for (int64_t m = 0; m < M; ++m) {
      const T* row = c + (cm == 1 ? 0 : m) * cn;
      T* dst = out + m * N;
      if (cn == 1)
        std::fill(dst, dst + N, row[0]);
      else
        std::copy(row, row + N, dst);
    }
  }

  bool trans_a_, trans_b_;
  float alpha_, beta_;
  bool legacy_broadcast_;
};

// 6: `broadcast` attribute; 7: C broadcasts unidirectionally (attribute
// dropped); 9: integer types; 11: C optional; 13: bfloat16.
SKIFF_KERNEL(native, "Gemm", 1, kLatestOpset, GemmKernel);
SKIFF_KERNEL_TYPES(native, "Gemm", 1, "float, double, float16, bfloat16, int32, int64, uint32, uint64");

}  // namespace
}  // namespace skiff
