// LSTM and GRU on oneDNN's lstm_forward, gru_forward (GRU with
// linear_before_reset = 0) and lbr_gru_forward (= 1) primitives. The ops
// permute their constant weights once when they are created: ONNX orders
// the LSTM gates i, o, f, c and oneDNN i, f, c, o; the GRU gates z, r, h are
// oneDNN's u, r, o in the same order (oneDNN's h_t = u ⊙ h_t-1 + (1 - u) ⊙ o
// is ONNX's Ht = (1 - z) ⊙ h + z ⊙ Ht-1). ONNX keeps the input and recurrence
// biases apart; oneDNN adds one bias per gate, so they are summed, except
// GRU's Rbh with linear_before_reset, which ONNX multiplies by r: oneDNN's
// lbr_gru takes it as a fourth bias vector u' (o = tanh(Wo·x + r ⊙ (Uo·h +
// Bu') + Bo)). Without linear_before_reset both GRUs add Rbh + Wbh outside
// the product, so the sum is exact there. Peepholes, custom activations,
// clipping, sequence lengths shorter than the input and batch-first layout
// run natively.
//
// Small batches run natively too, on the fast path of rnn_fast.h, where
// oneDNN 2.6's primitives are slower (onednn_wins; measured in rnn_fast.h
// and docs/performance.md, "Recurrent layers").
#include "engines/dnnl/op.h"
#include "engines/native/rnn_fast.h"

namespace skiff::dnnl_engine {

namespace {

enum class Cell { kLstm, kGru, kLbrGru };

// oneDNN gate g is ONNX gate order[g] (LSTM: oneDNN i, f, c, o from ONNX
// i, o, f, c; GRU: the same order).
constexpr int kLstmGate[4] = {0, 2, 3, 1};
constexpr int kGruGate[3] = {0, 1, 2};

// False when the native fast path (rnn_fast.h) is faster for this batch:
// LSTM batches up to FastRecurrence::kMaxBatch, GRUs below its
// batch · hidden² thresholds (measured there).
bool onednn_wins(Cell cell, int64_t batch, int64_t hidden) {
  using rnn::FastRecurrence;
  if (cell == Cell::kLstm) return batch > FastRecurrence::kMaxBatch;
  const int64_t min_work =
      cell == Cell::kGru ? FastRecurrence::kMinOneDnnGruWork : FastRecurrence::kMinOneDnnLbrGruWork;
  return batch * hidden * hidden >= min_work;
}

// [D, G*H, K] in ONNX gate order -> [D, G, H, K] in oneDNN's (ldgoi).
Tensor permute_gates(const Tensor& w, int64_t hidden, const int* order, int gates) {
  const int64_t directions = w.dim(0), k = w.dim(2);
  Tensor out(DataType::kFloat, {directions * gates * hidden * k});
  const float* src = w.data<float>();
  float* dst = out.data<float>();
  for (int64_t d = 0; d < directions; ++d)
    for (int g = 0; g < gates; ++g)
      std::copy_n(src + (d * gates + order[g]) * hidden * k, hidden * k, dst + (d * gates + g) * hidden * k);
  return out;
}

// oneDNN's bias [D, G (+ 1 for lbr_gru), H] from ONNX's [D, 2*G*H] (Wb
// then Rb): Wb + Rb per gate, lbr_gru's h gate Wbh alone and Rbh as u'.
void fold_bias(const float* src, int64_t directions, int64_t hidden, const int* order, int gates, bool lbr,
               float* dst) {
  const int64_t out_gates = gates + (lbr ? 1 : 0);
  for (int64_t d = 0; d < directions; ++d) {
    const float* wb = src + d * 2 * gates * hidden;
    const float* rb = wb + gates * hidden;
    float* out = dst + d * out_gates * hidden;
    for (int g = 0; g < gates; ++g)
      for (int64_t h = 0; h < hidden; ++h)
        out[g * hidden + h] = wb[order[g] * hidden + h] + (lbr && g == 2 ? 0.0f : rb[order[g] * hidden + h]);
    if (lbr) std::copy_n(rb + 2 * hidden, hidden, out + 3 * hidden);
  }
}

// The memory descriptors one primitive is built from.
struct RnnDescs {
  dnnl::rnn_direction direction;
  md src_layer, src_iter, src_iter_c, weights_layer, weights_iter, bias, dst_layer, dst_iter, dst_iter_c;
};

using RnnPrimitive = std::pair<dnnl::primitive, dnnl::rnn_primitive_desc_base>;

template <class Gru>  // gru_forward or lbr_gru_forward: the same arguments
RnnPrimitive make_gru(const RnnDescs& m, const dnnl::primitive_attr& attr) {
  const typename Gru::desc desc(dnnl::prop_kind::forward_inference, m.direction, m.src_layer, m.src_iter,
                                m.weights_layer, m.weights_iter, m.bias, m.dst_layer, m.dst_iter);
  const typename Gru::primitive_desc pd(desc, attr, cpu_engine());
  return {Gru(pd), pd};
}

RnnPrimitive make_rnn(Cell cell, const RnnDescs& m, const dnnl::primitive_attr& attr) {
  if (cell == Cell::kGru) return make_gru<dnnl::gru_forward>(m, attr);
  if (cell == Cell::kLbrGru) return make_gru<dnnl::lbr_gru_forward>(m, attr);
  const dnnl::lstm_forward::desc desc(dnnl::prop_kind::forward_inference, m.direction, m.src_layer, m.src_iter,
                                      m.src_iter_c, m.weights_layer, m.weights_iter, m.bias, m.dst_layer, m.dst_iter,
                                      m.dst_iter_c);
  const dnnl::lstm_forward::primitive_desc pd(desc, attr, cpu_engine());
  return {dnnl::lstm_forward(pd), pd};
}

class RecurrentOp final : public DnnlOp {
 public:
  explicit RecurrentOp(const OpInfo& info)
      : cell_(info.node.op_type == "LSTM"                            ? Cell::kLstm
              : attr_int(info.node, "linear_before_reset", 0) != 0 ? Cell::kLbrGru
                                                                    : Cell::kGru),
        gates_(cell_ == Cell::kLstm ? 4 : 3),
        hidden_(attr_int(info.node, "hidden_size", 0)),
        direction_(attr_string(info.node, "direction", "forward")) {
    const ir::Node& node = info.node;
    const Tensor* w = info.body.initializer(node.inputs[1]);
    const Tensor* r = info.body.initializer(node.inputs[2]);
    const Tensor* b = node.has_input(3) ? info.body.initializer(node.inputs[3]) : nullptr;
    if (!w || !r || (node.has_input(3) && !b) || hidden_ < 1) return;
    const int64_t gh = gates_ * hidden_;
    if (w->rank() != 3 || r->rank() != 3 || w->dim(1) != gh || r->dim(1) != gh || r->dim(2) != hidden_ ||
        r->dim(0) != w->dim(0) || w->dtype() != DataType::kFloat || r->dtype() != DataType::kFloat)
      return;
    directions_ = w->dim(0);
    input_size_ = w->dim(2);
    const int* order = cell_ == Cell::kLstm ? kLstmGate : kGruGate;
    weights_ = permute_gates(*w, hidden_, order, gates_);
    recurrence_ = permute_gates(*r, hidden_, order, gates_);
    bias_ = Tensor::zeros(DataType::kFloat, {directions_ * bias_gates() * hidden_});
    if (b) {
      if (b->numel() != directions_ * 2 * gh || b->dtype() != DataType::kFloat) return;
      fold_bias(b->data<float>(), directions_, hidden_, order, gates_, cell_ == Cell::kLbrGru, bias_.data<float>());
    }
    ok_ = true;
  }

  static bool accepts(const OpInfo& info) {
    const ir::Node& node = info.node;
    if (node.attr("activations") || node.attr("clip") || attr_int(node, "layout", 0) != 0) return false;
    if (node.op_type == "LSTM" && (node.has_input(7) || attr_int(node, "input_forget", 0) != 0)) return false;
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
    if (!onednn_wins(cell_, batch, h) || !full_length(b, steps, batch)) return false;
    const bool lstm = cell_ == Cell::kLstm;
    const md state(dims{1, d, batch, h}, dt::f32, tag::ldnc);
    for (size_t i = 5; i < (lstm ? 7u : 6u); ++i)
      if (b.has_input(i) && b.input_shape(i) != Shape{d, batch, h}) return false;
    const bool want_h = b.node().has_output(1), want_c = lstm && b.node().has_output(2);
    RnnDescs m;
    m.direction = direction_ == "forward"   ? dnnl::rnn_direction::unidirectional_left2right
                  : direction_ == "reverse" ? dnnl::rnn_direction::unidirectional_right2left
                                            : dnnl::rnn_direction::bidirectional_concat;
    m.src_layer = plain_md(x);
    m.src_iter = b.has_input(5) ? state : md();
    m.src_iter_c = lstm && b.has_input(6) ? state : md();
    m.weights_layer = md(dims{1, d, input_size_, gates_, h}, dt::f32, tag::any);
    m.weights_iter = md(dims{1, d, h, gates_, h}, dt::f32, tag::any);
    m.bias = md(dims{1, d, bias_gates(), h}, dt::f32, tag::ldgo);
    m.dst_layer = md(dims{steps, batch, d * h}, dt::f32, tag::tnc);
    m.dst_iter = want_h ? state : md();
    m.dst_iter_c = want_c ? state : md();
    const auto [primitive, pd] = make_rnn(cell_, m, b.attr(false));
    std::vector<std::pair<int, Arg>> args{
        {DNNL_ARG_SRC_LAYER, b.input(0, m.src_layer)},
        {DNNL_ARG_WEIGHTS_LAYER, b.packed(0, weights_, md(dims{1, d, input_size_, gates_, h}, dt::f32, tag::ldgoi),
                                          pd.weights_layer_desc())},
        {DNNL_ARG_WEIGHTS_ITER,
         b.packed(1, recurrence_, md(dims{1, d, h, gates_, h}, dt::f32, tag::ldgoi), pd.weights_iter_desc())},
        {DNNL_ARG_BIAS, b.packed(2, bias_, m.bias, m.bias)}};
    if (b.has_input(5)) args.emplace_back(DNNL_ARG_SRC_ITER, b.input(5, state));
    if (lstm && b.has_input(6)) args.emplace_back(DNNL_ARG_SRC_ITER_C, b.input(6, state));
    // Y is [T, D, N, H]; oneDNN writes [T, N, D*H]: the same memory when
    // D = 1, a transposing reorder after the recurrence when D = 2.
    const Shape y{steps, d, batch, h};
    const Arg y_view = b.output(0, y, plain_md(y));
    const Arg layer = d == 1 ? b.alias(y_view, m.dst_layer) : b.temporary(m.dst_layer);
    args.emplace_back(DNNL_ARG_DST_LAYER, layer);
    if (want_h) args.emplace_back(DNNL_ARG_DST_ITER, b.alias(b.output(1, {d, batch, h}, plain_md({d, batch, h})), state));
    if (want_c) args.emplace_back(DNNL_ARG_DST_ITER_C, b.alias(b.output(2, {d, batch, h}, plain_md({d, batch, h})), state));
    b.add(primitive, pd, std::move(args));
    if (d == 2) {
      const md from(dims{steps, batch, d, h}, dt::f32, tag::abcd);
      const md to(dims{steps, batch, d, h}, dt::f32, tag::acbd);
      const dnnl::reorder::primitive_desc transpose(cpu_engine(), from, cpu_engine(), to);
      b.add(dnnl::reorder(transpose), transpose, {{DNNL_ARG_FROM, b.alias(layer, from)}, {DNNL_ARG_TO, b.alias(y_view, to)}});
    }
    return true;
  }

 private:
  int64_t bias_gates() const { return cell_ == Cell::kGru ? 3 : 4; }

  // True unless sequence_lens (input 4) is given and not every entry is
  // `steps`: only the full length is oneDNN's case.
  static bool full_length(OpBuilder& b, int64_t steps, int64_t batch) {
    if (!b.has_input(4)) return true;
    const Tensor* lens = b.constant(4);
    if (!lens || lens->numel() != batch) return false;
    for (int64_t n = 0; n < batch; ++n) {
      const int64_t len = lens->dtype() == DataType::kInt32 ? lens->data<int32_t>()[n] : lens->data<int64_t>()[n];
      if (len != steps) return false;
    }
    return true;
  }

  Cell cell_;
  int gates_;
  int64_t hidden_;
  std::string direction_;
  int64_t directions_ = 0, input_size_ = 0;
  Tensor weights_, recurrence_, bias_;
  bool ok_ = false;
};

}  // namespace

// 7: no output_sequence attribute; 14: layout (claimed only when 0). GRU
// from 7 too, where linear_before_reset has its meaning for every node.
SKIFF_DNNL_OP("", "LSTM", 7, kLatestOpset, RecurrentOp, RecurrentOp::accepts);
SKIFF_DNNL_OP("", "GRU", 7, kLatestOpset, RecurrentOp, RecurrentOp::accepts);

}  // namespace skiff::dnnl_engine
