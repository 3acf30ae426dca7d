// The fast LSTM/GRU path (engines/native/rnn_fast.h) against the native
// reference kernel (run without constant weights, so it never takes the
// fast path): every instruction set the CPU has, the awkward hidden sizes
// around the 16-unit panels, both layouts, every direction, initial states
// and sequence lengths. Then the kernels themselves with constant weights.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <cstring>
#include <string>

#include <omp.h>

#include "engines/kernel.h"
#include "engines/native/rnn_fast.h"
#include "support/op_test.h"

namespace skiff {
namespace {

using rnn::FastCell;
using rnn::Isa;
using testing::OpSpec;

struct Case {
  FastCell cell = FastCell::kLstm;
  bool linear_before_reset = false;
  int64_t seq = 5, batch = 1, input = 6, hidden = 7;
  std::string direction = "forward";
  int64_t layout = 0;
  bool bias = true, initial = false, lens = false;

  std::string op() const { return cell == FastCell::kLstm ? "LSTM" : "GRU"; }
  int64_t gates() const { return cell == FastCell::kLstm ? 4 : 3; }
  int64_t dirs() const { return direction == "bidirectional" ? 2 : 1; }
  Shape x_shape() const { return layout == 0 ? Shape{seq, batch, input} : Shape{batch, seq, input}; }
  Shape state_shape() const { return layout == 0 ? Shape{dirs(), batch, hidden} : Shape{batch, dirs(), hidden}; }
};

Tensor random_tensor(Shape shape, uint32_t seed, float scale = 1.0f) {
  Tensor t(DataType::kFloat, std::move(shape));
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> dist(-scale, scale);
  for (int64_t i = 0; i < t.numel(); ++i) t.data<float>()[i] = dist(rng);
  return t;
}

// Inputs X, W, R, B, sequence_lens, initial_h, initial_c in ONNX order
// (undefined tensors are omitted inputs).
std::vector<Tensor> make_inputs(const Case& c) {
  const int64_t D = c.dirs(), GH = c.gates() * c.hidden;
  std::vector<Tensor> in(c.cell == FastCell::kLstm ? 7 : 6);
  in[0] = random_tensor(c.x_shape(), 1);
  // Weights scaled like a trained layer's (1/sqrt(fan-in)), so long
  // sequences neither saturate every gate nor blow up.
  in[1] = random_tensor({D, GH, c.input}, 2, 1.0f / std::sqrt(float(c.input)));
  in[2] = random_tensor({D, GH, c.hidden}, 3, 1.0f / std::sqrt(float(c.hidden)));
  if (c.bias) in[3] = random_tensor({D, 2 * GH}, 4, 0.5f);
  if (c.lens) {
    in[4] = Tensor(DataType::kInt32, {c.batch});
    for (int64_t b = 0; b < c.batch; ++b) in[4].data<int32_t>()[b] = static_cast<int32_t>((c.seq * (b + 1)) / c.batch - b % 2);
  }
  if (c.initial) {
    in[5] = random_tensor(c.state_shape(), 5);
    if (c.cell == FastCell::kLstm) in[6] = random_tensor(c.state_shape(), 6);
  }
  return in;
}

OpSpec spec_of(const Case& c) {
  OpSpec spec(c.op());
  spec.attr("hidden_size", c.hidden).attr("direction", c.direction.c_str()).attr("layout", c.layout).opset(14);
  if (c.cell == FastCell::kGru) spec.attr("linear_before_reset", c.linear_before_reset ? 1 : 0);
  return spec.outputs(c.cell == FastCell::kLstm ? 3 : 2);
}

rnn::FastSpec fast_spec(const Case& c, const std::vector<Tensor>& in) {
  rnn::FastSpec spec;
  spec.cell = c.cell;
  spec.linear_before_reset = c.linear_before_reset;
  spec.directions = c.dirs();
  spec.reverse = c.direction == "reverse";
  spec.layout = c.layout;
  spec.hidden = c.hidden;
  spec.input_size = c.input;
  spec.w = in[1].data<float>();
  spec.r = in[2].data<float>();
  spec.b = in[3].defined() ? in[3].data<float>() : nullptr;
  return spec;
}

// Outputs Y, Y_h (, Y_c) of the fast path with instruction set `isa`.
std::vector<Tensor> run_fast(const Case& c, const std::vector<Tensor>& in, Isa isa) {
  const rnn::FastRecurrence fast(fast_spec(c, in), isa);
  const Shape y_shape = c.layout == 0 ? Shape{c.seq, c.dirs(), c.batch, c.hidden} : Shape{c.batch, c.seq, c.dirs(), c.hidden};
  std::vector<Tensor> out{Tensor(DataType::kFloat, y_shape), Tensor(DataType::kFloat, c.state_shape())};
  if (c.cell == FastCell::kLstm) out.emplace_back(DataType::kFloat, c.state_shape());
  // Poison the outputs: every element must be written.
  for (Tensor& t : out) std::fill_n(t.data<float>(), t.numel(), std::nanf(""));
  std::vector<int64_t> lens;
  if (in[4].defined()) lens.assign(in[4].data<int32_t>(), in[4].data<int32_t>() + c.batch);
  rnn::FastIo io;
  io.x = in[0].data<float>();
  io.seq_length = c.seq;
  io.batch = c.batch;
  io.lens = lens.empty() ? nullptr : lens.data();
  io.initial_h = in[5].defined() ? in[5].data<float>() : nullptr;
  io.initial_c = in.size() > 6 && in[6].defined() ? in[6].data<float>() : nullptr;
  io.y = out[0].data<float>();
  io.y_h = out[1].data<float>();
  io.y_c = out.size() > 2 ? out[2].data<float>() : nullptr;
  fast.run(io);
  return out;
}

void expect_close(const std::vector<Tensor>& want, const std::vector<Tensor>& got, const std::string& what) {
  ASSERT_EQ(want.size(), got.size()) << what;
  for (size_t o = 0; o < want.size(); ++o) {
    ASSERT_EQ(want[o].shape(), got[o].shape()) << what << " output " << o;
    for (int64_t i = 0; i < want[o].numel(); ++i) {
      const float a = want[o].data<float>()[i], b = got[o].data<float>()[i];
      ASSERT_NEAR(a, b, 2e-5f + 2e-5f * std::fabs(a)) << what << " output " << o << " element " << i;
    }
  }
}

std::vector<Isa> isas() {
  std::vector<Isa> out{Isa::kScalar};
  if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) out.push_back(Isa::kAvx2);
  if (__builtin_cpu_supports("avx512f")) out.push_back(Isa::kAvx512);
  return out;
}

std::string describe(const Case& c, Isa isa) {
  return str_cat(c.op(), " lbr ", c.linear_before_reset, " seq ", c.seq, " batch ", c.batch, " hidden ", c.hidden,
                 " ", c.direction, " layout ", c.layout, " bias ", c.bias, " initial ", c.initial, " lens ", c.lens,
                 " isa ", static_cast<int>(isa));
}

void check(const Case& c) {
  const std::vector<Tensor> in = make_inputs(c);
  const std::vector<Tensor> want = testing::run_op(spec_of(c), in);
  for (Isa isa : isas()) expect_close(want, run_fast(c, in, isa), describe(c, isa));
}

TEST(RnnFast, LstmHiddenSizesAroundPanelsMatchReference) {
  for (int64_t hidden : {1, 7, 8, 9, 16, 17, 64})
    for (const char* direction : {"forward", "reverse", "bidirectional"}) {
      Case c;
      c.hidden = hidden;
      c.direction = direction;
      check(c);
    }
}

TEST(RnnFast, GruHiddenSizesAroundPanelsMatchReference) {
  for (bool lbr : {false, true})
    for (int64_t hidden : {1, 7, 8, 9, 17, 64})
      for (const char* direction : {"forward", "reverse", "bidirectional"}) {
        Case c;
        c.cell = FastCell::kGru;
        c.linear_before_reset = lbr;
        c.hidden = hidden;
        c.direction = direction;
        check(c);
      }
}

TEST(RnnFast, BatchLayoutInitialStatesAndLensMatchReference) {
  for (FastCell cell : {FastCell::kLstm, FastCell::kGru})
    for (int64_t layout : {0, 1})
      for (bool lens : {false, true})
        for (const char* direction : {"forward", "bidirectional"}) {
          Case c;
          c.cell = cell;
          c.linear_before_reset = layout == 1;
          c.batch = 3;
          c.seq = 6;
          c.hidden = 9;
          c.layout = layout;
          c.lens = lens;
          c.initial = true;
          c.bias = !lens;
          c.direction = direction;
          check(c);
        }
}

TEST(RnnFast, SingleStepAndLongSequencesMatchReference) {
  for (int64_t seq : {1, 70})
    for (FastCell cell : {FastCell::kLstm, FastCell::kGru}) {
      Case c;
      c.cell = cell;
      c.seq = seq;
      c.hidden = 17;
      c.direction = "bidirectional";
      c.initial = true;
      check(c);
    }
}

TEST(RnnFast, LargeHiddenMatchesReference) {
  for (int64_t hidden : {256}) {
    Case lstm;
    lstm.hidden = hidden;
    lstm.input = 40;
    lstm.seq = 12;
    lstm.batch = 3;
    lstm.lens = true;
    lstm.direction = "bidirectional";
    check(lstm);
    Case gru = lstm;
    gru.cell = FastCell::kGru;
    check(gru);
  }
}

// The kernels themselves, given W, R and B as initializers (the fast path)
// and as plain inputs (the reference path).
std::vector<Tensor> run_with_constant_weights(const Case& c, const std::vector<Tensor>& in) {
  const OpSpec spec = spec_of(c);
  ir::Node node = spec.node;
  node.inputs.clear();
  ir::Graph graph;
  std::vector<Value> values(in.size());
  std::vector<const Value*> pointers;
  for (size_t i = 0; i < in.size(); ++i) {
    node.inputs.push_back(in[i].defined() ? "x" + std::to_string(i) : "");
    if (in[i].defined() && i >= 1 && i <= 3) graph.initializers[node.inputs[i]] = in[i];
    values[i] = in[i].defined() ? Value(in[i]) : Value();
    pointers.push_back(in[i].defined() ? &values[i] : nullptr);
  }
  const KernelDef* def = KernelRegistry::global().find("native", "", c.op(), 14);
  EXPECT_NE(def, nullptr);
  auto kernel = def->factory(KernelInfo(node, 14, graph, nullptr));
  std::vector<Value> outputs(node.outputs.size());
  KernelContext ctx(node, 14, pointers, &outputs, {});
  kernel->prepare(ctx);
  ctx.allocate_declared_outputs();
  kernel->compute(ctx);
  std::vector<Tensor> result;
  for (auto& v : outputs) result.push_back(v.tensor);
  return result;
}

TEST(RnnFast, KernelsWithConstantWeightsMatchReference) {
  for (FastCell cell : {FastCell::kLstm, FastCell::kGru})
    for (int64_t batch : {1, 3, 9}) {  // 9: two groups of four rows and one
      Case c;
      c.cell = cell;
      c.batch = batch;
      c.hidden = 33;
      c.lens = true;
      c.initial = true;
      c.direction = "bidirectional";
      const std::vector<Tensor> in = make_inputs(c);
      expect_close(testing::run_op(spec_of(c), in), run_with_constant_weights(c, in), describe(c, rnn::best_isa()));
    }
}

// A single direction's step split across threads (panels per thread, a
// barrier per step): every element is computed by one thread in the same
// order, so the outputs equal the one-thread run's bit for bit. Hidden
// sizes above FastRecurrence::kMinSplitWork, one (250) with a padded last
// panel; batch 3 with lengths also splits the carried-over states.
TEST(RnnFast, StepSplitAcrossThreadsIsBitIdentical) {
  const int saved = omp_get_max_threads();
  for (FastCell cell : {FastCell::kLstm, FastCell::kGru})
    for (int64_t hidden : {250, 256})
      for (int64_t batch : {1, 3}) {
        Case c;
        c.cell = cell;
        c.linear_before_reset = true;  // the GRU form that splits
        c.hidden = hidden;
        c.input = 24;
        c.seq = 9;
        c.batch = batch;
        c.lens = batch > 1;
        c.initial = true;
        c.direction = hidden == 250 ? "reverse" : "forward";
        const std::vector<Tensor> in = make_inputs(c);
        const std::vector<Tensor> want = testing::run_op(spec_of(c), in);
        omp_set_num_threads(2);
        ASSERT_EQ(rnn::FastRecurrence(fast_spec(c, in)).step_threads(c.batch), 2) << describe(c, rnn::best_isa());
        for (Isa isa : isas()) {
          omp_set_num_threads(1);
          const std::vector<Tensor> one = run_fast(c, in, isa);
          omp_set_num_threads(2);
          const std::vector<Tensor> two = run_fast(c, in, isa);
          const std::string what = describe(c, isa);
          expect_close(want, two, what);
          for (size_t o = 0; o < one.size(); ++o)
            EXPECT_EQ(std::memcmp(one[o].data<float>(), two[o].data<float>(), one[o].numel() * sizeof(float)), 0)
                << what << " output " << o;
        }
      }
  omp_set_num_threads(saved);
}

// Steps too small to hide a barrier, GRU without linear_before_reset and
// bidirectional ops (one direction per thread) keep one thread a direction.
TEST(RnnFast, SmallStepsGruWithoutLbrAndBidirectionalDoNotSplit) {
  const int saved = omp_get_max_threads();
  omp_set_num_threads(2);
  Case small, gru, both;
  small.hidden = 64;
  gru.cell = FastCell::kGru;
  gru.hidden = both.hidden = 256;
  both.direction = "bidirectional";
  for (const Case& c : {small, gru, both})
    EXPECT_EQ(rnn::FastRecurrence(fast_spec(c, make_inputs(c))).step_threads(c.batch), 1) << describe(c, rnn::best_isa());
  omp_set_num_threads(saved);
}

}  // namespace
}  // namespace skiff
