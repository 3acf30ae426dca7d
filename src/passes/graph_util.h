// Helpers the passes share: who produces and reads each value, renaming and
// bypassing values, removing nodes, and reading constants.
#pragma once

#include <optional>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "ir/graph.h"
#include "passes/pass.h"

namespace skiff::passes {

// Producer and readers of every value of one graph, as of construction. A
// pass that rewrites keeps it valid by using tombstones (see kill_node) and
// not looking at nodes it already touched in the same sweep.
class Uses {
 public:
  explicit Uses(const ir::Graph& graph);

  // Index of the node producing `value`, or -1 (graph input, initializer).
  int producer(const std::string& value) const;
  // Nodes reading `value` (once each, in graph order), including nodes whose
  // subgraphs capture it.
  const std::vector<size_t>& readers(const std::string& value) const;
  bool is_graph_output(const std::string& value) const { return outputs_.count(value) != 0; }
  bool is_graph_input(const std::string& value) const { return inputs_.count(value) != 0; }
  // True when `value` is an intermediate that only node `reader` reads: not a
  // graph output, and no other node or subgraph reads it.
  bool only_read_by(const std::string& value, size_t reader) const;
  // True when a subgraph (of any node) captures `value`.
  bool captured(const std::string& value) const { return captured_.count(value) != 0; }

 private:
  std::unordered_map<std::string, int> producer_;
  std::unordered_map<std::string, std::vector<size_t>> readers_;
  std::unordered_set<std::string> outputs_, inputs_, captured_;
  std::vector<size_t> none_;
};

// Uses, rebuilt only when the graph changed since the last get(): a pass
// calls get() per candidate and changed() after each rewrite (after which
// references from earlier get() calls are invalid).
class LazyUses {
 public:
  explicit LazyUses(const ir::Graph& graph) : graph_(graph) {}
  const Uses& get() {
    if (!uses_) uses_.emplace(graph_);
    return *uses_;
  }
  void changed() { uses_.reset(); }

 private:
  const ir::Graph& graph_;
  std::optional<Uses> uses_;
};

// Replaces every read of `from` with `to` in graph's nodes and in the
// subgraphs that capture it. Graph outputs are not touched.
void rename_uses(ir::Graph& graph, const std::string& from, const std::string& to);

// Removes node `index`, whose output 0 equals its input 0 (Identity,
// redundant Reshape...), by sending readers of the output to the input.
// When the output is a graph output, the input's producer is made to write
// the graph output instead, if that is legal. Returns false (and changes
// nothing) when neither is legal.
bool bypass_node(ir::Graph& graph, const Uses& uses, size_t index);

// Marks a node dead; erase_dead_nodes removes all marked nodes at once.
void kill_node(ir::Node& node);
bool is_dead(const ir::Node& node);
void erase_dead_nodes(ir::Graph& graph);

// Puts nodes back in topological order (rewrites may place a node before a
// producer of one of its inputs).
void sort_nodes(ir::Graph& graph);

// The initializer feeding input `i` of `node`, or nullptr.
const Tensor* constant_input(const ir::Graph& graph, const ir::Node& node, size_t i);
// A float tensor's values as doubles (any float or integer dtype); empty when
// the dtype is not numeric.
std::vector<double> to_doubles(const Tensor& t);
// True when every element of `t` equals `v` (t numeric, non-empty).
bool all_equal_to(const Tensor& t, double v);
// The scalar value of a one-element numeric tensor.
std::optional<double> scalar_value(const Tensor& t);

// Deep equality of attributes (graphs compare unequal).
bool same_attributes(const ir::Node& a, const ir::Node& b);
bool same_tensor(const Tensor& a, const Tensor& b);

// Domain test: "" and "ai.onnx" both name the default domain.
inline bool is_onnx(const ir::Node& node) { return node.domain.empty() || node.domain == "ai.onnx"; }
inline bool is_op(const ir::Node& node, const char* op) { return is_onnx(node) && node.op_type == op; }

// Attribute accessors with defaults (src/ir).
using ir::attr_float;
using ir::attr_int;
using ir::attr_ints;
using ir::attr_string;
bool has_subgraph(const ir::Node& node);

// Attribute builders.
ir::Attribute make_attr(const std::string& name, int64_t v);
ir::Attribute make_attr(const std::string& name, float v);
ir::Attribute make_attr(const std::string& name, const std::string& v);
ir::Attribute make_attr(const std::string& name, std::vector<int64_t> v);
ir::Attribute make_attr(const std::string& name, std::vector<float> v);
void set_attr(ir::Node& node, ir::Attribute attr);  // replaces a same-named one
void remove_attr(ir::Node& node, const std::string& name);

// Adds `value` as an initializer under a fresh name based on `base`.
std::string add_initializer(ir::Graph& graph, PassContext& ctx, const std::string& base, Tensor value);

}  // namespace skiff::passes
