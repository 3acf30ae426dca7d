// One time step of the fast LSTM/GRU path (rnn_fast.h) for one batch entry:
// the recurrent product H·R^T as panels of matrix-vector products, fused
// with the gate non-linearities and the state update. A scalar version
// (rnn_fast.cc, exact std::exp/std::tanh), an AVX2/FMA version
// (rnn_fast_avx2.cc, simd_avx2.h's polynomial sigmoid/tanh) and an AVX-512
// one (rnn_fast_avx512.cc, the same math) implement it.
//
// This header holds plain structs, declarations and one template whose
// instances differ per file (each passes its own lambda): the SIMD files
// are compiled for AVX2 or AVX-512, and an inline function shared with
// them could be linked into code that runs on older CPUs.
#pragma once

#include <cstdint>

namespace skiff::rnn::fast {

// Hidden units per panel: the recurrence weights of kUnit units (all their
// gates) for every k are contiguous, so one panel's product ends with every
// gate of its units ready and the cell math follows at once. 16 units are
// two AVX2 registers per gate: 8 independent accumulators for an LSTM.
inline constexpr int64_t kUnit = 16;

// Recurrence weights packed as [panels][k][gates][kUnit], units past the
// hidden size zero.
struct Panels {
  const float* data = nullptr;
  int64_t panels = 0, k = 0;
  int gates = 0;
};

struct StepArgs {
  Panels r;           // LSTM: i, o, f, c; GRU: z, r, h (linear_before_reset) or z, r
  Panels r_h;         // GRU without linear_before_reset: the h gate
  const float* xw;    // X·W^T + biases of this step, [panels][gates][kUnit]
  const float* rbh;   // GRU with linear_before_reset: Rbh [panels * kUnit]
  const float* h_prev;
  float* h_next;      // [panels * kUnit]
  float* c;           // LSTM cell state, updated in place
  float* z;           // GRU without linear_before_reset: z, then r ⊙ Ht-1
  float* rh;          //   (both [panels * kUnit])
  // The panels [begin, end) this call computes: a thread's share when the
  // step is split across threads (rnn_fast.cc), else all of them.
  int64_t begin, end;
  // Walk the panels last to first: alternating the direction every step
  // keeps the most recently used weights (still in L2) first in line.
  bool backward;
};

// Calls f(p) for every panel p of a's range, last to first when `backward`.
template <class F>
void for_panels(const StepArgs& a, bool backward, F&& f) {
  if (backward)
    for (int64_t p = a.end; p-- > a.begin;) f(p);
  else
    for (int64_t p = a.begin; p < a.end; ++p) f(p);
}

void lstm_step_scalar(const StepArgs& a);
void gru_step_scalar(const StepArgs& a, bool linear_before_reset);
void lstm_step_avx2(const StepArgs& a);
void gru_step_avx2(const StepArgs& a, bool linear_before_reset);
// AVX-512 runs `rows` (1 to kMaxRows) batch entries at once, sharing the
// panel loads; a[0] gives the weights and the panel order.
inline constexpr int kMaxRows = 4;
void lstm_step_avx512(const StepArgs* a, int rows);
void gru_step_avx512(const StepArgs* a, int rows, bool linear_before_reset);

}  // namespace skiff::rnn::fast
