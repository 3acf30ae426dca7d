// fuse_matmul_add (extended): MatMul(A, B) + C, with B 2-D and C
// broadcasting into the product without widening it (a bias), becomes
// Gemm(A, B, C) when A is 2-D (standard ONNX) or FusedGemm(A, B, C) when A
// has more dims (com.skiff; skipped in portable mode).
#include "passes/fusion_util.h"
#include "passes/pass_list.h"

namespace skiff::passes {
namespace {

class FuseMatMulAdd final : public Pass {
 public:
  const char* name() const override { return "fuse_matmul_add"; }
  OptLevel level() const override { return OptLevel::kExtended; }

  bool run(ir::Graph& graph, PassContext& ctx) override {
    const bool changed = rewrite_adds_of_sole_products(
        graph, [&](size_t add_index, const std::string& y, const std::string& c, size_t matmul_index) {
          ir::Node& matmul = graph.nodes[matmul_index];
          if (!is_op(matmul, "MatMul") || matmul.inputs.size() != 2 || matmul.outputs.size() != 1) return false;
          const int64_t rank_a = rank_of(graph, ctx, matmul.inputs[0]);
          if (rank_a < 2 || rank_of(graph, ctx, matmul.inputs[1]) != 2) return false;
          if (dtype_of_value(graph, ctx, y) != DataType::kFloat || dtype_of_value(graph, ctx, c) != DataType::kFloat)
            return false;
          if (!broadcasts_into(ctx.shape_of(graph, c), ctx.shape_of(graph, y))) return false;
          ir::Node fused = matmul;
          if (rank_a == 2) {
            fused.op_type = "Gemm";
            if (ctx.opset() < 7) set_attr(fused, make_attr("broadcast", int64_t{1}));
          } else if (!ctx.options().portable) {
            fused = as_fused_gemm(matmul);
          } else {
            return false;
          }
          ir::Node& add = graph.nodes[add_index];
          fused.inputs.resize(3);
          fused.inputs[2] = c;
          fused.outputs[0] = add.outputs[0];
          if (!commit_fusion(graph, ctx, matmul, std::move(fused))) return false;
          ctx.note(str_cat(add.label(), " fused into ", matmul.label(), " as ", matmul.op_type, "'s C"));
          kill_node(add);
          return true;
        });
    erase_dead_nodes(graph);
    return changed;
  }
};

}  // namespace

std::unique_ptr<Pass> make_fuse_matmul_add() { return std::make_unique<FuseMatMulAdd>(); }

}  // namespace skiff::passes
