// Packing and the per-direction driver of the fast LSTM/GRU path, and the
// scalar step (the fallback for CPUs without AVX2, exact std::exp/tanh).
#include "engines/native/rnn_fast.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <utility>

#include "core/cpu.h"
#include "core/parallel.h"
#include "core/shape.h"
#include "engines/dnnl/packed_matmul.h"

namespace skiff::rnn {

using fast::kUnit;
using fast::Panels;
using fast::StepArgs;

Isa best_isa() {
  // SKIFF_ISA=scalar (core/cpu.h) forces the scalar step as it does every
  // other kernel; AVX-512 is this path's own step above AVX2.
  static const Isa isa = kernel_isa() == CpuIsa::kScalar ? Isa::kScalar
                         : avx512_kernels()              ? Isa::kAvx512
                                                         : Isa::kAvx2;
  return isa;
}

namespace fast {
namespace {

float sigmoid(float v) {
  // Split by sign so exp never overflows.
  if (v >= 0) return 1.0f / (1.0f + std::exp(-v));
  const float e = std::exp(v);
  return e / (1.0f + e);
}

// acc[g * kUnit + u] = Σ_k x[k] · panel[k][g][u]
void panel_product(const float* panel, const float* x, int64_t k_size, int gates, float* acc) {
  const int64_t row = gates * kUnit;
  std::fill_n(acc, row, 0.0f);
  for (int64_t k = 0; k < k_size; ++k)
    for (int64_t i = 0; i < row; ++i) acc[i] += x[k] * panel[k * row + i];
}

const float* panel_at(const Panels& r, int64_t p) { return r.data + p * r.k * r.gates * kUnit; }

}  // namespace

void lstm_step_scalar(const StepArgs& a) {
  float acc[4 * kUnit];
  for_panels(a, a.backward, [&](int64_t p) {
    panel_product(panel_at(a.r, p), a.h_prev, a.r.k, 4, acc);
    const float* xw = a.xw + p * 4 * kUnit;
    for (int64_t u = 0; u < kUnit; ++u) {
      const float i = sigmoid(acc[u] + xw[u]), o = sigmoid(acc[kUnit + u] + xw[kUnit + u]);
      const float f = sigmoid(acc[2 * kUnit + u] + xw[2 * kUnit + u]);
      const float g = std::tanh(acc[3 * kUnit + u] + xw[3 * kUnit + u]);
      float& c = a.c[p * kUnit + u];
      c = f * c + i * g;
      a.h_next[p * kUnit + u] = o * std::tanh(c);
    }
  });
}

void gru_step_scalar(const StepArgs& a, bool linear_before_reset) {
  float acc[3 * kUnit];
  if (linear_before_reset) {
    for_panels(a, a.backward, [&](int64_t p) {
      panel_product(panel_at(a.r, p), a.h_prev, a.r.k, 3, acc);
      const float* xw = a.xw + p * 3 * kUnit;
      for (int64_t u = 0; u < kUnit; ++u) {
        const int64_t j = p * kUnit + u;
        const float z = sigmoid(acc[u] + xw[u]), r = sigmoid(acc[kUnit + u] + xw[kUnit + u]);
        const float h = std::tanh(xw[2 * kUnit + u] + r * (acc[2 * kUnit + u] + (a.rbh ? a.rbh[j] : 0.0f)));
        a.h_next[j] = (1.0f - z) * h + z * a.h_prev[j];
      }
    });
    return;
  }
  for_panels(a, a.backward, [&](int64_t p) {
    panel_product(panel_at(a.r, p), a.h_prev, a.r.k, 2, acc);
    const float* xw = a.xw + p * 3 * kUnit;
    for (int64_t u = 0; u < kUnit; ++u) {
      const int64_t j = p * kUnit + u;
      a.z[j] = sigmoid(acc[u] + xw[u]);
      a.rh[j] = sigmoid(acc[kUnit + u] + xw[kUnit + u]) * a.h_prev[j];
    }
  });
  for_panels(a, !a.backward, [&](int64_t p) {
    panel_product(panel_at(a.r_h, p), a.rh, a.r_h.k, 1, acc);
    const float* xw = a.xw + p * 3 * kUnit + 2 * kUnit;
    for (int64_t u = 0; u < kUnit; ++u) {
      const int64_t j = p * kUnit + u;
      const float h = std::tanh(acc[u] + xw[u]);
      a.h_next[j] = (1.0f - a.z[j]) * h + a.z[j] * a.h_prev[j];
    }
  });
}

}  // namespace fast

namespace {

// Rows [first_gate, first_gate + gates) of one direction's [G*H, K] matrix
// as panels [panels][k][gates][kUnit], units past `hidden` zero.
void pack_panels(const float* m, int64_t hidden, int64_t k_size, int first_gate, int gates,
                 int64_t panels, float* out) {
  for (int64_t p = 0; p < panels; ++p)
    for (int64_t k = 0; k < k_size; ++k)
      for (int g = 0; g < gates; ++g)
        for (int64_t u = 0; u < kUnit; ++u) {
          const int64_t unit = p * kUnit + u;
          *out++ = unit < hidden ? m[((first_gate + g) * hidden + unit) * k_size + k] : 0.0f;
        }
}

}  // namespace

FastRecurrence::FastRecurrence(const FastSpec& spec, Isa isa)
    : spec_(spec), isa_(isa), gates_(spec.cell == FastCell::kLstm ? 4 : 3) {
  const int64_t D = spec.directions, G = gates_, H = spec.hidden, I = spec.input_size;
  panels_ = (H + kUnit - 1) / kUnit;
  padded_ = panels_ * kUnit;
  // W and the biases in the projection's column order: direction, panel,
  // gate, unit, so that a step reads its panel's gates contiguously.
  const bool split_h = spec.cell == FastCell::kGru && !spec.linear_before_reset;
  std::vector<float> w(static_cast<size_t>(D * G * padded_ * I), 0.0f), bias(static_cast<size_t>(D * G * padded_), 0.0f);
  if (spec.cell == FastCell::kGru && spec.linear_before_reset && spec.b)
    rbh_.assign(static_cast<size_t>(D * padded_), 0.0f);
  for (int64_t d = 0; d < D; ++d)
    for (int64_t p = 0; p < panels_; ++p)
      for (int64_t g = 0; g < G; ++g)
        for (int64_t u = 0; u < kUnit; ++u) {
          const int64_t unit = p * kUnit + u, column = ((d * panels_ + p) * G + g) * kUnit + u;
          if (unit >= H) continue;
          std::copy_n(spec.w + ((d * G + g) * H + unit) * I, I, w.data() + column * I);
          if (!spec.b) continue;
          const float wb = spec.b[d * 2 * G * H + g * H + unit], rb = spec.b[d * 2 * G * H + (G + g) * H + unit];
          // GRU with linear_before_reset keeps Rbh inside r ⊙ (...).
          const bool keep_rbh = !rbh_.empty() && g == 2;
          bias[static_cast<size_t>(column)] = keep_rbh ? wb : wb + rb;
          if (keep_rbh) rbh_[static_cast<size_t>(d * padded_ + unit)] = rb;
        }
  projection_ = std::make_unique<dnnl_engine::PackedMatmul>(w.data(), D * G * padded_, I, bias.data());
  const int first = split_h ? 2 : static_cast<int>(G);
  const int64_t per_direction = panels_ * H * kUnit;
  // Tensors: 64-byte aligned, so no AVX-512 load splits a cache line.
  r_packed_ = Tensor(DataType::kFloat, {D * first * per_direction});
  if (split_h) r_h_packed_ = Tensor(DataType::kFloat, {D * per_direction});
  for (int64_t d = 0; d < D; ++d) {
    const float* r = spec.r + d * G * H * H;
    pack_panels(r, H, H, 0, first, panels_, r_packed_.data<float>() + d * first * per_direction);
    if (split_h) pack_panels(r, H, H, 2, 1, panels_, r_h_packed_.data<float>() + d * per_direction);
  }
  spec_.w = spec_.r = spec_.b = nullptr;
}

FastRecurrence::~FastRecurrence() = default;

int FastRecurrence::step_threads(int64_t batch) const {
  // Splitting one direction's step pays once the step's work hides the
  // barrier that ends it (~0.3 us with GOMP_SPINCOUNT=1000 on an idle
  // machine). Measured (AVX-512, T=128, batch 1, best of 30, 2 threads /
  // 1 thread): LSTM H=64 1.57, H=96 1.01, H=128 0.83, H=256 0.57; GRU
  // H=64 1.37, H=96 1.07, H=128 0.85, H=256 0.73. GRU without
  // linear_before_reset needs all of r ⊙ Ht-1 mid-step and stays on one.
  const bool split_h = spec_.cell == FastCell::kGru && !spec_.linear_before_reset;
  const int64_t work = gates_ * spec_.hidden * spec_.hidden * batch;
  if (spec_.directions > 1 || split_h || work < kMinSplitWork) return 1;
  return static_cast<int>(std::min<int64_t>(max_threads(), panels_));
}

void FastRecurrence::run(const FastIo& io) const {
  const int64_t D = spec_.directions, rows = checked_mul(io.seq_length, io.batch);
  Tensor xw(DataType::kFloat, {checked_mul(rows, D * gates_ * padded_)});
  projection_->run(io.x, rows, xw.data<float>());
  // Per direction and batch entry: two hidden-state buffers, the cell
  // state, and the GRU's z and r ⊙ Ht-1.
  const int64_t per_direction = checked_mul(5 * io.batch, padded_);
  Tensor scratch = Tensor::zeros(DataType::kFloat, {D * per_direction});
  if (D > 1 && max_threads() > 1) {
    // One direction per thread, no synchronisation inside the recurrence.
    // Directions are taken from a counter rather than assigned: on a busy
    // machine a thread that starts late finds its direction already done
    // instead of making the other wait for it.
    std::atomic<int64_t> next{0};
#pragma omp parallel num_threads(2)
    for (int64_t d; (d = next.fetch_add(1)) < D;)
      run_direction(io, d, xw.data<float>(), scratch.data<float>() + d * per_direction, 1);
  } else {
    const int threads = step_threads(io.batch);
    for (int64_t d = 0; d < D; ++d)
      run_direction(io, d, xw.data<float>(), scratch.data<float>() + d * per_direction, threads);
  }
}

void FastRecurrence::run_step(const StepArgs* rows, int count) const {
  const bool lstm = spec_.cell == FastCell::kLstm, lbr = spec_.linear_before_reset;
  if (isa_ == Isa::kAvx512)
    return lstm ? fast::lstm_step_avx512(rows, count) : fast::gru_step_avx512(rows, count, lbr);
  for (int i = 0; i < count; ++i) {
    if (isa_ == Isa::kAvx2)
      lstm ? fast::lstm_step_avx2(rows[i]) : fast::gru_step_avx2(rows[i], lbr);
    else
      lstm ? fast::lstm_step_scalar(rows[i]) : fast::gru_step_scalar(rows[i], lbr);
  }
}

// Where direction d's states and outputs live in the op's layout.
struct FastRecurrence::Direction {
  const FastIo& io;
  int64_t d, D, H, Hp;
  bool layout0, reverse;
  float* scratch;  // prev, next, c, z, rh: [batch * Hp] each
  int64_t steps = 0;

  int64_t state_offset(int64_t b) const { return (layout0 ? d * io.batch + b : b * D + d) * H; }
  int64_t y_offset(int64_t t, int64_t b) const {
    return layout0 ? ((t * D + d) * io.batch + b) * H : ((b * io.seq_length + t) * D + d) * H;
  }
  int64_t length(int64_t b) const { return io.lens ? io.lens[b] : io.seq_length; }
  float* buffer(int i) const { return scratch + i * io.batch * Hp; }
};

void FastRecurrence::run_direction(const FastIo& io, int64_t d, const float* xw, float* scratch, int threads) const {
  Direction dir{io, d, spec_.directions, spec_.hidden, padded_, spec_.layout == 0, d == 1 || spec_.reverse, scratch};
  const int64_t B = io.batch, T = io.seq_length, H = dir.H, Hp = dir.Hp;
  float* prev = dir.buffer(0);
  float* c = dir.buffer(2);
  for (int64_t b = 0; b < B; ++b) {
    if (io.initial_h) std::copy_n(io.initial_h + dir.state_offset(b), H, prev + b * Hp);
    if (io.initial_c) std::copy_n(io.initial_c + dir.state_offset(b), H, c + b * Hp);
    dir.steps = std::max(dir.steps, dir.length(b));
    if (io.y)
      for (int64_t t = dir.length(b); t < T; ++t) std::fill_n(io.y + dir.y_offset(t, b), H, 0.0f);
  }
  if (threads > 1) {
    // Each thread owns a contiguous range of panels for the whole sequence,
    // so its slice of R stays in its core's cache; every output element is
    // still computed by one thread in the same order, so the result is
    // bit-identical to one thread's.
#pragma omp parallel num_threads(threads)
    {
      const int64_t t = omp_get_thread_num(), nt = omp_get_num_threads();
      run_steps(dir, xw, panels_ * t / nt, panels_ * (t + 1) / nt, nt > 1);
    }
  } else {
    run_steps(dir, xw, 0, panels_, false);
  }
  // Both buffers swapped `steps` times: the final h is in buffer steps % 2.
  const float* last = dir.buffer(static_cast<int>(dir.steps % 2));
  for (int64_t b = 0; b < B; ++b) {
    const bool ran = dir.length(b) > 0;
    if (io.y_h) {
      float* to = io.y_h + dir.state_offset(b);
      ran ? (void)std::copy_n(last + b * Hp, H, to) : (void)std::fill_n(to, H, 0.0f);
    }
    if (io.y_c) {
      float* to = io.y_c + dir.state_offset(b);
      ran ? (void)std::copy_n(c + b * Hp, H, to) : (void)std::fill_n(to, H, 0.0f);
    }
  }
}

// The time loop for panels [begin, end) of one direction. With `sync`, the
// caller's team splits the panels and a barrier ends every step: the next
// step reads the whole h.
void FastRecurrence::run_steps(const Direction& dir, const float* xw, int64_t begin, int64_t end, bool sync) const {
  const FastIo& io = dir.io;
  const int64_t B = io.batch, Hp = dir.Hp, d = dir.d;
  const int64_t units = std::max<int64_t>(0, std::min(end * kUnit, dir.H) - begin * kUnit);
  float* prev = dir.buffer(0);
  float* next = dir.buffer(1);
  const bool split_h = spec_.cell == FastCell::kGru && !spec_.linear_before_reset;
  const int first = split_h ? 2 : static_cast<int>(gates_);
  StepArgs shared{};
  shared.r = Panels{r_packed_.data<float>() + d * first * panels_ * dir.H * kUnit, panels_, dir.H, first};
  if (split_h) shared.r_h = Panels{r_h_packed_.data<float>() + d * panels_ * dir.H * kUnit, panels_, dir.H, 1};
  shared.rbh = rbh_.empty() ? nullptr : rbh_.data() + d * Hp;
  shared.begin = begin;
  shared.end = end;
  const int64_t xw_ld = dir.D * gates_ * Hp;
  StepArgs rows[fast::kMaxRows];
  int64_t times[fast::kMaxRows], entries[fast::kMaxRows];
  int64_t calls = 0;
  for (int64_t step = 0; step < dir.steps; ++step) {
    int count = 0;
    auto flush = [&] {
      if (count == 0) return;
      rows[0].backward = (calls++ & 1) != 0;  // rows[0] sets the panel order
      run_step(rows, count);
      if (io.y && units > 0)
        for (int i = 0; i < count; ++i)
          std::copy_n(next + entries[i] * Hp + begin * kUnit, units,
                      io.y + dir.y_offset(times[i], entries[i]) + begin * kUnit);
      count = 0;
    };
    for (int64_t b = 0; b < B; ++b) {
      const int64_t len = dir.length(b);
      if (step >= len) {  // finished: carry the final state along
        std::copy(prev + b * Hp + begin * kUnit, prev + b * Hp + end * kUnit, next + b * Hp + begin * kUnit);
        continue;
      }
      const int64_t t = dir.reverse ? len - 1 - step : step;
      StepArgs& a = rows[count];
      a = shared;
      a.xw = xw + (dir.layout0 ? t * B + b : b * io.seq_length + t) * xw_ld + d * gates_ * Hp;
      a.h_prev = prev + b * Hp;
      a.h_next = next + b * Hp;
      a.c = dir.buffer(2) + b * Hp;
      a.z = dir.buffer(3) + b * Hp;
      a.rh = dir.buffer(4) + b * Hp;
      times[count] = t;
      entries[count] = b;
      if (++count == fast::kMaxRows) flush();
    }
    flush();
    std::swap(prev, next);
    if (sync) {
#pragma omp barrier
    }
  }
}

}  // namespace skiff::rnn
