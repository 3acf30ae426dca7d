#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <string>

#include "support/op_test.h"

namespace skiff {
namespace {

using testing::OpSpec;
using testing::run_op;

// One RNN/GRU/LSTM configuration; the reference below computes it from the
// ONNX equations, one batch entry and one time step at a time, in double.
struct RnnCase {
  std::string op = "RNN";
  int64_t seq = 3, batch = 2, input = 4, hidden = 5;
  std::string direction = "forward";
  int64_t layout = 0;
  bool bias = false, lens = false, initial_h = false, initial_c = false, peepholes = false;
  std::vector<int32_t> lengths;  // with `lens`
  bool linear_before_reset = false, input_forget = false;
  float clip = 0;  // 0: no clip attribute
  std::vector<std::string> activations;
  std::vector<float> alphas, betas;
  int64_t opset = 14;

  int64_t gates() const { return op == "RNN" ? 1 : op == "GRU" ? 3 : 4; }
  int64_t dirs() const { return direction == "bidirectional" ? 2 : 1; }
  size_t per_direction() const { return op == "RNN" ? 1 : op == "GRU" ? 2 : 3; }
};

std::vector<double> random_values(int64_t n, uint32_t seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<double> dist(-1.0, 1.0);
  std::vector<double> v(static_cast<size_t>(n));
  for (double& x : v) x = dist(rng);
  return v;
}

// The layout-0 data of every input.
struct RnnData {
  std::vector<double> x, w, r, b, h0, c0, p;  // x [seq,batch,input], h0/c0 [dirs,batch,hidden]
  std::vector<int64_t> lens;
};

RnnData make_data(const RnnCase& c) {
  const int64_t D = c.dirs(), GH = c.gates() * c.hidden;
  RnnData d;
  d.x = random_values(c.seq * c.batch * c.input, 1);
  d.w = random_values(D * GH * c.input, 2);
  d.r = random_values(D * GH * c.hidden, 3);
  d.b = c.bias ? random_values(D * 2 * GH, 4) : std::vector<double>(D * 2 * GH, 0.0);
  d.h0 = c.initial_h ? random_values(D * c.batch * c.hidden, 5) : std::vector<double>(D * c.batch * c.hidden, 0.0);
  d.c0 = c.initial_c ? random_values(D * c.batch * c.hidden, 6) : std::vector<double>(D * c.batch * c.hidden, 0.0);
  d.p = c.peepholes ? random_values(D * 3 * c.hidden, 7) : std::vector<double>(D * 3 * c.hidden, 0.0);
  d.lens.assign(static_cast<size_t>(c.batch), c.seq);
  if (c.lens)
    for (int64_t b = 0; b < c.batch; ++b) d.lens[b] = c.lengths[b];
  return d;
}

double activate(const std::string& name, double alpha, double beta, double x) {
  if (name == "Relu") return std::max(0.0, x);
  if (name == "Tanh") return std::tanh(x);
  if (name == "Sigmoid") return 1.0 / (1.0 + std::exp(-x));
  if (name == "Affine") return alpha * x + beta;
  if (name == "LeakyRelu") return x >= 0 ? x : alpha * x;
  if (name == "ThresholdedRelu") return x >= alpha ? x : 0.0;
  if (name == "ScaledTanh") return alpha * std::tanh(beta * x);
  if (name == "HardSigmoid") return std::min(std::max(alpha * x + beta, 0.0), 1.0);
  if (name == "Elu") return x >= 0 ? x : alpha * (std::exp(x) - 1);
  if (name == "Softsign") return x / (1 + std::fabs(x));
  if (name == "Softplus") return std::log(1 + std::exp(x));
  ADD_FAILURE() << "unknown activation " << name;
  return 0;
}

struct RnnResult {
  std::vector<double> y, y_h, y_c;  // layout 0
};

// Reference: activation k of direction d is activations[d * per_direction + k].
RnnResult reference(const RnnCase& c, const RnnData& d) {
  const int64_t D = c.dirs(), H = c.hidden, I = c.input, B = c.batch, GH = c.gates() * H;
  std::vector<std::string> acts = c.activations;
  if (acts.empty())
    for (int64_t k = 0; k < D; ++k) {
      if (c.op == "RNN") acts.push_back("Tanh");
      if (c.op == "GRU") acts.insert(acts.end(), {"Sigmoid", "Tanh"});
      if (c.op == "LSTM") acts.insert(acts.end(), {"Sigmoid", "Tanh", "Tanh"});
    }
  RnnResult out;
  out.y.assign(static_cast<size_t>(c.seq * D * B * H), 0.0);
  out.y_h.assign(static_cast<size_t>(D * B * H), 0.0);
  out.y_c.assign(static_cast<size_t>(D * B * H), 0.0);
  auto clip = [&](double v) { return c.clip > 0 ? std::min(std::max(v, -double(c.clip)), double(c.clip)) : v; };
  for (int64_t dir = 0; dir < D; ++dir) {
    auto act = [&](size_t k, double v) {
      size_t at = static_cast<size_t>(dir) * c.per_direction() + k;
      return activate(acts[at], c.alphas.size() > at ? c.alphas[at] : 0, c.betas.size() > at ? c.betas[at] : 0, clip(v));
    };
    const bool reverse = c.direction == "reverse" || dir == 1;
    const double* W = d.w.data() + dir * GH * I;
    const double* R = d.r.data() + dir * GH * H;
    const double* Wb = d.b.data() + dir * 2 * GH;
    const double* Rb = Wb + GH;
    const double* P = d.p.data() + dir * 3 * H;
    for (int64_t b = 0; b < B; ++b) {
      std::vector<double> h(d.h0.begin() + (dir * B + b) * H, d.h0.begin() + (dir * B + b + 1) * H);
      std::vector<double> cell(d.c0.begin() + (dir * B + b) * H, d.c0.begin() + (dir * B + b + 1) * H);
      const int64_t L = d.lens[b];
      for (int64_t step = 0; step < L; ++step) {
        const int64_t t = reverse ? L - 1 - step : step;
        const double* x = d.x.data() + (t * B + b) * I;
        auto xw = [&](int64_t g, int64_t k) {
          double s = Wb[g * H + k];
          for (int64_t i = 0; i < I; ++i) s += x[i] * W[(g * H + k) * I + i];
          return s;
        };
        auto hr = [&](int64_t g, int64_t k, const std::vector<double>& v) {
          double s = Rb[g * H + k];
          for (int64_t j = 0; j < H; ++j) s += v[j] * R[(g * H + k) * H + j];
          return s;
        };
        std::vector<double> next(H);
        if (c.op == "RNN") {
          for (int64_t k = 0; k < H; ++k) next[k] = act(0, xw(0, k) + hr(0, k, h));
        } else if (c.op == "GRU") {
          std::vector<double> z(H), r(H), rh(H);
          for (int64_t k = 0; k < H; ++k) {
            z[k] = act(0, xw(0, k) + hr(0, k, h));
            r[k] = act(0, xw(1, k) + hr(1, k, h));
            rh[k] = r[k] * h[k];
          }
          for (int64_t k = 0; k < H; ++k) {
            const double pre = c.linear_before_reset ? xw(2, k) + r[k] * hr(2, k, h) : xw(2, k) + hr(2, k, rh);
            next[k] = (1 - z[k]) * act(1, pre) + z[k] * h[k];
          }
        } else {
          for (int64_t k = 0; k < H; ++k) {
            const double i = act(0, xw(0, k) + hr(0, k, h) + P[k] * cell[k]);
            const double f = c.input_forget ? 1 - i : act(0, xw(2, k) + hr(2, k, h) + P[2 * H + k] * cell[k]);
            const double g = act(1, xw(3, k) + hr(3, k, h));
            cell[k] = f * cell[k] + i * g;
            const double o = act(0, xw(1, k) + hr(1, k, h) + P[H + k] * cell[k]);
            size_t at = static_cast<size_t>(dir) * 3 + 2;
            next[k] = o * activate(acts[at], c.alphas.size() > at ? c.alphas[at] : 0,
                                   c.betas.size() > at ? c.betas[at] : 0, cell[k]);
          }
        }
        h = next;
        for (int64_t k = 0; k < H; ++k) out.y[((t * D + dir) * B + b) * H + k] = h[k];
      }
      for (int64_t k = 0; k < H; ++k) {
        out.y_h[(dir * B + b) * H + k] = L > 0 ? h[k] : 0.0;
        out.y_c[(dir * B + b) * H + k] = L > 0 ? cell[k] : 0.0;
      }
    }
  }
  return out;
}

// [a, b, rest] -> [b, a, rest]: switches layout 0 and layout 1 of X and states.
std::vector<double> swap01(const std::vector<double>& v, int64_t a, int64_t b, int64_t rest) {
  std::vector<double> out(v.size());
  for (int64_t i = 0; i < a; ++i)
    for (int64_t j = 0; j < b; ++j)
      for (int64_t k = 0; k < rest; ++k) out[(j * a + i) * rest + k] = v[(i * b + j) * rest + k];
  return out;
}

// Y [seq, D, batch, H] -> [batch, seq, D, H] (layout 1).
std::vector<double> y_batch_first(const std::vector<double>& y, int64_t seq, int64_t D, int64_t B,
                                  int64_t H) {
  std::vector<double> out(y.size());
  for (int64_t t = 0; t < seq; ++t)
    for (int64_t d = 0; d < D; ++d)
      for (int64_t b = 0; b < B; ++b)
        for (int64_t k = 0; k < H; ++k)
          out[((b * seq + t) * D + d) * H + k] = y[((t * D + d) * B + b) * H + k];
  return out;
}

template <class T>
Tensor to_tensor(Shape shape, const std::vector<double>& v) {
  Tensor t(dtype_of<T>(), std::move(shape));
  for (size_t i = 0; i < v.size(); ++i) t.data<T>()[i] = static_cast<T>(v[i]);
  return t;
}

OpSpec make_spec(const RnnCase& c) {
  OpSpec spec(c.op);
  spec.opset(c.opset).attr("hidden_size", c.hidden).attr("direction", c.direction.c_str());
  if (c.opset >= 14) spec.attr("layout", c.layout);
  if (c.op == "GRU" && c.opset >= 3) spec.attr("linear_before_reset", int64_t{c.linear_before_reset});
  if (c.op == "LSTM") spec.attr("input_forget", int64_t{c.input_forget});
  if (c.clip > 0) spec.attr("clip", c.clip);
  if (!c.activations.empty()) {
    ir::Attribute a;
    a.name = "activations";
    a.type = ir::Attribute::Type::kStrings;
    a.strings = c.activations;
    spec.node.attributes.push_back(a);
  }
  if (!c.alphas.empty()) spec.attr("activation_alpha", c.alphas);
  if (!c.betas.empty()) spec.attr("activation_beta", c.betas);
  spec.outputs(c.op == "LSTM" ? 3 : 2);
  return spec;
}

template <class T>
std::vector<Tensor> run_case(const RnnCase& c, const RnnData& d, const OpSpec& spec) {
  const int64_t D = c.dirs(), GH = c.gates() * c.hidden;
  const bool bf = c.layout == 1;
  auto state = [&](const std::vector<double>& v) {
    return bf ? to_tensor<T>({c.batch, D, c.hidden}, swap01(v, D, c.batch, c.hidden))
              : to_tensor<T>({D, c.batch, c.hidden}, v);
  };
  std::vector<Tensor> in(8);
  in[0] = bf ? to_tensor<T>({c.batch, c.seq, c.input}, swap01(d.x, c.seq, c.batch, c.input))
             : to_tensor<T>({c.seq, c.batch, c.input}, d.x);
  in[1] = to_tensor<T>({D, GH, c.input}, d.w);
  in[2] = to_tensor<T>({D, GH, c.hidden}, d.r);
  if (c.bias) in[3] = to_tensor<T>({D, 2 * GH}, d.b);
  if (c.lens) in[4] = testing::make<int32_t>({c.batch}, c.lengths);
  if (c.initial_h) in[5] = state(d.h0);
  if (c.initial_c) in[6] = state(d.c0);
  if (c.peepholes) in[7] = to_tensor<T>({D, 3 * c.hidden}, d.p);
  in.resize(c.op == "LSTM" ? 8 : 6);
  while (!in.back().defined()) in.pop_back();
  return run_op(spec, in);
}

template <class T>
void expect_near(const Tensor& got, const std::vector<double>& want, double tol, const char* what) {
  ASSERT_EQ(got.numel(), static_cast<int64_t>(want.size())) << what;
  for (size_t i = 0; i < want.size(); ++i)
    ASSERT_NEAR(static_cast<double>(got.data<T>()[i]), want[i], tol) << what << " at " << i;
}

template <class T = float>
void check(const RnnCase& c, double tol = 1e-4) {
  SCOPED_TRACE(c.op + " " + c.direction + " layout " + std::to_string(c.layout));
  const RnnData d = make_data(c);
  const RnnResult want = reference(c, d);
  const std::vector<Tensor> got = run_case<T>(c, d, make_spec(c));
  const int64_t D = c.dirs();
  const bool bf = c.layout == 1;
  const Shape y_shape = bf ? Shape{c.batch, c.seq, D, c.hidden} : Shape{c.seq, D, c.batch, c.hidden};
  const Shape state_shape = bf ? Shape{c.batch, D, c.hidden} : Shape{D, c.batch, c.hidden};
  EXPECT_EQ(got[0].shape(), y_shape);
  EXPECT_EQ(got[1].shape(), state_shape);
  expect_near<T>(got[0], bf ? y_batch_first(want.y, c.seq, D, c.batch, c.hidden) : want.y, tol, "Y");
  expect_near<T>(got[1], bf ? swap01(want.y_h, D, c.batch, c.hidden) : want.y_h, tol, "Y_h");
  if (c.op == "LSTM") {
    EXPECT_EQ(got[2].shape(), state_shape);
    expect_near<T>(got[2], bf ? swap01(want.y_c, D, c.batch, c.hidden) : want.y_c, tol, "Y_c");
  }
}

RnnCase full(const std::string& op, const std::string& direction) {
  RnnCase c;
  c.op = op;
  c.direction = direction;
  c.bias = c.initial_h = true;
  c.initial_c = c.peepholes = op == "LSTM";
  return c;
}

TEST(Rnn, ForwardDefaultsMatchReference) {
  for (const char* op : {"RNN", "GRU", "LSTM"}) {
    RnnCase c;
    c.op = op;
    check(c);
  }
}

TEST(Rnn, ReverseWithBiasAndInitialStateMatchesReference) {
  for (const char* op : {"RNN", "GRU", "LSTM"}) check(full(op, "reverse"));
}

TEST(Rnn, BidirectionalWithSequenceLensAndLayout1MatchesReference) {
  for (const char* op : {"RNN", "GRU", "LSTM"})
    for (int64_t layout : {0, 1}) {
      RnnCase c = full(op, "bidirectional");
      c.seq = 5;
      c.batch = 3;
      c.lens = true;
      c.lengths = {5, 2, 4};
      c.layout = layout;
      check(c);
    }
}

TEST(Rnn, ZeroLengthSequenceGivesZeroOutputsAndStates) {
  for (const char* op : {"RNN", "GRU", "LSTM"}) {
    RnnCase c = full(op, "bidirectional");
    c.lens = true;
    c.lengths = {0, 3};
    check(c);
  }
}

TEST(Rnn, AwkwardSizesMatchReference) {
  for (const char* op : {"RNN", "GRU", "LSTM"})
    for (int64_t hidden : {1, 7, 8, 9, 17}) {
      RnnCase c = full(op, "bidirectional");
      c.hidden = hidden;
      c.input = hidden == 17 ? 13 : 3;
      c.batch = hidden == 17 ? 9 : 1;
      c.seq = 7;
      check(c, 2e-4);
    }
}

TEST(Rnn, LargeCaseUsesThreadedGemmAndMatchesReference) {
  for (const char* op : {"GRU", "LSTM"}) {
    for (const char* direction : {"forward", "bidirectional"}) {
      RnnCase c = full(op, direction);
      c.seq = 6;
      c.batch = 16;
      c.input = 40;
      c.hidden = 48;
      check(c, 5e-4);
    }
  }
}

TEST(Rnn, DoubleMatchesReference) {
  for (const char* op : {"RNN", "GRU", "LSTM"}) {
    RnnCase c = full(op, "bidirectional");
    c.lens = true;
    c.lengths = {1, 3};
    c.layout = 1;
    check<double>(c, 1e-10);
  }
}

TEST(Rnn, Float16MatchesReference) {
  for (const char* op : {"RNN", "GRU", "LSTM"}) check<Float16>(full(op, "forward"), 1e-2);
}

TEST(Rnn, ActivationsWithAlphaBetaMatchReference) {
  RnnCase c = full("RNN", "bidirectional");
  c.activations = {"LeakyRelu", "ScaledTanh"};
  // Consumed in order by the functions that take them: LeakyRelu alpha
  // 0.3; ScaledTanh alpha 1.5 and beta 0.7.
  c.alphas = {0.3f, 1.5f};
  c.betas = {0.7f};
  const RnnData d = make_data(c);
  RnnCase ref = c;
  ref.alphas = {0.3f, 1.5f};
  ref.betas = {0.0f, 0.7f};  // the reference indexes by function
  const RnnResult want = reference(ref, d);
  const auto got = run_case<float>(c, d, make_spec(c));
  expect_near<float>(got[1], want.y_h, 1e-4, "Y_h");
}

TEST(Rnn, EveryActivationMatchesReference) {
  const std::vector<std::string> names = {"Relu", "Tanh", "Sigmoid", "Affine", "LeakyRelu",
                                          "ThresholdedRelu", "ScaledTanh", "HardSigmoid", "Elu",
                                          "Softsign", "Softplus"};
  for (const std::string& name : names) {
    SCOPED_TRACE(name);
    RnnCase c = full("LSTM", "forward");
    c.activations = {"Sigmoid", name, name};
    c.alphas = {0, 0.4f, 0.4f};
    c.betas = {0, 0.2f, 0.2f};
    const RnnData d = make_data(c);
    const RnnResult want = reference(c, d);
    // The kernel consumes alphas and betas only for functions that take them.
    RnnCase k = c;
    const bool alpha = name == "Affine" || name == "LeakyRelu" || name == "ThresholdedRelu" ||
                       name == "ScaledTanh" || name == "HardSigmoid" || name == "Elu";
    const bool beta = name == "Affine" || name == "ScaledTanh" || name == "HardSigmoid";
    k.alphas = alpha ? std::vector<float>{0.4f, 0.4f} : std::vector<float>{};
    k.betas = beta ? std::vector<float>{0.2f, 0.2f} : std::vector<float>{};
    const auto got = run_case<float>(k, d, make_spec(k));
    expect_near<float>(got[0], want.y, 1e-4, "Y");
    expect_near<float>(got[2], want.y_c, 1e-4, "Y_c");
  }
}

TEST(Rnn, GruLinearBeforeResetMatchesReference) {
  RnnCase c = full("GRU", "bidirectional");
  c.linear_before_reset = true;
  c.lens = true;
  c.lengths = {2, 3};
  check(c);
}

TEST(Rnn, GruOpset1IgnoresLinearBeforeReset) {
  RnnCase c = full("GRU", "forward");
  c.opset = 1;
  check(c);
  c.opset = 7;
  c.linear_before_reset = true;
  check(c);
}

TEST(Rnn, LstmClipAndInputForgetMatchReference) {
  RnnCase c = full("LSTM", "bidirectional");
  c.clip = 0.5f;
  c.input_forget = true;
  check(c);
  c.input_forget = false;
  c.clip = 0.2f;
  c.layout = 1;
  check(c);
}

TEST(Rnn, RnnAndGruClipMatchReference) {
  for (const char* op : {"RNN", "GRU"}) {
    RnnCase c = full(op, "forward");
    c.clip = 0.3f;
    check(c);
  }
}

TEST(Rnn, OnlyFinalStateRequested) {
  RnnCase c = full("LSTM", "forward");
  const RnnData d = make_data(c);
  OpSpec spec = make_spec(c);
  spec.node.outputs = {"", "y_h"};
  const auto got = run_case<float>(c, d, spec);
  ASSERT_EQ(got.size(), 2u);
  EXPECT_FALSE(got[0].defined());
  expect_near<float>(got[1], reference(c, d).y_h, 1e-4, "Y_h");
}

TEST(Rnn, EmptyBatchAndEmptySequence) {
  for (const char* op : {"RNN", "GRU", "LSTM"}) {
    RnnCase c = full(op, "bidirectional");
    c.batch = 0;
    check(c);
    c = full(op, "forward");
    c.seq = 0;
    check(c);  // no step runs: Y is empty and the final states are zero
  }
}

TEST(Rnn, HiddenSizeInferredFromR) {
  RnnCase c = full("GRU", "forward");
  const RnnData d = make_data(c);
  OpSpec spec = make_spec(c);
  auto& attrs = spec.node.attributes;
  attrs.erase(std::remove_if(attrs.begin(), attrs.end(),
                             [](const ir::Attribute& a) { return a.name == "hidden_size"; }),
              attrs.end());
  expect_near<float>(run_case<float>(c, d, spec)[1], reference(c, d).y_h, 1e-4, "Y_h");
}

ErrorCode error_code(const std::function<void()>& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.code();
  }
  ADD_FAILURE() << "no error";
  return ErrorCode::kInternal;
}

TEST(Rnn, BadShapesAreInvalidInput) {
  RnnCase c = full("LSTM", "forward");
  const RnnData d = make_data(c);
  const OpSpec spec = make_spec(c);
  std::vector<Tensor> in = {to_tensor<float>({3, 2, 4}, d.x), to_tensor<float>({1, 20, 4}, d.w),
                            to_tensor<float>({1, 20, 5}, d.r)};
  EXPECT_NO_THROW(run_op(spec, in));
  auto with = [&](size_t i, Tensor t) {
    std::vector<Tensor> v = in;
    if (v.size() <= i) v.resize(i + 1);
    v[i] = std::move(t);
    return error_code([&] { run_op(spec, v); });
  };
  EXPECT_EQ(with(1, Tensor(DataType::kFloat, {1, 20, 3})), ErrorCode::kInvalidInput);   // input size
  EXPECT_EQ(with(1, Tensor(DataType::kFloat, {1, 16, 4})), ErrorCode::kInvalidInput);   // gates
  EXPECT_EQ(with(2, Tensor(DataType::kFloat, {1, 20, 4})), ErrorCode::kInvalidInput);   // hidden
  EXPECT_EQ(with(2, Tensor(DataType::kFloat, {2, 20, 5})), ErrorCode::kInvalidInput);   // directions
  EXPECT_EQ(with(3, Tensor(DataType::kFloat, {1, 20})), ErrorCode::kInvalidInput);      // B
  EXPECT_EQ(with(4, Tensor(DataType::kInt32, {3})), ErrorCode::kInvalidInput);          // lens
  EXPECT_EQ(with(5, Tensor(DataType::kFloat, {2, 1, 5})), ErrorCode::kInvalidInput);    // initial_h
  EXPECT_EQ(with(7, Tensor(DataType::kFloat, {1, 20})), ErrorCode::kInvalidInput);      // P
  EXPECT_EQ(with(1, Tensor(DataType::kDouble, {1, 20, 4})), ErrorCode::kInvalidInput);  // dtype
  EXPECT_EQ(with(0, Tensor(DataType::kFloat, {3, 4})), ErrorCode::kInvalidInput);       // rank
}

TEST(Rnn, OutOfRangeSequenceLensIsRuntimeError) {
  RnnCase c = full("RNN", "forward");
  c.lens = true;
  const RnnData d = make_data(RnnCase{});
  for (std::vector<int32_t> lengths : {std::vector<int32_t>{4, 1}, std::vector<int32_t>{1, -1}}) {
    c.lengths = lengths;
    EXPECT_EQ(error_code([&] { run_case<float>(c, d, make_spec(c)); }), ErrorCode::kRuntime);
  }
}

TEST(Rnn, BadAttributesAreInvalidModel) {
  RnnCase c = full("GRU", "forward");
  const RnnData d = make_data(c);
  auto code = [&](const RnnCase& k) { return error_code([&] { run_case<float>(k, d, make_spec(k)); }); };
  RnnCase bad = c;
  bad.direction = "sideways";
  EXPECT_EQ(code(bad), ErrorCode::kInvalidModel);
  bad = c;
  bad.layout = 2;
  EXPECT_EQ(code(bad), ErrorCode::kInvalidModel);
  bad = c;
  bad.activations = {"Sigmoid"};
  EXPECT_EQ(code(bad), ErrorCode::kInvalidModel);
  bad = c;
  bad.activations = {"Sigmoid", "Swish"};
  EXPECT_EQ(code(bad), ErrorCode::kUnsupported);
  OpSpec spec = make_spec(c);
  spec.attr("clip", -1.0f);
  EXPECT_EQ(error_code([&] { run_case<float>(c, d, spec); }), ErrorCode::kInvalidModel);
}

}  // namespace
}  // namespace skiff
