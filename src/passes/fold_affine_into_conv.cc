// fold_affine_into_conv (extended): Conv or ConvTranspose followed by Mul,
// Div, Add or Sub with a float constant that is per output channel (a
// scalar, or [M,1,1] and the like) folds into the weights and bias. PaddleOCR's
// PP-LCNetV3 follows every Conv with such a learnable scale and shift.
#include <algorithm>
#include <cmath>

#include "passes/conv_weights.h"
#include "passes/graph_util.h"
#include "passes/pass_list.h"

namespace skiff::passes {
namespace {

class FoldAffineIntoConv final : public Pass {
 public:
  const char* name() const override { return "fold_affine_into_conv"; }
  OptLevel level() const override { return OptLevel::kExtended; }

  bool run(ir::Graph& graph, PassContext& ctx) override {
    bool changed = false;
    LazyUses lazy(graph);
    for (size_t i = 0; i < graph.nodes.size(); ++i) {
      ir::Node& op = graph.nodes[i];
      const bool scale = is_op(op, "Mul") || is_op(op, "Div");
      if (!(scale || is_op(op, "Add") || is_op(op, "Sub")) || op.inputs.size() != 2 || op.outputs.size() != 1) continue;
      const Uses& uses = lazy.get();
      const bool commutative = is_op(op, "Mul") || is_op(op, "Add");
      for (int side = 0; side < (commutative ? 2 : 1); ++side) {
        const std::string& y = op.inputs[static_cast<size_t>(side)];
        const Tensor* c = graph.initializer(op.inputs[static_cast<size_t>(1 - side)]);
        const int p = uses.producer(y);
        if (!c || p < 0 || !uses.only_read_by(y, i)) continue;
        ir::Node& conv = graph.nodes[static_cast<size_t>(p)];
        const Tensor* w = constant_input(graph, conv, 1);
        const Tensor* b = constant_input(graph, conv, 2);
        if (!(is_op(conv, "Conv") || is_op(conv, "ConvTranspose")) || !w || conv.outputs.size() != 1) continue;
        const int64_t channels = output_channels(conv, *w);
        if (channels < 0) continue;
        if (conv.has_input(2) && (!b || b->dtype() != DataType::kFloat || b->numel() != channels)) continue;
        auto values = per_channel_values(*c, channels, w->rank());
        if (!values || (!scale && keeps_shift_outside(conv, *w))) continue;
        if (is_op(op, "Div"))
          for (double& v : *values) v = v == 0 ? NAN : 1.0 / v;
        if (is_op(op, "Sub"))
          for (double& v : *values) v = -v;
        if (std::any_of(values->begin(), values->end(), [](double v) { return std::isnan(v) || std::isinf(v); }))
          continue;
        fold(graph, ctx, conv, *w, b, *values, scale);
        ctx.note(str_cat(op.label(), " folded into ", conv.label()));
        conv.outputs[0] = op.outputs[0];
        kill_node(op);
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
                   const std::vector<double>& values, bool scale) {
    const int64_t channels = static_cast<int64_t>(values.size());
    Tensor bias(DataType::kFloat, {channels});
    for (int64_t m = 0; m < channels; ++m) {
      const double old = b ? b->data<float>()[m] : 0.0;
      bias.data<float>()[m] = static_cast<float>(scale ? old * values[static_cast<size_t>(m)] : old + values[static_cast<size_t>(m)]);
    }
    if (scale) {
      conv.inputs[1] = add_initializer(graph, ctx, conv.inputs[1], scale_output_channels(conv, w, values));
      if (!b) return;  // no bias: scaling zero keeps zero
    }
    conv.inputs.resize(3);
    conv.inputs[2] = add_initializer(graph, ctx, b ? conv.inputs[2] : conv.inputs[1] + "_bias", std::move(bias));
  }
};

}  // namespace

std::unique_ptr<Pass> make_fold_affine_into_conv() { return std::make_unique<FoldAffineIntoConv>(); }

}  // namespace skiff::passes
