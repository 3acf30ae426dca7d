// Small helpers the fusion passes share.
#pragma once

#include <string>

#include "passes/graph_util.h"
#include "passes/shape_inference.h"

namespace skiff::passes {

// The dtype of `value` (initializer or shape inference), kUndefined when unknown.
inline DataType dtype_of_value(const ir::Graph& graph, PassContext& ctx, const std::string& value) {
  if (const Tensor* t = graph.initializer(value)) return t->dtype();
  const ShapeInfo* s = ctx.shape_of(graph, value);
  return s ? s->dtype : DataType::kUndefined;
}

// The rank of `value`, -1 when unknown.
inline int64_t rank_of(const ir::Graph& graph, PassContext& ctx, const std::string& value) {
  if (const Tensor* t = graph.initializer(value)) return t->rank();
  const ShapeInfo* s = ctx.shape_of(graph, value);
  return s && s->dims ? static_cast<int64_t>(s->dims->size()) : -1;
}

// True when a value of shape `small` broadcasts to `big` without changing
// it (each dim, right-aligned, is 1 or provably equal).
inline bool broadcasts_into(const ShapeInfo* small, const ShapeInfo* big) {
  if (!small || !big || !small->dims || !big->dims || small->dims->size() > big->dims->size()) return false;
  const size_t lead = big->dims->size() - small->dims->size();
  for (size_t d = 0; d < small->dims->size(); ++d) {
    const ir::Dim& s = (*small->dims)[d];
    if (!(s.known() && s.value == 1) && !same_dim(s, (*big->dims)[lead + d])) return false;
  }
  return true;
}

// Turns a Conv into FusedConv (inputs X, W, B, Z), or leaves a FusedConv.
inline void make_fused_conv(ir::Node& node, PassContext& ctx) {
  if (node.op_type == "Conv") {
    node.op_type = "FusedConv";
    node.domain = kSkiffDomain;
    ctx.use_skiff_domain();
  }
  node.inputs.resize(4);
}

// Turns a Gemm or MatMul into FusedGemm (inputs A, B, C).
inline void make_fused_gemm(ir::Node& node, PassContext& ctx) {
  if (node.op_type != "FusedGemm") {
    remove_attr(node, "broadcast");  // Gemm before opset 7; FusedGemm always broadcasts C
    node.op_type = "FusedGemm";
    node.domain = kSkiffDomain;
    ctx.use_skiff_domain();
  }
  node.inputs.resize(3);
}

inline bool has_activation(const ir::Node& node) { return !attr_string(node, "activation", "").empty(); }

}  // namespace skiff::passes
