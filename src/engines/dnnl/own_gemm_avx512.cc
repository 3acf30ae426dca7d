// The AVX-512F kernel of own_gemm.h. Runs only after avx512_kernels() said
// yes; the target pragma comes after the includes, as in swish_avx512.cc.
//
// A tile of R rows by V vectors of 16 columns (8 x 3 or 6 x 4, as
// own_gemm_tiling picks) keeps its 24 accumulators in registers; for each
// k it loads V vectors of B and broadcasts R values of A into 24 FMAs. Row
// and column remainders get smaller tiles of the same code (the last
// vector masked).
#include <immintrin.h>

#include <algorithm>
#include <cstdint>

#include "engines/dnnl/own_gemm.h"
#include "engines/dnnl/own_post_ops_avx512.h"

#pragma GCC target("avx512f")
// GCC 12's avx512fintrin.h seeds results with _mm512_undefined_ps() and
// then warns that they are uninitialized (GCC bug 105593).
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"

namespace skiff::dnnl_engine {

namespace {

using avx512::finish;

// Rows [row, row + R) by vectors [v0, v0 + V) of C; `last` masks the last
// vector (0xFFFF when it is whole).
template <int R, int V>
void tile(const OwnGemmArgs& g, int64_t row, int64_t v0, __mmask16 last) {
  const OwnGemmShape& s = *g.shape;
  const int64_t k_count = s.k;
  const float* a = g.a + row * s.lda;
  const float* b = g.b + v0 * k_count * 16;
  __m512 acc[V][R];
  for (int v = 0; v < V; ++v) {
    const __mmask16 mask = v == V - 1 ? last : __mmask16(0xFFFF);
    const __m512 bias = g.bias ? _mm512_maskz_loadu_ps(mask, g.bias + (v0 + v) * 16) : _mm512_setzero_ps();
    for (int r = 0; r < R; ++r) acc[v][r] = bias;
  }
  for (int64_t k = 0; k < k_count; ++k) {
    __m512 bv[V];
#pragma GCC unroll 4
    for (int v = 0; v < V; ++v) bv[v] = _mm512_loadu_ps(b + (v * k_count + k) * 16);
#pragma GCC unroll 8
    for (int r = 0; r < R; ++r) {
      const __m512 av = _mm512_set1_ps(a[r * s.lda + k]);
#pragma GCC unroll 4
      for (int v = 0; v < V; ++v) acc[v][r] = _mm512_fmadd_ps(av, bv[v], acc[v][r]);
    }
  }
  for (int v = 0; v < V; ++v) {
    const __mmask16 mask = v == V - 1 ? last : __mmask16(0xFFFF);
    finish<R>(*g.post_ops, g.operands, acc[v], g.c + row * s.ldc + (v0 + v) * 16, s.ldc, (v0 + v) * 16, mask,
              mask == 0xFFFF);
  }
}

template <int V, int MaxRows>
void tile_rows(const OwnGemmArgs& g, int64_t row, int rows, int64_t v0, __mmask16 last) {
  switch (rows) {
    case 12: if constexpr (MaxRows >= 12) return tile<12, V>(g, row, v0, last); [[fallthrough]];
    case 11: if constexpr (MaxRows >= 11) return tile<11, V>(g, row, v0, last); [[fallthrough]];
    case 10: if constexpr (MaxRows >= 10) return tile<10, V>(g, row, v0, last); [[fallthrough]];
    case 9: if constexpr (MaxRows >= 9) return tile<9, V>(g, row, v0, last); [[fallthrough]];
    case 8: if constexpr (MaxRows >= 8) return tile<8, V>(g, row, v0, last); [[fallthrough]];
    case 7: if constexpr (MaxRows >= 7) return tile<7, V>(g, row, v0, last); [[fallthrough]];
    case 6: return tile<6, V>(g, row, v0, last);
    case 5: return tile<5, V>(g, row, v0, last);
    case 4: return tile<4, V>(g, row, v0, last);
    case 3: return tile<3, V>(g, row, v0, last);
    case 2: return tile<2, V>(g, row, v0, last);
    default: return tile<1, V>(g, row, v0, last);
  }
}

}  // namespace

void own_gemm_avx512(const OwnGemmArgs& g, int64_t begin, int64_t end) {
  const OwnGemmShape& s = *g.shape;
  const OwnGemmTiling t = own_gemm_tiling(s);
  const int64_t vectors = (s.n + 15) / 16;
  const __mmask16 tail = s.n % 16 ? static_cast<__mmask16>((1u << (s.n % 16)) - 1) : __mmask16(0xFFFF);
  for (int64_t i = begin; i < end; ++i) {
    const int64_t row = (t.rows_outer ? i / t.column_tiles : i % t.row_tiles) * t.rows;
    const int64_t v0 = (t.rows_outer ? i % t.column_tiles : i / t.row_tiles) * t.vectors;
    const int rows = static_cast<int>(std::min<int64_t>(t.rows, s.m - row));
    const int count = static_cast<int>(std::min<int64_t>(t.vectors, vectors - v0));
    const __mmask16 last = v0 + count == vectors ? tail : __mmask16(0xFFFF);
    switch (count) {
      case 4: tile_rows<4, 6>(g, row, rows, v0, last); break;
      case 3: tile_rows<3, 8>(g, row, rows, v0, last); break;
      case 2: tile_rows<2, 8>(g, row, rows, v0, last); break;
      default: tile_rows<1, 8>(g, row, rows, v0, last); break;
    }
  }
}

}  // namespace skiff::dnnl_engine
