// BatchNormalization (inference), LRN and LayerNormalization on oneDNN's
// normalization primitives.
#include "engines/dnnl/op.h"

namespace skiff::dnnl_engine {

namespace {

using flags = dnnl::normalization_flags;

// Y = scale * (X - mean) / sqrt(var + epsilon) + B with the given running
// statistics, per channel, in the input's layout.
class BatchNormOp final : public DnnlOp {
 public:
  explicit BatchNormOp(const OpInfo& info) : epsilon_(attr_float(info.node, "epsilon", 1e-5f)) {}

  static bool accepts(const OpInfo& info) {
    const ir::Node& node = info.node;
    if (info.opset < 9 && attr_int(node, "spatial", 1) != 1) return false;
    if (attr_int(node, "training_mode", 0) != 0) return false;
    for (size_t o = 1; o < node.outputs.size(); ++o)
      if (node.has_output(o)) return false;
    return node.inputs.size() == 5;
  }

  bool build(OpBuilder& b) const override {
    const Shape& x = b.input_shape(0);
    if (x.size() < 2 || x.size() > 5) return false;
    const Shape channels{x[1]};
    for (size_t i = 1; i < 5; ++i)
      if (shape_numel(b.input_shape(i)) != x[1]) return false;
    const md src = b.input_md(0);
    const dnnl::batch_normalization_forward::desc desc(
        dnnl::prop_kind::forward_inference, src, epsilon_,
        flags::use_global_stats | flags::use_scale | flags::use_shift);
    const dnnl::batch_normalization_forward::primitive_desc pd(desc, b.attr(false), cpu_engine());
    const md param = plain_md(channels);
    std::vector<std::pair<int, Arg>> args{{DNNL_ARG_SRC, b.input(0, pd.src_desc())},
                                          {DNNL_ARG_SCALE, b.input(1, param)},
                                          {DNNL_ARG_SHIFT, b.input(2, param)},
                                          {DNNL_ARG_MEAN, b.input(3, param)},
                                          {DNNL_ARG_VARIANCE, b.input(4, param)}};
    args.emplace_back(DNNL_ARG_DST, b.output(0, x, pd.dst_desc()));
    b.add(dnnl::batch_normalization_forward(pd), pd, std::move(args));
    return true;
  }

 private:
  float epsilon_;
};

// Across channels: y = x / (bias + alpha / size * sum of squares)^beta over
// a window of `size` channels. ONNX centres an even window differently from
// oneDNN, so only odd sizes are claimed.
class LrnOp final : public DnnlOp {
 public:
  explicit LrnOp(const OpInfo& info)
      : size_(attr_int(info.node, "size", 1)),
        alpha_(attr_float(info.node, "alpha", 1e-4f)),
        beta_(attr_float(info.node, "beta", 0.75f)),
        bias_(attr_float(info.node, "bias", 1.f)) {}

  static bool accepts(const OpInfo& info) {
    const int64_t size = attr_int(info.node, "size", 0);
    return size > 0 && size % 2 == 1;
  }

  bool build(OpBuilder& b) const override {
    const Shape& x = b.input_shape(0);
    if (x.size() != 4) return false;
    const md src = b.input_md(0);
    const dnnl::lrn_forward::desc desc(dnnl::prop_kind::forward_inference, dnnl::algorithm::lrn_across_channels,
                                       src, size_, alpha_, beta_, bias_);
    const dnnl::lrn_forward::primitive_desc pd(desc, b.attr(false), cpu_engine());
    const Arg in = b.input(0, pd.src_desc());
    b.add(dnnl::lrn_forward(pd), pd, {{DNNL_ARG_SRC, in}, {DNNL_ARG_DST, b.output(0, x, pd.dst_desc())}});
    return true;
  }

 private:
  int64_t size_;
  float alpha_, beta_, bias_;
};

// Normalizes over axes [axis, rank): the input seen as a matrix
// [outer, inner], which oneDNN normalizes row by row.
class LayerNormOp final : public DnnlOp {
 public:
  explicit LayerNormOp(const OpInfo& info)
      : axis_(attr_int(info.node, "axis", -1)), epsilon_(attr_float(info.node, "epsilon", 1e-5f)) {}

  static bool accepts(const OpInfo& info) {
    const ir::Node& node = info.node;
    for (size_t o = 1; o < node.outputs.size(); ++o)
      if (node.has_output(o)) return false;  // Mean and InvStdDev
    return attr_int(node, "stash_type", 1) == 1 && node.has_input(1);
  }

  bool build(OpBuilder& b) const override {
    const Shape& x = b.input_shape(0);
    const int64_t rank = static_cast<int64_t>(x.size());
    if (rank < 1 || axis_ < -rank || axis_ >= rank) return false;
    const int64_t axis = axis_ < 0 ? axis_ + rank : axis_;
    int64_t outer = 1, inner = 1;
    for (int64_t d = 0; d < rank; ++d) (d < axis ? outer : inner) *= x[d];
    // Scale and bias must cover the normalized axes exactly (no broadcasting).
    for (size_t i = 1; i < 3; ++i)
      if (b.has_input(i) && shape_numel(b.input_shape(i)) != inner) return false;
    const md matrix = plain_md({outer, inner});
    const dnnl::layer_normalization_forward::desc desc(
        dnnl::prop_kind::forward_inference, matrix, epsilon_,
        b.has_input(2) ? flags::use_scale | flags::use_shift : flags::use_scale);
    const dnnl::layer_normalization_forward::primitive_desc pd(desc, b.attr(false), cpu_engine());
    const Arg in = b.alias(b.input(0, plain_md(x)), matrix);
    std::vector<std::pair<int, Arg>> args{{DNNL_ARG_SRC, in}, {DNNL_ARG_SCALE, b.input(1, plain_md({inner}))}};
    if (b.has_input(2)) args.emplace_back(DNNL_ARG_SHIFT, b.input(2, plain_md({inner})));
    args.emplace_back(DNNL_ARG_DST, b.alias(b.output(0, x, plain_md(x)), matrix));
    b.add(dnnl::layer_normalization_forward(pd), pd, std::move(args));
    return true;
  }

 private:
  int64_t axis_;
  float epsilon_;
};

}  // namespace

// 7: no spatial attribute... 9: spatial removed; 14: training_mode (claimed
// only when 0); 15: types of scale/mean may differ (float only here).
SKIFF_DNNL_OP("", "BatchNormalization", 7, kLatestOpset, BatchNormOp, BatchNormOp::accepts);
SKIFF_DNNL_OP("", "LRN", 1, kLatestOpset, LrnOp, LrnOp::accepts);
SKIFF_DNNL_OP("", "LayerNormalization", 17, kLatestOpset, LayerNormOp, LayerNormOp::accepts);
SKIFF_DNNL_OP("com.skiff", "LayerNormalization", 1, 1, LayerNormOp, LayerNormOp::accepts);

}  // namespace skiff::dnnl_engine
