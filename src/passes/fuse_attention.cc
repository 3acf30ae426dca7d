// fuse_attention (extended, com.skiff): scaled dot-product attention,
//
//   Softmax([scale *] MatMul([scale *] Q, Transpose(K)) [+ mask]) @ V
//
// (scale as Mul by or Div by a scalar constant, on Q or on the scores;
// Transpose swapping the last two axes) becomes one com.skiff Attention
// node with `scale`. The softmax must be over the last axis, and Q, K and V
// must have the same rank and provably equal batch dims.
#include "passes/fusion_util.h"
#include "passes/pass_list.h"

namespace skiff::passes {
namespace {

class FuseAttention final : public Pass {
 public:
  const char* name() const override { return "fuse_attention"; }
  OptLevel level() const override { return OptLevel::kExtended; }
  bool emits_skiff_ops() const override { return true; }

  bool run(ir::Graph& graph, PassContext& ctx) override {
    bool changed = false;
    LazyUses lazy(graph);
    for (size_t i = 0; i < graph.nodes.size(); ++i) {
      if (!is_op(graph.nodes[i], "Softmax")) continue;
      const Uses& uses = lazy.get();
      if (fuse(graph, ctx, uses, i)) {
        changed = true;
        lazy.changed();
      }
    }
    erase_dead_nodes(graph);
    return changed;
  }

 private:
  struct State {
    std::vector<size_t> dead;  // nodes the fused node replaces
    double scale = 1.0;
    std::string mask;
  };

  // Multiplies state.scale when `n` is Mul/Div of `*value` by a scalar
  // constant read only by `reader`, and moves `*value` to the other operand.
  static bool take_scale(const ir::Graph& graph, const Uses& uses, size_t n, size_t reader, State& st,
                         std::string* value) {
    const ir::Node& node = graph.nodes[n];
    const bool mul = is_op(node, "Mul"), div = is_op(node, "Div");
    if ((!mul && !div) || node.inputs.size() != 2 || !uses.only_read_by(node.outputs[0], reader)) return false;
    for (int side = 0; side < (mul ? 2 : 1); ++side) {
      const Tensor* c = constant_input(graph, node, static_cast<size_t>(1 - side));
      const auto v = c && c->rank() <= 1 ? scalar_value(*c) : std::nullopt;
      if (!v || *v == 0) continue;
      st.scale *= div ? 1.0 / *v : *v;
      *value = node.inputs[static_cast<size_t>(side)];
      st.dead.push_back(n);
      return true;
    }
    return false;
  }

  static bool swaps_last_two(const ir::Node& t) {
    const auto perm = attr_ints(t, "perm");
    const size_t r = perm.size();
    if (r < 2) return false;
    for (size_t k = 0; k + 2 < r; ++k)
      if (perm[k] != static_cast<int64_t>(k)) return false;
    return perm[r - 2] == static_cast<int64_t>(r - 1) && perm[r - 1] == static_cast<int64_t>(r - 2);
  }

  bool fuse(ir::Graph& graph, PassContext& ctx, const Uses& uses, size_t softmax_index) {
    const ir::Node& softmax = graph.nodes[softmax_index];
    State st;
    st.dead.push_back(softmax_index);
    std::string scores = softmax.inputs[0];
    const int64_t rank = rank_of(graph, ctx, scores);
    const int64_t axis = attr_int(softmax, "axis", ctx.opset() >= 13 ? -1 : 1);
    if (rank < 2 || (axis != -1 && axis != rank - 1)) return false;
    // Walk up from the softmax: [+ mask], [scale], MatMul.
    size_t reader = softmax_index;
    int p = uses.producer(scores);
    if (p >= 0 && is_op(graph.nodes[p], "Add") && uses.only_read_by(scores, reader)) {
      const ir::Node& add = graph.nodes[p];
      for (int side = 0; side < 2 && st.mask.empty(); ++side) {
        const int q = uses.producer(add.inputs[static_cast<size_t>(side)]);
        if (q >= 0 && (is_op(graph.nodes[q], "MatMul") || is_op(graph.nodes[q], "Mul") || is_op(graph.nodes[q], "Div"))) {
          st.mask = add.inputs[static_cast<size_t>(1 - side)];
          scores = add.inputs[static_cast<size_t>(side)];
        }
      }
      // The mask must not widen the scores by broadcasting.
      if (st.mask.empty() || dtype_of_value(graph, ctx, st.mask) != DataType::kFloat ||
          !broadcasts_into(ctx.shape_of(graph, st.mask), ctx.shape_of(graph, scores)))
        return false;
      st.dead.push_back(static_cast<size_t>(p));
      reader = static_cast<size_t>(p);
      p = uses.producer(scores);
    }
    if (p >= 0 && take_scale(graph, uses, static_cast<size_t>(p), reader, st, &scores)) {
      reader = static_cast<size_t>(p);
      p = uses.producer(scores);
    }
    if (p < 0 || !is_op(graph.nodes[p], "MatMul") || !uses.only_read_by(scores, reader)) return false;
    const size_t qk = static_cast<size_t>(p);
    st.dead.push_back(qk);
    std::string q = graph.nodes[qk].inputs[0], kt = graph.nodes[qk].inputs[1];
    const int qp = uses.producer(q);
    if (qp >= 0) take_scale(graph, uses, static_cast<size_t>(qp), qk, st, &q);
    const int tp = uses.producer(kt);
    if (tp < 0 || !is_op(graph.nodes[tp], "Transpose") || !swaps_last_two(graph.nodes[tp])) return false;
    const std::string k = graph.nodes[tp].inputs[0];
    if (uses.only_read_by(kt, qk)) st.dead.push_back(static_cast<size_t>(tp));
    // The probabilities feed exactly one MatMul as its left operand.
    const std::string& probs = softmax.outputs[0];
    if (uses.is_graph_output(probs) || uses.captured(probs) || uses.readers(probs).size() != 1) return false;
    const size_t pv = uses.readers(probs)[0];
    const ir::Node& out = graph.nodes[pv];
    if (!is_op(out, "MatMul") || out.inputs[0] != probs || out.outputs.size() != 1) return false;
    const std::string v = out.inputs[1];
    if (!same_batch(graph, ctx, {q, k, v})) return false;
    ir::Node attention;
    attention.name = out.name.empty() ? ctx.fresh_name(graph, "attention") : out.name + "_attention";
    attention.op_type = "Attention";
    attention.domain = kSkiffDomain;
    attention.inputs = {q, k, v};
    if (!st.mask.empty()) attention.inputs.push_back(st.mask);
    attention.outputs = {out.outputs[0]};
    attention.attributes = {make_attr("scale", static_cast<float>(st.scale))};
    // Judged against the MatMul that computes the scores.
    if (!ctx.fusion_keeps_engine(graph, graph.nodes[qk], attention)) return false;
    ctx.use_skiff_domain();
    ctx.note(str_cat("Attention (scale ", st.scale, st.mask.empty() ? "" : ", masked", ") replaces ",
                     st.dead.size() + 1, " nodes ending at ", out.label()));
    for (size_t n : st.dead) kill_node(graph.nodes[n]);
    graph.nodes[pv] = std::move(attention);
    return true;
  }

  // Q, K and V: float, same rank (2 or more), equal batch dims.
  static bool same_batch(const ir::Graph& graph, PassContext& ctx, const std::vector<std::string>& values) {
    std::vector<const ShapeInfo*> s;
    for (const auto& v : values) {
      const ShapeInfo* info = ctx.shape_of(graph, v);
      if (!info || !info->dims || info->dtype != DataType::kFloat || info->dims->size() < 2) return false;
      s.push_back(info);
    }
    const size_t r = s[0]->dims->size();
    for (const auto* info : s) {
      if (info->dims->size() != r) return false;
      for (size_t d = 0; d + 2 < r; ++d)
        if (!same_dim((*info->dims)[d], (*s[0]->dims)[d])) return false;
    }
    return true;
  }
};

}  // namespace

std::unique_ptr<Pass> make_fuse_attention() { return std::make_unique<FuseAttention>(); }

}  // namespace skiff::passes
