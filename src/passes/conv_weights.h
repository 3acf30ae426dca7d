// Per-output-channel scaling of Conv and ConvTranspose weights, shared by
// the passes that fold a scale into them (fold_batch_norm,
// fold_affine_into_conv).
#pragma once

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

// True for a ConvTranspose without a bias: the folds give it no bias (its
// shift stays an Add), because oneDNN 2.6 runs deconvolution with a bias
// ~100x slower (fold_batch_norm.cc has the measurement).
inline bool keeps_shift_outside(const ir::Node& conv) {
  return conv.op_type == "ConvTranspose" && (conv.domain.empty() || conv.domain == "ai.onnx") &&
         !conv.has_input(2);
}

}  // namespace skiff::passes
