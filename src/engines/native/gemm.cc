// Single-precision gemm, BLIS-style: C is cut into kNc-wide column blocks and
// K into kKc-deep slices; each slice of B is packed into kNr-wide panels and
// each slice of A into kMr-tall panels, so the micro-kernel streams both
// operands contiguously and keeps a kMr x kNr tile of C in registers.
//
// The micro-kernel is plain C++ that GCC vectorizes. It is compiled twice:
// for the build's baseline ISA (x86-64-v2, SSE4.2: 4 floats a vector, no FMA)
// and for AVX2+FMA, picked once at run time with __builtin_cpu_supports.
// Register tiles: 6x16 on AVX2 (12 ymm accumulators + 2 for B + 1 for A)
// and 4x8 on SSE (8 xmm accumulators).
#include "engines/native/gemm.h"

#include <algorithm>
#include <cstring>
#include <memory>

namespace skiff {
namespace {

constexpr int64_t kKc = 256;   // depth of a packed slice: a B micro-panel (kKc x 16) fits L1
constexpr int64_t kMc = 120;   // rows of A per task: kMc x kKc floats stay in L2
constexpr int64_t kNc = 3072;  // columns of B packed at once

// Plain loops whose bounds are known at compile time, so GCC unrolls them and
// keeps `acc` in vector registers.
#define SKIFF_GEMM_MICRO_KERNEL(MR, NR)                                                   \
  float acc[MR][NR] = {};                                                                 \
  for (int64_t k = 0; k < kc; ++k) {                                                      \
    const float* a = pa + k * MR;                                                         \
    const float* b = pb + k * NR;                                                         \
    _Pragma("GCC unroll 16") for (int i = 0; i < MR; ++i)                                 \
      _Pragma("GCC unroll 16") for (int j = 0; j < NR; ++j) acc[i][j] += a[i] * b[j];     \
  }                                                                                       \
  store_tile<MR, NR>(acc, mr, nr, alpha, beta, c, ldc)

// Writes a register tile to C: the full tile vectorizes, edge tiles are
// clipped to mr x nr. beta == 0 must not read C (it may hold NaNs).
template <int MR, int NR>
inline __attribute__((always_inline)) void store_tile(float (&acc)[MR][NR], int64_t mr,
                                                      int64_t nr, float alpha, float beta,
                                                      float* c, int64_t ldc) {
  if (mr == MR && nr == NR) {
    for (int i = 0; i < MR; ++i) {
      float* row = c + i * ldc;
      if (beta == 0.0f) {
        for (int j = 0; j < NR; ++j) row[j] = alpha * acc[i][j];
      } else if (beta == 1.0f) {
        for (int j = 0; j < NR; ++j) row[j] += alpha * acc[i][j];
      } else {
        for (int j = 0; j < NR; ++j) row[j] = alpha * acc[i][j] + beta * row[j];
      }
    }
    return;
  }
  for (int64_t i = 0; i < mr; ++i) {
    float* row = c + i * ldc;
    for (int64_t j = 0; j < nr; ++j)
      row[j] = beta == 0.0f ? alpha * acc[i][j] : alpha * acc[i][j] + beta * row[j];
  }
}

// Packs op(A)[m0:m0+mc, k0:k0+kc] into MR-row panels, k-major inside each
// panel, zero-padding the last panel.
template <int MR>
void pack_a(bool trans_a, const float* A, int64_t lda, int64_t m0, int64_t mc, int64_t k0,
            int64_t kc, float* dst) {
  for (int64_t p = 0; p < mc; p += MR) {
    const int64_t rows = std::min<int64_t>(MR, mc - p);
    float* panel = dst + p * kc;
    for (int64_t k = 0; k < kc; ++k) {
      float* out = panel + k * MR;
      for (int64_t i = 0; i < rows; ++i) {
        const int64_t m = m0 + p + i;
        out[i] = trans_a ? A[(k0 + k) * lda + m] : A[m * lda + k0 + k];
      }
      for (int64_t i = rows; i < MR; ++i) out[i] = 0.0f;
    }
  }
}

// Packs op(B)[k0:k0+kc, n0:n0+nc] into NR-column panels, k-major inside each.
template <int NR>
void pack_b_panel(bool trans_b, const float* B, int64_t ldb, int64_t k0, int64_t kc, int64_t n0,
                  int64_t cols, float* panel) {
  if (!trans_b && cols == NR) {
    for (int64_t k = 0; k < kc; ++k) std::memcpy(panel + k * NR, B + (k0 + k) * ldb + n0, NR * 4);
    return;
  }
  for (int64_t k = 0; k < kc; ++k) {
    float* out = panel + k * NR;
    for (int64_t j = 0; j < cols; ++j)
      out[j] = trans_b ? B[(n0 + j) * ldb + k0 + k] : B[(k0 + k) * ldb + n0 + j];
    for (int64_t j = cols; j < NR; ++j) out[j] = 0.0f;
  }
}

struct GemmArgs {
  bool trans_a, trans_b;
  int64_t M, N, K;
  float alpha;
  const float* A;
  int64_t lda;
  const float* B;
  int64_t ldb;
  float beta;
  float* C;
  int64_t ldc;
  bool threaded;
};

// Scratch for the packed operands, reused across calls on the same thread.
float* scratch(size_t floats) {
  struct Buffer {
    std::unique_ptr<float[]> data;
    size_t size = 0;
  };
  thread_local Buffer buffer;
  if (buffer.size < floats) {
    buffer.data.reset(new (std::align_val_t(64)) float[floats]);
    buffer.size = floats;
  }
  return buffer.data.get();
}

// The blocked driver for one micro-kernel shape. `micro` computes one
// MR x NR tile: micro(kc, packed_a, packed_b, mr, nr, alpha, beta, c, ldc).
template <int MR, int NR, class Micro>
inline __attribute__((always_inline)) void gemm_blocked(const GemmArgs& g, Micro micro) {
  const int64_t nc_max = std::min(kNc, (g.N + NR - 1) / NR * NR);
  const int64_t kc_max = std::min(kKc, g.K);
  const int64_t m_padded = (g.M + MR - 1) / MR * MR;
  float* packed_b = scratch(static_cast<size_t>(nc_max * kc_max + m_padded * kc_max));
  float* packed_a = packed_b + nc_max * kc_max;
  const int64_t threads = g.threaded ? max_threads() : 1;

  for (int64_t n0 = 0; n0 < g.N; n0 += kNc) {
    const int64_t nc = std::min(kNc, g.N - n0);
    const int64_t b_panels = (nc + NR - 1) / NR;
    for (int64_t k0 = 0; k0 < g.K; k0 += kKc) {
      const int64_t kc = std::min(kKc, g.K - k0);
      // The first slice applies beta; later slices accumulate into C.
      const float beta = k0 == 0 ? g.beta : 1.0f;
      auto pack_b = [&](int64_t p0, int64_t p1) {
        for (int64_t p = p0; p < p1; ++p)
          pack_b_panel<NR>(g.trans_b, g.B, g.ldb, k0, kc, n0 + p * NR,
                           std::min<int64_t>(NR, nc - p * NR), packed_b + p * NR * kc);
      };
      auto pack_a_rows = [&](int64_t p0, int64_t p1) {
        pack_a<MR>(g.trans_a, g.A, g.lda, p0 * MR, std::min(p1 * MR, g.M) - p0 * MR, k0, kc,
                   packed_a + p0 * MR * kc);
      };
      const int64_t a_panels = m_padded / MR;
      // Tasks: kMc-row blocks x column chunks, enough of them to feed every
      // thread even when M is small.
      const int64_t m_blocks = (g.M + kMc - 1) / kMc;
      const int64_t n_chunks = std::min(b_panels, std::max<int64_t>(1, (threads * 2 + m_blocks - 1) / m_blocks));
      const int64_t panels_per_chunk = (b_panels + n_chunks - 1) / n_chunks;
      auto compute = [&](int64_t t0, int64_t t1) {
        for (int64_t t = t0; t < t1; ++t) {
          const int64_t mb = t / n_chunks, nb = t % n_chunks;
          const int64_t m_begin = mb * kMc, m_end = std::min(g.M, m_begin + kMc);
          const int64_t p_begin = nb * panels_per_chunk;
          const int64_t p_end = std::min(b_panels, p_begin + panels_per_chunk);
          for (int64_t p = p_begin; p < p_end; ++p) {
            const int64_t n = p * NR;
            const int64_t nr = std::min<int64_t>(NR, nc - n);
            const float* pb = packed_b + p * NR * kc;
            for (int64_t m = m_begin; m < m_end; m += MR)
              micro(kc, packed_a + m * kc, pb, std::min<int64_t>(MR, g.M - m), nr, g.alpha, beta,
                    g.C + m * g.ldc + n0 + n, g.ldc);
          }
        }
      };
      if (threads > 1) {
        parallel_for(b_panels, kc * NR, pack_b);
        parallel_for(a_panels, kc * MR, pack_a_rows);
        parallel_for(m_blocks * n_chunks, kMc * panels_per_chunk * NR * kc, compute);
      } else {
        pack_b(0, b_panels);
        pack_a_rows(0, a_panels);
        compute(0, m_blocks * n_chunks);
      }
    }
  }
}

void micro_sse(int64_t kc, const float* pa, const float* pb, int64_t mr, int64_t nr, float alpha,
               float beta, float* c, int64_t ldc) {
  SKIFF_GEMM_MICRO_KERNEL(4, 8);
}

void gemm_sse(const GemmArgs& g) { gemm_blocked<4, 8>(g, micro_sse); }

__attribute__((target("avx2,fma"))) void micro_avx2(int64_t kc, const float* pa, const float* pb,
                                                    int64_t mr, int64_t nr, float alpha,
                                                    float beta, float* c, int64_t ldc) {
  SKIFF_GEMM_MICRO_KERNEL(6, 16);
}

__attribute__((target("avx2,fma"))) void gemm_avx2(const GemmArgs& g) {
  gemm_blocked<6, 16>(g, micro_avx2);
}

#undef SKIFF_GEMM_MICRO_KERNEL

bool has_avx2() {
  static const bool yes = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
  return yes;
}

// C = beta * C when there is nothing to multiply (K == 0 or alpha == 0).
void scale_c(const GemmArgs& g) {
  for (int64_t m = 0; m < g.M; ++m) {
    float* row = g.C + m * g.ldc;
    for (int64_t n = 0; n < g.N; ++n) row[n] = g.beta == 0.0f ? 0.0f : g.beta * row[n];
  }
}

void run(const GemmArgs& g) {
  if (g.M <= 0 || g.N <= 0) return;
  if (g.K <= 0 || g.alpha == 0.0f) return scale_c(g);
  if (has_avx2())
    gemm_avx2(g);
  else
    gemm_sse(g);
}

}  // namespace

void gemm(bool trans_a, bool trans_b, int64_t M, int64_t N, int64_t K, float alpha,
          const float* A, int64_t lda, const float* B, int64_t ldb, float beta, float* C,
          int64_t ldc) {
  run({trans_a, trans_b, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc, true});
}

void gemm_serial(bool trans_a, bool trans_b, int64_t M, int64_t N, int64_t K, float alpha,
                 const float* A, int64_t lda, const float* B, int64_t ldb, float beta, float* C,
                 int64_t ldc) {
  run({trans_a, trans_b, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc, false});
}

}  // namespace skiff
