// fold_affine_into_next_conv (all): a Mul, Div, Add or Sub of a float
// constant that is per input channel (a scalar, or [C,1,1]) feeding a Conv
// without padding folds into that Conv:
//
//   Conv(s * x + a) = Conv'(x) with W'[m,c,k] = W[m,c,k] * s[c] and
//   b'[m] = b[m] + sum over c,k of W[m,c,k] * a[c]
//
// Exact only without padding (zero padding pads s * x + a with zeros, not
// with a), so padded Convs are left alone. PaddleOCR's PP-LCNetV3 puts such
// a learnable scale and shift before every pointwise Conv. It sits at level
// `all` because the shift becomes a sum over the kernel: the rounding
// differs more from the original than the other folds'.
#include <cmath>

#include "passes/conv_weights.h"
#include "passes/fusion_util.h"
#include "passes/pass_list.h"

namespace skiff::passes {
namespace {

bool unpadded(const ir::Node& conv) {
  const std::string auto_pad = attr_string(conv, "auto_pad", "NOTSET");
  if (auto_pad != "NOTSET" && auto_pad != "VALID") return false;
  for (int64_t p : attr_ints(conv, "pads"))
    if (p != 0) return false;
  return true;
}

class FoldAffineIntoNextConv final : public Pass {
 public:
  const char* name() const override { return "fold_affine_into_next_conv"; }
  OptLevel level() const override { return OptLevel::kAll; }

  bool run(ir::Graph& graph, PassContext& ctx) override {
    bool changed = false;
    LazyUses lazy(graph);
    for (size_t i = 0; i < graph.nodes.size(); ++i) {
      ir::Node& conv = graph.nodes[i];
      const bool fused = conv.domain == kSkiffDomain && conv.op_type == "FusedConv";
      if (!(is_op(conv, "Conv") || fused) || !conv.has_input(0) || !unpadded(conv)) continue;
      const Tensor* w = constant_input(graph, conv, 1);
      const Tensor* b = constant_input(graph, conv, 2);
      if (!w || w->dtype() != DataType::kFloat || w->rank() < 3) continue;
      if (conv.has_input(2) && (!b || b->numel() != w->dim(0))) continue;
      const Uses& uses = lazy.get();
      const int p = uses.producer(conv.inputs[0]);
      if (p < 0 || !uses.only_read_by(conv.inputs[0], i)) continue;
      const ir::Node& op = graph.nodes[static_cast<size_t>(p)];
      const bool scale = is_op(op, "Mul") || is_op(op, "Div");
      if (!(scale || is_op(op, "Add") || is_op(op, "Sub")) || op.inputs.size() != 2) continue;
      const int64_t group = attr_int(conv, "group", 1);
      const bool commutative = is_op(op, "Mul") || is_op(op, "Add");
      for (int side = 0; side < (commutative ? 2 : 1); ++side) {
        const Tensor* c = graph.initializer(op.inputs[static_cast<size_t>(1 - side)]);
        auto values = c ? per_channel_values(*c, w->dim(1) * group, w->rank()) : std::nullopt;
        if (!values) continue;
        const std::string x = op.inputs[static_cast<size_t>(side)];
        // The value must keep the Conv input's shape (no widening broadcast).
        if (rank_of(graph, ctx, x) != w->rank()) continue;
        bool finite = true;
        for (double& v : *values) {
          if (is_op(op, "Div")) v = 1.0 / v;
          if (is_op(op, "Sub")) v = -v;
          finite = finite && std::isfinite(v);
        }
        if (!finite) continue;
        fold(graph, ctx, conv, *w, b, *values, scale, group);
        ctx.note(str_cat(op.label(), " folded into the weights of ", conv.label()));
        conv.inputs[0] = x;
        kill_node(graph.nodes[static_cast<size_t>(p)]);
        changed = true;
        lazy.changed();
        break;
      }
    }
    erase_dead_nodes(graph);
    return changed;
  }

 private:
  static void fold(ir::Graph& graph, PassContext& ctx, ir::Node& conv, const Tensor& w, const Tensor* b,
                   const std::vector<double>& values, bool scale, int64_t group) {
    const int64_t m_total = w.dim(0), c_per_group = w.dim(1), m_per_group = m_total / group;
    const int64_t kernel = w.numel() / std::max<int64_t>(1, m_total * c_per_group);
    const float* src = w.data<float>();
    auto channel = [&](int64_t m, int64_t c) { return static_cast<size_t>((m / m_per_group) * c_per_group + c); };
    if (scale) {
      Tensor scaled = w.clone();
      float* dst = scaled.data<float>();
      for (int64_t m = 0; m < m_total; ++m)
        for (int64_t c = 0; c < c_per_group; ++c)
          for (int64_t k = 0; k < kernel; ++k) {
            const int64_t at = (m * c_per_group + c) * kernel + k;
            dst[at] = static_cast<float>(src[at] * values[channel(m, c)]);
          }
      conv.inputs[1] = add_initializer(graph, ctx, conv.inputs[1], std::move(scaled));
      return;
    }
    Tensor bias(DataType::kFloat, {m_total});
    for (int64_t m = 0; m < m_total; ++m) {
      double sum = b ? b->data<float>()[m] : 0.0;
      for (int64_t c = 0; c < c_per_group; ++c)
        for (int64_t k = 0; k < kernel; ++k) sum += src[(m * c_per_group + c) * kernel + k] * values[channel(m, c)];
      bias.data<float>()[m] = static_cast<float>(sum);
    }
    if (conv.inputs.size() < 3) conv.inputs.resize(3);
    conv.inputs[2] = add_initializer(graph, ctx, b ? conv.inputs[2] : conv.inputs[1] + "_bias", std::move(bias));
  }
};

}  // namespace

std::unique_ptr<Pass> make_fold_affine_into_next_conv() { return std::make_unique<FoldAffineIntoNextConv>(); }

}  // namespace skiff::passes
