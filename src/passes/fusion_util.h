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

// A Conv as FusedConv (inputs X, W, B, Z); a FusedConv is returned as is.
inline ir::Node as_fused_conv(const ir::Node& conv) {
  ir::Node n = conv;
  if (n.op_type == "Conv") {
    n.op_type = "FusedConv";
    n.domain = kSkiffDomain;
  }
  n.inputs.resize(4);
  return n;
}

// A Gemm or MatMul as FusedGemm (inputs A, B, C).
inline ir::Node as_fused_gemm(const ir::Node& node) {
  ir::Node n = node;
  if (n.op_type != "FusedGemm") {
    remove_attr(n, "broadcast");  // Gemm before opset 7; FusedGemm always broadcasts C
    n.op_type = "FusedGemm";
    n.domain = kSkiffDomain;
  }
  n.inputs.resize(3);
  return n;
}

// Replaces `node` with `fused` (which may be in com.skiff) when the engines
// keep running it (PassContext::fusion_keeps_engine). Returns whether it did.
inline bool commit_fusion(ir::Graph& graph, PassContext& ctx, ir::Node& node, ir::Node fused) {
  if (!ctx.fusion_keeps_engine(graph, node, fused)) return false;
  if (fused.domain == kSkiffDomain) ctx.use_skiff_domain();
  node = std::move(fused);
  return true;
}

inline bool has_activation(const ir::Node& node) { return !attr_string(node, "activation", "").empty(); }

// The walk the "absorb an Add" passes share: for every two-input Add and
// each operand that a node produces and only this Add reads, calls
// rewrite(add_index, operand, other_operand, producer_index). rewrite
// returns true when it changed the graph; the walk then goes on with the
// next Add (uses recomputed). Returns whether any rewrite happened.
template <class Rewrite>
bool rewrite_adds_of_sole_products(ir::Graph& graph, Rewrite&& rewrite) {
  bool changed = false;
  LazyUses lazy(graph);
  for (size_t i = 0; i < graph.nodes.size(); ++i) {
    const ir::Node& add = graph.nodes[i];
    if (!is_op(add, "Add") || add.inputs.size() != 2 || add.outputs.size() != 1) continue;
    const Uses& uses = lazy.get();
    for (size_t side = 0; side < 2; ++side) {
      const std::string operand = graph.nodes[i].inputs[side], other = graph.nodes[i].inputs[1 - side];
      const int producer = uses.producer(operand);
      if (producer < 0 || operand == other || !uses.only_read_by(operand, i)) continue;
      if (rewrite(i, operand, other, static_cast<size_t>(producer))) {
        changed = true;
        lazy.changed();
        break;
      }
    }
  }
  return changed;
}

}  // namespace skiff::passes
