// fold_transpose_into_gemm (extended): a 2-D Transpose feeding Gemm (or
// FusedGemm) becomes its transA / transB flag, and MatMul(A, Transpose(B))
// with a 2-D B becomes Gemm (2-D A) or FusedGemm (batched A; com.skiff, not
// in portable mode) with transB. The Transpose goes when nothing else
// reads it.
#include "passes/fusion_util.h"
#include "passes/pass_list.h"

namespace skiff::passes {
namespace {

// The input of a Transpose with perm [1, 0] producing `value`, or "".
std::string transposed_2d(const ir::Graph& graph, PassContext& ctx, const Uses& uses, const std::string& value) {
  const int p = uses.producer(value);
  if (p < 0) return "";
  const ir::Node& t = graph.nodes[static_cast<size_t>(p)];
  if (!is_op(t, "Transpose") || !t.has_input(0)) return "";
  const auto perm = attr_ints(t, "perm");
  const bool swap = perm == std::vector<int64_t>{1, 0} || (perm.empty() && rank_of(graph, ctx, t.inputs[0]) == 2);
  return swap ? t.inputs[0] : "";
}

class FoldTransposeIntoGemm final : public Pass {
 public:
  const char* name() const override { return "fold_transpose_into_gemm"; }
  OptLevel level() const override { return OptLevel::kExtended; }

  bool run(ir::Graph& graph, PassContext& ctx) override {
    bool changed = false;
    LazyUses lazy(graph);
    for (size_t i = 0; i < graph.nodes.size(); ++i) {
      ir::Node& node = graph.nodes[i];
      const bool gemm = is_op(node, "Gemm") || (node.domain == kSkiffDomain && node.op_type == "FusedGemm");
      const bool matmul = is_op(node, "MatMul") && node.inputs.size() == 2;
      if (!gemm && !matmul) continue;
      if (dtype_of_value(graph, ctx, node.inputs[0]) != DataType::kFloat) continue;
      const Uses& uses = lazy.get();
      const std::string label = node.label();
      if (matmul) {
        const std::string b = transposed_2d(graph, ctx, uses, node.inputs[1]);
        const int64_t rank_a = rank_of(graph, ctx, node.inputs[0]);
        if (b.empty() || rank_a < 2 || (rank_a > 2 && ctx.options().portable)) continue;
        ir::Node fused = node;
        if (rank_a == 2) fused.op_type = "Gemm";
        else fused = as_fused_gemm(node);
        fused.inputs.resize(2);
        fused.inputs[1] = b;
        set_attr(fused, make_attr("transB", int64_t{1}));
        if (!commit_fusion(graph, ctx, node, std::move(fused))) continue;
        ctx.note(label + " reads B untransposed (transB)");
        changed = true;
        lazy.changed();
        continue;
      }
      bool rewired = false;
      for (size_t k = 0; k < 2; ++k) {
        const std::string src = transposed_2d(graph, ctx, uses, node.inputs[k]);
        if (src.empty() || (k == 0 && rank_of(graph, ctx, node.inputs[0]) != 2)) continue;
        const char* flag = k == 0 ? "transA" : "transB";
        set_attr(node, make_attr(flag, int64_t{attr_int(node, flag, 0) == 0 ? 1 : 0}));
        node.inputs[k] = src;
        ctx.note(str_cat(label, " reads its ", k == 0 ? "A" : "B", " untransposed (", flag, ")"));
        changed = rewired = true;
      }
      if (rewired) lazy.changed();
    }
    return changed;
  }
};

}  // namespace

std::unique_ptr<Pass> make_fold_transpose_into_gemm() { return std::make_unique<FoldTransposeIntoGemm>(); }

}  // namespace skiff::passes
