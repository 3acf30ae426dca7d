// Internals of shape inference shared by its rule files
// (shape_inference.cc: the engine and shape-op rules; shape_rules_spatial.cc:
// Conv, pools, ConvTranspose, Resize, MatMul, Gemm).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "passes/graph_util.h"
#include "passes/shape_inference.h"

namespace skiff::passes::shape_detail {

using Dims = std::vector<ir::Dim>;

inline ir::Dim symbol(std::string text) {
  ir::Dim d;
  d.param = std::move(text);
  return d;
}

// An unknown dim with no symbol: equal to nothing, not even itself.
inline ir::Dim unknown() { return ir::Dim{}; }

// Elements of shape values (ShapeInfo::value): a literal integer (any sign)
// has no param; a symbolic element has its symbol; an unknown one has "?".
inline bool is_literal(const ir::Dim& e) { return e.param.empty(); }
inline ir::Dim literal(int64_t v) {
  ir::Dim e;
  e.value = v;
  return e;
}
inline ir::Dim dim_to_elem(const ir::Dim& d) {
  if (d.known()) return literal(d.value);
  return symbol(d.param.empty() ? "?" : d.param);
}
inline ir::Dim elem_to_dim(const ir::Dim& e) {
  if (is_literal(e)) return e.value >= 0 ? known_dim(e.value) : unknown();
  return e.param == "?" ? unknown() : e;
}

// a * b as a dim; symbolic when either is a symbol.
inline ir::Dim mul_dim(const ir::Dim& a, const ir::Dim& b) {
  if (a.known() && b.known()) return known_dim(a.value * b.value);
  if ((a.known() && a.value == 1)) return b;
  if ((b.known() && b.value == 1)) return a;
  if ((a.known() || !a.param.empty()) && (b.known() || !b.param.empty()))
    return symbol(str_cat("(", a.str(), "*", b.str(), ")"));
  return unknown();
}

inline ir::Dim add_dim(const ir::Dim& a, const ir::Dim& b) {
  if (a.known() && b.known()) return known_dim(a.value + b.value);
  if (a.known() && a.value == 0) return b;
  if (b.known() && b.value == 0) return a;
  if ((a.known() || !a.param.empty()) && (b.known() || !b.param.empty()))
    return symbol(str_cat("(", a.str(), "+", b.str(), ")"));
  return unknown();
}

// Numpy broadcasting of two dims, assuming the model is valid.
inline ir::Dim broadcast_dim(const ir::Dim& a, const ir::Dim& b) {
  if (a.known() && a.value == 1) return b;
  if (b.known() && b.value == 1) return a;
  if (same_dim(a, b)) return a;
  if (a.known()) return a;
  if (b.known()) return b;
  return unknown();
}

// Output size of a sliding window: floor((in + pads - extent) / stride) + 1,
// or ceil when ceil_mode; symbolic inputs keep a symbol, and the common
// "same size" case (stride 1, pads == extent - 1) keeps the input's symbol.
inline ir::Dim window_dim(const ir::Dim& in, int64_t pads, int64_t extent, int64_t stride, bool ceil_mode) {
  if (in.known()) {
    const int64_t span = in.value + pads - extent;
    if (span < 0 || stride <= 0) return unknown();
    return known_dim((ceil_mode ? (span + stride - 1) / stride : span / stride) + 1);
  }
  if (in.param.empty()) return unknown();
  if (stride == 1 && pads == extent - 1) return in;
  return symbol(str_cat("win(", in.param, ",", pads - extent, ",", stride, ceil_mode ? ",c)" : ")"));
}

// The node a rule infers, with what is known about its inputs.
struct Node {
  const ir::Node& node;
  int64_t opset;
  const ir::Graph& graph;
  std::map<std::string, ShapeInfo>& known;

  const ShapeInfo* in(size_t i) const {
    if (!node.has_input(i)) return nullptr;
    auto it = known.find(node.inputs[i]);
    return it == known.end() ? nullptr : &it->second;
  }
  const Dims* dims(size_t i) const {
    const ShapeInfo* s = in(i);
    return s && s->dims ? &*s->dims : nullptr;
  }
  DataType dtype(size_t i) const {
    const ShapeInfo* s = in(i);
    return s ? s->dtype : DataType::kUndefined;
  }
  const Tensor* constant(size_t i) const { return constant_input(graph, node, i); }
  // Integer elements of input i when they are all known.
  std::optional<std::vector<int64_t>> ints(size_t i) const {
    const ShapeInfo* s = in(i);
    if (!s || !s->value) return std::nullopt;
    std::vector<int64_t> v;
    for (const auto& e : *s->value) {
      if (!is_literal(e)) return std::nullopt;
      v.push_back(e.value);
    }
    return v;
  }
  void set(size_t i, DataType dtype, std::optional<Dims> dims,
           std::optional<Dims> value = std::nullopt) {
    if (i >= node.outputs.size() || node.outputs[i].empty()) return;
    ShapeInfo& s = known[node.outputs[i]];
    s.dtype = dtype;
    s.dims = std::move(dims);
    s.value = std::move(value);
  }
  void same_as_input(size_t out, size_t input, DataType dtype = DataType::kUndefined) {
    const ShapeInfo* s = in(input);
    if (!s) return;
    set(out, dtype == DataType::kUndefined ? s->dtype : dtype, s->dims);
  }
};

// Rules in shape_rules_spatial.cc.
void infer_conv(Node& n, bool pool);
void infer_conv_transpose(Node& n);
void infer_resize(Node& n);
void infer_matmul(Node& n);
void infer_gemm(Node& n, bool fused);

}  // namespace skiff::passes::shape_detail
