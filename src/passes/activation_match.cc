#include "passes/activation_match.h"

#include <algorithm>
#include <cfloat>
#include <cmath>

namespace skiff::passes {
namespace {

// Walks a pattern: each step names the one node that reads a value, and
// every value the walk passes through must have no other reader.
struct Walk {
  const ir::Graph& graph;
  const Uses& uses;
  std::vector<size_t> nodes;

  // The node reading `value`, when it is the only reader.
  const ir::Node* only_reader(const std::string& value, size_t* index = nullptr) {
    if (uses.is_graph_output(value) || uses.captured(value)) return nullptr;
    const auto& r = uses.readers(value);
    if (r.size() != 1) return nullptr;
    if (index) *index = r[0];
    return &graph.nodes[r[0]];
  }
  // Accepts `node` (at `index`) into the match; returns its single output.
  const std::string* take(const ir::Node* node, size_t index) {
    if (!node || node->outputs.size() != 1 || node->outputs[0].empty()) return nullptr;
    nodes.push_back(index);
    return &node->outputs[0];
  }
  // `node` is a binary op over `value` and a scalar constant equal to c
  // (within tol); `either` allows the constant on either side.
  bool binary_with(const ir::Node& node, const char* op, const std::string& value, double c, double tol,
                   bool either) const {
    if (!is_op(node, op) || node.inputs.size() != 2) return false;
    for (int side = 0; side < (either ? 2 : 1); ++side) {
      if (node.inputs[static_cast<size_t>(side)] != value) continue;
      const Tensor* t = constant_input(graph, node, static_cast<size_t>(1 - side));
      const auto v = t ? scalar_value(*t) : std::nullopt;
      if (v && std::fabs(*v - c) <= tol) return true;
    }
    return false;
  }
  // `node` reads exactly a and b, in either order.
  static bool reads_both(const ir::Node& node, const std::string& a, const std::string& b) {
    return node.inputs.size() == 2 &&
           ((node.inputs[0] == a && node.inputs[1] == b) || (node.inputs[0] == b && node.inputs[1] == a));
  }
  static bool mul_of(const ir::Node& node, const std::string& a, const std::string& b) {
    return is_op(node, "Mul") && reads_both(node, a, b);
  }
};

std::optional<float> clip_bound(const ir::Graph& graph, const ir::Node& clip, int64_t opset, size_t input,
                                const char* attr, float fallback) {
  if (opset < 11) return attr_float(clip, attr, fallback);
  if (!clip.has_input(input)) return fallback;
  const Tensor* t = constant_input(graph, clip, input);
  const auto v = t ? scalar_value(*t) : std::nullopt;
  if (!v) return std::nullopt;
  return static_cast<float>(*v);
}

// Relu, LeakyRelu, Clip... as one node reading `value`.
std::optional<ActivationMatch> single_op(const ir::Graph& graph, const ir::Node& n, size_t index, int64_t opset) {
  if (!is_onnx(n) || n.outputs.size() != 1 || n.outputs[0].empty()) return std::nullopt;
  ActivationMatch m;
  m.output = n.outputs[0];
  m.nodes = {index};
  const std::string& op = n.op_type;
  if (op == "Relu" || op == "Sigmoid" || op == "Tanh" || op == "HardSwish") {
    m.activation = op;
  } else if (op == "LeakyRelu") {
    m.activation = op;
    m.params = {attr_float(n, "alpha", 0.01f)};
  } else if (op == "HardSigmoid") {
    m.activation = op;
    m.params = {attr_float(n, "alpha", 0.2f), attr_float(n, "beta", 0.5f)};
  } else if (op == "Gelu") {
    m.activation = attr_string(n, "approximate", "none") == "tanh" ? "GeluTanh" : "Gelu";
  } else if (op == "Clip") {
    const auto lo = clip_bound(graph, n, opset, 1, "min", -FLT_MAX);
    const auto hi = clip_bound(graph, n, opset, 2, "max", FLT_MAX);
    if (!lo || !hi) return std::nullopt;
    m.activation = op;
    m.params = {*lo, *hi};
  } else {
    return std::nullopt;
  }
  return m;
}

// The tail shared by GELU's forms: given `half` = 1 + erf(..) or
// 1 + tanh(..), the output is 0.5 * x * half in one of three orders.
std::optional<std::string> gelu_tail(Walk& w, const std::string& x, const std::string& half,
                                     const std::vector<size_t>& x_readers) {
  size_t i = 0;
  const ir::Node* n = w.only_reader(half, &i);
  if (!n) return std::nullopt;
  if (Walk::mul_of(*n, x, half)) {  // (x * half) * 0.5
    const std::string* xm = w.take(n, i);
    size_t j = 0;
    const ir::Node* h = xm ? w.only_reader(*xm, &j) : nullptr;
    if (h && w.binary_with(*h, "Mul", *xm, 0.5, 1e-7, true)) {
      const std::string* out = w.take(h, j);
      if (out) return *out;
    }
    return std::nullopt;
  }
  // (x * 0.5) * half: the other reader of x is Mul(x, 0.5).
  for (size_t r : x_readers) {
    const ir::Node& xh = w.graph.nodes[r];
    if (!w.binary_with(xh, "Mul", x, 0.5, 1e-7, true) || xh.outputs.size() != 1) continue;
    if (!Walk::mul_of(*n, xh.outputs[0], half)) continue;
    const std::string* half_x = w.take(&xh, r);
    if (!half_x || !w.only_reader(*half_x)) return std::nullopt;
    const std::string* out = w.take(n, i);
    if (out) return *out;
  }
  return std::nullopt;
}

std::optional<ActivationMatch> expanded(const ir::Graph& graph, const Uses& uses, const std::string& x,
                                        int64_t opset) {
  const auto& readers = uses.readers(x);
  constexpr double kSqrt2 = 1.4142135623730951, kSqrt2OverPi = 0.7978845608028654;
  for (size_t r : readers) {
    Walk w{graph, uses, {}};
    const ir::Node& first = graph.nodes[r];
    const std::string* v = w.take(&first, r);
    if (!v) continue;
    size_t i = 0;
    ActivationMatch m;
    if (is_op(first, "Sigmoid") || is_op(first, "HardSigmoid")) {
      // x * Sigmoid(x) = SiLU; x * HardSigmoid(x; 1/6, 1/2) = HardSwish.
      if (is_op(first, "HardSigmoid") && (std::fabs(attr_float(first, "alpha", 0.2f) - 1.0f / 6) > 1e-6f ||
                                          attr_float(first, "beta", 0.5f) != 0.5f))
        continue;
      const ir::Node* mul = w.only_reader(*v, &i);
      if (!mul || !Walk::mul_of(*mul, x, *v)) continue;
      m.activation = is_op(first, "Sigmoid") ? "Silu" : "HardSwish";
      m.output = *w.take(mul, i);
    } else if (w.binary_with(first, "Add", x, 3.0, 0, true)) {
      // x * Clip(x + 3, 0, 6) / 6 (or * 1/6), and x * (Clip(..) / 6).
      const ir::Node* clip = w.only_reader(*v, &i);
      if (!clip || !is_op(*clip, "Clip") || clip->inputs[0] != *v) continue;
      if (clip_bound(graph, *clip, opset, 1, "min", -FLT_MAX) != 0.0f ||
          clip_bound(graph, *clip, opset, 2, "max", FLT_MAX) != 6.0f)
        continue;
      const std::string* c = w.take(clip, i);
      const ir::Node* next = c ? w.only_reader(*c, &i) : nullptr;
      if (!next) continue;
      const std::string* scaled = nullptr;
      if (Walk::mul_of(*next, x, *c)) {
        const std::string* prod = w.take(next, i);
        const ir::Node* div = prod ? w.only_reader(*prod, &i) : nullptr;
        if (div && (w.binary_with(*div, "Div", *prod, 6.0, 0, false) ||
                    w.binary_with(*div, "Mul", *prod, 1.0 / 6, 1e-7, true)))
          scaled = w.take(div, i);
      } else if (w.binary_with(*next, "Div", *c, 6.0, 0, false) || w.binary_with(*next, "Mul", *c, 1.0 / 6, 1e-7, true)) {
        const std::string* q = w.take(next, i);
        const ir::Node* mul = q ? w.only_reader(*q, &i) : nullptr;
        if (mul && Walk::mul_of(*mul, x, *q)) scaled = w.take(mul, i);
      }
      if (!scaled) continue;
      m.activation = "HardSwish";
      m.output = *scaled;
    } else if (w.binary_with(first, "Div", x, kSqrt2, 1e-5, false) ||
               w.binary_with(first, "Mul", x, 1 / kSqrt2, 1e-6, true)) {
      // 0.5 * x * (1 + erf(x / sqrt(2)))
      const ir::Node* erf = w.only_reader(*v, &i);
      if (!erf || !is_op(*erf, "Erf")) continue;
      const std::string* e = w.take(erf, i);
      const ir::Node* add = e ? w.only_reader(*e, &i) : nullptr;
      if (!add || !w.binary_with(*add, "Add", *e, 1.0, 0, true)) continue;
      auto out = gelu_tail(w, x, *w.take(add, i), readers);
      if (!out) continue;
      m.activation = "Gelu";
      m.output = *out;
    } else if (w.binary_with(first, "Pow", x, 3.0, 0, false)) {
      // 0.5 * x * (1 + tanh(sqrt(2/pi) * (x + 0.044715 * x^3)))
      const ir::Node* cube = w.only_reader(*v, &i);
      if (!cube || !w.binary_with(*cube, "Mul", *v, 0.044715, 1e-6, true)) continue;
      const std::string* c = w.take(cube, i);
      const ir::Node* sum = w.only_reader(*c, &i);
      if (!sum || !is_op(*sum, "Add") || !Walk::reads_both(*sum, x, *c))
        continue;
      const std::string* s = w.take(sum, i);
      const ir::Node* scale = w.only_reader(*s, &i);
      if (!scale || !w.binary_with(*scale, "Mul", *s, kSqrt2OverPi, 1e-6, true)) continue;
      const std::string* u = w.take(scale, i);
      const ir::Node* tanh = w.only_reader(*u, &i);
      if (!tanh || !is_op(*tanh, "Tanh")) continue;
      const std::string* t = w.take(tanh, i);
      const ir::Node* add = w.only_reader(*t, &i);
      if (!add || !w.binary_with(*add, "Add", *t, 1.0, 0, true)) continue;
      auto out = gelu_tail(w, x, *w.take(add, i), readers);
      if (!out) continue;
      m.activation = "GeluTanh";
      m.output = *out;
    } else {
      continue;
    }
    // Every reader of x must be part of the pattern.
    bool all = true;
    for (size_t rr : readers) all = all && std::find(w.nodes.begin(), w.nodes.end(), rr) != w.nodes.end();
    if (!all) continue;
    m.nodes = w.nodes;
    return m;
  }
  return std::nullopt;
}

}  // namespace

std::optional<ActivationMatch> match_activation(const ir::Graph& graph, const Uses& uses, const std::string& value,
                                                int64_t opset) {
  if (uses.is_graph_output(value) || uses.captured(value)) return std::nullopt;
  const auto& readers = uses.readers(value);
  if (readers.size() == 1) {
    const ir::Node& n = graph.nodes[readers[0]];
    if (n.inputs.size() >= 1 && n.inputs[0] == value)
      if (auto m = single_op(graph, n, readers[0], opset)) return m;
  }
  return expanded(graph, uses, value, opset);
}

}  // namespace skiff::passes
