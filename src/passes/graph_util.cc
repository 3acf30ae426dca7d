#include "passes/graph_util.h"

#include <algorithm>
#include <cstring>

#include "core/dispatch.h"

namespace skiff::passes {

Uses::Uses(const ir::Graph& graph) {
  for (const auto& vi : graph.outputs) outputs_.insert(vi.name);
  for (const auto& vi : graph.inputs) inputs_.insert(vi.name);
  for (size_t i = 0; i < graph.nodes.size(); ++i) {
    const ir::Node& node = graph.nodes[i];
    if (is_dead(node)) continue;
    for (const auto& out : node.outputs)
      if (!out.empty()) producer_[out] = static_cast<int>(i);
    auto add_reader = [&](const std::string& v) {
      auto& list = readers_[v];
      if (list.empty() || list.back() != i) list.push_back(i);
    };
    for (const auto& in : node.inputs)
      if (!in.empty()) add_reader(in);
    for (const auto& a : node.attributes) {
      std::vector<const ir::Graph*> subs;
      if (a.g) subs.push_back(a.g.get());
      for (const auto& g : a.graphs) subs.push_back(g.get());
      for (const auto* g : subs)
        for (const auto& v : g->free_values()) {
          add_reader(v);
          captured_.insert(v);
        }
    }
  }
}

int Uses::producer(const std::string& value) const {
  auto it = producer_.find(value);
  return it == producer_.end() ? -1 : it->second;
}

const std::vector<size_t>& Uses::readers(const std::string& value) const {
  auto it = readers_.find(value);
  return it == readers_.end() ? none_ : it->second;
}

bool Uses::only_read_by(const std::string& value, size_t reader) const {
  if (value.empty() || is_graph_output(value) || captured(value)) return false;
  const auto& r = readers(value);
  return r.size() == 1 && r[0] == reader;
}

namespace {

bool defines(const ir::Graph& g, const std::string& value) {
  if (g.find_input(value) || g.is_initializer(value)) return true;
  for (const auto& node : g.nodes)
    if (std::find(node.outputs.begin(), node.outputs.end(), value) != node.outputs.end()) return true;
  return false;
}

void rename_in_node(ir::Node& node, const std::string& from, const std::string& to);

// Inside a subgraph, outer values may also be read by the subgraph's own
// outputs; a subgraph that defines `from` itself shadows it.
void rename_in_subgraph(ir::Graph& g, const std::string& from, const std::string& to) {
  if (defines(g, from)) return;
  for (auto& node : g.nodes) rename_in_node(node, from, to);
  for (auto& out : g.outputs)
    if (out.name == from) out.name = to;
}

void rename_in_node(ir::Node& node, const std::string& from, const std::string& to) {
  for (auto& in : node.inputs)
    if (in == from) in = to;
  for (auto& a : node.attributes) {
    if (a.g) rename_in_subgraph(*a.g, from, to);
    for (auto& g : a.graphs) rename_in_subgraph(*g, from, to);
  }
}

}  // namespace

void rename_uses(ir::Graph& graph, const std::string& from, const std::string& to) {
  for (auto& node : graph.nodes) rename_in_node(node, from, to);
}

bool bypass_node(ir::Graph& graph, const Uses& uses, size_t index) {
  ir::Node& node = graph.nodes[index];
  const std::string in = node.inputs.at(0), out = node.outputs.at(0);
  if (in.empty() || out.empty()) return false;
  if (!uses.is_graph_output(out)) {
    rename_uses(graph, out, in);
    kill_node(node);
    return true;
  }
  // `out` is a graph output and keeps its name: the producer of `in` writes
  // it directly, which is only legal when nothing else reads `in`.
  const int producer = uses.producer(in);
  if (producer < 0 || !uses.only_read_by(in, index)) return false;
  for (auto& o : graph.nodes[static_cast<size_t>(producer)].outputs)
    if (o == in) o = out;
  kill_node(node);
  return true;
}

void kill_node(ir::Node& node) {
  node.op_type.clear();
  node.inputs.clear();
  node.outputs.clear();
  node.attributes.clear();
}

bool is_dead(const ir::Node& node) { return node.op_type.empty(); }

void erase_dead_nodes(ir::Graph& graph) {
  graph.nodes.erase(std::remove_if(graph.nodes.begin(), graph.nodes.end(), is_dead), graph.nodes.end());
}

void sort_nodes(ir::Graph& graph) {
  const auto order = graph.topological_order();
  bool sorted = true;
  for (size_t i = 0; i < order.size() && sorted; ++i) sorted = order[i] == i;
  if (sorted) return;
  std::vector<ir::Node> nodes;
  nodes.reserve(order.size());
  for (size_t i : order) nodes.push_back(std::move(graph.nodes[i]));
  graph.nodes = std::move(nodes);
}

const Tensor* constant_input(const ir::Graph& graph, const ir::Node& node, size_t i) {
  if (!node.has_input(i)) return nullptr;
  return graph.initializer(node.inputs[i]);
}

std::vector<double> to_doubles(const Tensor& t) {
  std::vector<double> values;
  if (!t.defined() || t.dtype() == DataType::kString || t.dtype() == DataType::kComplex64 ||
      t.dtype() == DataType::kComplex128 || t.dtype() == DataType::kBool)
    return values;
  values.resize(static_cast<size_t>(t.numel()));
  dispatch(kNumericTypes, t.dtype(), [&](auto tag) {
    using T = typename decltype(tag)::type;
    const T* p = t.data<T>();
    for (int64_t i = 0; i < t.numel(); ++i) values[static_cast<size_t>(i)] = static_cast<double>(p[i]);
  });
  return values;
}

bool all_equal_to(const Tensor& t, double v) {
  const auto values = to_doubles(t);
  if (values.empty()) return false;
  return std::all_of(values.begin(), values.end(), [v](double x) { return x == v; });
}

std::optional<double> scalar_value(const Tensor& t) {
  if (t.numel() != 1) return std::nullopt;
  const auto values = to_doubles(t);
  if (values.empty()) return std::nullopt;
  return values[0];
}

bool same_tensor(const Tensor& a, const Tensor& b) {
  if (a.dtype() != b.dtype() || a.shape() != b.shape()) return false;
  if (a.dtype() == DataType::kString) {
    for (int64_t i = 0; i < a.numel(); ++i)
      if (a.data<std::string>()[i] != b.data<std::string>()[i]) return false;
    return true;
  }
  return a.nbytes() == 0 || std::memcmp(a.raw(), b.raw(), a.nbytes()) == 0;
}

namespace {

bool same_attribute(const ir::Attribute& a, const ir::Attribute& b) {
  using T = ir::Attribute::Type;
  if (a.name != b.name || a.type != b.type || a.ref_attr_name != b.ref_attr_name) return false;
  switch (a.type) {
    case T::kFloat: return std::memcmp(&a.f, &b.f, sizeof a.f) == 0;
    case T::kInt: return a.i == b.i;
    case T::kString: return a.s == b.s;
    case T::kTensor: return same_tensor(a.t, b.t);
    case T::kFloats:
      return a.floats.size() == b.floats.size() &&
             (a.floats.empty() ||
              std::memcmp(a.floats.data(), b.floats.data(), a.floats.size() * sizeof(float)) == 0);
    case T::kInts: return a.ints == b.ints;
    case T::kStrings: return a.strings == b.strings;
    case T::kTensors:
      if (a.tensors.size() != b.tensors.size()) return false;
      for (size_t i = 0; i < a.tensors.size(); ++i)
        if (!same_tensor(a.tensors[i], b.tensors[i])) return false;
      return true;
    case T::kTypeProto: return a.type_proto.str() == b.type_proto.str();
    default: return false;  // graphs, sparse tensors: never considered equal
  }
}

}  // namespace

bool same_attributes(const ir::Node& a, const ir::Node& b) {
  if (a.attributes.size() != b.attributes.size()) return false;
  for (const auto& x : a.attributes) {
    const ir::Attribute* y = b.attr(x.name);
    if (!y || !same_attribute(x, *y)) return false;
  }
  return true;
}

bool has_subgraph(const ir::Node& node) {
  for (const auto& a : node.attributes)
    if (a.g || !a.graphs.empty()) return true;
  return false;
}

ir::Attribute make_attr(const std::string& name, int64_t v) {
  ir::Attribute a;
  a.name = name;
  a.type = ir::Attribute::Type::kInt;
  a.i = v;
  return a;
}

ir::Attribute make_attr(const std::string& name, float v) {
  ir::Attribute a;
  a.name = name;
  a.type = ir::Attribute::Type::kFloat;
  a.f = v;
  return a;
}

ir::Attribute make_attr(const std::string& name, const std::string& v) {
  ir::Attribute a;
  a.name = name;
  a.type = ir::Attribute::Type::kString;
  a.s = v;
  return a;
}

ir::Attribute make_attr(const std::string& name, std::vector<int64_t> v) {
  ir::Attribute a;
  a.name = name;
  a.type = ir::Attribute::Type::kInts;
  a.ints = std::move(v);
  return a;
}

ir::Attribute make_attr(const std::string& name, std::vector<float> v) {
  ir::Attribute a;
  a.name = name;
  a.type = ir::Attribute::Type::kFloats;
  a.floats = std::move(v);
  return a;
}

void set_attr(ir::Node& node, ir::Attribute attr) {
  for (auto& a : node.attributes)
    if (a.name == attr.name) {
      a = std::move(attr);
      return;
    }
  node.attributes.push_back(std::move(attr));
}

void remove_attr(ir::Node& node, const std::string& name) {
  node.attributes.erase(std::remove_if(node.attributes.begin(), node.attributes.end(),
                                       [&](const ir::Attribute& a) { return a.name == name; }),
                        node.attributes.end());
}

std::string add_initializer(ir::Graph& graph, PassContext& ctx, const std::string& base, Tensor value) {
  std::string name = ctx.fresh_name(graph, base);
  graph.initializers.emplace(name, std::move(value));
  return name;
}

}  // namespace skiff::passes
