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
  struct AlignedDelete {
    void operator()(float* p) const { ::operator delete[](p, std::align_val_t(64)); }
  };
  struct Buffer {
    std::unique_ptr<float[], AlignedDelete> data;
    size_t size = 0;
  };
  thread_local Buffer buffer;
  if (buffer.size < floats) {
    buffer.data.reset(static_cast<float*>(::operator new[](floats * sizeof(float), std::align_val_t(64))));
    buffer.size = floats;
  }
  return buffer.data.get();
}

// The blocked driver for one micro-kernel shape, single-threaded (run()
// splits C between threads). `micro` computes one MR x NR tile:
// micro(kc, packed_a, packed_b, mr, nr, alpha, beta, c, ldc).
template <int MR, int NR, class Micro>
inline __attribute__((always_inline)) void gemm_blocked(const GemmArgs& g, Micro micro) {
  const int64_t nc_max = std::min(kNc, (g.N + NR - 1) / NR * NR);
  const int64_t kc_max = std::min(kKc, g.K);
  const int64_t mc_max = std::min(kMc, (g.M + MR - 1) / MR * MR);
  float* packed_b = scratch(static_cast<size_t>((nc_max + mc_max) * kc_max));
  float* packed_a = packed_b + nc_max * kc_max;
  for (int64_t n0 = 0; n0 < g.N; n0 += kNc) {
    const int64_t nc = std::min(kNc, g.N - n0);
    for (int64_t k0 = 0; k0 < g.K; k0 += kKc) {
      const int64_t kc = std::min(kKc, g.K - k0);
      // The first slice applies beta; later slices accumulate into C.
      const float beta = k0 == 0 ? g.beta : 1.0f;
      for (int64_t p = 0; p * NR < nc; ++p)
        pack_b_panel<NR>(g.trans_b, g.B, g.ldb, k0, kc, n0 + p * NR,
                         std::min<int64_t>(NR, nc - p * NR), packed_b + p * NR * kc);
      for (int64_t m0 = 0; m0 < g.M; m0 += kMc) {
        const int64_t mc = std::min(kMc, g.M - m0);
        pack_a<MR>(g.trans_a, g.A, g.lda, m0, mc, k0, kc, packed_a);
        // B micro-panel outer: it stays in L1 while the A block (L2) streams.
        for (int64_t n = 0; n < nc; n += NR) {
          const float* pb = packed_b + n * kc;
          for (int64_t m = 0; m < mc; m += MR)
            micro(kc, packed_a + m * kc, pb, std::min<int64_t>(MR, mc - m),
                  std::min<int64_t>(NR, nc - n), g.alpha, beta,
                  g.C + (m0 + m) * g.ldc + n0 + n, g.ldc);
        }
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

// One row of C (M == 1: a vector times a matrix, batch-1 fully connected
// layers): packing B would cost as much as the product, so stream B once.
// Columns [n0, n1) only.
inline __attribute__((always_inline)) void gemv_body(const GemmArgs& g, int64_t n0, int64_t n1) {
  float* c = g.C;
  auto a = [&](int64_t k) { return g.trans_a ? g.A[k * g.lda] : g.A[k]; };
  auto finish = [&](int64_t n, float dot) {
    c[n] = g.beta == 0.0f ? g.alpha * dot : g.alpha * dot + g.beta * c[n];
  };
  if (g.trans_b) {
    // Each C element is a dot product over a contiguous row of B; eight
    // partial sums let GCC vectorize without reassociating a float sum.
    for (int64_t n = n0; n < n1; ++n) {
      const float* b = g.B + n * g.ldb;
      float part[8] = {};
      int64_t k = 0;
      if (!g.trans_a)
        for (; k + 8 <= g.K; k += 8)
          for (int j = 0; j < 8; ++j) part[j] += g.A[k + j] * b[k + j];
      float dot = 0.0f;
      for (int j = 0; j < 8; ++j) dot += part[j];
      for (; k < g.K; ++k) dot += a(k) * b[k];
      finish(n, dot);
    }
    return;
  }
  constexpr int64_t kChunk = 4096;  // 16 KB of accumulators stay in L1
  float acc[kChunk];
  for (int64_t c0 = n0; c0 < n1; c0 += kChunk) {
    const int64_t len = std::min(kChunk, n1 - c0);
    std::fill(acc, acc + len, 0.0f);
    // Four rows of B per pass over the accumulators: a quarter of the
    // accumulator loads and stores.
    int64_t k = 0;
    for (; k + 4 <= g.K; k += 4) {
      const float a0 = a(k), a1 = a(k + 1), a2 = a(k + 2), a3 = a(k + 3);
      const float* b0 = g.B + k * g.ldb + c0;
      const float* b1 = b0 + g.ldb;
      const float* b2 = b1 + g.ldb;
      const float* b3 = b2 + g.ldb;
      for (int64_t j = 0; j < len; ++j) acc[j] += a0 * b0[j] + a1 * b1[j] + a2 * b2[j] + a3 * b3[j];
    }
    for (; k < g.K; ++k) {
      const float ak = a(k);
      const float* b = g.B + k * g.ldb + c0;
      for (int64_t j = 0; j < len; ++j) acc[j] += ak * b[j];
    }
    for (int64_t j = 0; j < len; ++j) finish(c0 + j, acc[j]);
  }
}

void gemv_sse(const GemmArgs& g, int64_t n0, int64_t n1) { gemv_body(g, n0, n1); }

__attribute__((target("avx2,fma"))) void gemv_avx2(const GemmArgs& g, int64_t n0, int64_t n1) {
  gemv_body(g, n0, n1);
}

void gemv(const GemmArgs& g, int64_t n0, int64_t n1) {
  if (has_avx2())
    gemv_avx2(g, n0, n1);
  else
    gemv_sse(g, n0, n1);
}

void run_serial(const GemmArgs& g) {
  if (has_avx2())
    gemm_avx2(g);
  else
    gemm_sse(g);
}

// Threads split C into one block each (along its longer side) and run the
// serial gemm on it: one parallel region and no barrier inside, which keeps
// a busy machine (threads descheduled at a barrier) from stalling the rest.
// Each thread packs the whole of the operand it shares; that costs K x N (or
// M x K) against M x N x K / threads of arithmetic.
void run(const GemmArgs& g) {
  if (g.M <= 0 || g.N <= 0) return;
  if (g.K <= 0 || g.alpha == 0.0f) return scale_c(g);
  const int64_t threads = g.threaded ? max_threads() : 1;
  if (g.M == 1) {
    const int64_t cost = g.K + 1;
    if (threads > 1)
      parallel_for(g.N, cost, [&](int64_t n0, int64_t n1) { gemv(g, n0, n1); });
    else
      gemv(g, 0, g.N);
    return;
  }
  const bool split_m = g.M >= g.N;
  const int64_t extent = split_m ? g.M : g.N;
  const int64_t blocks = std::min<int64_t>(threads, extent / 16);
  if (blocks <= 1 || g.M * g.N * g.K < (int64_t{1} << 18)) return run_serial(g);
  // Ceiling division, then whole 16-wide panels: the blocks must cover the
  // whole extent (flooring here once dropped the last column of C).
  const int64_t step = ((extent + blocks - 1) / blocks + 15) / 16 * 16;
  parallel_for(blocks, g.M * g.N * g.K / blocks, [&](int64_t b0, int64_t b1) {
    for (int64_t b = b0; b < b1; ++b) {
      const int64_t begin = b * step, end = std::min(extent, begin + step);
      if (begin >= end) continue;
      GemmArgs part = g;
      if (split_m) {
        part.M = end - begin;
        part.A = g.trans_a ? g.A + begin : g.A + begin * g.lda;
        part.C = g.C + begin * g.ldc;
      } else {
        part.N = end - begin;
        part.B = g.trans_b ? g.B + begin * g.ldb : g.B + begin;
        part.C = g.C + begin;
      }
      run_serial(part);
    }
  });
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
