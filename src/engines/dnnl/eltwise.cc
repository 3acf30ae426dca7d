// Element-wise activations on oneDNN's eltwise primitive, in whatever layout
// the input has (blocked layouts pass through). After a convolution or
// matmul in the same region they become post-ops instead (region.cc).
// Log is left to the native kernel: oneDNN's log(1) is -1.4e-6, not 0
// (ONNX's test_log_example).
#include <limits>

#include "engines/dnnl/op.h"
#include "engines/dnnl/swish.h"
#include "engines/native/elementwise.h"

namespace skiff::dnnl_engine {

namespace {

class SwishStep final : public OwnStep {
 public:
  explicit SwishStep(int64_t n) : n_(n) {}
  void run(void* const* data) const override {
    float* x = static_cast<float*>(data[0]);
    // ~0.20 ns an element: 250 ns a block of kVecBlock, roughly.
    vec_parallel_for(n_, 250, [&](int64_t begin, int64_t end) { swish_avx512(x + begin, end - begin); });
  }

 private:
  int64_t n_;
};

using alg = dnnl::algorithm;

// The node's activation as eltwise steps; false when oneDNN has no exact
// equivalent for its attributes or inputs.
bool activation_of(const OpInfo& info, EltwiseChain* chain) {
  const ir::Node& node = info.node;
  const std::string& op = node.op_type;
  chain->clear();
  if (op == "Relu") chain->push_back({alg::eltwise_relu, 0.f, 0.f});
  else if (op == "LeakyRelu") chain->push_back({alg::eltwise_relu, attr_float(node, "alpha", 0.01f), 0.f});
  else if (op == "Elu") chain->push_back({alg::eltwise_elu, attr_float(node, "alpha", 1.f), 0.f});
  else if (op == "Sigmoid") chain->push_back({alg::eltwise_logistic, 0.f, 0.f});
  else if (op == "Tanh") chain->push_back({alg::eltwise_tanh, 0.f, 0.f});
  else if (op == "HardSwish") chain->push_back({alg::eltwise_hardswish, 0.f, 0.f});
  else if (op == "Abs") chain->push_back({alg::eltwise_abs, 0.f, 0.f});
  else if (op == "Sqrt") chain->push_back({alg::eltwise_sqrt, 0.f, 0.f});
  else if (op == "Exp") chain->push_back({alg::eltwise_exp, 0.f, 0.f});
  else if (op == "HardSigmoid") {
    chain->push_back({alg::eltwise_linear, attr_float(node, "alpha", 0.2f), attr_float(node, "beta", 0.5f)});
    chain->push_back({alg::eltwise_clip, 0.f, 1.f});
  } else if (op == "Gelu") {
    const std::string approximate = attr_string(node, "approximate", "none");
    if (approximate != "none" && approximate != "tanh") return false;
    chain->push_back({approximate == "tanh" ? alg::eltwise_gelu_tanh : alg::eltwise_gelu_erf, 0.f, 0.f});
  } else if (op == "Clip") {
    float low = std::numeric_limits<float>::lowest(), high = std::numeric_limits<float>::max();
    if (info.opset < 11) {
      low = attr_float(node, "min", low);
      high = attr_float(node, "max", high);
    } else {
      // min and max are optional inputs; they must be constant scalars here.
      for (size_t i = 1; i < 3; ++i) {
        if (!node.has_input(i)) continue;
        const Tensor* bound = info.body.initializer(node.inputs[i]);
        if (!bound || bound->dtype() != DataType::kFloat || bound->numel() != 1) return false;
        (i == 1 ? low : high) = *bound->data<float>();
      }
    }
    chain->push_back({alg::eltwise_clip, low, high});
  } else {
    return false;
  }
  return true;
}

class EltwiseOp final : public DnnlOp {
 public:
  explicit EltwiseOp(const OpInfo& info) { ok_ = activation_of(info, &chain_); }

  static bool accepts(const OpInfo& info) {
    EltwiseChain chain;
    return activation_of(info, &chain);
  }
  bool as_post_ops(EltwiseChain* chain) const override {
    *chain = chain_;
    return ok_;
  }

  bool build(OpBuilder& b) const override {
    if (!ok_) return false;
    const Shape& x = b.input_shape(0);
    md src = b.input_md(0);
    if (has_padding(src)) src = plain_md(x);  // padded blocks: reference code only
    // One primitive per step: HardSigmoid's clip as a post-op of the eltwise
    // primitive gave wrong results in oneDNN 2.6 (ONNX's
    // test_hardsigmoid_example), so each step writes its own buffer.
    Arg in = -1;
    for (size_t k = 0; k < chain_.size(); ++k) {
      const Eltwise& step = chain_[k];
      const dnnl::eltwise_forward::desc desc(dnnl::prop_kind::forward_inference, step.algorithm, src, step.alpha,
                                             step.beta);
      const dnnl::eltwise_forward::primitive_desc pd(desc, b.attr(false), cpu_engine());
      if (k == 0) in = b.input(0, pd.src_desc());
      const Arg out = k + 1 == chain_.size() ? b.output(0, x, pd.dst_desc()) : b.temporary(pd.dst_desc());
      b.add(dnnl::eltwise_forward(pd), pd, {{DNNL_ARG_SRC, in}, {DNNL_ARG_DST, out}});
      src = pd.dst_desc();
      in = out;
    }
    return true;
  }

 private:
  EltwiseChain chain_;
  bool ok_ = false;
};

}  // namespace

// Opset ranges: the activations' later versions only add types (bfloat16,
// integers), which the engine never claims.
SKIFF_DNNL_OP("", "Relu", 1, kLatestOpset, EltwiseOp, EltwiseOp::accepts);
SKIFF_DNNL_OP("", "LeakyRelu", 1, kLatestOpset, EltwiseOp, EltwiseOp::accepts);
SKIFF_DNNL_OP("", "Elu", 6, kLatestOpset, EltwiseOp, EltwiseOp::accepts);
SKIFF_DNNL_OP("", "Sigmoid", 1, kLatestOpset, EltwiseOp, EltwiseOp::accepts);
SKIFF_DNNL_OP("", "Tanh", 1, kLatestOpset, EltwiseOp, EltwiseOp::accepts);
SKIFF_DNNL_OP("", "HardSwish", 14, kLatestOpset, EltwiseOp, EltwiseOp::accepts);
SKIFF_DNNL_OP("", "HardSigmoid", 6, kLatestOpset, EltwiseOp, EltwiseOp::accepts);
SKIFF_DNNL_OP("", "Abs", 6, kLatestOpset, EltwiseOp, EltwiseOp::accepts);
SKIFF_DNNL_OP("", "Sqrt", 6, kLatestOpset, EltwiseOp, EltwiseOp::accepts);
SKIFF_DNNL_OP("", "Exp", 6, kLatestOpset, EltwiseOp, EltwiseOp::accepts);
SKIFF_DNNL_OP("", "Gelu", 20, kLatestOpset, EltwiseOp, EltwiseOp::accepts);
SKIFF_DNNL_OP("", "Clip", 6, kLatestOpset, EltwiseOp, EltwiseOp::accepts);  // 11: min/max become inputs

std::shared_ptr<const OwnStep> swish_step(int64_t n) { return std::make_shared<SwishStep>(n); }

}  // namespace skiff::dnnl_engine
