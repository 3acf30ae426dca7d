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
    return rewrite_adds_of_sole_products(
        graph, [&](size_t add_index, const std::string& m, const std::string& x, size_t mul_index) {
          ir::Node& mul = graph.nodes[mul_index];
          if (!is_op(mul, "Mul") || mul.inputs.size() != 2 || mul.outputs.size() != 1) return false;
          const int x_at = mul.inputs[0] == x ? 0 : mul.inputs[1] == x ? 1 : -1;
          if (x_at < 0 || mul.inputs[0] == mul.inputs[1] || dtype_of_value(graph, ctx, x) != DataType::kFloat ||
              dtype_of_value(graph, ctx, mul.inputs[static_cast<size_t>(1 - x_at)]) != DataType::kFloat)
            return false;
          // The Mul's place (s is known there) computes s + 1; the Add's, x * (s + 1).
          const std::string s = mul.inputs[static_cast<size_t>(1 - x_at)];
          const std::string shifted = ctx.fresh_name(graph, s + "_plus_one");
          mul.op_type = "Add";
          mul.inputs = {s, add_initializer(graph, ctx, "one", Tensor::scalar(1.0f))};
          mul.outputs = {shifted};
          ir::Node& add = graph.nodes[add_index];
          add.op_type = "Mul";
          add.inputs = {x, shifted};
          ctx.note(str_cat(add.label(), ": x + x * s became x * (s + 1)"));
          return true;
        });
  }
};

}  // namespace

std::unique_ptr<Pass> make_fold_residual_into_scale() { return std::make_unique<FoldResidualIntoScale>(); }

}  // namespace skiff::passes
