// Depthwise 2-D convolution of skiff's own inside oneDNN regions.
//
// oneDNN 2.6 generates the code of its depthwise convolutions (brdgmm_dw on
// AVX-512) for each shape. A stream of many input shapes (an OCR recognizer
// fed text lines of every width) then meets cold code on every call: the
// recognizer's 14 depthwise convolutions paid ~6 us each after a change of
// width, and ~0.2 ms each to generate at a new width. This kernel is
// compiled once, for every shape; on the recognizer's shapes it is faster
// warm too, on large maps with few channels slower (docs/kernels.md).
//
// It covers what the region's depthwise convolutions need: channels-last
// (NHWC) f32 data, one filter per channel, any kernel size, strides and
// paddings, no dilation, and the post-ops oneDNN would apply: eltwise
// relu, clip, linear and hardswish, sum (a residual already in the
// destination) and binary add/mul/sub/div/max/min by one value or one
// value per channel. Anything else stays with oneDNN.
#pragma once

#include <cstdint>
#include <vector>

#include "engines/dnnl/conv_geometry.h"
#include "engines/dnnl/own_post_ops.h"

namespace skiff::dnnl_engine {

struct DepthwiseArgs {
  const ConvGeometry* shape;
  const std::vector<OwnPostOp>* post_ops;
  const float* src;      // [N][IH][IW][C]
  const float* weights;  // [ceil(C/16)][KH][KW][16], zero past C (format_tag::Goihw16g)
  const float* bias;     // [C] or nullptr
  float* dst;            // [N][OH][OW][C]
  void* const* operands; // binary operands by OwnPostOp::operand
};

// Items [begin, end) of the ceil(C / 16) * N * OH items: item i is output
// row i % (N OH) of the 16 channels from 16 (i / (N OH)). Channel-block
// major, so that consecutive rows reuse the input rows they share while
// those are in the caches (a row-major walk over all channels fetched each
// input row KH times from memory). AVX-512F: call only when
// avx512_kernels() (core/cpu.h).
void depthwise_avx512(const DepthwiseArgs& args, int64_t begin, int64_t end);

}  // namespace skiff::dnnl_engine
