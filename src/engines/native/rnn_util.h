// Shared pieces of the recurrent kernels (RNN, GRU, LSTM): activation
// functions, attribute parsing and input validation (rnn_util.cc), the
// per-direction recurrence job and the product every step needs.
#pragma once

#include <cmath>
#include <cstdint>
#include <string>
#include <type_traits>
#include <vector>

#include "engines/kernel.h"
#include "engines/native/gemm.h"

namespace skiff::rnn {

// The type a cell computes in: float16 states are kept in float.
template <class T>
using ComputeType = std::conditional_t<std::is_same_v<T, double>, double, float>;

// One entry of the `activations` attribute with its alpha and beta.
struct Activation {
  enum class Kind {
    kRelu, kTanh, kSigmoid, kAffine, kLeakyRelu, kThresholdedRelu, kScaledTanh, kHardSigmoid,
    kElu, kSoftsign, kSoftplus
  };
  Kind kind = Kind::kTanh;
  float alpha = 0;
  float beta = 0;

  // x[i] = f(x[i]); the switch is outside the loop so each loop is simple.
  template <class C>
  void apply(C* x, int64_t n) const {
    const C a = alpha, b = beta;
    switch (kind) {
      case Kind::kRelu: for (int64_t i = 0; i < n; ++i) x[i] = x[i] > 0 ? x[i] : C(0); break;
      case Kind::kTanh: for (int64_t i = 0; i < n; ++i) x[i] = std::tanh(x[i]); break;
      case Kind::kSigmoid: for (int64_t i = 0; i < n; ++i) x[i] = sigmoid(x[i]); break;
      case Kind::kAffine: for (int64_t i = 0; i < n; ++i) x[i] = a * x[i] + b; break;
      case Kind::kLeakyRelu: for (int64_t i = 0; i < n; ++i) x[i] = x[i] >= 0 ? x[i] : a * x[i]; break;
      case Kind::kThresholdedRelu: for (int64_t i = 0; i < n; ++i) x[i] = x[i] >= a ? x[i] : C(0); break;
      case Kind::kScaledTanh: for (int64_t i = 0; i < n; ++i) x[i] = a * std::tanh(b * x[i]); break;
      case Kind::kHardSigmoid:
        for (int64_t i = 0; i < n; ++i) x[i] = std::fmin(std::fmax(a * x[i] + b, C(0)), C(1));
        break;
      case Kind::kElu: for (int64_t i = 0; i < n; ++i) x[i] = x[i] >= 0 ? x[i] : a * std::expm1(x[i]); break;
      case Kind::kSoftsign: for (int64_t i = 0; i < n; ++i) x[i] = x[i] / (C(1) + std::fabs(x[i])); break;
      case Kind::kSoftplus:
        // log(1 + e^x) without overflow for large x.
        for (int64_t i = 0; i < n; ++i)
          x[i] = x[i] > 0 ? x[i] + std::log1p(std::exp(-x[i])) : std::log1p(std::exp(x[i]));
        break;
    }
  }

  template <class C>
  static C sigmoid(C v) {
    // Split by sign so exp never overflows.
    if (v >= 0) return C(1) / (C(1) + std::exp(-v));
    const C e = std::exp(v);
    return e / (C(1) + e);
  }
};

// Attributes common to RNN, GRU and LSTM.
struct RecurrentAttrs {
  bool bidirectional = false;
  bool reverse = false;  // direction == "reverse" (single direction)
  int64_t num_directions = 1;
  int64_t hidden_size = -1;  // -1: not given, taken from R
  int64_t layout = 0;        // 1: batch-first X, Y, initial and final states (opset 14)
  float clip = 0;            // applied to gate pre-activations when has_clip
  bool has_clip = false;
  // activations_per_direction entries for direction 0, then direction 1.
  std::vector<Activation> activations;
};

// Parses the common attributes. `default_activations` are one direction's
// functions (RNN: Tanh; GRU: Sigmoid, Tanh; LSTM: Sigmoid, Tanh, Tanh).
RecurrentAttrs parse_recurrent_attrs(const KernelInfo& info,
                                     const std::vector<std::string>& default_activations);

// Dimensions of one run, checked against every input.
struct RecurrentShape {
  int64_t seq_length = 0, batch = 0, input_size = 0, hidden = 0, directions = 1, layout = 0;
};

// Validates X, W, R, B, sequence_lens, initial_h (and initial_c, P for LSTM)
// against each other and the attributes. `gates` is the number of stacked
// gate blocks in W and R (RNN 1, GRU 3, LSTM 4).
RecurrentShape check_recurrent_inputs(const KernelContext& ctx, const RecurrentAttrs& attrs,
                                      int64_t gates, bool lstm);

// Declares Y, Y_h (and Y_c when `state_outputs` is 2) for the outputs the
// graph uses.
void declare_recurrent_outputs(KernelContext& ctx, const RecurrentShape& s, int state_outputs);

// Per-batch sequence lengths (seq_length for every entry when the input is
// absent); throws kRuntime for a length outside [0, seq_length].
std::vector<int64_t> sequence_lengths(const KernelContext& ctx, const RecurrentShape& s);

// Y[M,N] = A[M,K] * B[N,K]^T, with B rows being stacked gate weights.
// `threaded` false keeps it on the calling thread (one direction per thread).
template <class C>
void matmul_nt(int64_t M, int64_t N, int64_t K, const C* A, int64_t lda, const C* B, int64_t ldb,
               C* Y, int64_t ldy, bool threaded) {
  if constexpr (std::is_same_v<C, float>) {
    (threaded ? gemm : gemm_serial)(false, true, M, N, K, 1.0f, A, lda, B, ldb, 0.0f, Y, ldy);
  } else if (threaded) {
    gemm_generic<C>(false, true, M, N, K, 1.0, A, lda, B, ldb, 0.0, Y, ldy);
  } else {
    for (int64_t m = 0; m < M; ++m)
      for (int64_t n = 0; n < N; ++n) {
        C acc = 0;
        for (int64_t k = 0; k < K; ++k) acc += A[m * lda + k] * B[n * ldb + k];
        Y[m * ldy + n] = acc;
      }
  }
}

// Reads a T tensor as compute type C: the data itself when the types match,
// else a converted copy kept in `storage`.
template <class T, class C>
const C* as_compute(const Tensor& t, std::vector<C>& storage) {
  const T* p = t.data<T>();
  if constexpr (std::is_same_v<T, C>) {
    return p;
  } else {
    storage.assign(p, p + t.numel());
    return storage.data();
  }
}

// Everything one direction's recurrence needs. Row and output offsets follow
// `layout`, so the cells never think about it.
template <class T, class C>
struct DirectionJob {
  RecurrentShape s;
  int64_t direction = 0;
  bool reverse = false;
  const C* xw = nullptr;  // X·W^T + biases, [rows of X, directions * gates * hidden]
  int64_t xw_ld = 0;
  const C* r = nullptr;   // this direction's R, [gates * hidden, hidden]
  C* h = nullptr;         // hidden state [batch, hidden], holds the initial state
  C* c = nullptr;         // LSTM cell state [batch, hidden]
  const int64_t* lens = nullptr;
  T* y = nullptr;         // Y or nullptr when unused
  bool threaded = true;

  // Time index that batch b processes at step `step` (< lens[b]): reverse
  // directions walk each sequence from its own last valid element.
  int64_t time(int64_t step, int64_t b) const { return reverse ? lens[b] - 1 - step : step; }
  const C* xw_row(int64_t t, int64_t b, int64_t gates) const {
    const int64_t row = s.layout == 0 ? t * s.batch + b : b * s.seq_length + t;
    return xw + row * xw_ld + direction * gates * s.hidden;
  }
  int64_t y_offset(int64_t t, int64_t b) const {
    return s.layout == 0 ? ((t * s.directions + direction) * s.batch + b) * s.hidden
                         : ((b * s.seq_length + t) * s.directions + direction) * s.hidden;
  }
  void store_y(int64_t t, int64_t b, const C* value) const {
    if (!y) return;
    T* out = y + y_offset(t, b);
    for (int64_t j = 0; j < s.hidden; ++j) out[j] = static_cast<T>(value[j]);
  }
};

// Offset of (direction, batch) in initial_h/Y_h-shaped tensors.
inline int64_t state_offset(const RecurrentShape& s, int64_t d, int64_t b) {
  return (s.layout == 0 ? d * s.batch + b : b * s.directions + d) * s.hidden;
}

inline void clip_values(float clip, bool has_clip, float* x, int64_t n) {
  if (!has_clip) return;
  for (int64_t i = 0; i < n; ++i) x[i] = std::fmin(std::fmax(x[i], -clip), clip);
}
inline void clip_values(float clip, bool has_clip, double* x, int64_t n) {
  if (!has_clip) return;
  const double c = clip;
  for (int64_t i = 0; i < n; ++i) x[i] = std::fmin(std::fmax(x[i], -c), c);
}

}  // namespace skiff::rnn
