// skiff's graph IR, independent of protobuf. Edges are value names, as in
// ONNX, so passes can rewrite the graph with plain string edits; the runtime
// turns names into slots once, when it compiles a plan.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/tensor.h"

namespace skiff::ir {

// One dimension of a declared shape: a number, a symbol ("batch") or unknown.
struct Dim {
  int64_t value = -1;  // >= 0 when known
  std::string param;   // symbolic name, when given
  bool known() const { return value >= 0; }
  std::string str() const { return known() ? std::to_string(value) : (param.empty() ? "?" : param); }
};

// The declared type of a value: tensor(dtype, shape), sequence(T), optional(T).
struct TypeInfo {
  enum class Kind : uint8_t { kUnknown, kTensor, kSequence, kOptional, kMap };
  Kind kind = Kind::kUnknown;
  DataType dtype = DataType::kUndefined;  // tensor element type
  std::optional<std::vector<Dim>> shape;  // nullopt: rank unknown
  std::shared_ptr<TypeInfo> elem;         // for sequence and optional
  std::string str() const;                // "float[batch,3,?,?]", "seq(int64[?])"
};

struct ValueInfo {
  std::string name;
  TypeInfo type;
  std::string doc;
};

class Graph;

struct Attribute {
  enum class Type : uint8_t {
    kUndefined, kFloat, kInt, kString, kTensor, kGraph, kFloats, kInts, kStrings, kTensors,
    kGraphs, kSparseTensor, kTypeProto, kSparseTensors, kTypeProtos
  };
  std::string name;
  Type type = Type::kUndefined;
  float f = 0;
  int64_t i = 0;
  std::string s;
  Tensor t;
  std::shared_ptr<Graph> g;
  std::vector<float> floats;
  std::vector<int64_t> ints;
  std::vector<std::string> strings;
  std::vector<Tensor> tensors;
  std::vector<std::shared_ptr<Graph>> graphs;
  TypeInfo type_proto;
  std::string ref_attr_name;  // inside a function body: refers to the caller's attribute
};

const char* attr_type_name(Attribute::Type t);

struct Node {
  std::string name;
  std::string op_type;
  std::string domain;                // "" is the default ONNX domain ("ai.onnx")
  std::vector<std::string> inputs;   // "" marks an omitted optional input
  std::vector<std::string> outputs;  // "" marks an unused optional output
  std::vector<Attribute> attributes;
  std::string doc;

  const Attribute* attr(const std::string& attr_name) const;
  bool has_input(size_t i) const { return i < inputs.size() && !inputs[i].empty(); }
  bool has_output(size_t i) const { return i < outputs.size() && !outputs[i].empty(); }
  // "Conv node 'conv_12'" (or "Conv node #12" when unnamed), for messages.
  std::string label() const;
};

class Graph {
 public:
  std::string name;
  std::vector<Node> nodes;
  std::vector<ValueInfo> inputs;   // excludes initializers, as in ONNX IR >= 4
  std::vector<ValueInfo> outputs;
  std::vector<ValueInfo> value_info;
  std::map<std::string, Tensor> initializers;  // includes folded Constant nodes
  std::string doc;

  bool is_initializer(const std::string& value) const { return initializers.count(value) != 0; }
  const Tensor* initializer(const std::string& value) const;
  const ValueInfo* find_input(const std::string& value) const;
  // Node indices in an order where each node follows its producers. Throws
  // kInvalidModel naming the nodes of a cycle.
  std::vector<size_t> topological_order() const;
  // Names this graph (or its nested subgraphs) reads but does not define:
  // the values it captures from enclosing scopes.
  std::vector<std::string> free_values() const;
};

struct Model {
  std::string path;  // where it was loaded from, for messages ("" when from bytes)
  int64_t ir_version = 0;
  std::string producer_name;
  std::string producer_version;
  std::string domain;
  int64_t model_version = 0;
  std::string doc;
  std::map<std::string, int64_t> opsets;  // domain ("" for ai.onnx) -> version
  std::map<std::string, std::string> metadata;
  Graph graph;

  int64_t opset(const std::string& op_domain) const;  // 0 when not imported
};

// Attribute values read straight from a node, `fallback` when the node has
// no such attribute of that type (passes and region ops read the graph, not
// a KernelInfo).
int64_t attr_int(const Node& node, const std::string& name, int64_t fallback);
float attr_float(const Node& node, const std::string& name, float fallback);
std::string attr_string(const Node& node, const std::string& name, const std::string& fallback);
std::vector<int64_t> attr_ints(const Node& node, const std::string& name, std::vector<int64_t> fallback = {});
std::vector<float> attr_floats(const Node& node, const std::string& name);

}  // namespace skiff::ir
