// skiff's own fused operators (domain com.skiff, docs/skiff_ops.md), the
// reference every other engine's version is checked against: FusedConv,
// FusedGemm, LayerNormalization and Attention.
//
// FusedConv and LayerNormalization run the native Conv and
// LayerNormalization kernels (created through the registry from a copy of
// the node) and apply their epilogue in place; FusedGemm and Attention call
// gemm directly.
#include <algorithm>
#include <cmath>
#include <vector>

#include "core/dispatch.h"
#include "core/parallel.h"
#include "engines/kernel.h"
#include "engines/native/elementwise.h"
#include "engines/native/gemm.h"

namespace skiff {
namespace {

// The `activation` attribute of FusedConv and FusedGemm.
class Activation {
 public:
  enum class Kind { kNone, kRelu, kLeakyRelu, kClip, kSigmoid, kHardSigmoid, kHardSwish, kTanh, kGelu, kGeluTanh, kSilu };

  explicit Activation(const KernelInfo& info) {
    const std::string name = info.attr_string("activation", "");
    const std::vector<float> params = info.attr_floats("activation_params");
    struct Entry {
      const char* name;
      Kind kind;
      size_t params;
    };
    static const Entry kTable[] = {{"", Kind::kNone, 0},           {"Relu", Kind::kRelu, 0},
                                   {"LeakyRelu", Kind::kLeakyRelu, 1}, {"Clip", Kind::kClip, 2},
                                   {"Sigmoid", Kind::kSigmoid, 0},    {"HardSigmoid", Kind::kHardSigmoid, 2},
                                   {"HardSwish", Kind::kHardSwish, 0}, {"Tanh", Kind::kTanh, 0},
                                   {"Gelu", Kind::kGelu, 0},          {"GeluTanh", Kind::kGeluTanh, 0},
                                   {"Silu", Kind::kSilu, 0}};
    for (const auto& e : kTable) {
      if (name != e.name) continue;
      if (params.size() != e.params)
        info.fail("activation '", name, "' takes ", e.params, " activation_params, got ", params.size());
      kind_ = e.kind;
      if (params.size() > 0) a_ = params[0];
      if (params.size() > 1) b_ = params[1];
      return;
    }
    info.fail("unknown activation '", name, "'");
  }

  bool none() const { return kind_ == Kind::kNone; }

  // In place, through the vectorized kernels (vec_kernels.h).
  void apply(float* y, int64_t n) const {
    if (kind_ == Kind::kNone) return;
    vec_map(vec_op(), y, y, n);
  }

 private:
  VecUnaryOp vec_op() const {
    switch (kind_) {
      case Kind::kLeakyRelu: return {VecUnary::kLeakyRelu, a_};
      case Kind::kClip: return {VecUnary::kClip, a_, b_};
      case Kind::kSigmoid: return {VecUnary::kSigmoid};
      case Kind::kHardSigmoid: return {VecUnary::kHardSigmoid, a_, b_};
      case Kind::kHardSwish: return {VecUnary::kHardSwish};
      case Kind::kTanh: return {VecUnary::kTanh};
      case Kind::kGelu: return {VecUnary::kGelu};
      case Kind::kGeluTanh: return {VecUnary::kGeluTanh};
      case Kind::kSilu: return {VecUnary::kSilu};
      default: return {VecUnary::kRelu};  // kRelu (apply returns early on kNone)
    }
  }

  Kind kind_ = Kind::kNone;
  float a_ = 0, b_ = 0;
};

// A kernel of the native engine created for a copy of `node` renamed to a
// standard op (the inner kernel reads its inputs from the outer context).
std::unique_ptr<Kernel> standard_kernel(const KernelInfo& info, ir::Node& copy, const char* op, int opset,
                                        const ir::Graph& no_constants) {
  copy = info.node();
  copy.op_type = op;
  copy.domain.clear();
  copy.attributes.erase(std::remove_if(copy.attributes.begin(), copy.attributes.end(),
                                       [](const ir::Attribute& a) {
                                         return a.name == "activation" || a.name == "activation_params";
                                       }),
                        copy.attributes.end());
  const KernelDef* def = KernelRegistry::global().find("native", "", op, opset);
  if (!def) info.fail("the native engine has no ", op, " kernel");
  KernelInfo inner(copy, opset, no_constants, nullptr);
  return def->factory(inner);
}

void check_float(const KernelContext& ctx, size_t input) {
  if (ctx.has_input(input) && ctx.input(input).dtype() != DataType::kFloat)
    ctx.unsupported(ctx.input_label(input), ": only float is supported");
}

class FusedConvKernel final : public Kernel {
 public:
  explicit FusedConvKernel(const KernelInfo& info) : activation_(info) {
    conv_ = standard_kernel(info, conv_node_, "Conv", 11, no_constants_);
  }

  void prepare(KernelContext& ctx) const override {
    for (size_t i = 0; i < 4; ++i) check_float(ctx, i);
    conv_->prepare(ctx);
  }

  void compute(KernelContext& ctx) const override {
    conv_->compute(ctx);
    Tensor& y = ctx.output(0);
    if (ctx.has_input(3)) {
      const Tensor& z = ctx.input(3);
      if (z.shape() != y.shape())
        ctx.fail(ctx.input_label(3), " must have the output's shape ", shape_str(y.shape()));
      const float* zp = z.data<float>();
      float* yp = y.data<float>();
      parallel_for(y.numel(), 1, [&](int64_t b, int64_t e) {
        for (int64_t i = b; i < e; ++i) yp[i] += zp[i];
      });
    }
    activation_.apply(y.data<float>(), y.numel());
  }

 private:
  Activation activation_;
  ir::Node conv_node_;
  ir::Graph no_constants_;
  std::unique_ptr<Kernel> conv_;
};

// y[...] = beta * c[...] with c broadcast (right-aligned) to y's shape.
void broadcast_fill(const Tensor& c, float beta, const Shape& y_shape, float* y) {
  const size_t rank = y_shape.size(), lead = rank - c.shape().size();
  std::vector<int64_t> strides(rank, 0);
  const auto c_strides = shape_strides(c.shape());
  for (size_t d = lead; d < rank; ++d)
    if (c.shape()[d - lead] != 1) strides[d] = c_strides[d - lead];
  const float* src = c.data<float>();
  const int64_t n = shape_numel(y_shape);
  const int64_t inner = rank ? y_shape[rank - 1] : 1;
  const int64_t inner_stride = rank ? strides[rank - 1] : 0;
  for (int64_t row = 0; row * inner < n; ++row) {
    int64_t rest = row, offset = 0;
    for (size_t d = rank - 1; d-- > 0;) {
      offset += (rest % y_shape[d]) * strides[d];
      rest /= y_shape[d];
    }
    float* out = y + row * inner;
    for (int64_t i = 0; i < inner; ++i) out[i] = beta * src[offset + i * inner_stride];
  }
}

class FusedGemmKernel final : public Kernel {
 public:
  explicit FusedGemmKernel(const KernelInfo& info)
      : activation_(info),
        trans_a_(info.attr_int("transA", 0) != 0),
        trans_b_(info.attr_int("transB", 0) != 0),
        alpha_(info.attr_float("alpha", 1.0f)),
        beta_(info.attr_float("beta", 1.0f)) {}

  void prepare(KernelContext& ctx) const override {
    for (size_t i = 0; i < 3; ++i) check_float(ctx, i);
    const Geometry g = geometry(ctx);
    ctx.set_output(0, DataType::kFloat, g.y_shape);
  }

  void compute(KernelContext& ctx) const override {
    const Geometry g = geometry(ctx);
    Tensor& y = ctx.output(0);
    if (y.empty()) return;
    float* yp = y.data<float>();
    const bool with_c = ctx.has_input(2) && beta_ != 0.0f;
    if (with_c) broadcast_fill(ctx.input(2), beta_, g.y_shape, yp);
    if (g.k == 0) {
      if (!with_c) std::fill(yp, yp + y.numel(), 0.0f);
    } else {
      const Tensor& a = ctx.input(0);
      const Tensor& b = ctx.input(1);
      gemm(trans_a_, trans_b_, g.m, g.n, g.k, alpha_, a.data<float>(), trans_a_ ? g.m : g.k, b.data<float>(),
           trans_b_ ? g.k : g.n, with_c ? 1.0f : 0.0f, yp, g.n);
    }
    activation_.apply(yp, y.numel());
  }

 private:
  struct Geometry {
    int64_t m = 0, n = 0, k = 0;
    Shape y_shape;
  };

  // 2-D A with transA/transB as Gemm; A of rank > 2 is a batch of rows
  // (MatMul with a 2-D B), which is one gemm over all the rows.
  Geometry geometry(const KernelContext& ctx) const {
    const Tensor& a = ctx.input(0);
    const Tensor& b = ctx.input(1);
    if (b.rank() != 2) ctx.fail(ctx.input_label(1), " must be 2-D");
    if (a.rank() < 2) ctx.fail(ctx.input_label(0), " must have rank 2 or more");
    if (a.rank() > 2 && trans_a_) ctx.fail("transA requires a 2-D ", ctx.input_label(0));
    Geometry g;
    g.k = trans_a_ ? a.dim(0) : a.dim(-1);
    g.m = trans_a_ ? a.dim(1) : a.numel() / std::max<int64_t>(1, g.k);
    if (!trans_a_ && g.k == 0) g.m = shape_numel(Shape(a.shape().begin(), a.shape().end() - 1));
    const int64_t kb = trans_b_ ? b.dim(1) : b.dim(0);
    g.n = trans_b_ ? b.dim(0) : b.dim(1);
    if (kb != g.k)
      ctx.fail(ctx.input_label(0), " and ", ctx.input_label(1), " do not multiply (inner dims ", g.k, " and ", kb,
               ")");
    g.y_shape = trans_a_ ? Shape{g.m, g.n} : Shape(a.shape().begin(), a.shape().end() - 1);
    if (!trans_a_) g.y_shape.push_back(g.n);
    if (ctx.has_input(2)) {
      const Shape& c = ctx.input(2).shape();
      bool ok = c.size() <= g.y_shape.size();
      for (size_t d = 0; ok && d < c.size(); ++d) {
        const int64_t yd = g.y_shape[g.y_shape.size() - c.size() + d];
        ok = c[d] == 1 || c[d] == yd;
      }
      if (!ok)
        ctx.fail(ctx.input_label(2), " does not broadcast to the output shape ", shape_str(g.y_shape));
    }
    checked_mul(g.m, g.n);
    return g;
  }

  Activation activation_;
  bool trans_a_, trans_b_;
  float alpha_, beta_;
};

class LayerNormKernel final : public Kernel {
 public:
  explicit LayerNormKernel(const KernelInfo& info) {
    inner_ = standard_kernel(info, node_, "LayerNormalization", 17, no_constants_);
  }
  void prepare(KernelContext& ctx) const override { inner_->prepare(ctx); }
  void compute(KernelContext& ctx) const override { inner_->compute(ctx); }

 private:
  ir::Node node_;
  ir::Graph no_constants_;
  std::unique_ptr<Kernel> inner_;
};

// softmax(scale * Q Kᵀ + mask) V over the last two axes.
class AttentionKernel final : public Kernel {
 public:
  explicit AttentionKernel(const KernelInfo& info)
      : has_scale_(info.has_attr("scale")), scale_(info.attr_float("scale", 1.0f)) {}

  void prepare(KernelContext& ctx) const override {
    for (size_t i = 0; i < 4; ++i) check_float(ctx, i);
    const Tensor& q = ctx.input(0);
    const Tensor& k = ctx.input(1);
    const Tensor& v = ctx.input(2);
    if (q.rank() < 2 || k.rank() != q.rank() || v.rank() != q.rank())
      ctx.fail("Q, K and V must have the same rank (2 or more): ", ctx.input_label(0), ", ", ctx.input_label(1),
               ", ", ctx.input_label(2));
    for (int64_t d = 0; d < q.rank() - 2; ++d)
      if (k.dim(d) != q.dim(d) || v.dim(d) != q.dim(d))
        ctx.fail("the batch dims of Q, K and V must be equal: ", ctx.input_label(0), ", ", ctx.input_label(1), ", ",
                 ctx.input_label(2));
    if (k.dim(-1) != q.dim(-1)) ctx.fail(ctx.input_label(1), " must have the last dim of ", ctx.input_label(0));
    if (v.dim(-2) != k.dim(-2)) ctx.fail(ctx.input_label(2), " must have as many rows as ", ctx.input_label(1));
    Shape scores(q.shape().begin(), q.shape().end() - 1);
    scores.push_back(k.dim(-2));
    if (ctx.has_input(3)) {
      const Shape& m = ctx.input(3).shape();
      bool ok = m.size() <= scores.size();
      for (size_t d = 0; ok && d < m.size(); ++d) ok = m[d] == 1 || m[d] == scores[scores.size() - m.size() + d];
      if (!ok) ctx.fail(ctx.input_label(3), " does not broadcast to the scores ", shape_str(scores));
    }
    checked_mul(shape_numel(scores), 1);
    Shape out = q.shape();
    out.back() = v.dim(-1);
    ctx.set_output(0, DataType::kFloat, out);
  }

  void compute(KernelContext& ctx) const override {
    const Tensor& q = ctx.input(0);
    const Tensor& k = ctx.input(1);
    const Tensor& v = ctx.input(2);
    Tensor& y = ctx.output(0);
    const int64_t lq = q.dim(-2), d = q.dim(-1), lk = k.dim(-2), dv = v.dim(-1);
    const int64_t batch = lq * d == 0 ? shape_numel(Shape(q.shape().begin(), q.shape().end() - 2)) : q.numel() / (lq * d);
    const float scale = has_scale_ ? scale_ : 1.0f / std::sqrt(static_cast<float>(std::max<int64_t>(d, 1)));
    Shape scores_shape(q.shape().begin(), q.shape().end() - 1);
    scores_shape.push_back(lk);
    // Scores of every batch at once: the mask fills them before the gemms.
    std::vector<float> scores(static_cast<size_t>(checked_mul(batch, lq * lk)), 0.0f);
    if (ctx.has_input(3)) broadcast_fill(ctx.input(3), 1.0f, scores_shape, scores.data());
    const float beta = ctx.has_input(3) ? 1.0f : 0.0f;
    const float* qp = q.data<float>();
    const float* kp = k.data<float>();
    const float* vp = v.data<float>();
    float* yp = y.data<float>();
    auto one = [&](int64_t b, bool threaded) {
      float* s = scores.data() + b * lq * lk;
      (threaded ? gemm : gemm_serial)(false, true, lq, lk, d, scale, qp + b * lq * d, d, kp + b * lk * d, d, beta, s, lk);
      for (int64_t r = 0; r < lq; ++r) softmax_row(s + r * lk, lk);
      (threaded ? gemm : gemm_serial)(false, false, lq, dv, lk, 1.0f, s, lk, vp + b * lk * dv, dv, 0.0f, yp + b * lq * dv, dv);
    };
    if (lk == 0) {
      std::fill(yp, yp + y.numel(), 0.0f);
      return;
    }
    if (batch >= max_threads()) {
      parallel_for(batch, lq * lk * (d + dv), [&](int64_t b0, int64_t b1) {
        for (int64_t b = b0; b < b1; ++b) one(b, false);
      });
    } else {
      for (int64_t b = 0; b < batch; ++b) one(b, true);
    }
  }

 private:
  static void softmax_row(float* s, int64_t n) {
    float scratch[2];
    vec_kernels().softmax(VecSoftmax::kSoftmax, s, s, n, 1, 1, scratch);
  }

  bool has_scale_;
  float scale_;
};

}  // namespace

// com.skiff opset 1: the first version of each (docs/skiff_ops.md).
SKIFF_KERNEL_DOMAIN(native, "com.skiff", "FusedConv", 1, 1, FusedConvKernel);
SKIFF_KERNEL_DOMAIN_TYPES(native, "com.skiff", "FusedConv", 1, "T: float");
SKIFF_KERNEL_DOMAIN(native, "com.skiff", "FusedGemm", 1, 1, FusedGemmKernel);
SKIFF_KERNEL_DOMAIN_TYPES(native, "com.skiff", "FusedGemm", 1, "T: float");
SKIFF_KERNEL_DOMAIN(native, "com.skiff", "LayerNormalization", 1, 1, LayerNormKernel);
SKIFF_KERNEL_DOMAIN_TYPES(native, "com.skiff", "LayerNormalization", 1, "T: float");
SKIFF_KERNEL_DOMAIN(native, "com.skiff", "Attention", 1, 1, AttentionKernel);
SKIFF_KERNEL_DOMAIN_TYPES(native, "com.skiff", "Attention", 1, "T: float");

}  // namespace skiff
