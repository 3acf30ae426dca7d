// eliminate_common_subexpressions (basic): two nodes with the same op,
// domain, inputs and attributes compute the same values; readers of the
// later one read the earlier one's outputs. Random ops and nodes with
// subgraphs are never merged, nor a node whose outputs are graph outputs.
#include <unordered_map>

#include "passes/graph_util.h"
#include "passes/pass_list.h"

namespace skiff::passes {
namespace {

bool mergeable(const ir::Node& node) {
  static const char* kRandom[] = {"RandomNormal", "RandomUniform", "RandomNormalLike", "RandomUniformLike",
                                  "Multinomial", "Bernoulli"};
  for (const char* op : kRandom)
    if (is_op(node, op)) return false;
  return !is_dead(node) && !has_subgraph(node) && !node.outputs.empty();
}

class EliminateCommonSubexpressions final : public Pass {
 public:
  const char* name() const override { return "eliminate_common_subexpressions"; }
  OptLevel level() const override { return OptLevel::kBasic; }

  bool run(ir::Graph& graph, PassContext& ctx) override {
    std::unordered_map<std::string, std::vector<size_t>> seen;  // key -> earlier nodes
    std::unordered_map<std::string, bool> is_output;
    for (const auto& vi : graph.outputs) is_output[vi.name] = true;
    bool changed = false;
    for (size_t i : graph.topological_order()) {
      ir::Node& node = graph.nodes[i];
      if (!mergeable(node)) continue;
      std::string key = node.domain + "|" + node.op_type;
      for (const auto& in : node.inputs) key += "|" + in;
      key += str_cat("|", node.outputs.size());
      auto& candidates = seen[key];
      const ir::Node* twin = nullptr;
      for (size_t j : candidates)
        if (same_attributes(graph.nodes[j], node)) twin = &graph.nodes[j];
      bool merge = twin != nullptr;
      for (size_t k = 0; merge && k < node.outputs.size(); ++k)
        merge = node.outputs[k].empty() || (!is_output.count(node.outputs[k]) && !twin->outputs[k].empty());
      if (!merge) {
        candidates.push_back(i);
        continue;
      }
      ctx.note(str_cat(node.label(), " is the same as ", twin->label()));
      const std::vector<std::string> from = node.outputs, to = twin->outputs;
      kill_node(node);
      for (size_t k = 0; k < from.size(); ++k)
        if (!from[k].empty()) rename_uses(graph, from[k], to[k]);
      changed = true;
    }
    erase_dead_nodes(graph);
    return changed;
  }
};

}  // namespace

std::unique_ptr<Pass> make_eliminate_common_subexpressions() {
  return std::make_unique<EliminateCommonSubexpressions>();
}

}  // namespace skiff::passes
