// The AVX-512F depthwise convolution of depthwise.h. Runs only after
// avx512_kernels() said yes; the target pragma comes after the includes, as
// in swish_avx512.cc, so no library inline function is compiled for
// AVX-512 here.
//
// 16 channels are one vector. A block of up to 8 output columns of one row
// keeps its accumulators in registers; each weight vector is loaded once
// per block and multiplied into all of them. Columns whose window crosses
// the left or right edge are done one by one, with the bounds checked.
#include <immintrin.h>

#include <algorithm>
#include <cstdint>

#include "engines/dnnl/depthwise.h"
#include "engines/dnnl/own_post_ops_avx512.h"

#pragma GCC target("avx512f")
// GCC 12's avx512fintrin.h seeds results with _mm512_undefined_ps() and
// then warns that they are uninitialized (GCC bug 105593).
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"

namespace skiff::dnnl_engine {

namespace {

using avx512::finish;
using avx512::load;

// Output columns a register block holds: with its inputs (7 SW + KW of
// them) and accumulators it must fit the 32 vector registers.
template <int SW>
constexpr int kColumns = SW >= 2 ? 6 : 8;

// Generic case (kernel width and stride not compiled in): columns one at
// a time, the bounds checked per tap.
inline void column(const ConvGeometry& s, const float* image, const float* w, int64_t ky_begin, int64_t ky_end,
                   int64_t iy0, int64_t ox, __mmask16 mask, __m512& acc) {
  const int64_t c = s.channels;
  const int64_t ix0 = ox * s.stride_w - s.pad_left;
  const int64_t kx_begin = std::max<int64_t>(0, -ix0), kx_end = std::min(s.kernel_w, s.in_w - ix0);
  for (int64_t ky = ky_begin; ky < ky_end; ++ky)
    for (int64_t kx = kx_begin; kx < kx_end; ++kx)
      acc = _mm512_fmadd_ps(_mm512_loadu_ps(w + (ky * s.kernel_w + kx) * 16),
                            _mm512_maskz_loadu_ps(mask, image + ((iy0 + ky) * s.in_w + ix0 + kx) * c), acc);
}

// Count output columns from ox with KW and SW compiled in: per kernel row,
// the (Count - 1) * SW + KW input vectors they read are loaded once into
// registers, then each weight vector goes into Count FMAs. When `guarded`
// (the block reaches past an edge of the row), columns outside the row
// load as zeros: a masked-off load reads nothing.
template <int KW, int SW, int Count, bool Full>
inline void block(const ConvGeometry& s, const float* image, const float* w, int64_t ky_begin, int64_t ky_end,
                  int64_t iy0, int64_t ox, __mmask16 mask, bool guarded, __m512 (&acc)[Count]) {
  constexpr int kInputs = (Count - 1) * SW + KW;
  const int64_t c = s.channels;
  const int64_t ix0 = ox * SW - s.pad_left;
  for (int64_t ky = ky_begin; ky < ky_end; ++ky) {
    const float* row = image + (iy0 + ky) * s.in_w * c;
    __m512 in[kInputs];
    if (guarded) {
      for (int i = 0; i < kInputs; ++i) {
        const int64_t ix = ix0 + i;
        const bool inside = ix >= 0 && ix < s.in_w;
        in[i] = _mm512_maskz_loadu_ps(inside ? mask : __mmask16(0), inside ? row + ix * c : row);
      }
    } else {
      for (int i = 0; i < kInputs; ++i) in[i] = load(row + (ix0 + i) * c, mask, Full);
    }
    const float* wr = w + ky * KW * 16;
    for (int kx = 0; kx < KW; ++kx) {
      const __m512 wv = _mm512_loadu_ps(wr + kx * 16);
      for (int j = 0; j < Count; ++j) acc[j] = _mm512_fmadd_ps(wv, in[j * SW + kx], acc[j]);
    }
  }
}

template <int KW, int SW, bool Full>
struct Row {
  const DepthwiseArgs& a;
  int64_t n, oy, c0;
  __mmask16 mask;

  template <int Count>
  void columns(int64_t ox) const {
    const ConvGeometry& s = *a.shape;
    const int64_t c = s.channels;
    const int64_t iy0 = oy * s.stride_h - s.pad_top;
    const int64_t ky_begin = std::max<int64_t>(0, -iy0), ky_end = std::min(s.kernel_h, s.in_h - iy0);
    const float* image = a.src + n * s.in_h * s.in_w * c + c0;
    const float* w = a.weights + (c0 / 16) * s.kernel_h * s.kernel_w * 16;
    const __m512 bias = a.bias ? _mm512_maskz_loadu_ps(mask, a.bias + c0) : _mm512_setzero_ps();
    __m512 acc[Count];
    for (auto& v : acc) v = bias;
    if constexpr (KW > 0) {
      const int64_t ix0 = ox * SW - s.pad_left;
      const bool guarded = ix0 < 0 || ix0 + (Count - 1) * SW + KW > s.in_w;
      block<KW, SW, Count, Full>(s, image, w, ky_begin, ky_end, iy0, ox, mask, guarded, acc);
    } else {
      for (int j = 0; j < Count; ++j) column(s, image, w, ky_begin, ky_end, iy0, ox + j, mask, acc[j]);
    }
    finish<Count>(*a.post_ops, a.operands, acc, a.dst + ((n * s.out_h + oy) * s.out_w + ox) * c + c0, c, c0,
                  mask, Full);
  }

  void run() const {
    const int64_t width = a.shape->out_w;
    int64_t ox = 0;
    constexpr int kBlock = kColumns<SW>;
    for (; ox + kBlock <= width; ox += kBlock) columns<kBlock>(ox);
    if (kBlock > 4 && ox + 4 <= width) columns<4>(ox), ox += 4;
    if (ox + 2 <= width) columns<2>(ox), ox += 2;
    if (ox < width) columns<1>(ox);
  }
};

template <int KW, int SW>
void rows(const DepthwiseArgs& a, int64_t begin, int64_t end) {
  const ConvGeometry& s = *a.shape;
  const int64_t rows = s.batch * s.out_h;
  for (int64_t item = begin; item < end; ++item) {
    const int64_t r = item % rows, c0 = (item / rows) * 16;
    const int64_t n = r / s.out_h, oy = r % s.out_h;
    if (c0 + 16 <= s.channels) Row<KW, SW, true>{a, n, oy, c0, 0xFFFF}.run();
    else Row<KW, SW, false>{a, n, oy, c0, static_cast<__mmask16>((1u << (s.channels - c0)) - 1)}.run();
  }
}

}  // namespace

void depthwise_avx512(const DepthwiseArgs& a, int64_t begin, int64_t end) {
  const ConvGeometry& s = *a.shape;
  // The common kernels with their width and stride compiled in.
  if (s.kernel_w == 3 && s.stride_w == 1) return rows<3, 1>(a, begin, end);
  if (s.kernel_w == 3 && s.stride_w == 2) return rows<3, 2>(a, begin, end);
  if (s.kernel_w == 5 && s.stride_w == 1) return rows<5, 1>(a, begin, end);
  if (s.kernel_w == 5 && s.stride_w == 2) return rows<5, 2>(a, begin, end);
  if (s.kernel_w == 7 && s.stride_w == 1) return rows<7, 1>(a, begin, end);
  rows<0, 0>(a, begin, end);
}

}  // namespace skiff::dnnl_engine
