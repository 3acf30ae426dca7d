// The fast float LSTM and GRU path, the way fast engines run recurrences:
// the input projection X·W^T + biases for every time step and both
// directions is one oneDNN matmul whose weights were packed once
// (dnnl_engine::PackedMatmul); the recurrence then runs matrix-vector
// products (AVX-512: up to four batch entries per pass over the weights)
// over weights packed into panels of kUnit hidden units (rnn_fast_step.h),
// each panel followed at once by its units' gate math, vectorized with
// AVX-512 or AVX2/FMA (runtime dispatch, scalar fallback). The two
// directions of a bidirectional op run on two threads when there are two;
// a single direction with enough work per step (kMinSplitWork) splits its
// panels across the run's threads, a barrier ending each step.
//
// The LSTM and GRU kernels (rnn.cc) build one when W, R and B are constant
// float initializers and the op uses no clip, peepholes, input_forget or
// non-default activations, and run every batch size on it (4.5-25x faster
// than their reference path). The oneDNN engine runs LSTM batches above
// kMaxBatch on oneDNN's lstm_forward and GRUs from kMinOneDnnGruWork
// (kMinOneDnnLbrGruWork) on its GRU primitives, which win there, and sends
// smaller ones here: numbers in docs/performance.md ("Recurrent layers").
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "core/tensor.h"
#include "engines/native/rnn_fast_step.h"

namespace skiff::dnnl_engine {
class PackedMatmul;
}

namespace skiff::rnn {

enum class FastCell { kLstm, kGru };
enum class Isa { kScalar, kAvx2, kAvx512 };

// The widest of AVX-512, AVX2 with FMA and scalar code the CPU runs.
Isa best_isa();

// The op's attributes and constant weights, as the ONNX inputs hold them.
struct FastSpec {
  FastCell cell = FastCell::kLstm;
  bool linear_before_reset = false;  // GRU
  int64_t directions = 1;
  bool reverse = false;  // single direction "reverse"
  int64_t layout = 0;
  int64_t hidden = 0, input_size = 0;
  const float* w = nullptr;  // [directions, gates * hidden, input_size]
  const float* r = nullptr;  // [directions, gates * hidden, hidden]
  const float* b = nullptr;  // [directions, 2 * gates * hidden] or nullptr
};

// One call's data, in the op's layout. Pointers that may be null: lens (all
// sequences full length), initial states (zeros), outputs the graph does
// not use.
struct FastIo {
  const float* x = nullptr;
  int64_t seq_length = 0, batch = 0;
  const int64_t* lens = nullptr;
  const float* initial_h = nullptr;
  const float* initial_c = nullptr;
  float* y = nullptr;
  float* y_h = nullptr;
  float* y_c = nullptr;
};

class FastRecurrence {
 public:
  // Measured at 1 thread (H=256): fast / lstm_forward is 0.14-0.44 at
  // batch 1, 0.28 at 3, ~1.0 at 8 and 1.7 at 64 and 256.
  static constexpr int64_t kMaxBatch = 4;
  // GRU: the oneDNN engine runs batch · hidden² from these on oneDNN's
  // gru_forward and lbr_gru_forward (rnn_fast.h's fast path runs each
  // direction of a GRU without linear_before_reset on one thread, oneDNN
  // splits the batch). Measured (T=64, I=128, fast / oneDNN, 1 and 2
  // threads): linear_before_reset 0, H=256 batch 4 0.98 and 0.90, 8 1.09
  // and 1.55, 64 1.24 and 1.77; H=128 batch 16 0.87 and 0.78, 64 1.47 and
  // 2.05. linear_before_reset 1: H=256 batch 64 0.95 and 0.99, 256 (T=32)
  // 1.15 and 1.19; H=128 batch 64 1.18 and 1.03. Smaller batches 0.5-1.0.
  static constexpr int64_t kMinOneDnnGruWork = 8 * 256 * 256;
  static constexpr int64_t kMinOneDnnLbrGruWork = 128 * 256 * 256;
  // Gates * hidden^2 * batch (multiply-adds per step) from which a single
  // direction's step is split across the threads (rnn_fast.cc).
  static constexpr int64_t kMinSplitWork = 3 * 128 * 128;

  FastRecurrence(const FastSpec& spec, Isa isa = best_isa());
  ~FastRecurrence();

  int64_t gates() const { return gates_; }
  // Runs the op. Thread-safe; allocates its scratch per call.
  void run(const FastIo& io) const;
  // Threads for one direction's recurrence at the current OpenMP thread
  // count (1: the step is too small to split, or the op is bidirectional
  // and its directions take the threads).
  int step_threads(int64_t batch) const;

 private:
  struct Direction;
  void run_direction(const FastIo& io, int64_t d, const float* xw, float* scratch, int threads) const;
  void run_steps(const Direction& dir, const float* xw, int64_t begin, int64_t end, bool sync) const;
  void run_step(const fast::StepArgs* rows, int count) const;

  FastSpec spec_;  // weight pointers are not kept past construction
  Isa isa_;
  int64_t gates_, panels_, padded_;  // padded_ = panels_ * kUnit
  std::unique_ptr<dnnl_engine::PackedMatmul> projection_;
  // Per direction: the panels (all gates, or z, r and then h for GRU
  // without linear_before_reset) and Rbh (GRU with linear_before_reset).
  Tensor r_packed_, r_h_packed_;
  std::vector<float> rbh_;
};

}  // namespace skiff::rnn
