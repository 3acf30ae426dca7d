// Per-channel scaling of Conv and ConvTranspose weights, shared by the
// passes that fold a scale into them (fold_batch_norm, fold_affine_into_conv,
// fold_affine_into_next_conv).
#pragma once

#include <optional>
#include <vector>

#include "core/tensor.h"
#include "ir/graph.h"

namespace skiff::passes {

// Output channels of a Conv (W [M, C/group, k...]) or ConvTranspose
// (W [C, M/group, k...]) with float weight `w`; -1 when W does not fit.
int64_t output_channels(const ir::Node& conv, const Tensor& w);

// A copy of `w` with output channel m multiplied by scale[m]; an undefined
// tensor when the shapes do not fit.
Tensor scale_output_channels(const ir::Node& conv, const Tensor& w, const std::vector<double>& scale);

// True for a ConvTranspose without a bias that the dnnl engine runs as a
// oneDNN deconvolution: the folds give it no bias (its shift stays an Add),
// because oneDNN 2.6 runs deconvolution with a bias ~100x slower
// (fold_batch_norm.cc has the measurement). A 2-D ConvTranspose whose
// kernel equals its stride (no pads, dilations or groups) is run as a 1x1
// convolution and a pixel shuffle instead (src/engines/dnnl/conv.cc), where
// a bias is free: its shift is folded, and a BatchNormalization after it
// then too.
bool keeps_shift_outside(const ir::Node& conv, const Tensor& w);

// The float constant `c`'s value for each of `channels` channels, when it
// broadcasts against [N, channels, spatial...] (rank `rank`) along the
// channel axis only (a scalar, [channels,1,1] and the like); nullopt else.
std::optional<std::vector<double>> per_channel_values(const Tensor& c, int64_t channels, int64_t rank);

}  // namespace skiff::passes
