// AVX-512F code of the own post-ops (own_post_ops.h), for the AVX-512
// kernels of the region's own steps. As in native/simd_avx512.h, all of it
// is `static inline` and compiled for AVX-512F through the target pragma
// below; include it only from files that run after avx512_kernels().
#pragma once

#include <immintrin.h>

#include <cstdint>
#include <vector>

#include "engines/dnnl/own_post_ops.h"

#pragma GCC push_options
#pragma GCC target("avx512f")
// GCC 12's avx512fintrin.h seeds results with _mm512_undefined_ps() and
// then warns that they are uninitialized (GCC bug 105593).
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"

namespace skiff::dnnl_engine::avx512 {

using Kind = OwnPostOp::Kind;

static inline __m512 load(const float* p, __mmask16 mask, bool full) {
  return full ? _mm512_loadu_ps(p) : _mm512_maskz_loadu_ps(mask, p);
}

static inline __m512 eltwise(const OwnPostOp& op, __m512 x) {
  switch (op.algorithm) {
    case dnnl::algorithm::eltwise_relu:
      if (op.alpha == 0.f) return _mm512_max_ps(x, _mm512_setzero_ps());
      return _mm512_mask_mul_ps(x, _mm512_cmp_ps_mask(x, _mm512_setzero_ps(), _CMP_LT_OQ), x,
                                _mm512_set1_ps(op.alpha));
    case dnnl::algorithm::eltwise_clip:
    case dnnl::algorithm::eltwise_clip_v2:
      return _mm512_min_ps(_mm512_max_ps(x, _mm512_set1_ps(op.alpha)), _mm512_set1_ps(op.beta));
    case dnnl::algorithm::eltwise_linear:
      return _mm512_fmadd_ps(x, _mm512_set1_ps(op.alpha), _mm512_set1_ps(op.beta));
    case dnnl::algorithm::eltwise_hardswish: {
      const __m512 r6 = _mm512_min_ps(_mm512_max_ps(_mm512_add_ps(x, _mm512_set1_ps(3.f)), _mm512_setzero_ps()),
                                      _mm512_set1_ps(6.f));
      return _mm512_mul_ps(_mm512_mul_ps(x, r6), _mm512_set1_ps(1.f / 6.f));
    }
    default:
      return x;  // own_post_ops admits no other
  }
}

static inline __m512 binary(dnnl::algorithm a, __m512 x, __m512 y) {
  switch (a) {
    case dnnl::algorithm::binary_add: return _mm512_add_ps(x, y);
    case dnnl::algorithm::binary_mul: return _mm512_mul_ps(x, y);
    case dnnl::algorithm::binary_sub: return _mm512_sub_ps(x, y);
    case dnnl::algorithm::binary_div: return _mm512_div_ps(x, y);
    case dnnl::algorithm::binary_max: return _mm512_max_ps(x, y);
    case dnnl::algorithm::binary_min: return _mm512_min_ps(x, y);
    default: return x;  // own_post_ops admits no other
  }
}

// Post-ops on Count accumulators that hold the same 16 channels (from c0;
// the last `mask` of them when not `full`) of Count pixels, then the store:
// `out` is the first pixel's, the others follow `stride` floats apart.
template <int Count>
static inline void finish(const std::vector<OwnPostOp>& post_ops, void* const* operands, __m512 (&acc)[Count],
                          float* out, int64_t stride, int64_t c0, __mmask16 mask, bool full) {
  for (const OwnPostOp& op : post_ops) {
    switch (op.kind) {
      case Kind::kEltwise:
        for (int j = 0; j < Count; ++j) acc[j] = eltwise(op, acc[j]);
        break;
      case Kind::kSum: {
        const __m512 scale = _mm512_set1_ps(op.scale);
        for (int j = 0; j < Count; ++j) acc[j] = _mm512_fmadd_ps(scale, load(out + j * stride, mask, full), acc[j]);
        break;
      }
      case Kind::kBinary: {
        const float* operand = static_cast<const float*>(operands[op.operand]);
        const __m512 v = op.per_channel ? load(operand + c0, mask, full) : _mm512_set1_ps(operand[0]);
        for (int j = 0; j < Count; ++j) acc[j] = binary(op.algorithm, acc[j], v);
        break;
      }
    }
  }
  for (int j = 0; j < Count; ++j) {
    if (full) _mm512_storeu_ps(out + j * stride, acc[j]);
    else _mm512_mask_storeu_ps(out + j * stride, mask, acc[j]);
  }
}

}  // namespace skiff::dnnl_engine::avx512

#pragma GCC diagnostic pop
#pragma GCC pop_options
