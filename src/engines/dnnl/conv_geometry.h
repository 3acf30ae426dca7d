// The geometry of a 2-D convolution on channels-last (NHWC) data, as the
// region's own convolution kernels take it (depthwise.h, own_gemm.h).
#pragma once

#include <cstdint>

namespace skiff::dnnl_engine {

struct ConvGeometry {
  int64_t batch = 1, channels = 0;  // channels: the input's
  int64_t in_h = 0, in_w = 0, out_h = 0, out_w = 0;
  int64_t kernel_h = 0, kernel_w = 0, stride_h = 1, stride_w = 1, pad_top = 0, pad_left = 0;
};

}  // namespace skiff::dnnl_engine
