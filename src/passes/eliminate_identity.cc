// eliminate_identity (basic): removes Identity nodes and Dropout nodes that
// are identities at inference (no training_mode input that could be true,
// mask output unused). Readers of the output read the input instead.
#include "passes/graph_util.h"
#include "passes/pass_list.h"

namespace skiff::passes {
namespace {

bool is_inference_dropout(const ir::Graph& graph, const ir::Node& node, const Uses& uses) {
  if (!is_op(node, "Dropout")) return false;
  // opset 1-6 `is_test` = 0 asks for training; skiff's Dropout kernel is the
  // identity either way (inference only), so removing it keeps results.
  if (node.has_input(2)) {  // training_mode (opset 12): must be a constant false
    const Tensor* training = constant_input(graph, node, 2);
    if (!training || training->dtype() != DataType::kBool || training->numel() != 1 ||
        training->data<bool>()[0])
      return false;
  }
  for (size_t i = 1; i < node.outputs.size(); ++i)
    if (!node.outputs[i].empty() && (uses.is_graph_output(node.outputs[i]) || !uses.readers(node.outputs[i]).empty()))
      return false;
  return true;
}

class EliminateIdentity final : public Pass {
 public:
  const char* name() const override { return "eliminate_identity"; }
  OptLevel level() const override { return OptLevel::kBasic; }

  bool run(ir::Graph& graph, PassContext& ctx) override {
    bool changed = false;
    LazyUses lazy(graph);
    for (size_t i = 0; i < graph.nodes.size(); ++i) {
      ir::Node& node = graph.nodes[i];
      if (is_dead(node) || node.inputs.empty() || node.outputs.empty()) continue;
      // Uses is rebuilt per removal: bypassing renames values other
      // candidates read.
      const Uses& uses = lazy.get();
      const bool identity = is_op(node, "Identity") && node.has_input(0);
      if (!identity && !is_inference_dropout(graph, node, uses)) continue;
      const std::string label = node.label();
      if (bypass_node(graph, uses, i)) {
        ctx.note(label + " removed");
        changed = true;
        lazy.changed();
      }
    }
    erase_dead_nodes(graph);
    return changed;
  }
};

}  // namespace

std::unique_ptr<Pass> make_eliminate_identity() { return std::make_unique<EliminateIdentity>(); }

}  // namespace skiff::passes
