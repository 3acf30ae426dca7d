#include "engines/partition.h"

#include <algorithm>
#include <numeric>
#include <set>
#include <unordered_map>

namespace skiff {

namespace {

// Groups of nodes as a union-find forest over node indices, with each
// root's member list, so that the unit graph (groups contracted) can be
// walked without rebuilding it after every merge.
class Groups {
 public:
  explicit Groups(size_t n) : parent_(n), members_(n) {
    std::iota(parent_.begin(), parent_.end(), size_t{0});
    for (size_t i = 0; i < n; ++i) members_[i] = {i};
  }
  size_t root(size_t i) {
    while (parent_[i] != i) i = parent_[i] = parent_[parent_[i]];
    return i;
  }
  void merge(size_t a, size_t b) {
    a = root(a);
    b = root(b);
    if (a == b) return;
    if (members_[a].size() < members_[b].size()) std::swap(a, b);
    parent_[b] = a;
    members_[a].insert(members_[a].end(), members_[b].begin(), members_[b].end());
    members_[b].clear();
  }
  const std::vector<size_t>& members(size_t r) const { return members_[r]; }

 private:
  std::vector<size_t> parent_;
  std::vector<std::vector<size_t>> members_;
};

// True when a path from group `from` reaches group `to` through some other
// group: merging the two would then put a cycle through that group.
bool has_indirect_path(Groups& groups, const std::vector<std::vector<size_t>>& successors,
                       size_t from, size_t to) {
  from = groups.root(from);
  to = groups.root(to);
  std::vector<size_t> stack;
  std::set<size_t> seen{from};
  auto push_successors = [&](size_t group, bool first) {
    for (size_t m : groups.members(group))
      for (size_t s : successors[m]) {
        const size_t r = groups.root(s);
        if (first && r == to) continue;  // the direct edge is the one being contracted
        if (seen.insert(r).second) stack.push_back(r);
      }
  };
  push_successors(from, true);
  while (!stack.empty()) {
    const size_t g = stack.back();
    stack.pop_back();
    if (g == to) return true;
    push_successors(g, false);
  }
  return false;
}

std::vector<std::string> captured_values(const ir::Node& node) {
  std::vector<std::string> names;
  for (const auto& a : node.attributes) {
    if (a.g)
      for (auto& v : a.g->free_values()) names.push_back(std::move(v));
    for (const auto& g : a.graphs)
      for (auto& v : g->free_values()) names.push_back(std::move(v));
  }
  return names;
}

ir::ValueInfo value_info_for(const ir::Graph& graph, const ValueTypes& types, const std::string& name) {
  for (const auto* list : {&graph.inputs, &graph.value_info, &graph.outputs})
    for (const auto& vi : *list)
      if (vi.name == name) return vi;
  ir::ValueInfo vi;
  vi.name = name;
  if (types.dtype(name) != DataType::kUndefined) {
    vi.type.kind = ir::TypeInfo::Kind::kTensor;
    vi.type.dtype = types.dtype(name);
  }
  return vi;
}

}  // namespace

int64_t node_opset(const ir::Node& node, const std::map<std::string, int64_t>& opsets) {
  auto it = opsets.find(node.domain);
  if (it == opsets.end() && node.domain == "ai.onnx") it = opsets.find("");
  return it == opsets.end() ? 0 : it->second;
}

namespace {

// Exporters emit Identity nodes for weights used twice (torch.onnx names
// them onnx::Conv_501). Seen through them, the weights are constants again:
// engines can pack them once instead of on every call.
ir::Graph without_weight_identities(const ir::Graph& graph) {
  ir::Graph g = graph;
  std::set<std::string> graph_outputs;
  for (const auto& vi : g.outputs) graph_outputs.insert(vi.name);
  std::vector<ir::Node> kept;
  for (auto& node : g.nodes) {
    const bool weight_identity = node.domain.empty() && node.op_type == "Identity" && node.inputs.size() == 1 &&
                                 node.outputs.size() == 1 && g.is_initializer(node.inputs[0]) &&
                                 !graph_outputs.count(node.outputs[0]);
    if (weight_identity) {
      g.initializers[node.outputs[0]] = g.initializers.at(node.inputs[0]);
    } else {
      kept.push_back(std::move(node));
    }
  }
  g.nodes = std::move(kept);
  return g;
}

}  // namespace

Partition partition_graph(const ir::Graph& original, const std::map<std::string, int64_t>& opsets,
                          const std::vector<std::string>& engine_names,
                          const std::map<std::string, DataType>& outer_types) {
  const ir::Graph graph = without_weight_identities(original);
  std::vector<const Engine*> engines;
  for (const auto& name : engine_names) {
    const Engine* e = EngineRegistry::global().find(name);
    if (!e) {
      std::string known;
      for (const auto& n : EngineRegistry::global().names()) known += " " + n;
      fail(ErrorCode::kInvalidInput, "unknown engine '", name, "' (this build has:", known, ")");
    }
    engines.push_back(e);
  }
  const size_t n = graph.nodes.size();
  const auto order = graph.topological_order();
  const ValueTypes types(graph, outer_types);
  std::vector<size_t> position(n);
  for (size_t k = 0; k < order.size(); ++k) position[order[k]] = k;

  // Each node goes to the first engine that supports it; -1: none does
  // (the plan then reports the missing kernel).
  std::vector<int> assigned(n, -1);
  for (size_t i = 0; i < n; ++i) {
    const ir::Node& node = graph.nodes[i];
    const int64_t opset = node_opset(node, opsets);
    for (size_t e = 0; e < engines.size() && assigned[i] < 0; ++e)
      if (opset > 0 && engines[e]->supports(node, opset, types)) assigned[i] = static_cast<int>(e);
  }
  auto forms_region = [&](size_t i) { return assigned[i] >= 0 && engines[assigned[i]]->forms_regions(); };

  std::unordered_map<std::string, size_t> producer;
  for (size_t i = 0; i < n; ++i)
    for (const auto& out : graph.nodes[i].outputs)
      if (!out.empty()) producer[out] = i;
  std::vector<std::vector<size_t>> successors(n);
  std::vector<std::pair<size_t, size_t>> edges;  // producer -> consumer, consumers in order
  for (size_t c : order) {
    std::vector<std::string> reads = graph.nodes[c].inputs;
    for (auto& v : captured_values(graph.nodes[c])) reads.push_back(std::move(v));
    for (const auto& in : reads) {
      auto it = in.empty() ? producer.end() : producer.find(in);
      if (it == producer.end()) continue;
      successors[it->second].push_back(c);
      edges.emplace_back(it->second, c);
    }
  }

  // Contract producer -> consumer edges of one engine while that creates no
  // cycle; repeat, since a merge can make another one legal.
  Groups groups(n);
  for (bool changed = true; changed;) {
    changed = false;
    for (const auto& [p, c] : edges) {
      if (!forms_region(p) || assigned[p] != assigned[c] || groups.root(p) == groups.root(c)) continue;
      if (has_indirect_path(groups, successors, p, c)) continue;
      groups.merge(p, c);
      changed = true;
    }
  }

  Partition result;
  result.graph.name = graph.name;
  result.graph.inputs = graph.inputs;
  result.graph.outputs = graph.outputs;
  result.graph.value_info = graph.value_info;
  result.graph.initializers = graph.initializers;
  result.graph.doc = graph.doc;
  std::set<std::string> graph_outputs;
  for (const auto& vi : graph.outputs) graph_outputs.insert(vi.name);

  std::vector<bool> emitted(n, false);
  for (size_t index : order) {
    if (emitted[index]) continue;
    if (!forms_region(index)) {
      result.graph.nodes.push_back(graph.nodes[index]);
      ++result.single_nodes[assigned[index] < 0 ? "none" : std::string(engines[assigned[index]]->name())];
      emitted[index] = true;
      continue;
    }
    // The whole group, its members in topological order. The plan sorts the
    // partitioned graph again; merges created no cycle, so it can.
    std::vector<size_t> members = groups.members(groups.root(index));
    std::sort(members.begin(), members.end(),
              [&](size_t a, size_t b) { return position[a] < position[b]; });
    std::set<size_t> member_set(members.begin(), members.end());
    std::set<std::string> produced;
    for (size_t m : members)
      for (const auto& out : graph.nodes[m].outputs)
        if (!out.empty()) produced.insert(out);

    const Engine& engine = *engines[assigned[index]];
    PartitionRegion region;
    region.engine = std::string(engine.name());
    region.node_name = str_cat(engine.name(), "_region_", result.regions.size());
    auto body = std::make_shared<ir::Graph>();
    body->name = region.node_name;
    std::set<std::string> seen_inputs;
    for (size_t m : members) {
      const ir::Node& node = graph.nodes[m];
      body->nodes.push_back(node);
      region.members.push_back(node.label());
      for (const auto& in : node.inputs) {
        if (in.empty() || produced.count(in)) continue;
        if (const Tensor* w = graph.initializer(in)) {
          body->initializers[in] = *w;  // shares the buffer
        } else if (seen_inputs.insert(in).second) {
          region.inputs.push_back(in);
          body->inputs.push_back(value_info_for(graph, types, in));
        }
      }
    }
    for (size_t m : members)
      for (const auto& out : graph.nodes[m].outputs) {
        if (out.empty()) continue;
        bool used_outside = graph_outputs.count(out) != 0;
        for (size_t s : successors[m]) used_outside = used_outside || !member_set.count(s);
        if (used_outside) {
          region.outputs.push_back(out);
          body->outputs.push_back(value_info_for(graph, types, out));
        }
      }
    for (const auto& vi : graph.value_info)
      if (produced.count(vi.name)) body->value_info.push_back(vi);

    ir::Node node;
    node.name = region.node_name;
    node.op_type = engine.region_op();
    node.domain = kSkiffDomain;
    node.inputs = region.inputs;
    node.outputs = region.outputs;
    ir::Attribute attr;
    attr.name = "body";
    attr.type = ir::Attribute::Type::kGraph;
    attr.g = std::move(body);
    node.attributes.push_back(std::move(attr));
    result.graph.nodes.push_back(std::move(node));
    for (size_t m : members) emitted[m] = true;
    result.regions.push_back(std::move(region));
  }
  return result;
}

}  // namespace skiff
