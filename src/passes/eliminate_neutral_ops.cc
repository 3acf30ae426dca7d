// eliminate_neutral_ops (basic): x + 0, x - 0, x * 1, x / 1 and x ^ 1 with
// a constant that does not change x's shape or type by broadcasting are x
// (PaddleOCR's swish is exported as Sigmoid(x * 1.0) * x).
#include "passes/graph_util.h"
#include "passes/pass_list.h"
#include "passes/shape_inference.h"

namespace skiff::passes {
namespace {

// Index of x in node's inputs when the other one is the neutral constant of
// the op, else -1.
int neutral_operand(const ir::Graph& graph, const ir::Node& node) {
  if (node.inputs.size() != 2 || !is_onnx(node)) return -1;
  const bool commutative = node.op_type == "Add" || node.op_type == "Mul";
  double neutral;
  if (node.op_type == "Add" || node.op_type == "Sub") neutral = 0;
  else if (node.op_type == "Mul" || node.op_type == "Div" || node.op_type == "Pow") neutral = 1;
  else return -1;
  for (int x = 0; x < 2; ++x) {
    if (x == 1 && !commutative) break;
    const Tensor* c = constant_input(graph, node, static_cast<size_t>(1 - x));
    if (c && c->numel() > 0 && all_equal_to(*c, neutral)) return x;
  }
  return -1;
}

class EliminateNeutralOps final : public Pass {
 public:
  const char* name() const override { return "eliminate_neutral_ops"; }
  OptLevel level() const override { return OptLevel::kBasic; }

  bool run(ir::Graph& graph, PassContext& ctx) override {
    const auto& shapes = ctx.shapes(graph);
    bool changed = false;
    LazyUses lazy(graph);
    for (size_t i = 0; i < graph.nodes.size(); ++i) {
      ir::Node& node = graph.nodes[i];
      if (is_dead(node) || node.outputs.size() != 1) continue;
      const int x = neutral_operand(graph, node);
      if (x < 0) continue;
      auto in = shapes.find(node.inputs[static_cast<size_t>(x)]);
      auto out = shapes.find(node.outputs[0]);
      const Tensor* c = graph.initializer(node.inputs[static_cast<size_t>(1 - x)]);
      if (in == shapes.end() || in->second.dtype != c->dtype()) continue;
      // The constant must not widen x by broadcasting.
      const bool same_shape = c->rank() == 0 ||
                              (out != shapes.end() && in->second.dims && out->second.dims &&
                               same_dims(*in->second.dims, *out->second.dims));
      if (!same_shape) continue;
      if (x == 1) std::swap(node.inputs[0], node.inputs[1]);
      const Uses& uses = lazy.get();
      const std::string label = node.label();
      if (bypass_node(graph, uses, i)) {
        ctx.note(label + " is a no-op (neutral constant); removed");
        changed = true;
        lazy.changed();
      } else if (x == 1) {
        std::swap(node.inputs[0], node.inputs[1]);
      }
    }
    erase_dead_nodes(graph);
    if (changed) ctx.invalidate_shapes();
    return changed;
  }
};

}  // namespace

std::unique_ptr<Pass> make_eliminate_neutral_ops() { return std::make_unique<EliminateNeutralOps>(); }

}  // namespace skiff::passes
