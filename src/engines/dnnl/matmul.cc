// MatMul, Gemm and com.skiff FusedGemm on oneDNN's matmul primitive.
// Constant right-hand sides are given to oneDNN as format_tag::any and
// reordered once into the packed layout it picks; batch dimensions broadcast
// as numpy does (oneDNN broadcasts dims of size 1 on either side).
#include <algorithm>

#include "core/parallel.h"
#include "engines/dnnl/op.h"
#include "engines/dnnl/own_gemm.h"

namespace skiff::dnnl_engine {

namespace {

// Output pixels [begin, end) of a convolution's windows into rows of A.
void im2col(const ConvGeometry& s, const float* src, float* a, int64_t begin, int64_t end) {
  const int64_t c = s.channels, k = s.kernel_h * s.kernel_w * c;
  for (int64_t m = begin; m < end; ++m) {
    const int64_t n = m / (s.out_h * s.out_w), oy = m / s.out_w % s.out_h, ox = m % s.out_w;
    float* row = a + m * k;
    for (int64_t ky = 0; ky < s.kernel_h; ++ky)
      for (int64_t kx = 0; kx < s.kernel_w; ++kx) {
        const int64_t iy = oy * s.stride_h - s.pad_top + ky, ix = ox * s.stride_w - s.pad_left + kx;
        float* to = row + (ky * s.kernel_w + kx) * c;
        if (iy < 0 || iy >= s.in_h || ix < 0 || ix >= s.in_w) std::fill_n(to, c, 0.f);
        else std::copy_n(src + ((n * s.in_h + iy) * s.in_w + ix) * c, c, to);
      }
  }
}

class GemmStep final : public OwnStep {
 public:
  GemmStep(const OwnGemmShape& shape, std::vector<OwnPostOp> post_ops, bool has_bias, const ConvGeometry* im2col)
      : shape_(shape), post_ops_(std::move(post_ops)), has_bias_(has_bias), im2col_(im2col != nullptr) {
    if (im2col) geometry_ = *im2col;
  }
  void run(void* const* data) const override {
    const int scratch = has_bias_ ? 3 : 2;
    OwnGemmArgs g;
    g.shape = &shape_;
    g.post_ops = &post_ops_;
    g.a = static_cast<const float*>(data[0]);
    g.b = static_cast<const float*>(data[1]);
    g.bias = has_bias_ ? static_cast<const float*>(data[2]) : nullptr;
    g.c = static_cast<float*>(data[scratch + im2col_]);
    g.operands = data;
    if (im2col_) {
      float* a = static_cast<float*>(data[scratch]);
      parallel_for(shape_.m, shape_.k / 4 + 1,
                   [&](int64_t begin, int64_t end) { im2col(geometry_, g.a, a, begin, end); });
      g.a = a;
    }
    const OwnGemmTiling t = own_gemm_tiling(shape_);
    // Nanoseconds a tile, at ~100 GFLOP/s.
    const int64_t tile_ns = 1 + t.rows * t.vectors * 16 * shape_.k / 50;
    const int64_t tiles = t.row_tiles * t.column_tiles;
    parallel_for(tiles, tile_ns, [&](int64_t begin, int64_t end) { own_gemm_avx512(g, begin, end); });
  }

 private:
  OwnGemmShape shape_;
  std::vector<OwnPostOp> post_ops_;
  bool has_bias_, im2col_;
  ConvGeometry geometry_;
};

}  // namespace

std::shared_ptr<const OwnStep> own_gemm_step(const OwnGemmShape& shape, std::vector<OwnPostOp> post_ops,
                                             bool has_bias, const ConvGeometry* im2col) {
  return std::make_shared<GemmStep>(shape, std::move(post_ops), has_bias, im2col);
}

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
    if (alpha_ == 1.f && own_matmul(b, a, w, m, n, k, out, bias, attr)) return true;
    std::vector<std::pair<int, Arg>> args{
        {DNNL_ARG_SRC, b.input_as(0, src, src)},
        {DNNL_ARG_WEIGHTS, b.input_as(1, weights_source, pd.weights_desc())}};
    if (!bias.is_zero()) args.emplace_back(DNNL_ARG_BIAS, b.input(2, bias));
    args.emplace_back(DNNL_ARG_DST, b.alias(b.output(0, out, plain_md(out)), plain_md(y)));
    b.add(dnnl::matmul(pd), pd, std::move(args));
    return true;
  }

 private:
  // A product with a constant 2-D right-hand side on the own GEMM
  // (own_gemm.h), A read as [rows, K] with all batch dims as rows.
  bool own_matmul(OpBuilder& b, const Shape& a, const Shape& w, int64_t m, int64_t n, int64_t k, const Shape& out,
                  const md& bias, const dnnl::primitive_attr& attr) const {
    if (!b.own_kernels() || trans_a_ || !b.constant(1)) return false;
    int64_t rows = m;
    for (size_t d = 0; d + 2 < a.size(); ++d) {
      if (w[d] != 1) return false;
      rows *= a[d];
    }
    const bool has_bias = !bias.is_zero();
    if (has_bias) {
      const dims c = bias.dims();
      for (size_t d = 0; d + 1 < c.size(); ++d)
        if (c[d] != 1) return false;
      if (c.back() != n) return false;
    }
    std::vector<OwnPostOp> post_ops;
    if (!own_post_ops(attr.get_post_ops(), n, -1, has_bias ? 4 : 3, &post_ops)) return false;
    const OwnGemmShape s = OwnGemmShape::dense(rows, n, k);
    // B as the [N, K, 1, 1] weights of a 1x1 convolution (Oihw16o packs it
    // as the kernel reads it): B[k][n] is at n + k N, or at k + n K when
    // transposed.
    const dims as_conv{n, k, 1, 1};
    const md source(as_conv, dt::f32, trans_b_ ? dims{k, 1, 1, 1} : dims{1, n, 1, 1});
    std::vector<Arg> args{b.input_as(0, plain_md({rows, k}), plain_md({rows, k})),
                          b.input_as(1, source, md(as_conv, dt::f32, tag::Oihw16o))};
    if (has_bias) args.push_back(b.input(2, plain_md({n})));
    args.push_back(b.alias(b.output(0, out, plain_md(out)), plain_md({rows, n})));
    const double bytes = 4.0 * static_cast<double>(rows * k + rows * n + k * n);
    b.add_own(own_gemm_step(s, std::move(post_ops), has_bias), std::move(args),
              estimate_work_ns(static_cast<double>(rows * n * k), bytes));
    return true;
  }

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
