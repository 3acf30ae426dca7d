// A matrix product of skiff's own for the region's own steps: the 1x1
// convolutions of channels-last feature maps (a pixel is a row, a channel a
// column). oneDNN 2.6 generates brgemm kernels for each shape of these; on
// the PaddleOCR recognizer they were 21 of its 76 primitives and most of
// the ~620 KB of code one input width brings, code that a stream of many
// widths finds cold in the caches on every call. This kernel is compiled
// once for every shape.
//
// C = post_ops(A B + bias): A is M x K row-major (row stride lda), B comes
// packed as oneDNN's Oihw16o weights of the convolution (N x K, 16 rows of
// it interleaved: element (k, n) at ((n / 16) K + k) 16 + n % 16, zero
// past N), C is M x N row-major (row stride ldc).
#pragma once

#include <cstdint>
#include <vector>

#include "engines/dnnl/conv_geometry.h"
#include "engines/dnnl/op.h"
#include "engines/dnnl/own_post_ops.h"

namespace skiff::dnnl_engine {

struct OwnGemmShape {
  int64_t m = 0, n = 0, k = 0, lda = 0, ldc = 0;
  // A and C without gaps between rows (lda = k, ldc = n).
  static OwnGemmShape dense(int64_t m, int64_t n, int64_t k) { return {m, n, k, k, n}; }
};

struct OwnGemmArgs {
  const OwnGemmShape* shape;
  const std::vector<OwnPostOp>* post_ops;
  const float* a;
  const float* b;      // packed, see above
  const float* bias;   // [N] or nullptr
  float* c;
  void* const* operands;  // binary operands by OwnPostOp::operand
};

// How the kernel cuts C into tiles: `rows` x `vectors` * 16 columns (24
// accumulators: 6 x 4 when N is a multiple of 64 columns, else 8 x 3 and
// a narrower last tile where N is no multiple of 48), in row-tile-major
// order when B fits half of a 1 MiB L2 (each row of A is then read from
// memory once, C written in order; column-major, a 3072 x 240 A streamed
// 5 times ran 1.8 ms on one thread and 1.2 on two), else
// column-tile-major, so that a thread's share of the tiles reuses the same
// columns of B.
struct OwnGemmTiling {
  int64_t rows, vectors, row_tiles, column_tiles;
  bool rows_outer;
};
inline OwnGemmTiling own_gemm_tiling(const OwnGemmShape& s) {
  const int64_t vectors = (s.n + 15) / 16;
  OwnGemmTiling t{};
  t.vectors = vectors % 4 == 0 ? 4 : 3;
  t.rows = t.vectors == 4 ? 6 : 8;
  t.row_tiles = (s.m + t.rows - 1) / t.rows;
  t.column_tiles = (vectors + t.vectors - 1) / t.vectors;
  t.rows_outer = s.k * s.n * 4 <= (512 << 10);
  return t;
}

// Tiles [begin, end) of the row_tiles * column_tiles of own_gemm_tiling.
// AVX-512F: call only when avx512_kernels() (core/cpu.h).
void own_gemm_avx512(const OwnGemmArgs& args, int64_t begin, int64_t end);

// The step that runs own_gemm_avx512 over all tiles (in parallel when they
// are worth it) on its arguments A, B (packed), bias when `has_bias`, C,
// then the binary post-op operands. With `im2col`, a convolution: the
// arguments are the channels-last input, B (the weights as Ohwi16o), bias,
// a scratch of M x K floats, C, and A is the input's windows copied into
// the scratch (row m: output pixel m's window, K = KH KW C in (ky, kx, c)
// order, zeros where it leaves the input).
std::shared_ptr<const OwnStep> own_gemm_step(const OwnGemmShape& shape, std::vector<OwnPostOp> post_ops,
                                             bool has_bias, const ConvGeometry* im2col = nullptr);

}  // namespace skiff::dnnl_engine
