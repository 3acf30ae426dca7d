#include "ir/graph.h"

#include <algorithm>
#include <set>
#include <unordered_map>
#include <unordered_set>

#include "core/error.h"

namespace skiff::ir {

std::string TypeInfo::str() const {
  switch (kind) {
    case Kind::kTensor: {
      std::string s(dtype_name(dtype));
      if (!shape) return s + "[...]";
      s += '[';
      for (size_t i = 0; i < shape->size(); ++i) {
        if (i) s += ',';
        s += (*shape)[i].str();
      }
      return s + ']';
    }
    case Kind::kSequence: return "seq(" + (elem ? elem->str() : "?") + ")";
    case Kind::kOptional: return "optional(" + (elem ? elem->str() : "?") + ")";
    case Kind::kMap: return "map";
    case Kind::kUnknown: break;
  }
  return "?";
}

const char* attr_type_name(Attribute::Type t) {
  static const char* const kNames[] = {"undefined", "float",   "int",     "string",
                                       "tensor",    "graph",   "floats",  "ints",
                                       "strings",   "tensors", "graphs",  "sparse_tensor",
                                       "type_proto", "sparse_tensors", "type_protos"};
  return kNames[static_cast<int>(t)];
}

const Attribute* Node::attr(const std::string& attr_name) const {
  for (const auto& a : attributes)
    if (a.name == attr_name) return &a;
  return nullptr;
}

std::string Node::label() const {
  std::string s = op_type + " node";
  if (!name.empty()) s += " '" + name + "'";
  else
    for (const auto& out : outputs)
      if (!out.empty()) return s + " producing '" + out + "'";
  return s;
}

const Tensor* Graph::initializer(const std::string& value) const {
  auto it = initializers.find(value);
  return it == initializers.end() ? nullptr : &it->second;
}

const ValueInfo* Graph::find_input(const std::string& value) const {
  for (const auto& vi : inputs)
    if (vi.name == value) return &vi;
  return nullptr;
}

std::vector<size_t> Graph::topological_order() const {
  std::unordered_map<std::string, size_t> producer;
  for (size_t i = 0; i < nodes.size(); ++i)
    for (const auto& out : nodes[i].outputs)
      if (!out.empty()) producer.emplace(out, i);

  // Kahn's algorithm, keeping the file order among ready nodes so that the
  // order is deterministic and close to what the exporter wrote.
  std::vector<int> pending(nodes.size(), 0);
  std::vector<std::vector<size_t>> consumers(nodes.size());
  auto add_edge = [&](const std::string& in, size_t i) {
    auto it = producer.find(in);
    if (it == producer.end()) return;
    consumers[it->second].push_back(i);
    ++pending[i];
  };
  for (size_t i = 0; i < nodes.size(); ++i) {
    for (const auto& in : nodes[i].inputs)
      if (!in.empty()) add_edge(in, i);
    // Values a subgraph captures are inputs of the node that owns it.
    for (const auto& a : nodes[i].attributes) {
      std::vector<std::string> captured;
      if (a.g) captured = a.g->free_values();
      for (const auto& g : a.graphs)
        for (auto& v : g->free_values()) captured.push_back(std::move(v));
      for (const auto& v : captured) add_edge(v, i);
    }
  }
  std::set<size_t> ready;
  for (size_t i = 0; i < nodes.size(); ++i)
    if (pending[i] == 0) ready.insert(i);
  std::vector<size_t> order;
  order.reserve(nodes.size());
  while (!ready.empty()) {
    const size_t i = *ready.begin();
    ready.erase(ready.begin());
    order.push_back(i);
    for (size_t c : consumers[i])
      if (--pending[c] == 0) ready.insert(c);
  }
  if (order.size() != nodes.size()) {
    std::string names;
    int listed = 0;
    for (size_t i = 0; i < nodes.size() && listed < 5; ++i)
      if (pending[i] > 0) {
        names += (listed++ ? ", " : "") + nodes[i].label();
      }
    fail(ErrorCode::kInvalidModel, "graph '", name, "' has a cycle through ", names);
  }
  return order;
}

std::vector<std::string> Graph::free_values() const {
  std::unordered_set<std::string> defined;
  for (const auto& vi : inputs) defined.insert(vi.name);
  for (const auto& [n, t] : initializers) defined.insert(n);
  for (const auto& node : nodes)
    for (const auto& out : node.outputs) defined.insert(out);
  std::vector<std::string> free;
  std::unordered_set<std::string> seen;
  auto use = [&](const std::string& v) {
    if (!v.empty() && !defined.count(v) && seen.insert(v).second) free.push_back(v);
  };
  for (const auto& node : nodes) {
    for (const auto& in : node.inputs) use(in);
    for (const auto& a : node.attributes) {
      if (a.g)
        for (const auto& v : a.g->free_values()) use(v);
      for (const auto& g : a.graphs)
        for (const auto& v : g->free_values()) use(v);
    }
  }
  for (const auto& out : outputs) use(out.name);
  return free;
}

int64_t Model::opset(const std::string& op_domain) const {
  const std::string d = op_domain == "ai.onnx" ? "" : op_domain;
  auto it = opsets.find(d);
  return it == opsets.end() ? 0 : it->second;
}

int64_t attr_int(const Node& node, const std::string& name, int64_t fallback) {
  const Attribute* a = node.attr(name);
  return a && a->type == Attribute::Type::kInt ? a->i : fallback;
}

float attr_float(const Node& node, const std::string& name, float fallback) {
  const Attribute* a = node.attr(name);
  return a && a->type == Attribute::Type::kFloat ? a->f : fallback;
}

std::string attr_string(const Node& node, const std::string& name, const std::string& fallback) {
  const Attribute* a = node.attr(name);
  return a && a->type == Attribute::Type::kString ? a->s : fallback;
}

std::vector<int64_t> attr_ints(const Node& node, const std::string& name, std::vector<int64_t> fallback) {
  const Attribute* a = node.attr(name);
  return a && a->type == Attribute::Type::kInts ? a->ints : fallback;
}

std::vector<float> attr_floats(const Node& node, const std::string& name) {
  const Attribute* a = node.attr(name);
  return a && a->type == Attribute::Type::kFloats ? a->floats : std::vector<float>{};
}

}  // namespace skiff::ir
