// Multidirectional (numpy) broadcasting for element-wise kernels.
//
// A kernel validates and declares its output shape in prepare, then builds a
// plan and runs a loop over it in compute:
//
//   void prepare(KernelContext& ctx) const override {
//     ctx.set_output(0, a.dtype(), broadcast_input_shapes(ctx, {0, 1}));
//   }
//   void compute(KernelContext& ctx) const override {
//     BroadcastPlan plan({a.shape(), b.shape()});
//     broadcast_binary(plan, a.data<float>(), b.data<float>(), y.data<float>(),
//                      [](float x, float z) { return x + z; });
//   }
//
// The plan drops size-1 output dimensions and merges adjacent dimensions that
// every input either fully spans or fully broadcasts, so [8,16,32] + [8,16,32]
// is one flat loop, [N,C,H,W] + [1,C,1,1] is three dimensions ([N,C,H*W]) and
// [N,M] + [M] is two. The innermost merged dimension is walked in "runs" along
// which each input either advances by one element (step 1) or repeats one
// element (step 0: a scalar operand, or a column broadcast such as
// [N,M] + [N,1]); broadcast_binary specialises its inner loop on those steps.
// Work is split across threads by output element, so a single huge run is
// still parallel.
//
// Plans are cheap to build (a few small vectors), immutable, and safe to share
// between threads.
#pragma once

#include <algorithm>
#include <cstdint>
#include <optional>
#include <utility>
#include <vector>

#include "core/parallel.h"
#include "core/shape.h"
#include "engines/kernel.h"

namespace skiff {

// Numpy broadcast of any number of shapes into *out. Returns false (leaving
// *out unspecified) when some dimension pair is neither equal nor 1.
bool try_broadcast_shapes(const std::vector<Shape>& shapes, Shape* out);

// Multidirectional broadcast of the given inputs' shapes; on mismatch fails
// with ctx.fail (kInvalidInput) naming every input involved and its shape.
Shape broadcast_input_shapes(const KernelContext& ctx, const std::vector<size_t>& inputs);

// True when `from` broadcasts unidirectionally to `to` (numpy rules where the
// result must be `to` itself: PRelu's slope, Expand-like uses).
bool broadcastable_to(const Shape& from, const Shape& to);

// Legacy broadcasting of Add/Sub/Mul/Div/Pow/And/Or/Xor/Equal/Less/Greater and
// Gemm's C before opset 7 (attribute broadcast=1): B must match a contiguous
// run of A's dimensions starting at `axis` (or ending at A's last dimension
// when axis is absent), with size-1 entries allowed. Returns B's shape padded
// with 1s to A's rank, ready for a BroadcastPlan; throws kInvalidInput when B
// does not fit.
Shape legacy_broadcast_shape(const Shape& a, const Shape& b, std::optional<int64_t> axis);

class BroadcastPlan {
 public:
  // Broadcasts `inputs` to their common numpy shape. Throws kInvalidInput
  // when they do not broadcast (kernels check in prepare, so this is a
  // fallback).
  explicit BroadcastPlan(const std::vector<Shape>& inputs);
  // Broadcasts each of `inputs` unidirectionally to `output`. Throws
  // kInvalidInput when one does not broadcast to it.
  BroadcastPlan(const std::vector<Shape>& inputs, const Shape& output);

  const Shape& output_shape() const { return output_shape_; }
  int64_t numel() const { return numel_; }
  size_t num_inputs() const { return strides_.size(); }
  // 1 when input k advances along the innermost merged dimension, 0 when it
  // repeats one element there.
  int64_t inner_step(size_t k) const { return strides_[k].back(); }

  // Calls f(out_offset, in_offsets, len) for consecutive runs covering the
  // output elements [begin, end): output elements out_offset..out_offset+len-1
  // read input k from in_offsets[k] onward with step inner_step(k). Offsets
  // are in elements. Does not throw unless f does.
  template <class F>
  void for_each_run(int64_t begin, int64_t end, F&& f) const;

 private:
  void plan(const std::vector<Shape>& inputs);

  Shape output_shape_;
  int64_t numel_ = 0;
  Shape dims_;                                 // merged output dims, rank >= 1
  std::vector<std::vector<int64_t>> strides_;  // [input][merged dim], 0 = broadcast
};

template <class F>
void BroadcastPlan::for_each_run(int64_t begin, int64_t end, F&& f) const {
  if (begin >= end || numel_ == 0) return;
  const size_t rank = dims_.size();
  const size_t n = strides_.size();
  const int64_t inner = dims_.back();
  std::vector<int64_t> index(rank, 0), row(n, 0), offsets(n, 0);
  // Position of `begin`: its column in the innermost dimension and the
  // multi-index of its row over the outer dimensions.
  int64_t col = begin % inner;
  int64_t rest = begin / inner;
  for (size_t d = rank - 1; d-- > 0;) {
    index[d] = rest % dims_[d];
    rest /= dims_[d];
    for (size_t k = 0; k < n; ++k) row[k] += index[d] * strides_[k][d];
  }
  for (int64_t pos = begin; pos < end;) {
    const int64_t len = std::min(inner - col, end - pos);
    for (size_t k = 0; k < n; ++k) offsets[k] = row[k] + col * strides_[k][rank - 1];
    f(pos, static_cast<const int64_t*>(offsets.data()), len);
    pos += len;
    col = 0;
    // Next row: an odometer over the outer dimensions.
    for (size_t d = rank - 1; d-- > 0;) {
      for (size_t k = 0; k < n; ++k) row[k] += strides_[k][d];
      if (++index[d] < dims_[d]) break;
      for (size_t k = 0; k < n; ++k) row[k] -= strides_[k][d] * dims_[d];
      index[d] = 0;
    }
  }
}

// y[i] = op(a[i * step_a], b[i * step_b]) for steps 0 (repeat element 0) or
// 1, with one loop per step pattern so that the compiler can vectorise each:
// a run of a plan, and the portable VecKernels' binary runs.
template <class A, class B, class O, class Op>
void step_runs(const A* a, int64_t step_a, const B* b, int64_t step_b, O* y, int64_t n, Op&& op) {
  if (n <= 0) return;
  if (step_a && step_b) {
    for (int64_t i = 0; i < n; ++i) y[i] = op(a[i], b[i]);
  } else if (step_a) {
    const B vb = *b;
    for (int64_t i = 0; i < n; ++i) y[i] = op(a[i], vb);
  } else if (step_b) {
    const A va = *a;
    for (int64_t i = 0; i < n; ++i) y[i] = op(va, b[i]);
  } else {
    for (int64_t i = 0; i < n; ++i) y[i] = op(*a, *b);
  }
}

// out[i] = op(a[...], b[...]) over a two-input plan, in parallel.
// `cost` is a rough per-element cost in nanoseconds (see parallel_for); runs
// go through step_runs. `op` must not throw.
template <class A, class B, class O, class Op>
void broadcast_binary(const BroadcastPlan& plan, const A* a, const B* b, O* out, Op&& op,
                      int64_t cost = 1) {
  SKIFF_ASSERT(plan.num_inputs() == 2);
  const int64_t step_a = plan.inner_step(0), step_b = plan.inner_step(1);
  parallel_for(plan.numel(), cost, [&](int64_t begin, int64_t end) {
    plan.for_each_run(begin, end, [&](int64_t o, const int64_t* in, int64_t len) {
      step_runs(a + in[0], step_a, b + in[1], step_b, out + o, len, op);
    });
  });
}

// out[i] = op(in0[...], in1[...], ...) over a plan with sizeof...(In) inputs,
// in parallel; the general n-ary form (Where, ...). Runs where every input
// advances take a plain indexed loop. `op` must not throw.
template <class O, class Op, class... In>
void broadcast_nary(const BroadcastPlan& plan, O* out, Op&& op, int64_t cost, const In*... in) {
  SKIFF_ASSERT(plan.num_inputs() == sizeof...(In));
  bool all_step = true;
  int64_t steps[sizeof...(In)];
  for (size_t k = 0; k < sizeof...(In); ++k) {
    steps[k] = plan.inner_step(k);
    all_step = all_step && steps[k] != 0;
  }
  parallel_for(plan.numel(), cost, [&](int64_t begin, int64_t end) {
    plan.for_each_run(begin, end, [&](int64_t o, const int64_t* offsets, int64_t len) {
      [&]<size_t... K>(std::index_sequence<K...>) {
        O* po = out + o;
        if (all_step) {
          for (int64_t i = 0; i < len; ++i) po[i] = op((in + offsets[K])[i]...);
        } else {
          for (int64_t i = 0; i < len; ++i) po[i] = op((in + offsets[K])[i * steps[K]]...);
        }
      }
      (std::index_sequence_for<In...>{});
    });
  });
}

}  // namespace skiff
