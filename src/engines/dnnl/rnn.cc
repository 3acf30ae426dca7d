// LSTM on oneDNN's lstm_forward primitive. ONNX orders the gates i, o, f, c
// and keeps the input and recurrence biases apart; oneDNN wants i, f, c, o
// and one summed bias, so the op permutes its constant weights once when it
// is created. Peepholes, custom activations, clipping, sequence lengths
// shorter than the input and batch-first layout run natively.
//
// Batches up to FastRecurrence::kMaxBatch run natively too, on the fast
// path of rnn_fast.h: oneDNN 2.6's primitive is 2.3-7x slower there, while
// from batch 8 on it wins (docs/performance.md, "Recurrent layers").
#include "engines/dnnl/op.h"
#include "engines/native/rnn_fast.h"

namespace skiff::dnnl_engine {

namespace {

// oneDNN gate g (i, f, c, o) is ONNX gate kOnnxGate[g] (ONNX: i, o, f, c).
constexpr int kOnnxGate[4] = {0, 2, 3, 1};

// [D, 4H, K] in ONNX gate order -> [D, 4, H, K] in oneDNN's (ldgoi).
Tensor permute_gates(const Tensor& w, int64_t hidden) {
  const int64_t directions = w.dim(0), k = w.dim(2);
  Tensor out(DataType::kFloat, {directions * 4 * hidden * k});
  const float* src = w.data<float>();
  float* dst = out.data<float>();
  for (int64_t d = 0; d < directions; ++d)
    for (int g = 0; g < 4; ++g)
      std::copy_n(src + (d * 4 + kOnnxGate[g]) * hidden * k, hidden * k, dst + (d * 4 + g) * hidden * k);
  return out;
}

class LstmOp final : public DnnlOp {
 public:
  explicit LstmOp(const OpInfo& info)
      : hidden_(attr_int(info.node, "hidden_size", 0)), direction_(attr_string(info.node, "direction", "forward")) {
    const ir::Node& node = info.node;
    const Tensor* w = info.body.initializer(node.inputs[1]);
    const Tensor* r = info.body.initializer(node.inputs[2]);
    const Tensor* b = node.has_input(3) ? info.body.initializer(node.inputs[3]) : nullptr;
    if (!w || !r || (node.has_input(3) && !b) || hidden_ < 1) return;
    if (w->rank() != 3 || r->rank() != 3 || w->dim(1) != 4 * hidden_ || r->dim(1) != 4 * hidden_ ||
        r->dim(2) != hidden_ || r->dim(0) != w->dim(0) || w->dtype() != DataType::kFloat)
      return;
    directions_ = w->dim(0);
    input_size_ = w->dim(2);
    weights_ = permute_gates(*w, hidden_);
    recurrence_ = permute_gates(*r, hidden_);
    bias_ = Tensor::zeros(DataType::kFloat, {directions_ * 4 * hidden_});
    if (b) {
      if (b->numel() != directions_ * 8 * hidden_) return;
      const float* src = b->data<float>();
      float* dst = bias_.data<float>();
      for (int64_t d = 0; d < directions_; ++d)
        for (int g = 0; g < 4; ++g)
          for (int64_t h = 0; h < hidden_; ++h)
            dst[(d * 4 + g) * hidden_ + h] = src[d * 8 * hidden_ + kOnnxGate[g] * hidden_ + h] +
                                             src[d * 8 * hidden_ + (4 + kOnnxGate[g]) * hidden_ + h];
    }
    ok_ = true;
  }

  static bool accepts(const OpInfo& info) {
    const ir::Node& node = info.node;
    if (node.has_input(7) || node.attr("activations") || node.attr("clip") || attr_int(node, "input_forget", 0) != 0 ||
        attr_int(node, "layout", 0) != 0)
      return false;
    const std::string direction = attr_string(node, "direction", "forward");
    if (direction != "forward" && direction != "reverse" && direction != "bidirectional") return false;
    return node.has_input(1) && node.has_input(2) && info.body.is_initializer(node.inputs[1]) &&
           info.body.is_initializer(node.inputs[2]) && (!node.has_input(3) || info.body.is_initializer(node.inputs[3]));
  }

  bool build(OpBuilder& b) const override {
    if (!ok_) return false;
    const Shape& x = b.input_shape(0);
    if (x.size() != 3 || x[2] != input_size_ || (directions_ == 2) != (direction_ == "bidirectional")) return false;
    const int64_t steps = x[0], batch = x[1], h = hidden_, d = directions_;
    if (batch <= rnn::FastRecurrence::kMaxBatch) return false;
    if (b.has_input(4)) {  // sequence_lens: only the full length is oneDNN's case
      const Tensor* lens = b.constant(4);
      if (!lens || lens->numel() != batch) return false;
      for (int64_t n = 0; n < batch; ++n) {
        const int64_t len = lens->dtype() == DataType::kInt32 ? lens->data<int32_t>()[n] : lens->data<int64_t>()[n];
        if (len != steps) return false;
      }
    }
    const md state(dims{1, d, batch, h}, dt::f32, tag::ldnc);
    for (size_t i = 5; i < 7; ++i)
      if (b.has_input(i) && b.input_shape(i) != Shape{d, batch, h}) return false;
    const dnnl::rnn_direction direction = direction_ == "forward" ? dnnl::rnn_direction::unidirectional_left2right
                                          : direction_ == "reverse" ? dnnl::rnn_direction::unidirectional_right2left
                                                                    : dnnl::rnn_direction::bidirectional_concat;
    const md src_layer = plain_md(x);
    const md dst_layer(dims{steps, batch, d * h}, dt::f32, tag::tnc);
    const md weights_layer(dims{1, d, input_size_, 4, h}, dt::f32, tag::any);
    const md weights_iter(dims{1, d, h, 4, h}, dt::f32, tag::any);
    const md bias(dims{1, d, 4, h}, dt::f32, tag::ldgo);
    const bool want_h = b.node().has_output(1), want_c = b.node().has_output(2);
    const dnnl::lstm_forward::desc desc(
        dnnl::prop_kind::forward_inference, direction, src_layer, b.has_input(5) ? state : md(),
        b.has_input(6) ? state : md(), weights_layer, weights_iter, bias, dst_layer, want_h ? state : md(),
        want_c ? state : md());
    const dnnl::lstm_forward::primitive_desc pd(desc, b.attr(false), cpu_engine());
    std::vector<std::pair<int, Arg>> args{
        {DNNL_ARG_SRC_LAYER, b.input(0, src_layer)},
        {DNNL_ARG_WEIGHTS_LAYER, b.packed(0, weights_, md(dims{1, d, input_size_, 4, h}, dt::f32, tag::ldgoi),
                                          pd.weights_layer_desc())},
        {DNNL_ARG_WEIGHTS_ITER, b.packed(1, recurrence_, md(dims{1, d, h, 4, h}, dt::f32, tag::ldgoi),
                                         pd.weights_iter_desc())},
        {DNNL_ARG_BIAS, b.packed(2, bias_, bias, bias)}};
    if (b.has_input(5)) args.emplace_back(DNNL_ARG_SRC_ITER, b.input(5, state));
    if (b.has_input(6)) args.emplace_back(DNNL_ARG_SRC_ITER_C, b.input(6, state));
    // Y is [T, D, N, H]; oneDNN writes [T, N, D*H]: the same memory when
    // D = 1, a transposing reorder after the LSTM when D = 2.
    const Shape y{steps, d, batch, h};
    const Arg y_view = b.output(0, y, plain_md(y));
    const Arg layer = d == 1 ? b.alias(y_view, dst_layer) : b.temporary(dst_layer);
    args.emplace_back(DNNL_ARG_DST_LAYER, layer);
    if (want_h) args.emplace_back(DNNL_ARG_DST_ITER, b.alias(b.output(1, {d, batch, h}, plain_md({d, batch, h})), state));
    if (want_c) args.emplace_back(DNNL_ARG_DST_ITER_C, b.alias(b.output(2, {d, batch, h}, plain_md({d, batch, h})), state));
    b.add(dnnl::lstm_forward(pd), pd, std::move(args));
    if (d == 2) {
      const md from(dims{steps, batch, d, h}, dt::f32, tag::abcd);
      const md to(dims{steps, batch, d, h}, dt::f32, tag::acbd);
      const dnnl::reorder::primitive_desc transpose(cpu_engine(), from, cpu_engine(), to);
      b.add(dnnl::reorder(transpose), transpose, {{DNNL_ARG_FROM, b.alias(layer, from)}, {DNNL_ARG_TO, b.alias(y_view, to)}});
    }
    return true;
  }

 private:
  int64_t hidden_;
  std::string direction_;
  int64_t directions_ = 0, input_size_ = 0;
  Tensor weights_, recurrence_, bias_;
  bool ok_ = false;
};

}  // namespace

// 7: no output_sequence attribute; 14: layout (claimed only when 0).
SKIFF_DNNL_OP("", "LSTM", 7, kLatestOpset, LstmOp, LstmOp::accepts);

}  // namespace skiff::dnnl_engine
