// com.skiff Attention (docs/skiff_ops.md): softmax(scale * Q·Kᵀ + mask)·V as
// two oneDNN matmuls around a softmax. Kᵀ is a strided view of K (no copy);
// the scale is the first matmul's output scale and the mask its binary
// post-op; the scores live in a temporary of the region's arena.
#include <cmath>

#include "engines/dnnl/op.h"

namespace skiff::dnnl_engine {

namespace {

class AttentionOp final : public DnnlOp {
 public:
  explicit AttentionOp(const OpInfo& info)
      : has_scale_(info.node.attr("scale") != nullptr), scale_(attr_float(info.node, "scale", 1.f)) {}

  bool build(OpBuilder& b) const override {
    const Shape& q = b.input_shape(0);
    const Shape& k = b.input_shape(1);
    const Shape& v = b.input_shape(2);
    const size_t rank = q.size();
    if (rank < 2 || rank > 6 || k.size() != rank || v.size() != rank) return false;
    for (size_t d = 0; d + 2 < rank; ++d)
      if (k[d] != q[d] || v[d] != q[d]) return false;
    const int64_t lq = q[rank - 2], depth = q[rank - 1], lk = k[rank - 2], dv = v[rank - 1];
    if (k[rank - 1] != depth || v[rank - 2] != lk || lq < 1 || lk < 1 || depth < 1 || dv < 1) return false;
    Shape scores = q;
    scores[rank - 1] = lk;
    Shape y = q;
    y[rank - 1] = dv;

    dnnl::primitive_attr score_attr = b.attr(false);
    const float scale = has_scale_ ? scale_ : 1.f / std::sqrt(static_cast<float>(depth));
    score_attr.set_output_scales(0, {scale});
    md mask;
    if (b.has_input(3)) {
      Shape m = b.input_shape(3);
      if (m.size() > rank) return false;
      m.insert(m.begin(), rank - m.size(), 1);
      for (size_t d = 0; d < rank; ++d)
        if (m[d] != 1 && m[d] != scores[d]) return false;
      mask = plain_md(m);
      dnnl::post_ops ops;
      ops.append_binary(dnnl::algorithm::binary_add, mask);
      score_attr.set_post_ops(ops);
    }
    dims kt = to_dims(k);
    std::swap(kt[rank - 1], kt[rank - 2]);
    const md key_t = matrix_md(kt, true);
    const dnnl::matmul::primitive_desc score_pd(dnnl::matmul::desc(plain_md(q), key_t, plain_md(scores)), score_attr,
                                                cpu_engine());
    const dnnl::softmax_forward::primitive_desc softmax_pd(
        dnnl::softmax_forward::desc(dnnl::prop_kind::forward_inference, plain_md(scores), static_cast<int>(rank - 1)),
        b.attr(false), cpu_engine());
    const dnnl::matmul::primitive_desc out_pd(dnnl::matmul::desc(plain_md(scores), plain_md(v), plain_md(y)),
                                              b.attr(false), cpu_engine());

    const Arg score = b.temporary(plain_md(scores));
    std::vector<std::pair<int, Arg>> args{{DNNL_ARG_SRC, b.input(0, plain_md(q))},
                                          {DNNL_ARG_WEIGHTS, b.alias(b.input(1, plain_md(k)), key_t)},
                                          {DNNL_ARG_DST, score}};
    if (b.has_input(3))
      args.emplace_back(DNNL_ARG_ATTR_MULTIPLE_POST_OP(0) | DNNL_ARG_SRC_1, b.input(3, mask));
    b.add(dnnl::matmul(score_pd), score_pd, std::move(args));
    b.add(dnnl::softmax_forward(softmax_pd), softmax_pd, {{DNNL_ARG_SRC, score}, {DNNL_ARG_DST, score}});
    const Arg values = b.input(2, plain_md(v));
    b.add(dnnl::matmul(out_pd), out_pd,
          {{DNNL_ARG_SRC, score}, {DNNL_ARG_WEIGHTS, values}, {DNNL_ARG_DST, b.output(0, y, plain_md(y))}});
    return true;
  }

 private:
  bool has_scale_;
  float scale_;
};

}  // namespace

SKIFF_DNNL_OP("com.skiff", "Attention", 1, 1, AttentionOp, accept_all);

}  // namespace skiff::dnnl_engine
