// Recognises the activation applied to a value, in the forms exporters
// write: single ops (Relu, LeakyRelu, Clip, Sigmoid, HardSigmoid,
// HardSwish, Tanh, Gelu) and expansions (SiLU as x * Sigmoid(x), HardSwish
// as x * HardSigmoid(x) or x * Clip(x + 3, 0, 6) / 6, GELU's erf and tanh
// forms). The fusion passes use it to put the activation into FusedConv and
// FusedGemm (docs/skiff_ops.md spells the activation names).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "ir/graph.h"
#include "passes/graph_util.h"

namespace skiff::passes {

struct ActivationMatch {
  std::string activation;     // "Relu", "Silu", "HardSwish", "Gelu", ...
  std::vector<float> params;  // activation_params
  std::string output;         // the activated value
  std::vector<size_t> nodes;  // the nodes the match replaces
};

// The activation applied to `value`: every reader of `value` and every
// intermediate of the pattern belong to it (nothing else reads them, none is
// a graph output). nullopt when there is none.
std::optional<ActivationMatch> match_activation(const ir::Graph& graph, const Uses& uses, const std::string& value,
                                                int64_t opset);

}  // namespace skiff::passes
