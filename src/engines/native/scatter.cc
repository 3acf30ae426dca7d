// ScatterElements (and its deprecated name Scatter) and ScatterND: the
// output is a copy of data with updates written (or reduced) at the places
// an index tensor names. Updates are applied in order, serially, so repeated
// indices reduce deterministically.
#include <algorithm>
#include <string>
#include <type_traits>

#include "engines/kernel.h"
#include "engines/native/manip_util.h"

namespace skiff {
namespace {


enum class Reduction { kNone, kAdd, kMul, kMax, kMin };

// The `reduction` attribute: add and mul from opset 16, max and min from 18.
Reduction parse_reduction(const KernelInfo& info) {
  if (info.opset() < 16) return Reduction::kNone;
  const std::string r = info.attr_string("reduction", "none");
  if (r == "none") return Reduction::kNone;
  if (r == "add") return Reduction::kAdd;
  if (r == "mul") return Reduction::kMul;
  if (info.opset() >= 18 && r == "max") return Reduction::kMax;
  if (info.opset() >= 18 && r == "min") return Reduction::kMin;
  info.fail("reduction '", r, "' is not supported at this opset");
}

// Strings and 16-byte elements only ever take kNone (with_output routes
// reductions through the arithmetic types).
template <class T>
void combine(T& out, const T& update, Reduction r) {
  if constexpr (std::is_same_v<T, std::string> || std::is_same_v<T, manip::Bytes16>) {
    out = update;
  } else {
    switch (r) {
      case Reduction::kNone: out = update; break;
      case Reduction::kAdd: out = static_cast<T>(out + update); break;
      case Reduction::kMul: out = static_cast<T>(out * update); break;
      case Reduction::kMax: if (update > out) out = update; break;
      case Reduction::kMin: if (update < out) out = update; break;
    }
  }
}

// Copies data into the output, then calls apply(out, updates) with typed
// pointers: plain assignment moves any element type by size, the
// reductions need the arithmetic type.
template <class F>
void with_output(const KernelContext& ctx, Tensor& y, Reduction r, F&& apply) {
  const Tensor& data = ctx.input(0);
  const Tensor& updates = ctx.input(2);
  const auto run = [&](auto tag) {
    using T = typename decltype(tag)::type;
    const T* src = static_cast<const T*>(data.raw());
    T* out = static_cast<T*>(y.raw());
    std::copy_n(src, data.numel(), out);
    apply(out, static_cast<const T*>(updates.raw()));
  };
  if (r == Reduction::kNone)
    manip::dispatch_element(data.dtype(), run, ctx.describe_input(0));
  else
    dispatch(kNumericTypes, data.dtype(), run, ctx.describe_input(0));
}

void check_types(const KernelContext& ctx) {
  manip::check_index_type(ctx, 1);
  if (ctx.input(2).dtype() != ctx.input(0).dtype())
    ctx.fail(ctx.input_label(2), " must have the type of ", ctx.input_label(0));
}

class ScatterElementsKernel final : public Kernel {
 public:
  explicit ScatterElementsKernel(const KernelInfo& info)
      : axis_(info.attr_int("axis", 0)), reduction_(parse_reduction(info)) {}
  void prepare(KernelContext& ctx) const override {
    const Tensor& data = ctx.input(0);
    const Tensor& indices = ctx.input(1);
    check_types(ctx);
    const int64_t axis = manip::data_axis(ctx, axis_, data.rank());
    if (ctx.input(2).shape() != indices.shape())
      ctx.fail(ctx.input_label(2), " must have the shape of ", ctx.input_label(1));
    manip::check_element_indices(ctx, axis);
    ctx.set_output(0, data.dtype(), data.shape());
  }
  void compute(KernelContext& ctx) const override {
    const Tensor& data = ctx.input(0);
    const Tensor& indices = ctx.input(1);
    const int64_t axis = manip::data_axis(ctx, axis_, data.rank());
    const std::vector<int64_t> offsets = element_offsets(ctx, axis);
    with_output(ctx, ctx.output(0), reduction_, [&](auto* out, const auto* updates) {
      for (int64_t i = 0; i < indices.numel(); ++i)
        combine(out[offsets[static_cast<size_t>(i)]], updates[i], reduction_);
    });
  }

 private:
  // The data offset each update lands on: its own position, with the axis
  // coordinate replaced by the (checked) index.
  std::vector<int64_t> element_offsets(const KernelContext& ctx, int64_t axis) const {
    const Tensor& data = ctx.input(0);
    const Tensor& indices = ctx.input(1);
    const std::vector<int64_t> strides = shape_strides(data.shape());
    std::vector<int64_t> offsets = manip::read_indices(ctx, 1, data.dim(axis));
    std::vector<int64_t> pos(static_cast<size_t>(indices.rank()), 0);
    int64_t base = 0;  // offset of the current position without the axis term
    for (auto& off : offsets) {
      off = base + off * strides[static_cast<size_t>(axis)];
      for (int64_t d = indices.rank() - 1; d >= 0; --d) {
        const auto du = static_cast<size_t>(d);
        const int64_t stride = d == axis ? 0 : strides[du];
        base += stride;
        if (++pos[du] < indices.dim(d)) break;
        base -= pos[du] * stride;
        pos[du] = 0;
      }
    }
    return offsets;
  }

  int64_t axis_;
  Reduction reduction_;
};
// 13: bfloat16; 16: reduction add/mul; 18: reduction max/min.
SKIFF_KERNEL(native, "ScatterElements", 11, 15, ScatterElementsKernel);
SKIFF_KERNEL_TYPES(native, "ScatterElements", 11, "T: all, complex64, complex128; Tind: int32, int64");
SKIFF_KERNEL(native, "ScatterElements", 16, 17, ScatterElementsKernel);
SKIFF_KERNEL_TYPES(native, "ScatterElements", 16, "T: all, complex64, complex128; T with reduction: numeric; Tind: int32, int64");
SKIFF_KERNEL(native, "ScatterElements", 18, kLatestOpset, ScatterElementsKernel);
SKIFF_KERNEL_TYPES(native, "ScatterElements", 18, "T: all, complex64, complex128; T with reduction: numeric; Tind: int32, int64");
// Scatter is ScatterElements under its pre-11 name (deprecated at 11).
SKIFF_KERNEL(native, "Scatter", 9, 10, ScatterElementsKernel);
SKIFF_KERNEL_TYPES(native, "Scatter", 9, "T: all, complex64, complex128; Tind: int32, int64");

class ScatterNDKernel final : public Kernel {
 public:
  explicit ScatterNDKernel(const KernelInfo& info) : reduction_(parse_reduction(info)) {}
  // updates must be indices.shape[:-1] + data.shape[k:], k = indices.shape[-1].
  void prepare(KernelContext& ctx) const override {
    const Tensor& data = ctx.input(0);
    const Tensor& indices = ctx.input(1);
    check_types(ctx);
    if (indices.rank() < 1 || indices.dim(-1) < 1 || indices.dim(-1) > data.rank())
      ctx.fail("the last dim of ", ctx.input_label(1), " must be in [1, ", data.rank(), "]");
    Shape expected(indices.shape().begin(), indices.shape().end() - 1);
    expected.insert(expected.end(), data.shape().begin() + indices.dim(-1), data.shape().end());
    if (ctx.input(2).shape() != expected)
      ctx.fail(ctx.input_label(2), " must have shape ", shape_str(expected));
    ctx.set_output(0, data.dtype(), data.shape());
  }
  void compute(KernelContext& ctx) const override {
    const Tensor& data = ctx.input(0);
    const Tensor& indices = ctx.input(1);
    const int64_t k = indices.dim(-1);
    const std::vector<int64_t> offsets = manip::nd_slice_offsets(ctx, 0);
    int64_t slice = 1;
    for (int64_t d = k; d < data.rank(); ++d) slice *= data.dim(d);
    with_output(ctx, ctx.output(0), reduction_, [&](auto* out, const auto* updates) {
      for (size_t t = 0; t < offsets.size(); ++t)
        for (int64_t e = 0; e < slice; ++e)
          combine(out[offsets[t] + e], updates[static_cast<int64_t>(t) * slice + e], reduction_);
    });
  }

 private:
  Reduction reduction_;
};
// 13: bfloat16; 16: reduction add/mul; 18: reduction max/min.
SKIFF_KERNEL(native, "ScatterND", 11, 15, ScatterNDKernel);
SKIFF_KERNEL_TYPES(native, "ScatterND", 11, "T: all, complex64, complex128; indices: int32, int64");
SKIFF_KERNEL(native, "ScatterND", 16, 17, ScatterNDKernel);
SKIFF_KERNEL_TYPES(native, "ScatterND", 16, "T: all, complex64, complex128; T with reduction: numeric; indices: int32, int64");
SKIFF_KERNEL(native, "ScatterND", 18, kLatestOpset, ScatterNDKernel);
SKIFF_KERNEL_TYPES(native, "ScatterND", 18, "T: all, complex64, complex128; T with reduction: numeric; indices: int32, int64");

}  // namespace
}  // namespace skiff
