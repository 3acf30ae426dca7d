// QuantizeLinear, DequantizeLinear, DynamicQuantizeLinear.
//
//   QuantizeLinear:   y = saturate(round_half_even(x / y_scale) + y_zero_point)
//   DequantizeLinear: y = (x - x_zero_point) * x_scale
//
// The scale (and zero point) is per tensor (one element), per axis (1-D of
// x.dim(axis), opset 13) or per block (opset 21: x's shape with the axis dim
// divided by block_size, rounded up). All three are one loop over an
// [outer, axis, inner] view of x whose scale index is base(o, a) + j * step.
#include <algorithm>
#include <cmath>
#include <vector>

#include "core/dispatch.h"
#include "core/parallel.h"
#include "engines/kernel.h"
#include "engines/native/quantize.h"

namespace skiff {
namespace {

inline constexpr TypeList<float, Float16, BFloat16> kScaleTypes{};

// How the elements of x map to elements of the scale tensor.
struct QuantLayout {
  int64_t outer = 1, axis_dim = 1, inner = 1;
  int64_t blocks = 1, block_size = 0;  // blocked: scale dim at the axis and block length
  enum Kind { kTensor, kAxis, kBlock } kind = kTensor;

  int64_t base(int64_t o, int64_t a) const {
    if (kind == kTensor) return 0;
    if (kind == kAxis) return a;
    return (o * blocks + a / block_size) * inner;
  }
  int64_t step() const { return kind == kBlock ? 1 : 0; }
};

// Reads the attributes shared by both ops: axis (13+) and block_size (21+).
struct QuantAttrs {
  int64_t axis, block_size;
  explicit QuantAttrs(const KernelInfo& info)
      : axis(info.attr_int("axis", 1)), block_size(info.attr_int("block_size", 0)) {
    if (block_size < 0) info.fail("block_size must not be negative, got ", block_size);
  }
};

// Checks scale (input 1) and the optional zero point (input 2) against x
// (input 0) and returns the layout.
QuantLayout quant_layout(const KernelContext& ctx, const QuantAttrs& attrs) {
  const Tensor& x = ctx.input(0);
  const Tensor& scale = ctx.input(1);
  if (ctx.has_input(2) && ctx.input(2).shape() != scale.shape())
    ctx.fail(ctx.input_label(2), " must have the shape of ", ctx.input_label(1));
  QuantLayout q;
  if (attrs.block_size == 0 && scale.rank() <= 1 && scale.numel() == 1) {
    q.inner = x.numel();
    return q;
  }
  if (ctx.opset() < 13 || x.rank() == 0)
    ctx.fail(ctx.input_label(1), " must have one element (per-axis scales need opset 13 and x of rank >= 1)");
  if (attrs.axis < -x.rank() || attrs.axis >= x.rank())
    ctx.fail("axis ", attrs.axis, " is out of range for ", ctx.input_label(0));
  const int64_t axis = attrs.axis < 0 ? attrs.axis + x.rank() : attrs.axis;
  q.axis_dim = x.dim(axis);
  for (int64_t d = 0; d < axis; ++d) q.outer *= x.dim(d);
  for (int64_t d = axis + 1; d < x.rank(); ++d) q.inner *= x.dim(d);
  if (attrs.block_size == 0) {
    if (scale.rank() != 1 || scale.dim(0) != q.axis_dim)
      ctx.fail(ctx.input_label(1), " must be a scalar or a 1-D tensor of ", q.axis_dim,
               " elements (dim ", axis, " of ", ctx.input_label(0), ")");
    q.kind = QuantLayout::kAxis;
    return q;
  }
  q.kind = QuantLayout::kBlock;
  q.block_size = attrs.block_size;
  q.blocks = (q.axis_dim + attrs.block_size - 1) / attrs.block_size;
  Shape expected = x.shape();
  expected[static_cast<size_t>(axis)] = q.blocks;
  if (scale.shape() != expected)
    ctx.fail(ctx.input_label(1), " must have shape ", shape_str(expected), " for block_size ",
             attrs.block_size, " along axis ", axis);
  return q;
}

// Calls f(x_index, scale_index) over every element, in parallel over rows.
template <class F>
void for_each_quant(const QuantLayout& q, F&& f) {
  const int64_t step = q.step();
  parallel_for(q.outer * q.axis_dim, q.inner * 4, [&](int64_t r0, int64_t r1) {
    for (int64_t r = r0; r < r1; ++r) {
      const int64_t o = r / q.axis_dim, a = r % q.axis_dim;
      const int64_t s = q.base(o, a);
      const int64_t x0 = r * q.inner;
      for (int64_t j = 0; j < q.inner; ++j) f(x0 + j, s + j * step);
    }
  });
}

// Zero points as int32 (absent: zeros), so the inner loops need no dispatch.
std::vector<int32_t> zero_points(const KernelContext& ctx, size_t input, int64_t count) {
  std::vector<int32_t> zp(static_cast<size_t>(count), 0);
  if (!ctx.has_input(input)) return zp;
  dispatch(TypeList<uint8_t, int8_t, uint16_t, int16_t, int32_t>{}, ctx.input(input).dtype(),
           [&](auto tag) {
             using Z = typename decltype(tag)::type;
             const Z* data = ctx.input(input).data<Z>();
             for (int64_t i = 0; i < count; ++i) zp[static_cast<size_t>(i)] = data[i];
           },
           ctx.describe_input(input));
  return zp;
}

class QuantizeLinearKernel final : public Kernel {
 public:
  explicit QuantizeLinearKernel(const KernelInfo& info)
      : attrs_(info), output_dtype_(static_cast<DataType>(info.attr_int("output_dtype", 0))) {
    if (info.attr_int("saturate", 1) != 1)
      info.unsupported("saturate=0 only applies to float8 outputs, which skiff lacks");
  }

  void prepare(KernelContext& ctx) const override {
    quant_layout(ctx, attrs_);
    DataType out = output_dtype_ == DataType::kUndefined ? DataType::kUInt8 : output_dtype_;
    if (ctx.has_input(2)) {
      if (output_dtype_ != DataType::kUndefined && output_dtype_ != ctx.input(2).dtype())
        ctx.fail("output_dtype ", dtype_name(output_dtype_), " differs from ",
                 ctx.input_label(2));
      out = ctx.input(2).dtype();
    }
    ctx.set_output(0, out, ctx.input(0).shape());
  }

  void compute(KernelContext& ctx) const override {
    const QuantLayout q = quant_layout(ctx, attrs_);
    const Tensor& x = ctx.input(0);
    const Tensor& scale_t = ctx.input(1);
    Tensor& y = ctx.output(0);
    const std::vector<int32_t> zp = zero_points(ctx, 2, scale_t.numel());
    std::vector<float> scale(static_cast<size_t>(scale_t.numel()));
    dispatch(kScaleTypes, scale_t.dtype(), [&](auto tag) {
      using S = typename decltype(tag)::type;
      std::copy(scale_t.data<S>(), scale_t.data<S>() + scale_t.numel(), scale.begin());
    }, ctx.describe_input(1));
    dispatch(TypeList<float, Float16, BFloat16, int32_t>{}, x.dtype(), [&](auto xtag) {
      using X = typename decltype(xtag)::type;
      const X* in = x.data<X>();
      dispatch(kQuantTypes, y.dtype(), [&](auto qtag) {
        using Q = typename decltype(qtag)::type;
        Q* out = y.data<Q>();
        for_each_quant(q, [&](int64_t i, int64_t s) {
          out[i] = quantize_value<Q>(static_cast<float>(in[i]) / scale[s], zp[s]);
        });
      }, [&] { return ctx.prefix() + "output type"; });
    }, ctx.describe_input(0));
  }

 private:
  QuantAttrs attrs_;
  DataType output_dtype_;
};

class DequantizeLinearKernel final : public Kernel {
 public:
  explicit DequantizeLinearKernel(const KernelInfo& info) : attrs_(info) {}

  void prepare(KernelContext& ctx) const override {
    quant_layout(ctx, attrs_);
    const Tensor& x = ctx.input(0);
    if (ctx.has_input(2) && ctx.input(2).dtype() != x.dtype())
      ctx.fail(ctx.input_label(2), " must have the type of ", ctx.input_label(0));
    ctx.set_output(0, ctx.input(1).dtype(), x.shape());
  }

  void compute(KernelContext& ctx) const override {
    const QuantLayout q = quant_layout(ctx, attrs_);
    const Tensor& x = ctx.input(0);
    const Tensor& scale = ctx.input(1);
    Tensor& y = ctx.output(0);
    const std::vector<int32_t> zp = zero_points(ctx, 2, scale.numel());
    dispatch(TypeList<uint8_t, int8_t, uint16_t, int16_t, int32_t>{}, x.dtype(), [&](auto xtag) {
      using X = typename decltype(xtag)::type;
      const X* in = x.data<X>();
      dispatch(kScaleTypes, scale.dtype(), [&](auto stag) {
        using S = typename decltype(stag)::type;
        const S* sc = scale.data<S>();
        S* out = y.data<S>();
        // In float, as the reference: an int32 x beyond 2^24 rounds first.
        for_each_quant(q, [&](int64_t i, int64_t s) {
          out[i] = static_cast<S>((static_cast<float>(in[i]) - static_cast<float>(zp[s])) *
                                  static_cast<float>(sc[s]));
        });
      }, ctx.describe_input(1));
    }, ctx.describe_input(0));
  }

 private:
  QuantAttrs attrs_;
};

// y_scale = (max(0, max x) - min(0, min x)) / 255, zero point = the uint8
// that 0.0 maps to, so that zero is exactly representable.
class DynamicQuantizeLinearKernel final : public Kernel {
 public:
  explicit DynamicQuantizeLinearKernel(const KernelInfo&) {}

  void prepare(KernelContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    if (x.dtype() != DataType::kFloat) ctx.fail(ctx.input_label(0), " must be float");
    ctx.set_output(0, DataType::kUInt8, x.shape());
    ctx.set_output(1, DataType::kFloat, {});
    ctx.set_output(2, DataType::kUInt8, {});
  }

  void compute(KernelContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    const float* in = x.data<float>();
    float lo = 0.0f, hi = 0.0f;
    for (int64_t i = 0; i < x.numel(); ++i) {
      lo = std::min(lo, in[i]);
      hi = std::max(hi, in[i]);
    }
    const float scale = (hi - lo) / 255.0f;
    // All zeros: any scale works; 0 would divide by zero, so report 0 and
    // quantize everything to the zero point 0.
    const uint8_t zero_point = scale == 0.0f ? 0 : quantize_value<uint8_t>(-lo / scale, 0);
    uint8_t* out = ctx.output(0).data<uint8_t>();
    parallel_for(x.numel(), 4, [&](int64_t b, int64_t e) {
      for (int64_t i = b; i < e; ++i)
        out[i] = scale == 0.0f ? zero_point : quantize_value<uint8_t>(in[i] / scale, zero_point);
    });
    *ctx.output(1).data<float>() = scale;
    *ctx.output(2).data<uint8_t>() = zero_point;
  }
};

}  // namespace

// 10: per-tensor; 13: per-axis `axis`; 19: float16/bfloat16 scales, float8
// outputs and `saturate` (float8 unsupported); 21: blocked `block_size`,
// int16/uint16/int4 and `output_dtype` (int4 unsupported).
SKIFF_KERNEL(native, "QuantizeLinear", 10, kLatestOpset, QuantizeLinearKernel);
SKIFF_KERNEL_TYPES(native, "QuantizeLinear", 10, "x: float, float16, bfloat16, int32; y_scale: float, float16, bfloat16; T2: int8, uint8, int16, uint16");
// Same versions as QuantizeLinear (int32 x with no zero point throughout).
SKIFF_KERNEL(native, "DequantizeLinear", 10, kLatestOpset, DequantizeLinearKernel);
SKIFF_KERNEL_TYPES(native, "DequantizeLinear", 10, "T1: int8, uint8, int16, uint16, int32; T2: float, float16, bfloat16");
// 11: introduced; unchanged through 21.
SKIFF_KERNEL(native, "DynamicQuantizeLinear", 11, kLatestOpset, DynamicQuantizeLinearKernel);
SKIFF_KERNEL_TYPES(native, "DynamicQuantizeLinear", 11, "T1: float; T2: uint8");

}  // namespace skiff
