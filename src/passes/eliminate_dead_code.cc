// eliminate_dead_code (basic): removes nodes none of whose outputs reach a
// graph output, then initializers nothing reads. Graph inputs stay (they
// are the model's interface) unless the model is pruned to chosen outputs
// (prune_to_outputs in pass_manager.h).
#include <unordered_set>

#include "passes/graph_util.h"
#include "passes/pass_list.h"

namespace skiff::passes {
namespace {

class EliminateDeadCode final : public Pass {
 public:
  const char* name() const override { return "eliminate_dead_code"; }
  OptLevel level() const override { return OptLevel::kBasic; }

  bool run(ir::Graph& graph, PassContext& ctx) override {
    std::unordered_set<std::string> live;
    for (const auto& vi : graph.outputs) live.insert(vi.name);
    const auto order = graph.topological_order();
    std::vector<bool> keep(graph.nodes.size(), false);
    for (auto it = order.rbegin(); it != order.rend(); ++it) {
      const ir::Node& node = graph.nodes[*it];
      for (const auto& out : node.outputs) keep[*it] = keep[*it] || (!out.empty() && live.count(out));
      if (!keep[*it]) continue;
      for (const auto& in : node.inputs) live.insert(in);
      for (const auto& a : node.attributes) {
        if (a.g)
          for (const auto& v : a.g->free_values()) live.insert(v);
        for (const auto& g : a.graphs)
          for (const auto& v : g->free_values()) live.insert(v);
      }
    }
    size_t removed_nodes = 0, removed_weights = 0;
    for (size_t i = 0; i < graph.nodes.size(); ++i)
      if (!keep[i]) {
        kill_node(graph.nodes[i]);
        ++removed_nodes;
      }
    erase_dead_nodes(graph);
    for (auto it = graph.initializers.begin(); it != graph.initializers.end();) {
      if (live.count(it->first)) {
        ++it;
      } else {
        it = graph.initializers.erase(it);
        ++removed_weights;
      }
    }
    if (removed_nodes || removed_weights)
      ctx.note(str_cat("removed ", removed_nodes, " nodes and ", removed_weights, " initializers"));
    return removed_nodes || removed_weights;
  }
};

}  // namespace

std::unique_ptr<Pass> make_eliminate_dead_code() { return std::make_unique<EliminateDeadCode>(); }

}  // namespace skiff::passes
