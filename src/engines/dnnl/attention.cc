// com.skiff Attention (docs/skiff_ops.md): softmax(scale * Q·Kᵀ + mask)·V as
// two oneDNN matmuls around a softmax. Kᵀ is a strided view of K (no copy);
// the scale is the first matmul's output scale and the mask its binary
// post-op; the scores live in a temporary of the region's arena.
#include <algorithm>
#include <cmath>

#include "core/parallel.h"
#include "engines/dnnl/op.h"
#include "engines/dnnl/own_gemm.h"
#include "engines/native/vec_kernels.h"

namespace skiff::dnnl_engine {

namespace {

// Attention without a mask on the own GEMM (own_gemm.h), one head (leading
// index) at a time: Kᵀ and V are packed into the GEMM's 16-column panels
// in a scratch, the scores scaled by a linear post-op, then softmax rows
// (vec_kernels.h). Arguments: Q, K, V, scores [heads, Lq, Lk], packed-K
// scratch, packed-V scratch, Y.
class AttentionStep final : public OwnStep {
 public:
  AttentionStep(int64_t heads, int64_t lq, int64_t lk, int64_t depth, int64_t dv, float scale)
      : heads_(heads), lq_(lq), lk_(lk), depth_(depth), dv_(dv) {
    OwnPostOp scaled;
    scaled.algorithm = dnnl::algorithm::eltwise_linear;
    scaled.alpha = scale;
    scale_ = {scaled};
  }
  static int64_t packed_k_floats(int64_t lk, int64_t depth) { return (lk + 15) / 16 * 16 * depth; }
  static int64_t packed_v_floats(int64_t lk, int64_t dv) { return (dv + 15) / 16 * 16 * lk; }

  void run(void* const* data) const override {
    const float* q = static_cast<const float*>(data[0]);
    const float* k = static_cast<const float*>(data[1]);
    const float* v = static_cast<const float*>(data[2]);
    float* scores = static_cast<float*>(data[3]);
    float* pk = static_cast<float*>(data[4]);
    float* pv = static_cast<float*>(data[5]);
    float* y = static_cast<float*>(data[6]);
    const std::vector<OwnPostOp> none;
    const VecKernels& vec = vec_kernels();
    const int64_t k_size = packed_k_floats(lk_, depth_), v_size = packed_v_floats(lk_, dv_);
    parallel_for(heads_, 2 * lq_ * lk_ * (depth_ + dv_) / 50 + 1, [&](int64_t begin, int64_t end) {
      float scratch[2];
      for (int64_t h = begin; h < end; ++h) {
        float* kt = pk + h * k_size;
        float* vt = pv + h * v_size;
        const float* kh = k + h * lk_ * depth_;
        const float* vh = v + h * lk_ * dv_;
        // Kᵀ[d][j] at ((j / 16) depth + d) 16 + j % 16; V[j][e] at ((e / 16) Lk + j) 16 + e % 16.
        std::fill_n(kt, k_size, 0.f);
        for (int64_t j = 0; j < lk_; ++j)
          for (int64_t d = 0; d < depth_; ++d) kt[((j / 16) * depth_ + d) * 16 + j % 16] = kh[j * depth_ + d];
        std::fill_n(vt, v_size, 0.f);
        for (int64_t j = 0; j < lk_; ++j)
          for (int64_t e = 0; e < dv_; ++e) vt[((e / 16) * lk_ + j) * 16 + e % 16] = vh[j * dv_ + e];
        float* s = scores + h * lq_ * lk_;
        product(q + h * lq_ * depth_, kt, s, lq_, lk_, depth_, scale_);
        for (int64_t i = 0; i < lq_; ++i) vec.softmax(VecSoftmax::kSoftmax, s + i * lk_, s + i * lk_, lk_, 1, 1, scratch);
        product(s, vt, y + h * lq_ * dv_, lq_, dv_, lk_, none);
      }
    });
  }

 private:
  // c[m x n] = post_ops(a[m x k] b) with b packed, on this thread.
  static void product(const float* a, const float* b, float* c, int64_t m, int64_t n, int64_t k,
                      const std::vector<OwnPostOp>& post_ops) {
    const OwnGemmShape shape = OwnGemmShape::dense(m, n, k);
    const OwnGemmArgs g{&shape, &post_ops, a, b, nullptr, c, nullptr};
    const OwnGemmTiling t = own_gemm_tiling(shape);
    own_gemm_avx512(g, 0, t.row_tiles * t.column_tiles);
  }

  int64_t heads_, lq_, lk_, depth_, dv_;
  std::vector<OwnPostOp> scale_;
};

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
    if (b.own_kernels() && !b.has_input(3)) {
      int64_t heads = 1;
      for (size_t d = 0; d + 2 < rank; ++d) heads *= q[d];
      std::vector<Arg> args{b.input(0, plain_md(q)), b.input(1, plain_md(k)), b.input(2, plain_md(v)),
                            b.temporary(plain_md(scores)),
                            b.temporary(plain_md({heads, AttentionStep::packed_k_floats(lk, depth)})),
                            b.temporary(plain_md({heads, AttentionStep::packed_v_floats(lk, dv)})),
                            b.output(0, y, plain_md(y))};
      b.add_own(std::make_shared<AttentionStep>(heads, lq, lk, depth, dv, scale), std::move(args),
                estimate_work_ns(static_cast<double>(heads * lq * lk * (depth + dv)), 0));
      return true;
    }
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
