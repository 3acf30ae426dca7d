// MatMul, Gemm and com.skiff FusedGemm on oneDNN's matmul primitive.
// Constant right-hand sides are given to oneDNN as format_tag::any and
// reordered once into the packed layout it picks; batch dimensions broadcast
// as numpy does (oneDNN broadcasts dims of size 1 on either side).
#include "engines/dnnl/op.h"

namespace skiff::dnnl_engine {

namespace {

// src [.., M, K] x weights [.., K, N] (+ bias) -> dst [.., M, N], with
// ranks already equal.
struct MatmulShapes {
  dims src, weights, dst;
  bool trans_a = false, trans_b = false;
};

class MatmulOp final : public DnnlOp {
 public:
  explicit MatmulOp(const OpInfo& info)
      : gemm_(info.node.op_type != "MatMul"),
        trans_a_(attr_int(info.node, "transA", 0) != 0),
        trans_b_(attr_int(info.node, "transB", 0) != 0),
        alpha_(attr_float(info.node, "alpha", 1.f)),
        beta_(attr_float(info.node, "beta", 1.f)) {
    fused_activation(info.node, &activation_);
  }

  static bool accepts(const OpInfo& info) {
    EltwiseChain unused;
    if (info.node.op_type == "Gemm" && info.opset < 7) return false;  // legacy broadcast attribute
    return info.node.has_input(1) && fused_activation(info.node, &unused);
  }
  bool takes_post_ops() const override { return true; }

  bool build(OpBuilder& b) const override {
    Shape a = b.input_shape(0), w = b.input_shape(1);
    if (a.size() < 2 || w.size() < 2 || a.size() > 6 || w.size() > 6) return false;
    if (gemm_ && (w.size() != 2 || (a.size() != 2 && (trans_a_ || b.node().op_type == "Gemm")))) return false;
    const size_t rank = std::max(a.size(), w.size());
    a.insert(a.begin(), rank - a.size(), 1);
    w.insert(w.begin(), rank - w.size(), 1);
    const int64_t m = a[rank - (trans_a_ ? 1 : 2)], k = a[rank - (trans_a_ ? 2 : 1)];
    const int64_t kw = w[rank - (trans_b_ ? 1 : 2)], n = w[rank - (trans_b_ ? 2 : 1)];
    if (k != kw || m < 1 || n < 1 || k < 1) return false;
    Shape y(rank);
    for (size_t d = 0; d + 2 < rank; ++d) {
      if (a[d] != w[d] && a[d] != 1 && w[d] != 1) return false;
      y[d] = std::max(a[d], w[d]);
    }
    y[rank - 2] = m;
    y[rank - 1] = n;
    // The output keeps MatMul's rank (the inputs' larger one).
    const Shape out(y.begin() + static_cast<int64_t>(rank - std::max(b.input_shape(0).size(), b.input_shape(1).size())), y.end());
    if (!b.post_ops_fit(out)) return false;

    dims weight_dims(w.begin(), w.end());
    if (trans_b_) std::swap(weight_dims[rank - 1], weight_dims[rank - 2]);
    dims src_dims(a.begin(), a.end());
    if (trans_a_) std::swap(src_dims[rank - 1], src_dims[rank - 2]);
    const md src = matrix_md(src_dims, trans_a_);
    const md weights_source = matrix_md(weight_dims, trans_b_);
    const md weights = b.constant(1) ? md(weight_dims, dt::f32, tag::any) : weights_source;

    md bias;
    if (gemm_ && b.has_input(2)) {
      // beta * C as bias: C broadcast to [M, N] from [N], [1, N], [M, 1], [M, N] or a scalar.
      if (beta_ != 1.f) return false;
      Shape c = b.input_shape(2);
      if (c.size() > 2) return false;
      c.insert(c.begin(), 2 - c.size(), 1);
      if ((c[0] != 1 && c[0] != m) || (c[1] != 1 && c[1] != n)) return false;
      c.insert(c.begin(), rank - 2, 1);
      bias = plain_md(c);
    }
    dnnl::primitive_attr attr = b.attr(true, activation_);
    if (alpha_ != 1.f) {
      if (!bias.is_zero()) return false;  // oneDNN would scale the bias too
      attr.set_output_scales(0, {alpha_});
    }
    const dnnl::matmul::desc desc(src, weights, bias, plain_md(y));
    const dnnl::matmul::primitive_desc pd(desc, attr, cpu_engine());
    std::vector<std::pair<int, Arg>> args{
        {DNNL_ARG_SRC, b.input_as(0, src, src)},
        {DNNL_ARG_WEIGHTS, b.input_as(1, weights_source, pd.weights_desc())}};
    if (!bias.is_zero()) args.emplace_back(DNNL_ARG_BIAS, b.input(2, bias));
    args.emplace_back(DNNL_ARG_DST, b.alias(b.output(0, out, plain_md(out)), plain_md(y)));
    b.add(dnnl::matmul(pd), pd, std::move(args));
    return true;
  }

 private:
  bool gemm_, trans_a_, trans_b_;
  float alpha_, beta_;
  EltwiseChain activation_;
};

}  // namespace

// MatMul 9: integer types; 13: bfloat16. Gemm 7: no legacy broadcast
// attribute; 9: integers; 11: C optional; 13: bfloat16.
SKIFF_DNNL_OP("", "MatMul", 1, kLatestOpset, MatmulOp, MatmulOp::accepts);
SKIFF_DNNL_OP("", "Gemm", 7, kLatestOpset, MatmulOp, MatmulOp::accepts);
SKIFF_DNNL_OP("com.skiff", "FusedGemm", 1, 1, MatmulOp, MatmulOp::accepts);

}  // namespace skiff::dnnl_engine
