// Runs the pass pipeline on a model, and prunes a model to chosen outputs.
#pragma once

#include <string>
#include <vector>

#include "ir/graph.h"
#include "passes/pass.h"

namespace skiff::passes {

// Rewrites `model` with every pass at or below options.level that is not
// disabled (and, when options.portable, emits no com.skiff op). Returns
// what each pass run changed. Throws kInvalidInput for an unknown pass name
// in options.disabled or a bad input shape. With SKIFF_LOG=debug in the
// environment, prints one line per pass run that changed something to
// stderr.
std::vector<PassRecord> optimize(ir::Model& model, const PassOptions& options);

// Makes `outputs` the graph's outputs (each must name a value of the graph:
// an input, an initializer or a node output) and removes every node,
// initializer and graph input they do not need. Throws kInvalidInput naming
// an unknown value.
void prune_to_outputs(ir::Model& model, const std::vector<std::string>& outputs);

struct PassDescription {
  std::string name;
  OptLevel level;
  bool emits_skiff_ops;
};
// Every pass, in pipeline order.
std::vector<PassDescription> list_passes();

// Nodes in the graph (not counting subgraphs).
inline int64_t node_count(const ir::Graph& graph) { return static_cast<int64_t>(graph.nodes.size()); }

}  // namespace skiff::passes
