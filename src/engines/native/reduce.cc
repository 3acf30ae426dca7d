// ReduceSum, ReduceMean, ReduceMax, ReduceMin, ReduceProd, ReduceL1, ReduceL2,
// ReduceLogSum, ReduceLogSumExp, ReduceSumSquare.
//
// The input shape is collapsed into alternating runs of kept and reduced
// dims. When the innermost run is reduced, each output is a tight loop over a
// contiguous run; when it is kept, whole contiguous rows are accumulated into
// a row of accumulators (vectorizable). Both are parallel over outputs.
#include <algorithm>
#include <cmath>
#include <limits>
#include <string>
#include <type_traits>
#include <vector>

#include "core/dispatch.h"
#include "core/parallel.h"
#include "engines/kernel.h"
#include "engines/native/vec_kernels.h"

namespace skiff {
namespace {

enum class ReduceKind { kSum, kMean, kMax, kMin, kProd, kL1, kL2, kLogSum, kLogSumExp, kSumSquare };

// 16-bit floats accumulate in float; everything else in its own type.
template <class T>
using Acc = std::conditional_t<std::is_same_v<T, Float16> || std::is_same_v<T, BFloat16>, float, T>;

template <class T>
constexpr bool kIsFloat = !std::is_integral_v<T>;

template <class T>
bool is_nan(T v) {
  if constexpr (kIsFloat<T>) return v != v;
  return false;
}

// The reduction's geometry after collapsing dims: kept dims (outer, in input
// order with their input strides), and the offsets of every reduced position
// relative to an output's base offset.
struct Geometry {
  bool inner_reduced = false;
  int64_t inner = 1;                   // size of the innermost (contiguous) run
  std::vector<int64_t> kept_dims;      // kept dims, excluding the inner run when kept
  std::vector<int64_t> kept_strides;   // their input strides
  std::vector<int64_t> reduced_offsets;  // excluding the inner run when reduced
  int64_t out_numel = 1;
  int64_t reduce_count = 1;            // elements folded into each output
};

Geometry make_geometry(const Shape& shape, const std::vector<bool>& reduced) {
  Geometry g;
  std::vector<int64_t> dims;
  std::vector<bool> red;
  for (size_t i = 0; i < shape.size(); ++i) {
    if (reduced[i]) g.reduce_count *= shape[i];
    else g.out_numel *= shape[i];
    if (shape[i] == 1) continue;  // size-1 dims change neither offsets nor counts
    if (!dims.empty() && red.back() == reduced[i]) {
      dims.back() *= shape[i];
    } else {
      dims.push_back(shape[i]);
      red.push_back(reduced[i]);
    }
  }
  if (dims.empty()) {  // rank 0 or all dims 1: one element per output
    g.reduced_offsets.push_back(0);
    return g;
  }
  std::vector<int64_t> strides(dims.size(), 1);
  for (size_t i = dims.size() - 1; i > 0; --i) strides[i - 1] = strides[i] * dims[i];
  g.inner_reduced = red.back();
  g.inner = dims.back();
  std::vector<int64_t> red_dims, red_strides;
  for (size_t i = 0; i + 1 < dims.size(); ++i) {
    if (red[i]) {
      red_dims.push_back(dims[i]);
      red_strides.push_back(strides[i]);
    } else {
      g.kept_dims.push_back(dims[i]);
      g.kept_strides.push_back(strides[i]);
    }
  }
  // Enumerate reduced offsets with an odometer (row-major: memory order).
  int64_t count = 1;
  for (int64_t d : red_dims) count *= d;
  g.reduced_offsets.reserve(static_cast<size_t>(count));
  std::vector<int64_t> idx(red_dims.size(), 0);
  for (int64_t n = 0; n < count; ++n) {
    int64_t off = 0;
    for (size_t k = 0; k < idx.size(); ++k) off += idx[k] * red_strides[k];
    g.reduced_offsets.push_back(off);
    for (size_t k = idx.size(); k-- > 0;) {
      if (++idx[k] < red_dims[k]) break;
      idx[k] = 0;
    }
  }
  return g;
}

// Input offset of kept-block `b` (row-major over kept_dims).
inline int64_t block_base(const Geometry& g, int64_t b) {
  int64_t off = 0;
  for (size_t k = g.kept_dims.size(); k-- > 0;) {
    off += (b % g.kept_dims[k]) * g.kept_strides[k];
    b /= g.kept_dims[k];
  }
  return off;
}

constexpr int kLanes = 8;

// out[o] = fin(fold(combine, init, map(x, o) for x reduced into o), o).
// `combine` must be associative: partial folds are combined with it.
template <class A, class T, class Out, class Map, class Combine, class Fin>
void reduce_loop(const T* in, Out* out, const Geometry& g, A init, Map map, Combine combine,
                 Fin fin) {
  if (g.reduce_count == 0 || g.out_numel == 0) {
    // An empty reduction yields the identity; an empty output has no work.
    for (int64_t o = 0; o < g.out_numel; ++o) out[o] = fin(init, o);
    return;
  }
  const int64_t* roffs = g.reduced_offsets.data();
  const int64_t nr = static_cast<int64_t>(g.reduced_offsets.size());
  if (g.inner_reduced) {
    const int64_t n = g.inner;
    parallel_for(g.out_numel, nr * n, [&](int64_t begin, int64_t end) {
      for (int64_t o = begin; o < end; ++o) {
        const T* base = in + block_base(g, o);
        // Independent partial results: the lanes vectorize, and a long float
        // sum loses less precision than with one running accumulator.
        A part[kLanes];
        std::fill(part, part + kLanes, init);
        for (int64_t r = 0; r < nr; ++r) {
          const T* p = base + roffs[r];
          int64_t i = 0;
          for (; i + kLanes <= n; i += kLanes)
            for (int l = 0; l < kLanes; ++l) part[l] = combine(part[l], map(p[i + l], o));
          for (; i < n; ++i) part[0] = combine(part[0], map(p[i], o));
        }
        A acc = part[0];
        for (int l = 1; l < kLanes; ++l) acc = combine(acc, part[l]);
        out[o] = fin(acc, o);
      }
    });
    return;
  }
  const int64_t width = g.inner;
  const int64_t blocks = g.out_numel / width;
  parallel_for(blocks, nr * width, [&](int64_t begin, int64_t end) {
    std::vector<A> acc(static_cast<size_t>(width));
    for (int64_t b = begin; b < end; ++b) {
      const T* base = in + block_base(g, b);
      const int64_t o0 = b * width;
      std::fill(acc.begin(), acc.end(), init);
      for (int64_t r = 0; r < nr; ++r) {
        const T* p = base + roffs[r];
        for (int64_t k = 0; k < width; ++k) acc[k] = combine(acc[k], map(p[k], o0 + k));
      }
      for (int64_t k = 0; k < width; ++k) out[o0 + k] = fin(acc[k], o0 + k);
    }
  });
}

// The fold of one VecReduce kind on two floats; NaN propagates through max and min.
float fold(VecReduce kind, float acc, float x) {
  switch (kind) {
    case VecReduce::kSum: return acc + x;
    case VecReduce::kSumSquare: return acc + x * x;
    case VecReduce::kMax: return (x > acc || x != x) ? x : acc;
    case VecReduce::kMin: return (x < acc || x != x) ? x : acc;
    case VecReduce::kL1: return acc + (x < 0 ? -x : x);
    case VecReduce::kProd: return acc * x;
  }
  return acc;
}

// The fold that merges two partial results of `kind`.
VecReduce combine_kind(VecReduce kind) {
  return kind == VecReduce::kSumSquare || kind == VecReduce::kL1 ? VecReduce::kSum : kind;
}

float fold_identity(VecReduce kind) {
  return kind == VecReduce::kMax    ? -std::numeric_limits<float>::infinity()
         : kind == VecReduce::kMin  ? std::numeric_limits<float>::infinity()
         : kind == VecReduce::kProd ? 1.0f
                                    : 0.0f;
}

// reduce_loop for float reductions with a vectorized form. A contiguous run
// of n inputs folds through run(x, n, o) into a partial result of output o
// (innermost axis reduced; partials merge with combine) or through
// acc_run(acc, x, n, o0) into the accumulators of outputs o0.. (innermost
// axis kept; the output row is the accumulator). fin(fold, o) is the output.
template <class Run, class Combine, class AccRun, class Fin>
void reduce_loop_vec(float init, const float* in, float* out, const Geometry& g, Run run,
                     Combine combine, AccRun acc_run, Fin fin) {
  if (g.reduce_count == 0 || g.out_numel == 0) {
    for (int64_t o = 0; o < g.out_numel; ++o) out[o] = fin(init, o);
    return;
  }
  const int64_t* roffs = g.reduced_offsets.data();
  const int64_t nr = static_cast<int64_t>(g.reduced_offsets.size());
  const int64_t n = g.inner;
  // ~0.25 ns per element vectorized (8 lanes, bound by loads).
  const int64_t cost = std::max<int64_t>(1, nr * n / 4);
  if (g.inner_reduced) {
    parallel_for(g.out_numel, cost, [&](int64_t begin, int64_t end) {
      for (int64_t o = begin; o < end; ++o) {
        const float* base = in + block_base(g, o);
        float acc = init;
        for (int64_t r = 0; r < nr; ++r) acc = combine(acc, run(base + roffs[r], n, o));
        out[o] = fin(acc, o);
      }
    });
    return;
  }
  parallel_for(g.out_numel / n, cost, [&](int64_t begin, int64_t end) {
    for (int64_t b = begin; b < end; ++b) {
      float* acc = out + b * n;
      std::fill(acc, acc + n, init);
      for (int64_t r = 0; r < nr; ++r) acc_run(acc, in + block_base(g, b) + roffs[r], n, b * n);
      for (int64_t k = 0; k < n; ++k) acc[k] = fin(acc[k], b * n + k);
    }
  });
}

// reduce_loop_vec for a VecReduce fold: vec_kernels().reduce / ::accumulate.
template <class Fin>
void reduce_fold_vec(VecReduce kind, const float* in, float* out, const Geometry& g, Fin fin) {
  const VecKernels& vec = vec_kernels();
  const VecReduce merge = combine_kind(kind);
  reduce_loop_vec(
      fold_identity(kind), in, out, g,
      [&](const float* x, int64_t n, int64_t) { return vec.reduce(kind, x, n); },
      [merge](float a, float b) { return fold(merge, a, b); },
      [&](float* acc, const float* x, int64_t n, int64_t) { vec.accumulate(kind, acc, x, n); },
      [&](float a, int64_t) { return fin(a); });
}

// log(sum(exp(x - m))) + m with m the max (0 when not finite, as the
// reference), through vec_kernels().sum_exp / ::accumulate_exp.
void reduce_log_sum_exp_vec(const float* in, float* out, const Geometry& g) {
  std::vector<float> shift(static_cast<size_t>(g.out_numel));
  reduce_fold_vec(VecReduce::kMax, in, shift.data(), g,
                  [](float m) { return std::isfinite(m) ? m : 0.0f; });
  const float* s = shift.data();
  const VecKernels& vec = vec_kernels();
  const auto run = [&](const float* x, int64_t n, int64_t o) { return vec.sum_exp(x, n, s[o]); };
  const auto acc_run = [&](float* acc, const float* x, int64_t n, int64_t o0) {
    vec.accumulate_exp(acc, x, s + o0, n);
  };
  reduce_loop_vec(
      0.0f, in, out, g, run, [](float a, float b) { return a + b; }, acc_run,
      [s](float a, int64_t o) { return std::log(a) + s[o]; });
}

// Every float reduction, through the vectorized kernels.
void reduce_float_vec(ReduceKind kind, const float* in, float* out, const Geometry& g) {
  const float count = static_cast<float>(g.reduce_count);
  const auto same = [](float a) { return a; };
  const auto log_of = [](float a) { return static_cast<float>(std::log(static_cast<double>(a))); };
  switch (kind) {
    case ReduceKind::kSum: return reduce_fold_vec(VecReduce::kSum, in, out, g, same);
    case ReduceKind::kMean:
      return reduce_fold_vec(VecReduce::kSum, in, out, g, [count](float a) { return a / count; });
    case ReduceKind::kMax: return reduce_fold_vec(VecReduce::kMax, in, out, g, same);
    case ReduceKind::kMin: return reduce_fold_vec(VecReduce::kMin, in, out, g, same);
    case ReduceKind::kProd: return reduce_fold_vec(VecReduce::kProd, in, out, g, same);
    case ReduceKind::kL1: return reduce_fold_vec(VecReduce::kL1, in, out, g, same);
    case ReduceKind::kSumSquare: return reduce_fold_vec(VecReduce::kSumSquare, in, out, g, same);
    case ReduceKind::kL2:
      return reduce_fold_vec(VecReduce::kSumSquare, in, out, g, [](float a) {
        return static_cast<float>(std::sqrt(static_cast<double>(a)));
      });
    case ReduceKind::kLogSum: return reduce_fold_vec(VecReduce::kSum, in, out, g, log_of);
    case ReduceKind::kLogSumExp: return reduce_log_sum_exp_vec(in, out, g);
  }
}

template <class T, class A>
T to_out(A v) {
  if constexpr (std::is_integral_v<T> && !std::is_integral_v<A>) {
    return static_cast<T>(static_cast<double>(v));
  } else {
    return static_cast<T>(v);
  }
}

template <class T>
void reduce_typed(ReduceKind kind, const T* in, T* out, const Geometry& g) {
  if constexpr (std::is_same_v<T, float>) {
    reduce_float_vec(kind, in, out, g);
    return;
  }
  using A = Acc<T>;
  const auto id = [](T x, int64_t) { return static_cast<A>(x); };
  const auto add = [](A a, A b) { return static_cast<A>(a + b); };
  const auto same = [](A a, int64_t) { return static_cast<T>(a); };
  const int64_t count = g.reduce_count;
  switch (kind) {
    case ReduceKind::kSum:
      return reduce_loop<A>(in, out, g, A(0), id, add, same);
    case ReduceKind::kMean:
      return reduce_loop<A>(in, out, g, A(0), id, add, [count](A a, int64_t) {
        if constexpr (std::is_integral_v<A>) {
          return static_cast<T>(count == 0 ? A(0) : static_cast<A>(a / static_cast<A>(count)));
        } else {
          return static_cast<T>(a / static_cast<A>(count));  // 0/0 is NaN for an empty set
        }
      });
    case ReduceKind::kMax:
    case ReduceKind::kMin: {
      const bool is_max = kind == ReduceKind::kMax;
      A lowest = kIsFloat<A> ? -std::numeric_limits<A>::infinity() : std::numeric_limits<A>::lowest();
      A highest = kIsFloat<A> ? std::numeric_limits<A>::infinity() : std::numeric_limits<A>::max();
      // NaN propagates, as numpy's maximum.reduce does.
      if (is_max)
        return reduce_loop<A>(in, out, g, lowest, id,
                              [](A a, A b) { return (b > a || is_nan(b)) ? b : a; }, same);
      return reduce_loop<A>(in, out, g, highest, id,
                            [](A a, A b) { return (b < a || is_nan(b)) ? b : a; }, same);
    }
    case ReduceKind::kProd:
      return reduce_loop<A>(in, out, g, A(1), id, [](A a, A b) { return static_cast<A>(a * b); },
                            same);
    case ReduceKind::kL1:
      return reduce_loop<A>(in, out, g, A(0), [](T x, int64_t) {
        A v = static_cast<A>(x);
        if constexpr (std::is_unsigned_v<A>) return v;
        else return v < A(0) ? static_cast<A>(-v) : v;
      }, add, same);
    case ReduceKind::kSumSquare:
    case ReduceKind::kL2: {
      const auto sq = [](T x, int64_t) { A v = static_cast<A>(x); return static_cast<A>(v * v); };
      if (kind == ReduceKind::kSumSquare) return reduce_loop<A>(in, out, g, A(0), sq, add, same);
      return reduce_loop<A>(in, out, g, A(0), sq, add, [](A a, int64_t) {
        return to_out<T>(std::sqrt(static_cast<double>(a)));
      });
    }
    case ReduceKind::kLogSum:
      return reduce_loop<A>(in, out, g, A(0), id, add, [](A a, int64_t) {
        return to_out<T>(std::log(static_cast<double>(a)));
      });
    case ReduceKind::kLogSumExp: {
      // log(sum(exp(x - m))) + m with m the max, so exp cannot overflow.
      using F = std::conditional_t<kIsFloat<A>, A, double>;
      std::vector<F> shift(static_cast<size_t>(g.out_numel));
      reduce_loop<F>(in, shift.data(), g, -std::numeric_limits<F>::infinity(),
                     [](T x, int64_t) { return static_cast<F>(static_cast<A>(x)); },
                     [](F a, F b) { return (b > a || is_nan(b)) ? b : a; },
                     [](F m, int64_t) { return std::isfinite(m) ? m : F(0); });
      const F* s = shift.data();
      return reduce_loop<F>(in, out, g, F(0),
                            [s](T x, int64_t o) {
                              return static_cast<F>(std::exp(static_cast<F>(static_cast<A>(x)) - s[o]));
                            },
                            [](F a, F b) { return a + b; },
                            [s](F a, int64_t o) { return to_out<T>(std::log(a) + s[o]); });
    }
  }
}

// 8 partial lanes of fold f, merged with merge (a loop the compiler vectorizes).
template <class F, class M>
float fold_lanes(F f, M merge, float init, const float* x, int64_t n) {
  float part[kLanes];
  std::fill(part, part + kLanes, init);
  int64_t i = 0;
  for (; i + kLanes <= n; i += kLanes)
    for (int l = 0; l < kLanes; ++l) part[l] = f(part[l], x[i + l]);
  for (; i < n; ++i) part[0] = f(part[0], x[i]);
  for (int l = 1; l < kLanes; ++l) part[0] = merge(part[0], part[l]);
  return part[0];
}

// The fold of one kind as a function object (so that loops over it compile
// per kind).
template <VecReduce kKind>
struct FoldOf {
  float operator()(float acc, float x) const { return fold(kKind, acc, x); }
};

// Calls body(FoldOf<kind>): a switch per element keeps the loops scalar
// (portable ReduceL1 of [1,64,128,128], axis 1 / axis 3: 0.51 / 0.41 ms ->
// 0.16 / 0.16 ms).
template <class Body>
auto with_fold(VecReduce kind, Body body) {
  switch (kind) {
    case VecReduce::kSum: return body(FoldOf<VecReduce::kSum>{});
    case VecReduce::kSumSquare: return body(FoldOf<VecReduce::kSumSquare>{});
    case VecReduce::kMax: return body(FoldOf<VecReduce::kMax>{});
    case VecReduce::kMin: return body(FoldOf<VecReduce::kMin>{});
    case VecReduce::kL1: return body(FoldOf<VecReduce::kL1>{});
    case VecReduce::kProd: return body(FoldOf<VecReduce::kProd>{});
  }
  return body(FoldOf<VecReduce::kSum>{});
}

}  // namespace

// The portable VecKernels::reduce: 8 partial lanes, as reduce_loop.
float scalar::reduce(VecReduce kind, const float* x, int64_t n) {
  const VecReduce merge = combine_kind(kind);
  const auto merge_fold = [merge](float a, float b) { return fold(merge, a, b); };
  return with_fold(kind,
                   [&](auto f) { return fold_lanes(f, merge_fold, fold_identity(kind), x, n); });
}

void scalar::accumulate(VecReduce kind, float* acc, const float* x, int64_t n) {
  with_fold(kind, [&](auto f) {
    for (int64_t i = 0; i < n; ++i) acc[i] = f(acc[i], x[i]);
  });
}

// The portable ReduceLogSumExp sums, with the reference's std::exp.
float scalar::sum_exp(const float* x, int64_t n, float shift) {
  return fold_lanes([shift](float a, float v) { return a + std::exp(v - shift); },
                    [](float a, float b) { return a + b; }, 0.0f, x, n);
}

void scalar::accumulate_exp(float* acc, const float* x, const float* shift, int64_t n) {
  for (int64_t i = 0; i < n; ++i) acc[i] += std::exp(x[i] - shift[i]);
}

namespace {

class ReduceKernel final : public Kernel {
 public:
  ReduceKernel(const KernelInfo& info, ReduceKind kind, int axes_input_since)
      : kind_(kind),
        axes_from_input_(info.opset() >= axes_input_since),
        keepdims_(info.attr_int("keepdims", 1) != 0),
        noop_with_empty_axes_(info.attr_int("noop_with_empty_axes", 0) != 0),
        axes_attr_(info.attr_ints("axes")) {
    if (axes_from_input_ && info.has_attr("axes"))
      info.fail("'axes' is an input from opset ", axes_input_since, ", not an attribute");
  }

  void prepare(KernelContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    std::vector<bool> reduced;
    if (!reduced_axes(ctx, reduced)) return;  // no-op: compute forwards the input
    Shape out_shape;
    for (int64_t i = 0; i < x.rank(); ++i) {
      if (!reduced[i]) out_shape.push_back(x.dim(i));
      else if (keepdims_) out_shape.push_back(1);
    }
    ctx.set_output(0, x.dtype(), out_shape);
  }

  void compute(KernelContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    std::vector<bool> reduced;
    if (!reduced_axes(ctx, reduced)) {
      ctx.set_output_tensor(0, x);
      return;
    }
    const Geometry g = make_geometry(x.shape(), reduced);
    Tensor& y = ctx.output(0);
    auto run = [&](auto tag) {
      using T = typename decltype(tag)::type;
      reduce_typed<T>(kind_, x.data<T>(), y.data<T>(), g);
    };
    const auto what = ctx.describe_input(0);
    if (kind_ == ReduceKind::kMax || kind_ == ReduceKind::kMin) {
      if (x.dtype() == DataType::kBool) {
        // Opset 20: bool max is "any", min is "all"; reuse uint8 arithmetic.
        reduce_typed<uint8_t>(kind_, reinterpret_cast<const uint8_t*>(x.raw()),
                              reinterpret_cast<uint8_t*>(y.raw()), g);
        return;
      }
    }
    dispatch(kNumericTypes, x.dtype(), run, what);
  }

 private:
  // Fills `reduced` (one flag per input axis); false means "no-op: output = input".
  bool reduced_axes(const KernelContext& ctx, std::vector<bool>& reduced) const {
    const Tensor& x = ctx.input(0);
    std::vector<int64_t> axes = axes_attr_;
    if (axes_from_input_ && ctx.has_input(1)) {
      const Tensor& a = ctx.input(1);
      if (a.rank() > 1) ctx.fail(ctx.input_label(1), " must be 1-D");
      if (a.dtype() == DataType::kInt64) axes.assign(a.data<int64_t>(), a.data<int64_t>() + a.numel());
      else if (a.dtype() == DataType::kInt32) axes.assign(a.data<int32_t>(), a.data<int32_t>() + a.numel());
      else ctx.fail(ctx.input_label(1), " must be int32 or int64");
    }
    reduced.assign(static_cast<size_t>(x.rank()), axes.empty());
    if (axes.empty()) return !(axes_from_input_ && noop_with_empty_axes_);
    for (int64_t axis : axes) {
      if (axis < -x.rank() || axis >= x.rank())
        ctx.fail("axis ", axis, " is out of range for ", ctx.input_label(0));
      const int64_t a = axis < 0 ? axis + x.rank() : axis;
      if (reduced[a]) ctx.fail("axis ", axis, " is repeated in axes");
      reduced[a] = true;
    }
    return true;
  }

  ReduceKind kind_;
  bool axes_from_input_;
  bool keepdims_;
  bool noop_with_empty_axes_;
  std::vector<int64_t> axes_attr_;
};

template <ReduceKind kKind, int kAxesInputSince>
class Reduce final : public Kernel {
 public:
  explicit Reduce(const KernelInfo& info) : impl_(info, kKind, kAxesInputSince) {}
  void prepare(KernelContext& ctx) const override { impl_.prepare(ctx); }
  void compute(KernelContext& ctx) const override { impl_.compute(ctx); }

 private:
  ReduceKernel impl_;
};

using ReduceSumKernel = Reduce<ReduceKind::kSum, 13>;
using ReduceMeanKernel = Reduce<ReduceKind::kMean, 18>;
using ReduceMaxKernel = Reduce<ReduceKind::kMax, 18>;
using ReduceMinKernel = Reduce<ReduceKind::kMin, 18>;
using ReduceProdKernel = Reduce<ReduceKind::kProd, 18>;
using ReduceL1Kernel = Reduce<ReduceKind::kL1, 18>;
using ReduceL2Kernel = Reduce<ReduceKind::kL2, 18>;
using ReduceLogSumKernel = Reduce<ReduceKind::kLogSum, 18>;
using ReduceLogSumExpKernel = Reduce<ReduceKind::kLogSumExp, 18>;
using ReduceSumSquareKernel = Reduce<ReduceKind::kSumSquare, 18>;

}  // namespace

// Every Reduce op: 11: negative axes; 13: bfloat16 (ReduceSum: `axes` becomes
// an input, with noop_with_empty_axes); 18: `axes` becomes an input for the
// rest. ReduceMax/ReduceMin: 12: int8/uint8; 20: bool.
SKIFF_KERNEL(native, "ReduceSum", 1, 12, ReduceSumKernel);
SKIFF_KERNEL_TYPES(native, "ReduceSum", 1, "numeric");
SKIFF_KERNEL(native, "ReduceSum", 13, kLatestOpset, ReduceSumKernel);
SKIFF_KERNEL_TYPES(native, "ReduceSum", 13, "T: numeric; axes: int32, int64");
SKIFF_KERNEL(native, "ReduceMean", 1, 17, ReduceMeanKernel);
SKIFF_KERNEL_TYPES(native, "ReduceMean", 1, "numeric");
SKIFF_KERNEL(native, "ReduceMean", 18, kLatestOpset, ReduceMeanKernel);
SKIFF_KERNEL_TYPES(native, "ReduceMean", 18, "T: numeric; axes: int32, int64");
SKIFF_KERNEL(native, "ReduceMax", 1, 17, ReduceMaxKernel);
SKIFF_KERNEL_TYPES(native, "ReduceMax", 1, "numeric, bool");
SKIFF_KERNEL(native, "ReduceMax", 18, kLatestOpset, ReduceMaxKernel);
SKIFF_KERNEL_TYPES(native, "ReduceMax", 18, "T: numeric, bool; axes: int32, int64");
SKIFF_KERNEL(native, "ReduceMin", 1, 17, ReduceMinKernel);
SKIFF_KERNEL_TYPES(native, "ReduceMin", 1, "numeric, bool");
SKIFF_KERNEL(native, "ReduceMin", 18, kLatestOpset, ReduceMinKernel);
SKIFF_KERNEL_TYPES(native, "ReduceMin", 18, "T: numeric, bool; axes: int32, int64");
SKIFF_KERNEL(native, "ReduceProd", 1, 17, ReduceProdKernel);
SKIFF_KERNEL_TYPES(native, "ReduceProd", 1, "numeric");
SKIFF_KERNEL(native, "ReduceProd", 18, kLatestOpset, ReduceProdKernel);
SKIFF_KERNEL_TYPES(native, "ReduceProd", 18, "T: numeric; axes: int32, int64");
SKIFF_KERNEL(native, "ReduceL1", 1, 17, ReduceL1Kernel);
SKIFF_KERNEL_TYPES(native, "ReduceL1", 1, "numeric");
SKIFF_KERNEL(native, "ReduceL1", 18, kLatestOpset, ReduceL1Kernel);
SKIFF_KERNEL_TYPES(native, "ReduceL1", 18, "T: numeric; axes: int32, int64");
SKIFF_KERNEL(native, "ReduceL2", 1, 17, ReduceL2Kernel);
SKIFF_KERNEL_TYPES(native, "ReduceL2", 1, "numeric");
SKIFF_KERNEL(native, "ReduceL2", 18, kLatestOpset, ReduceL2Kernel);
SKIFF_KERNEL_TYPES(native, "ReduceL2", 18, "T: numeric; axes: int32, int64");
SKIFF_KERNEL(native, "ReduceLogSum", 1, 17, ReduceLogSumKernel);
SKIFF_KERNEL_TYPES(native, "ReduceLogSum", 1, "numeric");
SKIFF_KERNEL(native, "ReduceLogSum", 18, kLatestOpset, ReduceLogSumKernel);
SKIFF_KERNEL_TYPES(native, "ReduceLogSum", 18, "T: numeric; axes: int32, int64");
SKIFF_KERNEL(native, "ReduceLogSumExp", 1, 17, ReduceLogSumExpKernel);
SKIFF_KERNEL_TYPES(native, "ReduceLogSumExp", 1, "numeric");
SKIFF_KERNEL(native, "ReduceLogSumExp", 18, kLatestOpset, ReduceLogSumExpKernel);
SKIFF_KERNEL_TYPES(native, "ReduceLogSumExp", 18, "T: numeric; axes: int32, int64");
SKIFF_KERNEL(native, "ReduceSumSquare", 1, 17, ReduceSumSquareKernel);
SKIFF_KERNEL_TYPES(native, "ReduceSumSquare", 1, "numeric");
SKIFF_KERNEL(native, "ReduceSumSquare", 18, kLatestOpset, ReduceSumSquareKernel);
SKIFF_KERNEL_TYPES(native, "ReduceSumSquare", 18, "T: numeric; axes: int32, int64");

}  // namespace skiff
