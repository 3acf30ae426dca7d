// Static shape inference for the passes: dtypes and shapes of every value
// it can reason about, with symbolic dims ("batch", "((H+1)/2+1)") so that
// dynamic models still get equalities (two values with the same symbol have
// the same size), and the element values of small integer tensors that
// hold shapes (Shape -> Gather -> Concat chains).
//
// It is sound rather than complete: a value it cannot reason about gets no
// entry (rank unknown), never a guess.
#pragma once

#include <map>
#include <string>

#include "ir/graph.h"
#include "passes/pass.h"

namespace skiff::passes {

std::map<std::string, ShapeInfo> infer_shapes(const ir::Graph& graph,
                                              const std::map<std::string, int64_t>& opsets);

// Dim helpers shared with the passes.
ir::Dim known_dim(int64_t value);
// Equal for sure: the same number, or the same symbol.
bool same_dim(const ir::Dim& a, const ir::Dim& b);
bool same_dims(const std::vector<ir::Dim>& a, const std::vector<ir::Dim>& b);

}  // namespace skiff::passes
