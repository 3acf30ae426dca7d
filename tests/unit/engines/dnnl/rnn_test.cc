// LSTM and GRU layers (constant W, R, B as a trained model has them) on the
// oneDNN engine and on the native engine's fast path, against the native
// reference kernel (run with W, R and B as plain inputs, which never takes
// the fast path): both GRU forms, every direction, with and without initial
// states, batches on both sides of the oneDNN engine's threshold; and that
// the threshold and the limits send the node where they say.
#include <gtest/gtest.h>

#include <cmath>

#include "engines/dnnl/region.h"
#include "engines/native/rnn_fast.h"
#include "passes/pass_test_util.h"

namespace skiff::testing {
namespace {

struct Layer {
  std::string op = "GRU";
  int64_t linear_before_reset = 0;
  std::string direction = "forward";
  int64_t seq = 7, batch = 1, input = 12, hidden = 20;
  bool bias = true, initial = false;
  int32_t len = -1;  // >= 0: a constant sequence_lens of this value for every entry

  bool lstm() const { return op == "LSTM"; }
  int64_t dirs() const { return direction == "bidirectional" ? 2 : 1; }
  int64_t gates() const { return lstm() ? 4 : 3; }
  size_t outputs() const { return lstm() ? 3 : 2; }
  std::string describe() const {
    return str_cat(op, " lbr ", linear_before_reset, " ", direction, " batch ", batch, " bias ", bias, " initial ",
                   initial, " len ", len);
  }
};

// Inputs in ONNX order (X, W, R, B, sequence_lens, initial_h, initial_c),
// undefined where omitted; weights scaled like a trained layer's.
std::vector<Tensor> layer_inputs(const Layer& c) {
  const int64_t D = c.dirs(), GH = c.gates() * c.hidden;
  std::vector<Tensor> in(c.lstm() ? 7 : 6);
  in[0] = random_tensor({c.seq, c.batch, c.input}, 1);
  in[1] = random_tensor({D, GH, c.input}, 2, -1.0f / std::sqrt(float(c.input)), 1.0f / std::sqrt(float(c.input)));
  in[2] = random_tensor({D, GH, c.hidden}, 3, -1.0f / std::sqrt(float(c.hidden)), 1.0f / std::sqrt(float(c.hidden)));
  if (c.bias) in[3] = random_tensor({D, 2 * GH}, 4, -0.5f, 0.5f);
  if (c.len >= 0) in[4] = make<int32_t>({c.batch}, std::vector<int32_t>(static_cast<size_t>(c.batch), c.len));
  if (c.initial) {
    in[5] = random_tensor({D, c.batch, c.hidden}, 5);
    if (c.lstm()) in[6] = random_tensor({D, c.batch, c.hidden}, 6);
  }
  return in;
}

std::vector<ir::Attribute> layer_attrs(const Layer& c) {
  std::vector<ir::Attribute> attrs{make_attr("hidden_size", c.hidden), make_attr("direction", c.direction)};
  if (!c.lstm()) attrs.push_back(make_attr("linear_before_reset", c.linear_before_reset));
  return attrs;
}

// The layer as a model: X and the initial states are graph inputs, W, R, B
// and sequence_lens weights.
ir::Model layer_model(const Layer& c, const std::vector<Tensor>& in) {
  ModelBuilder b(14);
  const char* names[] = {"x", "W", "R", "B", "lens", "h0", "c0"};
  std::vector<std::string> inputs;
  for (size_t i = 0; i < in.size(); ++i) {
    inputs.push_back(in[i].defined() ? names[i] : "");
    if (!in[i].defined()) continue;
    if (i == 0 || i >= 5) b.input(names[i], in[i].shape());
    else b.weight(names[i], in[i]);
  }
  std::vector<std::string> outputs{"y", "y_h", "y_c"};
  outputs.resize(c.outputs());
  b.node(c.op, inputs, outputs, layer_attrs(c));
  for (const std::string& o : outputs) b.output(o);
  return b.model;
}

std::vector<Tensor> graph_inputs(const std::vector<Tensor>& in) {
  std::vector<Tensor> out;
  for (size_t i = 0; i < in.size(); ++i)
    if (in[i].defined() && (i == 0 || i >= 5)) out.push_back(in[i]);
  return out;
}

// True when the oneDNN engine builds the layer as oneDNN primitives (no
// node left to its native kernel).
bool runs_on_onednn(const ir::Model& model, const std::vector<Tensor>& inputs) {
  const dnnl_engine::RegionKernel region(Region{model.graph, model.opsets, "rnn"}, EngineOptions{});
  std::vector<Shape> shapes;
  for (const Tensor& t : inputs) shapes.push_back(t.shape());
  return dnnl_engine::build_exec(region, shapes)->native_nodes == 0;
}

void check(const Layer& c, bool onednn) {
  SCOPED_TRACE(c.describe());
  const std::vector<Tensor> in = layer_inputs(c);
  OpSpec spec(c.op);
  spec.opset(14).outputs(c.outputs());
  spec.node.attributes = layer_attrs(c);
  const std::vector<Tensor> want = run_op(spec, in);
  const ir::Model model = layer_model(c, in);
  EXPECT_EQ(runs_on_onednn(model, graph_inputs(in)), onednn);
  for (const auto& engines : {std::vector<std::string>{"dnnl", "native"}, std::vector<std::string>{"native"}}) {
    SCOPED_TRACE(engines.front());
    const std::vector<Tensor> got = run_model(model, graph_inputs(in), engines);
    ASSERT_EQ(got.size(), want.size());
    for (size_t o = 0; o < want.size(); ++o) expect_close(want[o], got[o], 2e-5, 2e-5);
  }
}

// The smallest batch the oneDNN engine runs on oneDNN at c.hidden
// (rnn_fast.h's thresholds).
int64_t onednn_batch(const Layer& c) {
  if (c.lstm()) return rnn::FastRecurrence::kMaxBatch + 1;
  const int64_t work = c.linear_before_reset ? rnn::FastRecurrence::kMinOneDnnLbrGruWork
                                             : rnn::FastRecurrence::kMinOneDnnGruWork;
  return (work + c.hidden * c.hidden - 1) / (c.hidden * c.hidden);
}

// Hidden sizes that put the GRU thresholds at small batches (8 and 32).
Layer gru(int64_t linear_before_reset) {
  Layer c;
  c.linear_before_reset = linear_before_reset;
  c.hidden = linear_before_reset ? 512 : 256;
  c.seq = 3;
  return c;
}

TEST(DnnlRnn, GruDirectionsInitialStateAndBatchesMatchReference) {
  for (int64_t lbr : {0, 1})
    for (const char* direction : {"forward", "reverse", "bidirectional"})
      for (bool initial : {false, true})
        for (bool above : {false, true}) {
          Layer c = gru(lbr);
          c.direction = direction;
          c.initial = initial;
          c.batch = onednn_batch(c) - (above ? 0 : 1);
          check(c, above);
        }
}

TEST(DnnlRnn, LstmDirectionsAndInitialStatesMatchReference) {
  for (const char* direction : {"forward", "reverse", "bidirectional"})
    for (bool initial : {false, true})
      for (bool above : {false, true}) {
        Layer c;
        c.op = "LSTM";
        c.direction = direction;
        c.initial = initial;
        c.batch = onednn_batch(c) + (above ? 2 : -1);
        check(c, above);
      }
}

// No bias, and sequence_lens: all full length stays on oneDNN, a shorter
// one goes native.
TEST(DnnlRnn, NoBiasAndSequenceLensMatchReference) {
  for (const char* op : {"GRU", "LSTM"})
    for (int64_t lbr : {0, 1}) {
      Layer c = gru(lbr);
      c.op = op;
      if (c.lstm()) c.hidden = 20;
      c.batch = onednn_batch(c) + 1;
      c.bias = false;
      check(c, true);
      c.bias = true;
      c.len = static_cast<int32_t>(c.seq);
      check(c, true);
      c.len = static_cast<int32_t>(c.seq - 2);
      check(c, false);
    }
}

}  // namespace
}  // namespace skiff::testing
