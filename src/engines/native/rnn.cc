// RNN, GRU and LSTM. The input projection X·W^T for every time step and both
// directions is one large gemm; each step then costs one gemm H·R^T (two for
// GRU without linear_before_reset) plus the element-wise gate math.
//
// sequence_lens: batch b runs lens[b] steps; Y is zero past its length and
// the final states are those of its last valid step. A reverse direction
// walks each sequence from its own last valid element. A zero-length
// sequence has zero final states (as ONNX Runtime does).
#include <algorithm>

#include "core/dispatch.h"
#include "core/parallel.h"
#include "engines/kernel.h"
#include "engines/native/rnn_fast.h"
#include "engines/native/rnn_util.h"

namespace skiff {
namespace {

using rnn::Activation;
using rnn::ComputeType;
using rnn::DirectionJob;
using rnn::RecurrentAttrs;
using rnn::RecurrentShape;

inline constexpr TypeList<float, double, Float16> kRecurrentTypes{};

// The fast path (rnn_fast.h) and the constant weights it packed: it runs
// only when the op is given those very tensors.
struct FastPath {
  std::unique_ptr<const rnn::FastRecurrence> fast;
  const void* w = nullptr;
  const void* r = nullptr;
  const void* b = nullptr;

  // Built for float ops whose W, R (and B) are initializers, with the
  // default gate functions and no clip, peepholes or input_forget (`plain`).
  FastPath(const KernelInfo& info, const RecurrentAttrs& attrs, rnn::FastCell cell, bool plain,
           bool linear_before_reset) {
    const Tensor* wt = info.constant_input(1);
    const Tensor* rt = info.constant_input(2);
    const Tensor* bt = info.constant_input(3);
    if (!plain || attrs.has_clip || !wt || !rt || (info.has_input(3) && !bt)) return;
    const std::vector<Activation::Kind> defaults =
        cell == rnn::FastCell::kLstm
            ? std::vector<Activation::Kind>{Activation::Kind::kSigmoid, Activation::Kind::kTanh, Activation::Kind::kTanh}
            : std::vector<Activation::Kind>{Activation::Kind::kSigmoid, Activation::Kind::kTanh};
    for (size_t i = 0; i < attrs.activations.size(); ++i)
      if (attrs.activations[i].kind != defaults[i % defaults.size()]) return;
    const int64_t D = attrs.num_directions, G = cell == rnn::FastCell::kLstm ? 4 : 3;
    if (wt->dtype() != DataType::kFloat || rt->dtype() != DataType::kFloat || wt->rank() != 3 || rt->rank() != 3)
      return;
    const int64_t H = attrs.hidden_size >= 0 ? attrs.hidden_size : rt->dim(2), I = wt->dim(2);
    if (H < 1 || I < 1 || wt->shape() != Shape{D, G * H, I} || rt->shape() != Shape{D, G * H, H}) return;
    if (bt && (bt->dtype() != DataType::kFloat || bt->shape() != Shape{D, 2 * G * H})) return;
    rnn::FastSpec spec;
    spec.cell = cell;
    spec.linear_before_reset = linear_before_reset;
    spec.directions = D;
    spec.reverse = attrs.reverse;
    spec.layout = attrs.layout;
    spec.hidden = H;
    spec.input_size = I;
    spec.w = wt->data<float>();
    spec.r = rt->data<float>();
    spec.b = bt ? bt->data<float>() : nullptr;
    try {
      fast = std::make_unique<const rnn::FastRecurrence>(spec);
    } catch (const std::exception&) {
      return;  // oneDNN could not pack W (no memory, odd sizes): the reference path runs
    }
    w = wt->raw();
    r = rt->raw();
    b = bt ? bt->raw() : nullptr;
  }

  // Runs the op on the fast path when it applies to these inputs.
  bool run(KernelContext& ctx, const RecurrentShape& s) const {
    if (!fast || ctx.input(0).dtype() != DataType::kFloat ||
        ctx.input(1).raw() != w || ctx.input(2).raw() != r || (ctx.has_input(3) ? ctx.input(3).raw() : nullptr) != b)
      return false;
    const bool lstm = fast->gates() == 4;
    const std::vector<int64_t> lens = rnn::sequence_lengths(ctx, s);
    rnn::FastIo io;
    io.x = ctx.input(0).data<float>();
    io.seq_length = s.seq_length;
    io.batch = s.batch;
    io.lens = ctx.has_input(4) ? lens.data() : nullptr;
    io.initial_h = ctx.has_input(5) ? ctx.input(5).data<float>() : nullptr;
    io.initial_c = lstm && ctx.has_input(6) ? ctx.input(6).data<float>() : nullptr;
    io.y = ctx.output_wanted(0) ? ctx.output(0).data<float>() : nullptr;
    io.y_h = ctx.output_wanted(1) ? ctx.output(1).data<float>() : nullptr;
    io.y_c = lstm && ctx.output_wanted(2) ? ctx.output(2).data<float>() : nullptr;
    fast->run(io);
    return true;
  }
};

// X·W^T for every row of X (in X's own layout) and every direction, plus
// Wb + Rb. Rb is folded only for the first `folded_rb_gates` gates: GRU with
// linear_before_reset needs Rbh inside the reset product.
template <class T, class C>
std::vector<C> input_projection(const KernelContext& ctx, const RecurrentShape& s, int64_t gates,
                                int64_t folded_rb_gates) {
  const int64_t rows = checked_mul(s.seq_length, s.batch);
  const int64_t gh = checked_mul(gates, s.hidden);
  const int64_t n = checked_mul(s.directions, gh);
  std::vector<C> xw(static_cast<size_t>(checked_mul(rows, n)));  // zeros when input_size is 0
  std::vector<C> x_store, w_store;
  const C* x = rnn::as_compute<T, C>(ctx.input(0), x_store);
  const C* w = rnn::as_compute<T, C>(ctx.input(1), w_store);
  if (rows > 0 && n > 0 && s.input_size > 0)
    rnn::matmul_nt<C>(rows, n, s.input_size, x, s.input_size, w, s.input_size, xw.data(), n, true);
  if (!ctx.has_input(3) || xw.empty()) return xw;
  const T* B = ctx.input(3).data<T>();
  std::vector<C> bias(static_cast<size_t>(n));
  for (int64_t d = 0; d < s.directions; ++d)
    for (int64_t k = 0; k < gh; ++k) {
      const C wb = static_cast<C>(B[d * 2 * gh + k]), rb = static_cast<C>(B[d * 2 * gh + gh + k]);
      bias[static_cast<size_t>(d * gh + k)] = k < folded_rb_gates * s.hidden ? wb + rb : wb;
    }
  parallel_for(rows, n, [&](int64_t r0, int64_t r1) {
    for (int64_t r = r0; r < r1; ++r) {
      C* row = xw.data() + r * n;
      for (int64_t k = 0; k < n; ++k) row[k] += bias[static_cast<size_t>(k)];
    }
  });
  return xw;
}

// Copies an initial_h/initial_c tensor into per-direction [batch, hidden]
// states (zeros when absent).
template <class T, class C>
std::vector<C> initial_state(const KernelContext& ctx, size_t input, const RecurrentShape& s) {
  const int64_t bh = checked_mul(s.batch, s.hidden);
  std::vector<C> state(static_cast<size_t>(checked_mul(s.directions, bh)));
  if (!ctx.has_input(input)) return state;
  const T* src = ctx.input(input).data<T>();
  for (int64_t d = 0; d < s.directions; ++d)
    for (int64_t b = 0; b < s.batch; ++b) {
      const T* from = src + rnn::state_offset(s, d, b);
      C* to = state.data() + d * bh + b * s.hidden;
      for (int64_t j = 0; j < s.hidden; ++j) to[j] = static_cast<C>(from[j]);
    }
  return state;
}

// Writes final states (Y_h or Y_c) from per-direction [batch, hidden] states.
template <class T, class C>
void store_final_state(KernelContext& ctx, size_t output, const RecurrentShape& s,
                       const std::vector<C>& state, const std::vector<int64_t>& lens) {
  if (!ctx.output_wanted(output)) return;
  T* dst = ctx.output(output).data<T>();
  for (int64_t d = 0; d < s.directions; ++d)
    for (int64_t b = 0; b < s.batch; ++b) {
      const C* from = state.data() + (d * s.batch + b) * s.hidden;
      T* to = dst + rnn::state_offset(s, d, b);
      const bool ran = lens[static_cast<size_t>(b)] > 0;
      for (int64_t j = 0; j < s.hidden; ++j) to[j] = static_cast<T>(ran ? from[j] : C(0));
    }
}

// The common driver: builds each direction's job and runs `cell(job,
// scratch)` for every direction, the two directions of a bidirectional op
// on separate threads. Scratch holds batch * (gates + 1) * hidden values.
template <class T, class Cell>
void run_recurrence(KernelContext& ctx, const RecurrentAttrs& attrs, const RecurrentShape& s,
                    int64_t gates,
                    int64_t folded_rb_gates, bool lstm, Cell&& cell) {
  using C = ComputeType<T>;
  const std::vector<int64_t> lens = rnn::sequence_lengths(ctx, s);
  const std::vector<C> xw = input_projection<T, C>(ctx, s, gates, folded_rb_gates);
  std::vector<C> r_store;
  const C* r = rnn::as_compute<T, C>(ctx.input(2), r_store);
  std::vector<C> h = initial_state<T, C>(ctx, 5, s);
  std::vector<C> c = lstm ? initial_state<T, C>(ctx, 6, s) : std::vector<C>();
  const int64_t bh = s.batch * s.hidden;  // fits: h was allocated
  const int64_t scratch_size = checked_mul(bh, gates + 1);
  std::vector<C> scratch(static_cast<size_t>(checked_mul(s.directions, scratch_size)));
  T* y = ctx.output_wanted(0) ? ctx.output(0).data<T>() : nullptr;

  const bool split = s.directions > 1 && max_threads() > 1;
  std::vector<DirectionJob<T, C>> jobs(static_cast<size_t>(s.directions));
  for (int64_t d = 0; d < s.directions; ++d) {
    DirectionJob<T, C>& job = jobs[static_cast<size_t>(d)];
    job.s = s;
    job.direction = d;
    job.reverse = d == 1 || attrs.reverse;
    job.xw = xw.data();
    job.xw_ld = s.directions * gates * s.hidden;
    job.r = r + d * gates * s.hidden * s.hidden;
    job.h = h.data() + d * bh;
    job.c = lstm ? c.data() + d * bh : nullptr;
    job.lens = lens.data();
    job.y = y;
    job.threaded = !split;
    // Y past each sequence's end is zero.
    if (y)
      for (int64_t b = 0; b < s.batch; ++b)
        for (int64_t t = lens[static_cast<size_t>(b)]; t < s.seq_length; ++t)
          std::fill_n(y + job.y_offset(t, b), s.hidden, T(0));
  }
  const double flops = 2.0 * static_cast<double>(s.seq_length) * static_cast<double>(bh) *
                       static_cast<double>(gates) * static_cast<double>(s.hidden + 1);
  const int64_t cost = static_cast<int64_t>(std::min(flops, 1e15));
  parallel_for(s.directions, cost, [&](int64_t d0, int64_t d1) {
    for (int64_t d = d0; d < d1; ++d)
      cell(jobs[static_cast<size_t>(d)], scratch.data() + d * scratch_size);
  });
  store_final_state<T, C>(ctx, 1, s, h, lens);
  if (lstm) store_final_state<T, C>(ctx, 2, s, c, lens);
}

// The most steps any batch entry runs.
inline int64_t max_length(const int64_t* lens, int64_t batch) {
  int64_t m = 0;
  for (int64_t b = 0; b < batch; ++b) m = std::max(m, lens[b]);
  return m;
}

// Ht = f(Xt·W^T + Ht-1·R^T + Wb + Rb)
template <class T, class C>
void rnn_direction(const DirectionJob<T, C>& job, C* scratch, const Activation& f,
                   const RecurrentAttrs& attrs) {
  const int64_t B = job.s.batch, H = job.s.hidden;
  const int64_t steps = max_length(job.lens, B);
  for (int64_t step = 0; step < steps; ++step) {
    rnn::matmul_nt<C>(B, H, H, job.h, H, job.r, H, scratch, H, job.threaded);
    for (int64_t b = 0; b < B; ++b) {
      if (step >= job.lens[b]) continue;
      const int64_t t = job.time(step, b);
      const C* xw = job.xw_row(t, b, 1);
      C* g = scratch + b * H;
      for (int64_t j = 0; j < H; ++j) g[j] += xw[j];
      rnn::clip_values(attrs.clip, attrs.has_clip, g, H);
      f.apply(g, H);
      std::copy_n(g, H, job.h + b * H);
      job.store_y(t, b, g);
    }
  }
}

class RnnKernel final : public Kernel {
 public:
  explicit RnnKernel(const KernelInfo& info) : attrs_(rnn::parse_recurrent_attrs(info, {"Tanh"})) {}

  void prepare(KernelContext& ctx) const override {
    rnn::declare_recurrent_outputs(ctx, rnn::check_recurrent_inputs(ctx, attrs_, 1, false), 1);
  }

  void compute(KernelContext& ctx) const override {
    const RecurrentShape s = rnn::check_recurrent_inputs(ctx, attrs_, 1, false);
    dispatch(kRecurrentTypes, ctx.input(0).dtype(), [&](auto tag) {
      using T = typename decltype(tag)::type;
      using C = ComputeType<T>;
      run_recurrence<T>(ctx, attrs_, s, 1, 1, false, [&](const DirectionJob<T, C>& job, C* scratch) {
        rnn_direction(job, scratch, attrs_.activations[static_cast<size_t>(job.direction)], attrs_);
      });
    }, ctx.describe_input(0));
  }

 private:
  RecurrentAttrs attrs_;
};

// 1: output_sequence (Y is produced whenever the graph uses it);
// 7: output_sequence removed; 14: layout.
SKIFF_KERNEL(native, "RNN", 1, 6, RnnKernel);
SKIFF_KERNEL_TYPES(native, "RNN", 1, "T: float, double, float16; T1: int32, int64");
SKIFF_KERNEL(native, "RNN", 7, 13, RnnKernel);
SKIFF_KERNEL_TYPES(native, "RNN", 7, "T: float, double, float16; T1: int32, int64");
SKIFF_KERNEL(native, "RNN", 14, kLatestOpset, RnnKernel);
SKIFF_KERNEL_TYPES(native, "RNN", 14, "T: float, double, float16; T1: int32, int64");

// Gates z, r, h (W and R stack them in that order):
//   zt = f(Xt·Wz^T + Ht-1·Rz^T + Wbz + Rbz), rt likewise
//   ht = g(Xt·Wh^T + (rt ⊙ Ht-1)·Rh^T + Rbh + Wbh)      linear_before_reset = 0
//   ht = g(Xt·Wh^T + rt ⊙ (Ht-1·Rh^T + Rbh) + Wbh)      linear_before_reset = 1
//   Ht = (1 - zt) ⊙ ht + zt ⊙ Ht-1
template <class C>
struct GruParams {
  const Activation* f;
  const Activation* g;
  const RecurrentAttrs* attrs;
  bool linear_before_reset;
  const C* rbh;  // this direction's Rbh with linear_before_reset and B, else nullptr
};

template <class T, class C>
void gru_direction(const DirectionJob<T, C>& job, C* scratch, const GruParams<C>& p) {
  const int64_t B = job.s.batch, H = job.s.hidden, G = 3 * H;
  const RecurrentAttrs& attrs = *p.attrs;
  const C* rbh = p.rbh;
  C* gates = scratch;           // [B, 3H]
  C* reset_h = scratch + B * G; // [B, H]: rt ⊙ Ht-1
  const int64_t steps = max_length(job.lens, B);
  for (int64_t step = 0; step < steps; ++step) {
    rnn::matmul_nt<C>(B, p.linear_before_reset ? G : 2 * H, H, job.h, H, job.r, H, gates, G,
                      job.threaded);
    for (int64_t b = 0; b < B; ++b) {
      if (step >= job.lens[b]) continue;
      const C* xw = job.xw_row(job.time(step, b), b, 3);
      C* zr = gates + b * G;
      for (int64_t j = 0; j < 2 * H; ++j) zr[j] += xw[j];
      rnn::clip_values(attrs.clip, attrs.has_clip, zr, 2 * H);
      p.f->apply(zr, 2 * H);
      if (!p.linear_before_reset)
        for (int64_t j = 0; j < H; ++j) reset_h[b * H + j] = zr[H + j] * job.h[b * H + j];
    }
    if (!p.linear_before_reset)
      rnn::matmul_nt<C>(B, H, H, reset_h, H, job.r + 2 * H * H, H, gates + 2 * H, G, job.threaded);
    for (int64_t b = 0; b < B; ++b) {
      if (step >= job.lens[b]) continue;
      const int64_t t = job.time(step, b);
      const C* xw = job.xw_row(t, b, 3) + 2 * H;
      const C* z = gates + b * G;
      const C* r = z + H;
      C* hh = gates + b * G + 2 * H;
      if (p.linear_before_reset) {
        for (int64_t j = 0; j < H; ++j) hh[j] = xw[j] + r[j] * (hh[j] + (rbh ? rbh[j] : C(0)));
      } else {
        for (int64_t j = 0; j < H; ++j) hh[j] += xw[j];
      }
      rnn::clip_values(attrs.clip, attrs.has_clip, hh, H);
      p.g->apply(hh, H);
      C* h = job.h + b * H;
      for (int64_t j = 0; j < H; ++j) h[j] = (C(1) - z[j]) * hh[j] + z[j] * h[j];
      job.store_y(t, b, h);
    }
  }
}

class GruKernel final : public Kernel {
 public:
  explicit GruKernel(const KernelInfo& info)
      : attrs_(rnn::parse_recurrent_attrs(info, {"Sigmoid", "Tanh"})),
        linear_before_reset_(info.opset() >= 3 && info.attr_int("linear_before_reset", 0) != 0),
        fast_(info, attrs_, rnn::FastCell::kGru, true, linear_before_reset_) {}

  void prepare(KernelContext& ctx) const override {
    rnn::declare_recurrent_outputs(ctx, rnn::check_recurrent_inputs(ctx, attrs_, 3, false), 1);
  }

  void compute(KernelContext& ctx) const override {
    const RecurrentShape s = rnn::check_recurrent_inputs(ctx, attrs_, 3, false);
    if (fast_.run(ctx, s)) return;
    dispatch(kRecurrentTypes, ctx.input(0).dtype(), [&](auto tag) {
      using T = typename decltype(tag)::type;
      using C = ComputeType<T>;
      const std::vector<C> rbh = recurrence_bias_h<T, C>(ctx, s);
      run_recurrence<T>(ctx, attrs_, s, 3, linear_before_reset_ ? 2 : 3, false,
                        [&](const DirectionJob<T, C>& job, C* scratch) {
        const size_t d = static_cast<size_t>(job.direction);
        const GruParams<C> p{&attrs_.activations[2 * d], &attrs_.activations[2 * d + 1], &attrs_,
                             linear_before_reset_,
                             rbh.empty() ? nullptr : rbh.data() + job.direction * s.hidden};
        gru_direction(job, scratch, p);
      });
    }, ctx.describe_input(0));
  }

 private:
  // Rbh per direction, [directions, hidden], when it stays out of the
  // folded bias (linear_before_reset with B given); else empty.
  template <class T, class C>
  std::vector<C> recurrence_bias_h(const KernelContext& ctx, const RecurrentShape& s) const {
    if (!linear_before_reset_ || !ctx.has_input(3)) return {};
    const T* B = ctx.input(3).data<T>();
    std::vector<C> rbh(static_cast<size_t>(s.directions * s.hidden));
    for (int64_t d = 0; d < s.directions; ++d)
      for (int64_t j = 0; j < s.hidden; ++j)
        rbh[static_cast<size_t>(d * s.hidden + j)] =
            static_cast<C>(B[d * 6 * s.hidden + 5 * s.hidden + j]);
    return rbh;
  }

  RecurrentAttrs attrs_;
  bool linear_before_reset_;
  FastPath fast_;
};

// 1: output_sequence, no linear_before_reset; 3: linear_before_reset;
// 7: output_sequence removed; 14: layout.
SKIFF_KERNEL(native, "GRU", 1, 2, GruKernel);
SKIFF_KERNEL_TYPES(native, "GRU", 1, "T: float, double, float16; T1: int32, int64");
SKIFF_KERNEL(native, "GRU", 3, 6, GruKernel);
SKIFF_KERNEL_TYPES(native, "GRU", 3, "T: float, double, float16; T1: int32, int64");
SKIFF_KERNEL(native, "GRU", 7, 13, GruKernel);
SKIFF_KERNEL_TYPES(native, "GRU", 7, "T: float, double, float16; T1: int32, int64");
SKIFF_KERNEL(native, "GRU", 14, kLatestOpset, GruKernel);
SKIFF_KERNEL_TYPES(native, "GRU", 14, "T: float, double, float16; T1: int32, int64");

// Gates i, o, f, c (W and R stack them in that order; P holds i, o, f):
//   it = f(Xt·Wi^T + Ht-1·Ri^T + Pi ⊙ Ct-1 + Wbi + Rbi)
//   ft = f(Xt·Wf^T + Ht-1·Rf^T + Pf ⊙ Ct-1 + Wbf + Rbf)   (1 - it with input_forget)
//   ct = g(Xt·Wc^T + Ht-1·Rc^T + Wbc + Rbc)
//   Ct = ft ⊙ Ct-1 + it ⊙ ct
//   ot = f(Xt·Wo^T + Ht-1·Ro^T + Po ⊙ Ct + Wbo + Rbo)
//   Ht = ot ⊙ h(Ct)
// clip bounds the gate pre-activations; like ONNX Runtime, the cell state
// itself and the input of h are not clipped.
struct LstmParams {
  const Activation* f;
  const Activation* g;
  const Activation* h;
  const RecurrentAttrs* attrs;
  bool input_forget;
};

template <class T, class C>
void lstm_direction(const DirectionJob<T, C>& job, C* scratch, const C* peephole,
                    const LstmParams& p) {
  const int64_t B = job.s.batch, H = job.s.hidden, G = 4 * H;
  const RecurrentAttrs& attrs = *p.attrs;
  const int64_t steps = max_length(job.lens, B);
  for (int64_t step = 0; step < steps; ++step) {
    rnn::matmul_nt<C>(B, G, H, job.h, H, job.r, H, scratch, G, job.threaded);
    for (int64_t b = 0; b < B; ++b) {
      if (step >= job.lens[b]) continue;
      const int64_t t = job.time(step, b);
      const C* xw = job.xw_row(t, b, 4);
      C* gi = scratch + b * G;
      C* go = gi + H;
      C* gf = gi + 2 * H;
      C* gc = gi + 3 * H;
      C* cell = job.c + b * H;
      for (int64_t j = 0; j < G; ++j) gi[j] += xw[j];
      if (peephole)
        for (int64_t j = 0; j < H; ++j) {
          gi[j] += peephole[j] * cell[j];
          gf[j] += peephole[2 * H + j] * cell[j];
        }
      rnn::clip_values(attrs.clip, attrs.has_clip, gi, H);
      p.f->apply(gi, H);
      if (p.input_forget) {
        for (int64_t j = 0; j < H; ++j) gf[j] = C(1) - gi[j];
      } else {
        rnn::clip_values(attrs.clip, attrs.has_clip, gf, H);
        p.f->apply(gf, H);
      }
      rnn::clip_values(attrs.clip, attrs.has_clip, gc, H);
      p.g->apply(gc, H);
      for (int64_t j = 0; j < H; ++j) cell[j] = gf[j] * cell[j] + gi[j] * gc[j];
      if (peephole)
        for (int64_t j = 0; j < H; ++j) go[j] += peephole[H + j] * cell[j];
      rnn::clip_values(attrs.clip, attrs.has_clip, go, H);
      p.f->apply(go, H);
      std::copy_n(cell, H, gc);  // gc is free now: h(Ct) goes there
      p.h->apply(gc, H);
      C* h = job.h + b * H;
      for (int64_t j = 0; j < H; ++j) h[j] = go[j] * gc[j];
      job.store_y(t, b, h);
    }
  }
}

class LstmKernel final : public Kernel {
 public:
  explicit LstmKernel(const KernelInfo& info)
      : attrs_(rnn::parse_recurrent_attrs(info, {"Sigmoid", "Tanh", "Tanh"})),
        input_forget_(info.attr_int("input_forget", 0) != 0),
        fast_(info, attrs_, rnn::FastCell::kLstm, !input_forget_ && !info.has_input(7), false) {}

  void prepare(KernelContext& ctx) const override {
    rnn::declare_recurrent_outputs(ctx, rnn::check_recurrent_inputs(ctx, attrs_, 4, true), 2);
  }

  void compute(KernelContext& ctx) const override {
    const RecurrentShape s = rnn::check_recurrent_inputs(ctx, attrs_, 4, true);
    if (fast_.run(ctx, s)) return;
    dispatch(kRecurrentTypes, ctx.input(0).dtype(), [&](auto tag) {
      using T = typename decltype(tag)::type;
      using C = ComputeType<T>;
      std::vector<C> p_store;
      const C* peepholes = ctx.has_input(7) ? rnn::as_compute<T, C>(ctx.input(7), p_store) : nullptr;
      run_recurrence<T>(ctx, attrs_, s, 4, 4, true, [&](const DirectionJob<T, C>& job, C* scratch) {
        const size_t d = static_cast<size_t>(job.direction);
        const LstmParams p{&attrs_.activations[3 * d], &attrs_.activations[3 * d + 1],
                           &attrs_.activations[3 * d + 2], &attrs_, input_forget_};
        lstm_direction(job, scratch, peepholes ? peepholes + job.direction * 3 * s.hidden : nullptr,
                       p);
      });
    }, ctx.describe_input(0));
  }

 private:
  RecurrentAttrs attrs_;
  bool input_forget_;
  FastPath fast_;
};

// 1: output_sequence (Y is produced whenever the graph uses it);
// 7: output_sequence removed; 14: layout.
SKIFF_KERNEL(native, "LSTM", 1, 6, LstmKernel);
SKIFF_KERNEL_TYPES(native, "LSTM", 1, "T: float, double, float16; T1: int32, int64");
SKIFF_KERNEL(native, "LSTM", 7, 13, LstmKernel);
SKIFF_KERNEL_TYPES(native, "LSTM", 7, "T: float, double, float16; T1: int32, int64");
SKIFF_KERNEL(native, "LSTM", 14, kLatestOpset, LstmKernel);
SKIFF_KERNEL_TYPES(native, "LSTM", 14, "T: float, double, float16; T1: int32, int64");

}  // namespace
}  // namespace skiff
