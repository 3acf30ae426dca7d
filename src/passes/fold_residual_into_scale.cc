// fold_residual_into_scale (extended): x + x * s becomes x * (s + 1), the
// residual squeeze-and-excitation of PaddleOCR det's RSE neck. The Add of 1
// then runs on the small s (the dnnl engine fuses it into the op that
// makes s) instead of a full-size residual sum, which had to copy x first
// when x is read again (det 640x640, one thread: ~0.6 ms of 29). Equal under
// broadcasting; rounding differs by at most an ulp of the sum.
#include "passes/fusion_util.h"
#include "passes/pass_list.h"

namespace skiff::passes {
namespace {

class FoldResidualIntoScale final : public Pass {
 public:
  const char* name() const override { return "fold_residual_into_scale"; }
  OptLevel level() const override { return OptLevel::kExtended; }

  bool run(ir::Graph& graph, PassContext& ctx) override {
    bool changed = false;
    LazyUses lazy(graph);
    for (size_t i = 0; i < graph.nodes.size(); ++i) {
      ir::Node& add = graph.nodes[i];
      if (!is_op(add, "Add") || add.inputs.size() != 2 || add.outputs.size() != 1) continue;
      const Uses& uses = lazy.get();
      for (int side = 0; side < 2; ++side) {
        const std::string x = add.inputs[static_cast<size_t>(side)], m = add.inputs[static_cast<size_t>(1 - side)];
        const int p = uses.producer(m);
        if (p < 0 || !uses.only_read_by(m, i)) continue;
        ir::Node& mul = graph.nodes[static_cast<size_t>(p)];
        if (!is_op(mul, "Mul") || mul.inputs.size() != 2 || mul.outputs.size() != 1) continue;
        const int x_at = mul.inputs[0] == x ? 0 : mul.inputs[1] == x ? 1 : -1;
        if (x_at < 0 || mul.inputs[0] == mul.inputs[1] || dtype_of_value(graph, ctx, x) != DataType::kFloat ||
            dtype_of_value(graph, ctx, mul.inputs[static_cast<size_t>(1 - x_at)]) != DataType::kFloat)
          continue;
        // The Mul's place (s is known there) computes s + 1; the Add's, x * (s + 1).
        const std::string s = mul.inputs[static_cast<size_t>(1 - x_at)];
        const std::string shifted = ctx.fresh_name(graph, s + "_plus_one");
        mul.op_type = "Add";
        mul.inputs = {s, add_initializer(graph, ctx, "one", Tensor::scalar(1.0f))};
        mul.outputs = {shifted};
        add.op_type = "Mul";
        add.inputs = {x, shifted};
        ctx.note(str_cat(add.label(), ": x + x * s became x * (s + 1)"));
        changed = true;
        lazy.changed();
        break;
      }
    }
    return changed;
  }
};

}  // namespace

std::unique_ptr<Pass> make_fold_residual_into_scale() { return std::make_unique<FoldResidualIntoScale>(); }

}  // namespace skiff::passes
