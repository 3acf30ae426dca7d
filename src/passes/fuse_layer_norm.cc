// fuse_layer_norm (extended): the expansion exporters write for layer
// normalization over the trailing axes,
//
//   m = ReduceMean(x); d = x - m; v = ReduceMean(d^2 or d*d);
//   y = d / Sqrt(v + epsilon) [* gamma] [+ beta]
//
// becomes one LayerNormalization: ONNX's own at opset 17 and later, else
// com.skiff's (same semantics; not in portable mode). PaddleOCR's
// recognizer has five.
#include <algorithm>

#include "passes/fusion_util.h"
#include "passes/pass_list.h"

namespace skiff::passes {
namespace {

// The reduced axes of a ReduceMean with keepdims, normalized when `rank` is
// known; nullopt when they are not constants or keepdims is 0.
std::optional<std::vector<int64_t>> reduce_axes(const ir::Graph& graph, const ir::Node& n, int64_t opset) {
  if (!is_op(n, "ReduceMean") || attr_int(n, "keepdims", 1) != 1) return std::nullopt;
  if (opset < 18) return attr_ints(n, "axes");
  const Tensor* t = constant_input(graph, n, 1);
  if (!t) return std::nullopt;
  std::vector<int64_t> axes;
  for (double v : to_doubles(*t)) axes.push_back(static_cast<int64_t>(v));
  return axes;
}

// The first normalized axis when `axes` are the trailing `axes.size()` axes
// of a rank-`rank` tensor (negative form when the rank is unknown).
std::optional<int64_t> trailing_axis(std::vector<int64_t> axes, int64_t rank) {
  if (axes.empty()) return std::nullopt;
  const int64_t k = static_cast<int64_t>(axes.size());
  for (auto& a : axes) {
    if (a >= 0 && rank < 0) return std::nullopt;
    if (a >= 0) a -= rank;
  }
  std::sort(axes.begin(), axes.end());
  for (int64_t i = 0; i < k; ++i)
    if (axes[static_cast<size_t>(i)] != i - k) return std::nullopt;
  return -k;
}

struct Match {
  std::vector<size_t> nodes;
  std::string x, output, gamma, beta;
  float epsilon = 0;
  int64_t axis = -1;
};

class FuseLayerNorm final : public Pass {
 public:
  const char* name() const override { return "fuse_layer_norm"; }
  OptLevel level() const override { return OptLevel::kExtended; }

  bool run(ir::Graph& graph, PassContext& ctx) override {
    const bool standard = ctx.opset() >= 17;
    if (!standard && ctx.options().portable) return false;
    bool changed = false;
    LazyUses lazy(graph);
    for (size_t i = 0; i < graph.nodes.size(); ++i) {
      if (is_dead(graph.nodes[i])) continue;
      const Uses& uses = lazy.get();
      auto m = match(graph, ctx, uses, i);
      if (!m) continue;
      ir::Node ln;
      ln.name = graph.nodes[i].name.empty() ? ctx.fresh_name(graph, "layer_norm") : graph.nodes[i].name + "_ln";
      ln.op_type = "LayerNormalization";
      if (!standard) ln.domain = kSkiffDomain;
      ln.inputs = {m->x, m->gamma};
      if (!m->beta.empty()) ln.inputs.push_back(m->beta);
      ln.outputs = {m->output};
      ln.attributes = {make_attr("axis", m->axis), make_attr("epsilon", m->epsilon)};
      if (!ctx.fusion_keeps_engine(graph, graph.nodes[i], ln)) continue;
      if (!standard) ctx.use_skiff_domain();
      ctx.note(str_cat("LayerNormalization over axis ", m->axis, " replaces ", m->nodes.size(), " nodes from ",
                       graph.nodes[i].label()));
      for (size_t k : m->nodes) kill_node(graph.nodes[k]);
      graph.nodes[m->nodes.back()] = std::move(ln);
      changed = true;
      lazy.changed();
    }
    erase_dead_nodes(graph);
    return changed;
  }

 private:
  // Matches the expansion starting at the first ReduceMean (node i).
  std::optional<Match> match(ir::Graph& graph, PassContext& ctx, const Uses& uses, size_t i) {
    const ir::Node& mean = graph.nodes[i];
    const auto axes = reduce_axes(graph, mean, ctx.opset());
    if (!axes || mean.outputs.size() != 1 || !mean.has_input(0)) return std::nullopt;
    Match m;
    m.x = mean.inputs[0];
    if (dtype_of_value(graph, ctx, m.x) != DataType::kFloat) return std::nullopt;
    const auto axis = trailing_axis(*axes, rank_of(graph, ctx, m.x));
    if (!axis) return std::nullopt;
    m.axis = *axis;
    m.nodes.push_back(i);
    auto next = [&](const std::string& v) -> const ir::Node* {
      if (uses.is_graph_output(v) || uses.captured(v) || uses.readers(v).size() != 1) return nullptr;
      m.nodes.push_back(uses.readers(v)[0]);
      return &graph.nodes[uses.readers(v)[0]];
    };
    const ir::Node* sub = next(mean.outputs[0]);
    if (!sub || !is_op(*sub, "Sub") || sub->inputs.size() != 2 || sub->inputs[0] != m.x) return std::nullopt;
    const std::string d = sub->outputs[0];
    const auto& d_readers = uses.readers(d);
    if (uses.is_graph_output(d) || d_readers.size() != 2) return std::nullopt;
    // d feeds the square (Pow(d, 2) or Mul(d, d)) and the division.
    const ir::Node *square = nullptr, *div = nullptr;
    for (size_t r : d_readers) {
      const ir::Node& n = graph.nodes[r];
      const Tensor* two = is_op(n, "Pow") ? constant_input(graph, n, 1) : nullptr;
      if ((two && scalar_value(*two) == 2.0 && n.inputs[0] == d) ||
          (is_op(n, "Mul") && n.inputs.size() == 2 && n.inputs[0] == d && n.inputs[1] == d)) {
        square = &n;
      } else if (is_op(n, "Div") && n.inputs.size() == 2 && n.inputs[0] == d) {
        div = &n;
      }
      m.nodes.push_back(r);
    }
    if (!square || !div) return std::nullopt;
    const ir::Node* var = next(square->outputs[0]);
    if (!var || reduce_axes(graph, *var, ctx.opset()) != axes) return std::nullopt;
    const ir::Node* add = next(var->outputs[0]);
    const Tensor* eps = add && is_op(*add, "Add") && add->inputs.size() == 2 ? constant_input(graph, *add, 1) : nullptr;
    if (!eps || add->inputs[0] != var->outputs[0] || !scalar_value(*eps)) return std::nullopt;
    m.epsilon = static_cast<float>(*scalar_value(*eps));
    const ir::Node* sqrt = next(add->outputs[0]);
    if (!sqrt || !is_op(*sqrt, "Sqrt") || !next(sqrt->outputs[0]) || m.nodes.back() != index_of(graph, div))
      return std::nullopt;
    m.nodes.pop_back();  // div was taken with d's readers
    m.output = div->outputs[0];
    // Optional affine: * gamma, + beta (constants, either operand order).
    if (const ir::Node* mul = affine(graph, uses, m.output, "Mul")) {
      m.gamma = weight(graph, ctx, *mul, m.output, m.axis);
      if (m.gamma.empty()) return std::nullopt;
      m.nodes.push_back(index_of(graph, mul));
      m.output = mul->outputs[0];
      if (const ir::Node* plus = affine(graph, uses, m.output, "Add")) {
        m.beta = weight(graph, ctx, *plus, m.output, m.axis);
        if (m.beta.empty()) return std::nullopt;
        m.nodes.push_back(index_of(graph, plus));
        m.output = plus->outputs[0];
      }
    }
    if (m.gamma.empty()) {
      // LayerNormalization needs a Scale: ones over the normalized dims.
      const ShapeInfo* s = ctx.shape_of(graph, m.x);
      if (!s || !s->dims) return std::nullopt;
      Shape normalized;
      for (size_t k = s->dims->size() + static_cast<size_t>(m.axis); k < s->dims->size(); ++k) {
        if (!(*s->dims)[k].known()) return std::nullopt;
        normalized.push_back((*s->dims)[k].value);
      }
      Tensor ones(DataType::kFloat, normalized);
      std::fill(ones.data<float>(), ones.data<float>() + ones.numel(), 1.0f);
      m.gamma = add_initializer(graph, ctx, "layer_norm_scale", std::move(ones));
    }
    // The fused node goes where the last node of the pattern was: every
    // input (x, gamma, beta) is ready there.
    std::sort(m.nodes.begin(), m.nodes.end());
    return m;
  }

  static size_t index_of(const ir::Graph& graph, const ir::Node* n) {
    return static_cast<size_t>(n - graph.nodes.data());
  }

  // The single reader of `v` when it is `op`(v, constant) in either order.
  static const ir::Node* affine(const ir::Graph& graph, const Uses& uses, const std::string& v, const char* op) {
    if (uses.is_graph_output(v) || uses.captured(v) || uses.readers(v).size() != 1) return nullptr;
    const ir::Node& n = graph.nodes[uses.readers(v)[0]];
    if (!is_op(n, op) || n.inputs.size() != 2 || n.outputs.size() != 1) return nullptr;
    const std::string& other = n.inputs[0] == v ? n.inputs[1] : n.inputs[0];
    return graph.is_initializer(other) && (n.inputs[0] == v || n.inputs[1] == v) ? &n : nullptr;
  }

  // The constant operand of an affine node as a LayerNormalization Scale or
  // B: leading dims of 1 beyond the normalized rank are dropped (a [1,1,C]
  // gamma becomes [C]). "" when it varies outside the normalized axes.
  static std::string weight(ir::Graph& graph, PassContext& ctx, const ir::Node& n, const std::string& v,
                            int64_t axis) {
    const std::string& name = n.inputs[0] == v ? n.inputs[1] : n.inputs[0];
    const Tensor& t = *graph.initializer(name);
    if (t.dtype() != DataType::kFloat) return "";
    const int64_t k = -axis;
    if (t.rank() <= k) return name;
    for (int64_t d = 0; d < t.rank() - k; ++d)
      if (t.dim(d) != 1) return "";
    return add_initializer(graph, ctx, name, t.reshaped(Shape(t.shape().end() - k, t.shape().end())));
  }
};

}  // namespace

std::unique_ptr<Pass> make_fuse_layer_norm() { return std::make_unique<FuseLayerNorm>(); }

}  // namespace skiff::passes
