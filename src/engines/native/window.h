// Sliding-window geometry shared by Conv, ConvTranspose and the pools: the
// ONNX attributes kernel_shape, strides, dilations, pads and auto_pad, and the
// output size they give for an input size.
#pragma once

#include <string>
#include <vector>

#include "core/shape.h"
#include "engines/kernel.h"

namespace skiff {

// Spatial ranks beyond this are rejected as unsupported (fixed-size index
// arrays keep the inner loops allocation-free).
inline constexpr size_t kMaxWindowRank = 8;

enum class AutoPad { kNotSet, kSameUpper, kSameLower, kValid };

// The window attributes as written in the model (empty when absent).
struct WindowAttrs {
  AutoPad auto_pad = AutoPad::kNotSet;
  std::vector<int64_t> kernel_shape, strides, dilations, pads;
  bool ceil_mode = false;

  // Parses and validates the attributes; `pool` ops require kernel_shape.
  WindowAttrs(const KernelInfo& info, bool require_kernel_shape);
};

// The resolved geometry for one input shape: one entry per spatial dim.
struct Window {
  std::vector<int64_t> in, kernel, out, strides, dilations, pad_begin, pad_end;
  size_t rank() const { return in.size(); }
  int64_t in_size() const;   // product of in
  int64_t out_size() const;  // product of out
  int64_t kernel_size() const;
};

// Resolves `attrs` for spatial input dims `in` (of the node's input 0) and
// kernel dims `kernel` (kernel_shape, or W's spatial dims). Fails naming the
// node when the attribute lengths do not match the rank or the window does
// not fit.
Window resolve_window(const KernelContext& ctx, const WindowAttrs& attrs, const Shape& in,
                      const Shape& kernel);

// Checks the attribute lengths against `rank` spatial dims (and the rank
// against kMaxWindowRank); resolve_window calls it.
void check_window_attrs(const KernelContext& ctx, const WindowAttrs& attrs, size_t rank);

// Fails unless every kernel dim is positive (W may have zero-sized dims).
void check_kernel(const KernelContext& ctx, const Shape& kernel);

// [N, C, spatial...] -> spatial dims, after checking the rank is at least 3.
Shape spatial_dims(const KernelContext& ctx, size_t input, int64_t min_rank = 3);

}  // namespace skiff
