// Pooling: MaxPool (with Indices), AveragePool, LpPool over N-d windows, and
// their Global* forms over all spatial dims.
#include <cmath>
#include <limits>
#include <vector>

#include "core/dispatch.h"
#include "core/parallel.h"
#include "engines/kernel.h"
#include "engines/native/window.h"

namespace skiff {
namespace {

inline constexpr TypeList<float, double, Float16, BFloat16> kPoolTypes{};
inline constexpr TypeList<float, double, Float16, BFloat16, int8_t, uint8_t> kMaxPoolTypes{};

template <class T>
using Acc = std::conditional_t<std::is_same_v<T, double>, double, float>;

template <class T>
T lowest() {
  if constexpr (std::is_integral_v<T>)
    return std::numeric_limits<T>::lowest();
  else
    return static_cast<T>(std::numeric_limits<Acc<T>>::lowest());
}

enum class PoolKind { kMax, kAverage, kLp };

// Per-dim tables, built once per call: for each output coordinate o along
// dim d, the window's first input coordinate, the range [lo, hi) of kernel
// offsets that land inside the input, and how many offsets land inside the
// padded input (AveragePool's divisor with count_include_pad).
struct WindowTables {
  explicit WindowTables(const Window& w) : base(w.rank() + 1, 0) {
    for (size_t d = 0; d < w.rank(); ++d) base[d + 1] = base[d] + w.out[d];
    start.resize(static_cast<size_t>(base.back()));
    lo.resize(start.size());
    hi.resize(start.size());
    padded.resize(start.size());
    for (size_t d = 0; d < w.rank(); ++d) {
      const int64_t dil = w.dilations[d];
      auto ceil_div = [dil](int64_t v) { return v <= 0 ? 0 : (v + dil - 1) / dil; };
      for (int64_t o = 0; o < w.out[d]; ++o) {
        const size_t i = static_cast<size_t>(base[d] + o);
        start[i] = o * w.strides[d] - w.pad_begin[d];
        lo[i] = std::min(w.kernel[d], ceil_div(-start[i]));
        hi[i] = std::max(lo[i], std::min(w.kernel[d], ceil_div(w.in[d] - start[i])));
        padded[i] = std::min(w.kernel[d], ceil_div(w.in[d] + w.pad_end[d] - start[i]));
      }
    }
  }
  std::vector<int64_t> base, start, lo, hi, padded;
};

// Walks the kernel window of one output position, visiting only elements
// inside the input: f(offset, coords) with the row-major offset and the
// input coordinates. The last dim is a plain strided loop.
class WindowWalker {
 public:
  WindowWalker(const Window& w, const WindowTables& t) : w_(w), t_(t) {}

  // Positions the walker on output index `out`; returns the padded count.
  int64_t place(const int64_t* out) {
    int64_t padded = 1;
    for (size_t d = 0; d < w_.rank(); ++d) {
      const size_t i = static_cast<size_t>(t_.base[d] + out[d]);
      start_[d] = t_.start[i];
      lo_[d] = t_.lo[i];
      hi_[d] = t_.hi[i];
      padded *= t_.padded[i];
    }
    return padded;
  }

  template <class F>
  void walk(F&& f) const {
    const size_t rank = w_.rank(), last = rank - 1;
    int64_t k[kMaxWindowRank], coords[kMaxWindowRank];
    for (size_t d = 0; d < rank; ++d) {
      if (lo_[d] >= hi_[d]) return;  // the window lies entirely in the padding
      k[d] = lo_[d];
    }
    const int64_t dil = w_.dilations[last];
    for (;;) {
      int64_t row = 0;
      for (size_t d = 0; d < last; ++d) {
        coords[d] = start_[d] + k[d] * w_.dilations[d];
        row = row * w_.in[d] + coords[d];
      }
      coords[last] = start_[last] + lo_[last] * dil;
      int64_t offset = row * w_.in[last] + coords[last];
      for (int64_t kl = lo_[last]; kl < hi_[last]; ++kl, offset += dil, coords[last] += dil)
        f(offset, coords);
      size_t d = last;
      while (d-- > 0) {
        if (++k[d] < hi_[d]) break;
        k[d] = lo_[d];
      }
      if (d == static_cast<size_t>(-1)) return;
    }
  }

 private:
  const Window& w_;
  const WindowTables& t_;
  int64_t start_[kMaxWindowRank], lo_[kMaxWindowRank], hi_[kMaxWindowRank];
};

// Settings of one pooling node.
struct PoolParams {
  PoolKind kind = PoolKind::kMax;
  bool count_include_pad = false;
  bool column_major_indices = false;  // MaxPool storage_order = 1
  double p = 2.0;                      // LpPool
};

template <class T>
void pool(const PoolParams& params, const Window& w, int64_t planes, const T* x, T* y,
          int64_t* indices) {
  const int64_t in_size = w.in_size(), out_size = w.out_size();
  const WindowTables tables(w);
  parallel_for(planes, out_size * w.kernel_size(), [&](int64_t p0, int64_t p1) {
    WindowWalker walker(w, tables);
    int64_t out[kMaxWindowRank] = {};
    for (int64_t p = p0; p < p1; ++p) {
      const T* plane = x + p * in_size;
      for (size_t d = 0; d < w.rank(); ++d) out[d] = 0;
      for (int64_t o = 0; o < out_size; ++o) {
        const int64_t padded = walker.place(out);
        if (params.kind == PoolKind::kMax) {
          // The first element seeds the max; a window that is all padding
          // gives lowest() and index -1, as in ONNX Runtime.
          T best = lowest<T>();
          int64_t best_index = -1;
          walker.walk([&](int64_t off, const int64_t* coords) {
            if (best_index >= 0 && !(plane[off] > best)) return;
            best = plane[off];
            best_index = off;
            if (params.column_major_indices) {
              best_index = 0;
              for (size_t d = w.rank(); d-- > 0;) best_index = best_index * w.in[d] + coords[d];
            }
          });
          y[p * out_size + o] = best;
          if (indices) indices[p * out_size + o] = best_index < 0 ? -1 : p * in_size + best_index;
        } else {
          Acc<T> sum = 0;
          int64_t count = 0;
          if (params.kind == PoolKind::kAverage) {
            walker.walk([&](int64_t off, const int64_t*) { sum += static_cast<Acc<T>>(plane[off]); ++count; });
            if (params.count_include_pad) count = padded;
            y[p * out_size + o] = static_cast<T>(sum / static_cast<Acc<T>>(count));
          } else {
            walker.walk([&](int64_t off, const int64_t*) {
              sum += static_cast<Acc<T>>(std::pow(std::fabs(static_cast<double>(plane[off])), params.p));
            });
            y[p * out_size + o] = static_cast<T>(std::pow(static_cast<double>(sum), 1.0 / params.p));
          }
        }
        for (size_t d = w.rank(); d-- > 0;) {
          if (++out[d] < w.out[d]) break;
          out[d] = 0;
        }
      }
    }
  });
}

// The p of LpPool/GlobalLpPool: a float attribute in opset 1, an int later.
double lp_norm_p(const KernelInfo& info) {
  const ir::Attribute* a = info.node().attr("p");
  double p = 2.0;
  if (a && a->type == ir::Attribute::Type::kFloat) p = a->f;
  else if (a) p = static_cast<double>(info.attr_int("p"));
  if (!(p > 0)) info.fail("p must be positive, got ", p);
  return p;
}

class PoolKernel final : public Kernel {
 public:
  PoolKernel(const KernelInfo& info, PoolKind kind, bool global)
      : attrs_(global ? WindowAttrs(info, false) : WindowAttrs(info, true)), global_(global) {
    params_.kind = kind;
    params_.count_include_pad = info.attr_int("count_include_pad", 0) != 0;
    params_.column_major_indices = info.attr_int("storage_order", 0) != 0;
    if (kind == PoolKind::kLp) params_.p = lp_norm_p(info);
  }

  void prepare(KernelContext& ctx) const override {
    const Window w = window(ctx);
    const Tensor& x = ctx.input(0);
    Shape out = {x.dim(0), x.dim(1)};
    if (x.rank() > 2) out.insert(out.end(), w.out.begin(), w.out.end());
    ctx.set_output(0, x.dtype(), out);
    if (ctx.num_outputs() > 1 && ctx.output_wanted(1)) {
      if (params_.kind != PoolKind::kMax) ctx.fail("only MaxPool has an Indices output");
      ctx.set_output(1, DataType::kInt64, out);
    }
  }

  void compute(KernelContext& ctx) const override {
    const Window w = window(ctx);
    const Tensor& x = ctx.input(0);
    Tensor& y = ctx.output(0);
    int64_t* indices = ctx.num_outputs() > 1 && ctx.output_wanted(1) ? ctx.output(1).data<int64_t>() : nullptr;
    if (y.empty()) return;
    const int64_t planes = x.dim(0) * x.dim(1);
    auto run = [&](auto tag) {
      using T = typename decltype(tag)::type;
      pool<T>(params_, w, planes, x.data<T>(), y.data<T>(), indices);
    };
    if (params_.kind == PoolKind::kMax)
      dispatch(kMaxPoolTypes, x.dtype(), run, ctx.describe_input(0));
    else
      dispatch(kPoolTypes, x.dtype(), run, ctx.describe_input(0));
  }

 private:
  Window window(const KernelContext& ctx) const {
    const Shape in = spatial_dims(ctx, 0, global_ ? 2 : 3);
    if (!global_) {
      if (attrs_.kernel_shape.size() != in.size())
        ctx.fail("kernel_shape has ", attrs_.kernel_shape.size(), " values but ",
                 ctx.input_label(0), " has ", in.size(), " spatial dims");
      return resolve_window(ctx, attrs_, in, attrs_.kernel_shape);
    }
    // A global pool is one window covering the input; a rank-2 input has no
    // spatial dims and pools each value alone.
    Window w;
    w.in = in.empty() ? Shape{1} : in;
    w.kernel = w.in;
    w.out.assign(w.in.size(), 1);
    w.strides.assign(w.in.size(), 1);
    w.dilations.assign(w.in.size(), 1);
    w.pad_begin.assign(w.in.size(), 0);
    w.pad_end.assign(w.in.size(), 0);
    if (w.rank() > kMaxWindowRank) ctx.unsupported("more than ", kMaxWindowRank, " spatial dims");
    if (w.in_size() == 0) ctx.fail(ctx.input_label(0), " has an empty spatial extent");
    return w;
  }

  WindowAttrs attrs_;
  bool global_;
  PoolParams params_;
};

template <PoolKind kKind, bool kGlobal>
class PoolOp final : public Kernel {
 public:
  explicit PoolOp(const KernelInfo& info) : impl_(info, kKind, kGlobal) {}
  void prepare(KernelContext& ctx) const override { impl_.prepare(ctx); }
  void compute(KernelContext& ctx) const override { impl_.compute(ctx); }

 private:
  PoolKernel impl_;
};

using MaxPoolKernel = PoolOp<PoolKind::kMax, false>;
using AveragePoolKernel = PoolOp<PoolKind::kAverage, false>;
using LpPoolKernel = PoolOp<PoolKind::kLp, false>;
using GlobalMaxPoolKernel = PoolOp<PoolKind::kMax, true>;
using GlobalAveragePoolKernel = PoolOp<PoolKind::kAverage, true>;
using GlobalLpPoolKernel = PoolOp<PoolKind::kLp, true>;

// 8: storage_order and the Indices output; 10: ceil_mode, dilations;
// 11: auto_pad fixes; 12: int8/uint8. Unchanged through 21.
SKIFF_KERNEL(native, "MaxPool", 1, kLatestOpset, MaxPoolKernel);
SKIFF_KERNEL_TYPES(native, "MaxPool", 1, "T: floats, int8, uint8; I: int64");
// 7: count_include_pad; 10: ceil_mode; 11: auto_pad fixes; 19: dilations.
SKIFF_KERNEL(native, "AveragePool", 1, kLatestOpset, AveragePoolKernel);
SKIFF_KERNEL_TYPES(native, "AveragePool", 1, "floats");
// 2: p becomes an int attribute; 11: auto_pad fixes; 18: ceil_mode.
SKIFF_KERNEL(native, "LpPool", 1, kLatestOpset, LpPoolKernel);
SKIFF_KERNEL_TYPES(native, "LpPool", 1, "floats");
SKIFF_KERNEL(native, "GlobalMaxPool", 1, kLatestOpset, GlobalMaxPoolKernel);
SKIFF_KERNEL_TYPES(native, "GlobalMaxPool", 1, "floats, int8, uint8");
SKIFF_KERNEL(native, "GlobalAveragePool", 1, kLatestOpset, GlobalAveragePoolKernel);
SKIFF_KERNEL_TYPES(native, "GlobalAveragePool", 1, "floats");
// 2: p becomes an int attribute.
SKIFF_KERNEL(native, "GlobalLpPool", 1, kLatestOpset, GlobalLpPoolKernel);
SKIFF_KERNEL_TYPES(native, "GlobalLpPool", 1, "floats");

}  // namespace
}  // namespace skiff
