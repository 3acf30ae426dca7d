// Pad: constant, reflect, edge and wrap padding; negative pads crop.
//
// Each output index along each axis maps to a source index (or to "the
// constant"), so one per-axis table drives every mode; rows copy their
// unpadded middle in one run.
#include <algorithm>
#include <array>
#include <string>
#include <type_traits>

#include "core/dispatch.h"
#include "core/parallel.h"
#include "engines/kernel.h"
#include "engines/native/manip_util.h"

namespace skiff {
namespace {

enum class PadMode { kConstant, kReflect, kEdge, kWrap };

constexpr size_t kMaxDims = 64;

// Source index along an axis of size `dim` for padded position `j`
// (j = output index - pads_begin), or -1 for the constant.
int64_t source_index(int64_t j, int64_t dim, PadMode mode) {
  if (j >= 0 && j < dim) return j;
  switch (mode) {
    case PadMode::kConstant: return -1;
    case PadMode::kEdge: return j < 0 ? 0 : dim - 1;
    case PadMode::kWrap: return ((j % dim) + dim) % dim;
    case PadMode::kReflect: {
      if (dim == 1) return 0;
      // Reflection (without repeating the edge) is periodic in 2*(dim-1),
      // which also covers pads wider than the axis.
      const int64_t period = 2 * (dim - 1);
      const int64_t k = ((j % period) + period) % period;
      return k < dim ? k : period - k;
    }
  }
  return -1;
}

class PadKernel final : public Kernel {
 public:
  explicit PadKernel(const KernelInfo& info)
      : pads_attr_(info.attr_ints(info.opset() < 2 ? "paddings" : "pads")),
        value_attr_(info.opset() < 11 ? info.attr_float("value", 0.0f) : 0.0f) {
    const std::string mode = info.attr_string("mode", "constant");
    if (mode == "constant") mode_ = PadMode::kConstant;
    else if (mode == "reflect") mode_ = PadMode::kReflect;
    else if (mode == "edge") mode_ = PadMode::kEdge;
    else if (mode == "wrap" && info.opset() >= 19) mode_ = PadMode::kWrap;
    else info.fail("mode '", mode, "' is not supported at this opset");
    if (info.opset() < 11 && !info.has_attr(info.opset() < 2 ? "paddings" : "pads"))
      info.fail("required attribute 'pads' is missing");
  }
  void prepare(KernelContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    const std::vector<int64_t> pads = full_pads(ctx);
    Shape shape(x.shape());
    for (int64_t d = 0; d < x.rank(); ++d) {
      const int64_t begin = pads[static_cast<size_t>(d)];
      const int64_t end = pads[static_cast<size_t>(d + x.rank())];
      int64_t size;
      if (__builtin_add_overflow(x.dim(d), begin, &size) ||
          __builtin_add_overflow(size, end, &size) || size < 0)
        ctx.fail("pads ", shape_str(pads), " give a negative or huge size on axis ", d, " of ",
                 ctx.input_label(0));
      if (mode_ != PadMode::kConstant && x.dim(d) == 0 && size > 0)
        ctx.fail("axis ", d, " of ", ctx.input_label(0), " is empty: there is nothing to pad from");
      shape[static_cast<size_t>(d)] = size;
    }
    if (ctx.opset() >= 11 && ctx.has_input(2) && ctx.input(2).dtype() != x.dtype())
      ctx.fail(ctx.input_label(2), " must have the type of ", ctx.input_label(0));
    if (shape.size() > kMaxDims) ctx.unsupported("rank above ", kMaxDims);
    ctx.set_output(0, x.dtype(), shape);
  }
  void compute(KernelContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    Tensor& y = ctx.output(0);
    if (y.numel() == 0) return;
    const std::vector<int64_t> pads = full_pads(ctx);
    // maps[d][i]: source index along axis d for output index i, or -1.
    std::vector<std::vector<int64_t>> maps(static_cast<size_t>(x.rank()));
    for (int64_t d = 0; d < x.rank(); ++d) {
      auto& map = maps[static_cast<size_t>(d)];
      map.resize(static_cast<size_t>(y.dim(d)));
      for (int64_t i = 0; i < y.dim(d); ++i)
        map[static_cast<size_t>(i)] = source_index(i - pads[static_cast<size_t>(d)], x.dim(d), mode_);
    }
    dispatch(kAllTypes, x.dtype(), [&](auto tag) {
      using T = typename decltype(tag)::type;
      pad_rows<T>(x, maps, pads, constant_value<T>(ctx), y);
    }, ctx.describe_input(0));
  }

 private:
  // Pads as [begin_0.., end_0..] over every axis; from opset 18 the `axes`
  // input says which axes the given pads apply to (others get 0).
  std::vector<int64_t> full_pads(const KernelContext& ctx) const {
    const int64_t rank = ctx.input(0).rank();
    const std::vector<int64_t> given = ctx.opset() < 11 ? pads_attr_ : manip::read_ints(ctx, 1);
    if (ctx.opset() < 18 || !ctx.has_input(3)) {
      if (static_cast<int64_t>(given.size()) != 2 * rank)
        ctx.fail("pads ", shape_str(given), " must hold 2 * rank = ", 2 * rank, " values for ",
                 ctx.input_label(0));
      return given;
    }
    const std::vector<int64_t> axes =
        manip::normalize_axes(ctx, manip::read_ints(ctx, 3), rank, "input 'axes'");
    const auto n = static_cast<int64_t>(axes.size());
    if (static_cast<int64_t>(given.size()) != 2 * n)
      ctx.fail("pads ", shape_str(given), " must hold 2 values per axis in 'axes'");
    std::vector<int64_t> pads(static_cast<size_t>(2 * rank), 0);
    for (int64_t i = 0; i < n; ++i) {
      pads[static_cast<size_t>(axes[static_cast<size_t>(i)])] = given[static_cast<size_t>(i)];
      pads[static_cast<size_t>(axes[static_cast<size_t>(i)] + rank)] = given[static_cast<size_t>(i + n)];
    }
    return pads;
  }

  template <class T>
  T constant_value(const KernelContext& ctx) const {
    if (ctx.opset() >= 11) {
      if (ctx.has_input(2) && ctx.input(2).numel() > 0) return ctx.input(2).data<T>()[0];
      return T{};
    }
    if constexpr (std::is_same_v<T, std::string>) {
      return T{};
    } else {
      return static_cast<T>(value_attr_);
    }
  }

  // Walks the output rows (all dims but the last) with an odometer; a row
  // whose outer source index is -1 is all constant.
  template <class T>
  static void pad_rows(const Tensor& x, const std::vector<std::vector<int64_t>>& maps,
                       const std::vector<int64_t>& pads, const T& value, Tensor& y) {
    const T* src = static_cast<const T*>(x.raw());
    T* out = static_cast<T*>(y.raw());
    if (y.rank() == 0) {
      out[0] = src[0];
      return;
    }
    const int64_t last = y.rank() - 1;
    const int64_t n = y.dim(last);
    const int64_t dim = x.dim(last);
    const std::vector<int64_t>& inner = maps[static_cast<size_t>(last)];
    // Output columns [lo, hi) copy the source row straight.
    const int64_t lo = std::clamp(pads[static_cast<size_t>(last)], int64_t{0}, n);
    const int64_t hi = std::clamp(pads[static_cast<size_t>(last)] + dim, lo, n);
    const std::vector<int64_t> strides = shape_strides(x.shape());
    manip::parallel_for_elements<T>(y.numel() / n, n, [&](int64_t begin, int64_t end) {
      std::array<int64_t, kMaxDims> idx{};
      for (int64_t r = begin, d = last - 1; d >= 0; --d) {
        idx[static_cast<size_t>(d)] = r % y.dim(d);
        r /= y.dim(d);
      }
      for (int64_t row = begin; row < end; ++row) {
        T* dst = out + row * n;
        int64_t base = 0;
        bool constant_row = false;
        for (int64_t d = 0; d < last; ++d) {
          const int64_t s = maps[static_cast<size_t>(d)][static_cast<size_t>(idx[static_cast<size_t>(d)])];
          constant_row = constant_row || s < 0;
          base += s * strides[static_cast<size_t>(d)];
        }
        if (constant_row) {
          std::fill_n(dst, n, value);
        } else {
          const T* row_src = src + base;
          for (int64_t i = 0; i < lo; ++i) dst[i] = inner[i] < 0 ? value : row_src[inner[i]];
          if (hi > lo) std::copy_n(row_src + (lo - pads[static_cast<size_t>(last)]), hi - lo, dst + lo);
          for (int64_t i = hi; i < n; ++i) dst[i] = inner[i] < 0 ? value : row_src[inner[i]];
        }
        for (int64_t d = last - 1; d >= 0; --d) {
          if (++idx[static_cast<size_t>(d)] < y.dim(d)) break;
          idx[static_cast<size_t>(d)] = 0;
        }
      }
    });
  }

  std::vector<int64_t> pads_attr_;
  float value_attr_;
  PadMode mode_ = PadMode::kConstant;
};
// 2: `paddings` renamed `pads`; 11: pads and constant_value become inputs,
// integer types; 13: bfloat16, bool, string; 18: `axes` input; 19: wrap.
SKIFF_KERNEL(native, "Pad", 1, 10, PadKernel);
SKIFF_KERNEL_TYPES(native, "Pad", 1, "all");
SKIFF_KERNEL(native, "Pad", 11, 17, PadKernel);
SKIFF_KERNEL_TYPES(native, "Pad", 11, "T: all; pads: int32, int64");
SKIFF_KERNEL(native, "Pad", 18, 18, PadKernel);
SKIFF_KERNEL_TYPES(native, "Pad", 18, "T: all; pads: int32, int64; Tind: int32, int64");
SKIFF_KERNEL(native, "Pad", 19, kLatestOpset, PadKernel);
SKIFF_KERNEL_TYPES(native, "Pad", 19, "T: all; pads: int32, int64; Tind: int32, int64");

}  // namespace
}  // namespace skiff
