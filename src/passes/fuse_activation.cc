// fuse_activation (extended, com.skiff): the activation after a Conv, Gemm
// or MatMul (with a 2-D B) moves into FusedConv / FusedGemm, in any of the
// forms activation_match.h recognises (x * Sigmoid(x), x * Clip(x + 3, 0,
// 6) / 6, GELU's erf and tanh expansions, ...).
#include "passes/activation_match.h"
#include "passes/fusion_util.h"
#include "passes/pass_list.h"

namespace skiff::passes {
namespace {

enum class Target { kNone, kConv, kGemm };

Target target_of(const ir::Graph& graph, PassContext& ctx, const ir::Node& node) {
  if (node.outputs.size() != 1 || node.outputs[0].empty()) return Target::kNone;
  if (dtype_of_value(graph, ctx, node.outputs[0]) != DataType::kFloat) return Target::kNone;
  const bool skiff = node.domain == kSkiffDomain;
  if (is_op(node, "Conv") || (skiff && node.op_type == "FusedConv" && !has_activation(node))) return Target::kConv;
  if (is_op(node, "Gemm") || (skiff && node.op_type == "FusedGemm" && !has_activation(node))) return Target::kGemm;
  if (is_op(node, "MatMul") && node.inputs.size() == 2 && rank_of(graph, ctx, node.inputs[1]) == 2 &&
      rank_of(graph, ctx, node.inputs[0]) >= 2)
    return Target::kGemm;
  return Target::kNone;
}

class FuseActivation final : public Pass {
 public:
  const char* name() const override { return "fuse_activation"; }
  OptLevel level() const override { return OptLevel::kExtended; }
  bool emits_skiff_ops() const override { return true; }

  bool run(ir::Graph& graph, PassContext& ctx) override {
    bool changed = false;
    LazyUses lazy(graph);
    for (size_t i = 0; i < graph.nodes.size(); ++i) {
      ir::Node& node = graph.nodes[i];
      if (is_dead(node)) continue;
      const Target target = target_of(graph, ctx, node);
      if (target == Target::kNone) continue;
      const Uses& uses = lazy.get();
      const auto match = match_activation(graph, uses, node.outputs[0], ctx.opset());
      if (!match) continue;
      ir::Node fused = target == Target::kConv ? as_fused_conv(node) : as_fused_gemm(node);
      set_attr(fused, make_attr("activation", match->activation));
      if (!match->params.empty()) set_attr(fused, make_attr("activation_params", match->params));
      fused.outputs[0] = match->output;
      if (!commit_fusion(graph, ctx, node, std::move(fused))) continue;
      ctx.note(str_cat(match->activation, " (", match->nodes.size(), " nodes) fused into ", node.label()));
      for (size_t k : match->nodes) kill_node(graph.nodes[k]);
      changed = true;
      lazy.changed();
    }
    erase_dead_nodes(graph);
    return changed;
  }
};

}  // namespace

std::unique_ptr<Pass> make_fuse_activation() { return std::make_unique<FuseActivation>(); }

}  // namespace skiff::passes
