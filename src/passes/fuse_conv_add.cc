// fuse_conv_add (extended, com.skiff): Conv + Add of a value with exactly
// the Conv output's shape (a residual) becomes FusedConv with Z, so the sum
// is done in the Conv's epilogue. Shapes must be provably equal (shape
// inference, symbols included): FusedConv's Z does not broadcast.
#include "passes/fusion_util.h"
#include "passes/pass_list.h"

namespace skiff::passes {
namespace {

class FuseConvAdd final : public Pass {
 public:
  const char* name() const override { return "fuse_conv_add"; }
  OptLevel level() const override { return OptLevel::kExtended; }
  bool emits_skiff_ops() const override { return true; }

  bool run(ir::Graph& graph, PassContext& ctx) override {
    const bool changed = rewrite_adds_of_sole_products(
        graph, [&](size_t add_index, const std::string& y, const std::string& z, size_t conv_index) {
          ir::Node& conv = graph.nodes[conv_index];
          const bool fusable = is_op(conv, "Conv") ||
                               (conv.op_type == "FusedConv" && conv.domain == kSkiffDomain && !conv.has_input(3) &&
                                !has_activation(conv));
          if (!fusable || conv.outputs.size() != 1 || dtype_of_value(graph, ctx, y) != DataType::kFloat) return false;
          const ShapeInfo* ys = ctx.shape_of(graph, y);
          const ShapeInfo* zs = ctx.shape_of(graph, z);
          if (!ys || !zs || !ys->dims || !zs->dims || !same_dims(*ys->dims, *zs->dims) ||
              zs->dtype != DataType::kFloat)
            return false;
          ir::Node& add = graph.nodes[add_index];
          ir::Node fused = as_fused_conv(conv);
          fused.inputs[3] = z;
          fused.outputs[0] = add.outputs[0];
          if (!commit_fusion(graph, ctx, conv, std::move(fused))) return false;
          ctx.note(str_cat(add.label(), " fused into ", conv.label(), " as its residual input Z"));
          kill_node(add);
          return true;
        });
    erase_dead_nodes(graph);
    return changed;
  }
};

}  // namespace

std::unique_ptr<Pass> make_fuse_conv_add() { return std::make_unique<FuseConvAdd>(); }

}  // namespace skiff::passes
