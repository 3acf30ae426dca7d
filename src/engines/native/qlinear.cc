// Quantized products: MatMulInteger, QLinearMatMul, ConvInteger, QLinearConv.
//
// Every op subtracts the zero points first (into int32 copies of the
// operands), multiplies with an exact int32 accumulation (gemm_generic wraps
// like int32 and the 8-bit products of realistic sizes never overflow), and
// the QLinear ops then requantize each int32 sum once:
//
//   y = saturate(round_half_even(acc * (x_scale * w_scale / y_scale)) + y_zero_point)
//
// Padding in the convolutions is the zero point, i.e. 0 after the shift, so
// im2col's zero padding is exactly right.
#include <algorithm>
#include <vector>

#include "core/dispatch.h"
#include "core/parallel.h"
#include "engines/kernel.h"
#include "engines/native/gemm.h"
#include "engines/native/im2col.h"
#include "engines/native/matmul_shape.h"
#include "engines/native/quantize.h"
#include "engines/native/window.h"

namespace skiff {
namespace {

inline constexpr TypeList<uint8_t, int8_t> k8BitTypes{};

// A per-tensor (one element) or per-channel (1-D of `count`) parameter:
// zero point or scale. Returns the number of elements after checking.
int64_t check_param(const KernelContext& ctx, size_t input, int64_t count, const char* what) {
  if (!ctx.has_input(input)) return 1;
  const Tensor& t = ctx.input(input);
  if (t.numel() == 1 && t.rank() <= 1) return 1;
  if (t.rank() == 1 && t.dim(0) == count) return count;
  ctx.fail(ctx.input_label(input), " must have one element or be 1-D with ", count,
           " elements (one per ", what, ")");
}

// Input `input` as int32 values (absent: 0), `count` of them.
std::vector<int32_t> int_param(const KernelContext& ctx, size_t input, int64_t count) {
  std::vector<int32_t> v(static_cast<size_t>(count), 0);
  if (!ctx.has_input(input)) return v;
  dispatch(TypeList<uint8_t, int8_t, int32_t>{}, ctx.input(input).dtype(), [&](auto tag) {
    using Z = typename decltype(tag)::type;
    std::copy(ctx.input(input).data<Z>(), ctx.input(input).data<Z>() + count, v.begin());
  }, ctx.describe_input(input));
  return v;
}

std::vector<float> float_param(const KernelContext& ctx, size_t input, int64_t count) {
  const Tensor& t = ctx.input(input);
  if (t.dtype() != DataType::kFloat) ctx.fail(ctx.input_label(input), " must be float");
  return std::vector<float>(t.data<float>(), t.data<float>() + count);
}

// Element i of `t` minus zero_point[(i / group) % zero_point.size()]: the
// zero point of row i / group (group = K for A's rows) or of column i % N
// (group = 1 with size N).
std::vector<int32_t> shifted(const KernelContext& ctx, size_t input,
                             const std::vector<int32_t>& zero_point, int64_t group) {
  const Tensor& t = ctx.input(input);
  std::vector<int32_t> out(static_cast<size_t>(t.numel()));
  const int64_t count = static_cast<int64_t>(zero_point.size());
  dispatch(k8BitTypes, t.dtype(), [&](auto tag) {
    using Q = typename decltype(tag)::type;
    const Q* in = t.data<Q>();
    parallel_for(t.numel(), 1, [&](int64_t b, int64_t e) {
      for (int64_t i = b; i < e; ++i)
        out[static_cast<size_t>(i)] = static_cast<int32_t>(in[i]) - zero_point[(i / group) % count];
    });
  }, ctx.describe_input(input));
  return out;
}

// ---- MatMul -------------------------------------------------------------

// Y[batch] = A[batch] * B[batch] in int32, for every broadcast batch.
void int_matmul(const MatMulShape& s, const int32_t* A, const int32_t* B, int32_t* Y) {
  const int64_t batches = shape_numel(s.batch);
  for (int64_t batch = 0; batch < batches; ++batch) {
    const auto [a_off, b_off] = matmul_batch_offsets(s, batch);
    gemm_generic<int32_t>(false, false, s.M, s.N, s.K, 1.0, A + a_off * s.M * s.K, s.K,
                          B + b_off * s.K * s.N, s.N, 0.0, Y + batch * s.M * s.N, s.N);
  }
}

// Inputs: A, B and their zero points at a_zp / b_zp (per row of A, per
// column of B). Returns the int32 product.
std::vector<int32_t> matmul_shifted(const KernelContext& ctx, const MatMulShape& s, size_t a,
                                    size_t a_zp, size_t b, size_t b_zp) {
  const std::vector<int32_t> za = int_param(ctx, a_zp, check_param(ctx, a_zp, s.M, "row of A"));
  const std::vector<int32_t> zb = int_param(ctx, b_zp, check_param(ctx, b_zp, s.N, "column of B"));
  const std::vector<int32_t> a32 = shifted(ctx, a, za, s.K);
  const std::vector<int32_t> b32 = shifted(ctx, b, zb, 1);
  std::vector<int32_t> y(static_cast<size_t>(shape_numel(s.batch) * s.M * s.N));
  int_matmul(s, a32.data(), b32.data(), y.data());
  return y;
}

class MatMulIntegerKernel final : public Kernel {
 public:
  explicit MatMulIntegerKernel(const KernelInfo&) {}

  void prepare(KernelContext& ctx) const override {
    const MatMulShape s = matmul_shape(ctx, 0, 1);
    check_param(ctx, 2, s.M, "row of A");
    check_param(ctx, 3, s.N, "column of B");
    ctx.set_output(0, DataType::kInt32, s.output);
  }

  void compute(KernelContext& ctx) const override {
    const MatMulShape s = matmul_shape(ctx, 0, 1);
    const std::vector<int32_t> y = matmul_shifted(ctx, s, 0, 2, 1, 3);
    std::copy(y.begin(), y.end(), ctx.output(0).data<int32_t>());
  }
};

// Writes saturate(round(acc[i] * multiplier[channel]) + zero_point) to y,
// dispatching on y's type; channel = (i / group) % multiplier.size().
void requantize(const KernelContext& ctx, const std::vector<int32_t>& acc,
                const std::vector<float>& multiplier, int64_t group, int32_t zero_point,
                Tensor& y) {
  const int64_t count = static_cast<int64_t>(multiplier.size());
  dispatch(k8BitTypes, y.dtype(), [&](auto tag) {
    using Q = typename decltype(tag)::type;
    Q* out = y.data<Q>();
    parallel_for(y.numel(), 2, [&](int64_t b, int64_t e) {
      for (int64_t i = b; i < e; ++i)
        out[i] = quantize_value<Q>(
            static_cast<float>(acc[static_cast<size_t>(i)]) * multiplier[(i / group) % count],
            zero_point);
    });
  }, [&] { return ctx.prefix() + "output type"; });
}

// QLinearMatMul inputs: a, a_scale, a_zero_point, b, b_scale, b_zero_point,
// y_scale, y_zero_point.
class QLinearMatMulKernel final : public Kernel {
 public:
  explicit QLinearMatMulKernel(const KernelInfo&) {}

  void prepare(KernelContext& ctx) const override {
    const MatMulShape s = matmul_shape(ctx, 0, 3);
    check_scales(ctx, s);
    ctx.set_output(0, ctx.input(7).dtype(), s.output);
  }

  void compute(KernelContext& ctx) const override {
    const MatMulShape s = matmul_shape(ctx, 0, 3);
    const auto [a_count, b_count] = check_scales(ctx, s);
    const std::vector<int32_t> acc = matmul_shifted(ctx, s, 0, 2, 3, 5);
    const std::vector<float> a_scale = float_param(ctx, 1, a_count);
    const std::vector<float> b_scale = float_param(ctx, 4, b_count);
    const float y_scale = float_param(ctx, 6, 1)[0];
    const int32_t y_zero_point = int_param(ctx, 7, 1)[0];
    Tensor& y = ctx.output(0);
    // Per-row a_scale and per-column b_scale make the multiplier an [M, N]
    // table, repeated for every batch.
    std::vector<float> multiplier(static_cast<size_t>(s.M * s.N));
    for (int64_t m = 0; m < s.M; ++m)
      for (int64_t n = 0; n < s.N; ++n)
        multiplier[static_cast<size_t>(m * s.N + n)] =
            a_scale[a_count == 1 ? 0 : m] * b_scale[b_count == 1 ? 0 : n] / y_scale;
    requantize(ctx, acc, multiplier, 1, y_zero_point, y);
  }

 private:
  static std::pair<int64_t, int64_t> check_scales(const KernelContext& ctx, const MatMulShape& s) {
    const int64_t a_count = check_param(ctx, 1, s.M, "row of a");
    if (check_param(ctx, 2, s.M, "row of a") != a_count)
      ctx.fail(ctx.input_label(2), " must have the shape of ", ctx.input_label(1));
    const int64_t b_count = check_param(ctx, 4, s.N, "column of b");
    if (check_param(ctx, 5, s.N, "column of b") != b_count)
      ctx.fail(ctx.input_label(5), " must have the shape of ", ctx.input_label(4));
    check_param(ctx, 6, 1, "tensor");
    check_param(ctx, 7, 1, "tensor");
    return {a_count, b_count};
  }
};

// ---- Conv ---------------------------------------------------------------

struct QConvGeometry {
  int64_t batch = 0, channels = 0, out_channels = 0, group = 1;
  Window window;
  Shape output;
};

QConvGeometry qconv_geometry(const KernelContext& ctx, const WindowAttrs& attrs, int64_t group,
                             size_t x_input, size_t w_input) {
  const Tensor& x = ctx.input(x_input);
  const Tensor& w = ctx.input(w_input);
  const Shape in = spatial_dims(ctx, x_input);
  if (w.rank() != x.rank())
    ctx.fail(ctx.input_label(w_input), " must have the rank of ", ctx.input_label(x_input));
  QConvGeometry g;
  g.batch = x.dim(0);
  g.channels = x.dim(1);
  g.out_channels = w.dim(0);
  g.group = group;
  if (g.channels % group != 0 || g.out_channels % group != 0 || w.dim(1) * group != g.channels)
    ctx.fail("group ", group, " does not fit ", ctx.input_label(x_input), " and ",
             ctx.input_label(w_input));
  const Shape kernel(w.shape().begin() + 2, w.shape().end());
  if (!attrs.kernel_shape.empty() && attrs.kernel_shape != kernel)
    ctx.fail("kernel_shape ", shape_str(attrs.kernel_shape), " does not match ",
             ctx.input_label(w_input));
  g.window = resolve_window(ctx, attrs, in, kernel);
  checked_mul(checked_mul(w.dim(1), g.window.kernel_size()), g.window.out_size());
  g.output = {g.batch, g.out_channels};
  g.output.insert(g.output.end(), g.window.out.begin(), g.window.out.end());
  shape_numel(g.output);
  return g;
}

// y[n, m, ...] = sum over (c, k) of w32[m, c, k] * x32[n, c, ... + k]: im2col
// and an int32 gemm per (image, group).
void int_conv(const QConvGeometry& g, const int32_t* x, const int32_t* w, int32_t* y) {
  const int64_t cg = g.channels / g.group, mg = g.out_channels / g.group;
  const int64_t in_size = g.window.in_size(), out_size = g.window.out_size();
  const int64_t k = cg * g.window.kernel_size();
  std::vector<int32_t> col(static_cast<size_t>(checked_mul(k, out_size)));
  for (int64_t t = 0; t < g.batch * g.group; ++t) {
    const int64_t n = t / g.group, grp = t % g.group;
    im2col(g.window, cg, x + (n * g.channels + grp * cg) * in_size, col.data());
    gemm_generic<int32_t>(false, false, mg, out_size, k, 1.0, w + grp * mg * k, k, col.data(),
                          out_size, 0.0, y + (n * g.out_channels + grp * mg) * out_size, out_size);
  }
}

// The int32 conv of shifted x and w; zero points at x_zp (per tensor) and
// w_zp (per tensor or per output channel).
std::vector<int32_t> conv_shifted(const KernelContext& ctx, const QConvGeometry& g, size_t x,
                                  size_t x_zp, size_t w, size_t w_zp) {
  const std::vector<int32_t> zx = int_param(ctx, x_zp, check_param(ctx, x_zp, 1, "tensor"));
  const std::vector<int32_t> zw =
      int_param(ctx, w_zp, check_param(ctx, w_zp, g.out_channels, "output channel"));
  const int64_t per_channel = ctx.input(w).numel() / std::max<int64_t>(g.out_channels, 1);
  const std::vector<int32_t> x32 = shifted(ctx, x, zx, 1);
  const std::vector<int32_t> w32 = shifted(ctx, w, zw, std::max<int64_t>(per_channel, 1));
  std::vector<int32_t> y(static_cast<size_t>(shape_numel(g.output)));
  if (!y.empty()) int_conv(g, x32.data(), w32.data(), y.data());
  return y;
}

class ConvIntegerKernel final : public Kernel {
 public:
  explicit ConvIntegerKernel(const KernelInfo& info)
      : attrs_(info, false), group_(info.attr_int("group", 1)) {
    if (group_ <= 0) info.fail("group must be positive, got ", group_);
  }

  void prepare(KernelContext& ctx) const override {
    const QConvGeometry g = qconv_geometry(ctx, attrs_, group_, 0, 1);
    check_param(ctx, 2, 1, "tensor");
    check_param(ctx, 3, g.out_channels, "output channel");
    ctx.set_output(0, DataType::kInt32, g.output);
  }

  void compute(KernelContext& ctx) const override {
    const QConvGeometry g = qconv_geometry(ctx, attrs_, group_, 0, 1);
    const std::vector<int32_t> y = conv_shifted(ctx, g, 0, 2, 1, 3);
    std::copy(y.begin(), y.end(), ctx.output(0).data<int32_t>());
  }

 private:
  WindowAttrs attrs_;
  int64_t group_;
};

// QLinearConv inputs: x, x_scale, x_zero_point, w, w_scale, w_zero_point,
// y_scale, y_zero_point, B (int32 bias, added before requantization).
class QLinearConvKernel final : public Kernel {
 public:
  explicit QLinearConvKernel(const KernelInfo& info)
      : attrs_(info, false), group_(info.attr_int("group", 1)) {
    if (group_ <= 0) info.fail("group must be positive, got ", group_);
  }

  void prepare(KernelContext& ctx) const override {
    const QConvGeometry g = qconv_geometry(ctx, attrs_, group_, 0, 3);
    check_params(ctx, g);
    ctx.set_output(0, ctx.input(7).dtype(), g.output);
  }

  void compute(KernelContext& ctx) const override {
    const QConvGeometry g = qconv_geometry(ctx, attrs_, group_, 0, 3);
    const int64_t w_count = check_params(ctx, g);
    std::vector<int32_t> acc = conv_shifted(ctx, g, 0, 2, 3, 5);
    const int64_t out_size = g.window.out_size();
    if (ctx.has_input(8)) {
      const int32_t* bias = ctx.input(8).data<int32_t>();
      for (size_t i = 0; i < acc.size(); ++i)
        acc[i] += bias[(static_cast<int64_t>(i) / out_size) % g.out_channels];
    }
    const float x_scale = float_param(ctx, 1, 1)[0];
    const float y_scale = float_param(ctx, 6, 1)[0];
    const std::vector<float> w_scale = float_param(ctx, 4, w_count);
    std::vector<float> multiplier(static_cast<size_t>(w_count));
    for (size_t m = 0; m < multiplier.size(); ++m) multiplier[m] = x_scale * w_scale[m] / y_scale;
    requantize(ctx, acc, multiplier, out_size, int_param(ctx, 7, 1)[0], ctx.output(0));
  }

 private:
  // Returns the number of w_scale elements (1 or the output channels).
  static int64_t check_params(const KernelContext& ctx, const QConvGeometry& g) {
    check_param(ctx, 1, 1, "tensor");
    check_param(ctx, 2, 1, "tensor");
    const int64_t w_count = check_param(ctx, 4, g.out_channels, "output channel");
    check_param(ctx, 5, g.out_channels, "output channel");
    check_param(ctx, 6, 1, "tensor");
    check_param(ctx, 7, 1, "tensor");
    if (ctx.has_input(8)) {
      const Tensor& b = ctx.input(8);
      if (b.dtype() != DataType::kInt32 || b.rank() != 1 || b.dim(0) != g.out_channels)
        ctx.fail(ctx.input_label(8), " must be int32 with ", g.out_channels, " elements");
    }
    return w_count;
  }

  WindowAttrs attrs_;
  int64_t group_;
};

}  // namespace

// 10: introduced; unchanged through 21.
SKIFF_KERNEL(native, "MatMulInteger", 10, kLatestOpset, MatMulIntegerKernel);
SKIFF_KERNEL_TYPES(native, "MatMulInteger", 10, "T1: int8, uint8; T2: int8, uint8; T3: int32");
// 10: introduced; 21: float8 and float16 scales (not supported; 8-bit unchanged).
SKIFF_KERNEL(native, "QLinearMatMul", 10, kLatestOpset, QLinearMatMulKernel);
SKIFF_KERNEL_TYPES(native, "QLinearMatMul", 10, "T1: int8, uint8; T2: int8, uint8; T3: int8, uint8; scales: float");
// 10: introduced; unchanged through 21.
SKIFF_KERNEL(native, "ConvInteger", 10, kLatestOpset, ConvIntegerKernel);
SKIFF_KERNEL_TYPES(native, "ConvInteger", 10, "T1: int8, uint8; T2: int8, uint8; T3: int32");
// 10: introduced; unchanged through 21.
SKIFF_KERNEL(native, "QLinearConv", 10, kLatestOpset, QLinearConvKernel);
SKIFF_KERNEL_TYPES(native, "QLinearConv", 10, "T1: int8, uint8; T2: int8, uint8; T3: int8, uint8; T4: int32; scales: float");

}  // namespace skiff
