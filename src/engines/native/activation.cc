// Activations: Relu, LeakyRelu, PRelu, Elu, Selu, Celu, Sigmoid, HardSigmoid,
// HardSwish, Tanh, Softplus, Softsign, Clip, Gelu, Mish, ThresholdedRelu,
// Shrink.
#include <cmath>
#include <limits>
#include <string>
#include <type_traits>

#include "engines/native/broadcast.h"
#include "engines/native/elementwise.h"

namespace skiff {
namespace {

template <class C>
C sigmoid(C x) {
  // Two branches so exp never overflows: large |x| saturates cleanly to 0 or 1.
  if (x >= 0) return C{1} / (C{1} + std::exp(-x));
  const C e = std::exp(x);
  return e / (C{1} + e);
}

template <class C>
C softplus(C x) {
  // log(1 + exp(x)) without overflow for large x.
  return x > 0 ? x + std::log1p(std::exp(-x)) : std::log1p(std::exp(x));
}

template <class C>
C gelu(C v, bool tanh_approximation) {
  if (tanh_approximation) {
    const C inner = C(0.7978845608028654) * (v + C(0.044715) * v * v * v);  // sqrt(2/pi)
    return C(0.5) * v * (C{1} + std::tanh(inner));
  }
  return C(0.5) * v * (C{1} + std::erf(v * C(0.7071067811865476)));
}

struct ReluOp : UnaryOp {
  using Types = decltype(kSignedTypes);  // integer types since opset 14
  VecUnaryOp vec() const { return {VecUnary::kRelu}; }
  template <class T>
  T operator()(T x) const {
    return static_cast<compute_t<T>>(x) > 0 ? x : T(0);
  }
};

struct LeakyReluOp : UnaryOp {
  using Types = decltype(kFloatTypes);
  VecUnaryOp vec() const { return {VecUnary::kLeakyRelu, alpha, 0}; }
  explicit LeakyReluOp(const KernelInfo& info) : alpha(info.attr_float("alpha", 0.01f)) {}
  template <class T>
  T operator()(T x) const {
    const compute_t<T> v = x;
    return static_cast<T>(v >= 0 ? v : v * alpha);
  }
  float alpha;
};

struct EluOp : UnaryOp {
  using Types = decltype(kFloatTypes);
  static constexpr int64_t kCost = 8;
  explicit EluOp(const KernelInfo& info) : alpha(info.attr_float("alpha", 1.0f)) {}
  template <class T>
  T operator()(T x) const {
    const compute_t<T> v = x;
    return static_cast<T>(v >= 0 ? v : alpha * std::expm1(v));
  }
  float alpha;
};

struct SeluOp : UnaryOp {
  using Types = decltype(kFloatTypes);
  static constexpr int64_t kCost = 8;
  explicit SeluOp(const KernelInfo& info)
      : alpha(info.attr_float("alpha", 1.67326319217681884765625f)),
        gamma(info.attr_float("gamma", 1.05070102214813232421875f)) {}
  template <class T>
  T operator()(T x) const {
    const compute_t<T> v = x;
    return static_cast<T>(gamma * (v > 0 ? v : alpha * std::expm1(v)));
  }
  float alpha, gamma;
};

struct CeluOp : UnaryOp {
  using Types = decltype(kFloatTypes);
  static constexpr int64_t kCost = 8;
  explicit CeluOp(const KernelInfo& info) : alpha(info.attr_float("alpha", 1.0f)) {
    if (alpha == 0) info.fail("attribute 'alpha' must not be 0");
  }
  template <class T>
  T operator()(T x) const {
    const compute_t<T> v = x;
    return static_cast<T>(v > 0 ? v : alpha * std::expm1(v / alpha));
  }
  float alpha;
};

struct SigmoidOp : UnaryOp {
  using Types = decltype(kFloatTypes);
  VecUnaryOp vec() const { return {VecUnary::kSigmoid}; }
  static constexpr int64_t kCost = 8;
  template <class T>
  T operator()(T x) const {
    return static_cast<T>(sigmoid(static_cast<compute_t<T>>(x)));
  }
};

struct HardSigmoidOp : UnaryOp {
  using Types = decltype(kFloatTypes);
  VecUnaryOp vec() const { return {VecUnary::kHardSigmoid, alpha, beta}; }
  explicit HardSigmoidOp(const KernelInfo& info)
      : alpha(info.attr_float("alpha", 0.2f)), beta(info.attr_float("beta", 0.5f)) {}
  template <class T>
  T operator()(T x) const {
    const compute_t<T> v = alpha * static_cast<compute_t<T>>(x) + beta;
    return static_cast<T>(std::fmin(std::fmax(v, compute_t<T>{0}), compute_t<T>{1}));
  }
  float alpha, beta;
};

struct HardSwishOp : UnaryOp {
  using Types = decltype(kFloatTypes);
  VecUnaryOp vec() const { return {VecUnary::kHardSwish}; }
  template <class T>
  T operator()(T x) const {
    using C = compute_t<T>;
    const C v = x;
    const C gate = v * C(1.0 / 6.0) + C(0.5);
    return static_cast<T>(v * std::fmin(std::fmax(gate, C{0}), C{1}));
  }
};

struct SoftplusOp : UnaryOp {
  using Types = decltype(kFloatTypes);
  static constexpr int64_t kCost = 10;
  template <class T>
  T operator()(T x) const {
    return static_cast<T>(softplus(static_cast<compute_t<T>>(x)));
  }
};

struct SoftsignOp : UnaryOp {
  using Types = decltype(kFloatTypes);
  template <class T>
  T operator()(T x) const {
    const compute_t<T> v = x;
    return static_cast<T>(v / (1 + std::fabs(v)));
  }
};

struct MishOp : UnaryOp {
  using Types = decltype(kFloatTypes);
  static constexpr int64_t kCost = 16;
  template <class T>
  T operator()(T x) const {
    const compute_t<T> v = x;
    return static_cast<T>(v * std::tanh(softplus(v)));
  }
};

struct GeluOp : UnaryOp {
  using Types = decltype(kFloatTypes);
  static constexpr int64_t kCost = 10;
  explicit GeluOp(const KernelInfo& info) {
    const std::string approximate = info.attr_string("approximate", "none");
    if (approximate != "none" && approximate != "tanh")
      info.fail("attribute 'approximate' is '", approximate, "', expected 'none' or 'tanh'");
    tanh_approximation = approximate == "tanh";
  }
  template <class T>
  T operator()(T x) const {
    return static_cast<T>(gelu(static_cast<compute_t<T>>(x), tanh_approximation));
  }
  VecUnaryOp vec() const { return {tanh_approximation ? VecUnary::kGeluTanh : VecUnary::kGelu}; }
  bool tanh_approximation = false;
};

struct ThresholdedReluOp : UnaryOp {
  using Types = decltype(kFloatTypes);
  explicit ThresholdedReluOp(const KernelInfo& info) : alpha(info.attr_float("alpha", 1.0f)) {}
  template <class T>
  T operator()(T x) const {
    return static_cast<compute_t<T>>(x) > alpha ? x : T(0);
  }
  float alpha;
};

// Shrink is defined on every numeric type; integers compute in double and
// convert back without undefined behaviour (uint8 2 - bias 5 wraps like numpy).
struct ShrinkOp : UnaryOp {
  using Types = decltype(kNumericTypes);
  explicit ShrinkOp(const KernelInfo& info)
      : bias(info.attr_float("bias", 0.0f)), lambd(info.attr_float("lambd", 0.5f)) {}
  template <class T>
  T operator()(T x) const {
    using C = std::conditional_t<std::is_integral_v<T>, double, compute_t<T>>;
    const C v = static_cast<C>(x);
    const C r = v < -lambd ? v + bias : v > lambd ? v - bias : C{0};
    if constexpr (std::is_integral_v<T>)
      return float_to_int<T>(r);
    else
      return static_cast<T>(r);
  }
  float bias, lambd;
};

// Float PRelu: each run of the plan goes to vec_kernels().prelu.
void prelu_vec(const BroadcastPlan& plan, const float* x, const float* slope, float* y) {
  const int64_t step_x = plan.inner_step(0), step_s = plan.inner_step(1);
  const VecKernels& vec = vec_kernels();
  vec_parallel_for(plan.numel(), kVecCheapBlockCost, [&](int64_t begin, int64_t end) {
    plan.for_each_run(begin, end, [&](int64_t o, const int64_t* in, int64_t len) {
      vec.prelu(x + in[0], step_x, slope + in[1], step_s, y + o, len);
    });
  });
}

// PRelu: y = x < 0 ? slope * x : x, with slope broadcast to x.
class PReluKernel final : public Kernel {
 public:
  explicit PReluKernel(const KernelInfo& info) {}

  void prepare(KernelContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    const Tensor& slope = ctx.input(1);
    if (!dtype_in(kNumericTypes, x.dtype()))
      ctx.unsupported(ctx.input_label(0), " has unsupported type ", dtype_name(x.dtype()));
    if (slope.dtype() != x.dtype())
      ctx.fail(ctx.input_label(1), " must have the same type as ", ctx.input_label(0));
    slope_shape(ctx);
    ctx.set_output(0, x.dtype(), x.shape());
  }

  void compute(KernelContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    const Tensor& slope = ctx.input(1);
    Tensor& y = ctx.output(0);
    const BroadcastPlan plan({x.shape(), slope_shape(ctx)}, x.shape());
    dispatch(
        kNumericTypes, x.dtype(),
        [&](auto tag) {
          using T = typename decltype(tag)::type;
          if constexpr (std::is_same_v<T, float>) {
            prelu_vec(plan, x.data<float>(), slope.data<float>(), y.data<float>());
            return;
          }
          broadcast_binary(plan, x.data<T>(), slope.data<T>(), y.data<T>(), [](T v, T a) -> T {
            if constexpr (std::is_unsigned_v<T>)
              return v;
            else if constexpr (std::is_integral_v<T>)
              return v < 0 ? wrapping_mul(a, v) : v;
            else
              return static_cast<compute_t<T>>(v) < 0 ? static_cast<T>(compute_t<T>(a) * v) : v;
          });
        },
        ctx.describe_input(0));
  }

 private:
  // Slope's shape as a BroadcastPlan input. From opset 7 it broadcasts
  // unidirectionally to X (numpy rules). Before, a slope of size 1 was shared
  // and a 1-D slope of size C applied per channel (axis 1): PyTorch's export of
  // nn.PReLU(num_parameters=C) relies on it.
  Shape slope_shape(const KernelContext& ctx) const {
    const Shape& x = ctx.input(0).shape();
    const Tensor& slope = ctx.input(1);
    if (ctx.opset() < 7 && slope.rank() == 1 && x.size() >= 2 && slope.dim(0) == x[1] &&
        slope.dim(0) != 1) {
      Shape channel(x.size() - 1, 1);
      channel[0] = slope.dim(0);
      return channel;
    }
    if (ctx.opset() < 7 && slope.numel() == 1) return {};
    if (!broadcastable_to(slope.shape(), x))
      ctx.fail(ctx.input_label(1), " does not broadcast to ", ctx.input_label(0));
    return slope.shape();
  }
};

// Clip: min/max are attributes before opset 11, optional scalar inputs after
// (absent means unbounded); integer types from opset 12.
class ClipKernel final : public Kernel {
 public:
  explicit ClipKernel(const KernelInfo& info)
      : min_(info.attr_float("min", -std::numeric_limits<float>::infinity())),
        max_(info.attr_float("max", std::numeric_limits<float>::infinity())) {}

  void prepare(KernelContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    const bool legacy = ctx.opset() < 11;
    if (!(legacy ? dtype_in(kFloatTypes, x.dtype()) : dtype_in(kNumericTypes, x.dtype())))
      ctx.unsupported(ctx.input_label(0), " has unsupported type ", dtype_name(x.dtype()));
    for (size_t i = 1; !legacy && i <= 2; ++i) {
      if (!ctx.has_input(i)) continue;
      const Tensor& bound = ctx.input(i);
      if (bound.dtype() != x.dtype())
        ctx.fail(ctx.input_label(i), " must have the same type as ", ctx.input_label(0));
      if (bound.numel() != 1) ctx.fail(ctx.input_label(i), " must be a scalar");
    }
    ctx.set_output(0, x.dtype(), x.shape());
  }

  void compute(KernelContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    Tensor& y = ctx.output(0);
    dispatch(
        kNumericTypes, x.dtype(),
        [&](auto tag) {
          using T = typename decltype(tag)::type;
          using C = compute_t<T>;
          C lo = std::numeric_limits<C>::lowest(), hi = std::numeric_limits<C>::max();
          if constexpr (is_float_v<T>) {
            if (ctx.opset() < 11) lo = min_, hi = max_;
          }
          if (ctx.opset() >= 11 && ctx.has_input(1)) lo = *ctx.input(1).data<T>();
          if (ctx.opset() >= 11 && ctx.has_input(2)) hi = *ctx.input(2).data<T>();
          // max then min, as numpy.clip: min > max gives max everywhere; NaN stays.
          if constexpr (std::is_same_v<T, float>) {
            vec_map({VecUnary::kClip, lo, hi}, x.data<float>(), y.data<float>(), x.numel());
            return;
          }
          map_elements(x.data<T>(), y.data<T>(), x.numel(), [lo, hi](T v) {
            const C c = v;
            const C r = c < lo ? lo : c;
            return static_cast<T>(r > hi ? hi : r);
          });
        },
        ctx.describe_input(0));
  }

 private:
  float min_, max_;
};

struct TanhOp : MathOp<[](auto x) { return std::tanh(x); }> {
  VecUnaryOp vec() const { return {VecUnary::kTanh}; }
};

using Relu = UnaryKernel<ReluOp>;
using LeakyRelu = UnaryKernel<LeakyReluOp>;
using Elu = UnaryKernel<EluOp>;
using Selu = UnaryKernel<SeluOp>;
using Sigmoid = UnaryKernel<SigmoidOp>;
using HardSigmoid = UnaryKernel<HardSigmoidOp>;
using Tanh = UnaryKernel<TanhOp>;

float clamp01(float v) {
  const float r = v > 0 ? v : 0.0f;
  return r < 1 ? r : 1.0f;
}

}  // namespace

// The portable VecKernels::unary: the reference ops' float arithmetic (Exp and
// Erf as in unary.cc).
void scalar::unary(const VecUnaryOp& op, const float* x, float* y, int64_t n) {
  const auto each = [&](auto f) {
    for (int64_t i = 0; i < n; ++i) y[i] = f(x[i]);
  };
  const float alpha = op.alpha, beta = op.beta;
  switch (op.kind) {
    case VecUnary::kRelu: return each(ReluOp{});
    case VecUnary::kLeakyRelu: return each([=](float v) { return v >= 0 ? v : v * alpha; });
    case VecUnary::kClip:
      return each([=](float v) {
        const float r = v < alpha ? alpha : v;
        return r > beta ? beta : r;
      });
    case VecUnary::kExp: return each([](float v) { return std::exp(v); });
    case VecUnary::kSigmoid: return each(SigmoidOp{});
    case VecUnary::kSilu: return each([](float v) { return v * sigmoid(v); });
    case VecUnary::kTanh: return each([](float v) { return std::tanh(v); });
    case VecUnary::kErf: return each([](float v) { return std::erf(v); });
    case VecUnary::kGelu: return each([](float v) { return gelu(v, false); });
    case VecUnary::kGeluTanh: return each([](float v) { return gelu(v, true); });
    // clamp01 gives what fmin(fmax(v, 0), 1) gives (NaN -> 0) without the libm
    // calls fmin/fmax compile to here: MobileNetV3's 21 HardSwish nodes 4.05 -> 0.82 ms.
    case VecUnary::kHardSigmoid: return each([=](float v) { return clamp01(alpha * v + beta); });
    case VecUnary::kHardSwish:
      return each([](float v) { return v * clamp01(v * (1.0f / 6.0f) + 0.5f); });
  }
}

// The portable VecKernels::prelu, PReluKernel's float arithmetic.
void scalar::prelu(const float* x, int64_t step_x, const float* slope, int64_t step_s, float* y,
                   int64_t n) {
  step_runs(x, step_x, slope, step_s, y, n, [](float v, float s) { return v < 0 ? s * v : v; });
}

// Opset 1-5 versions carry `consumed_inputs` (in-place hints), ignored.
SKIFF_KERNEL(native, "Relu", 1, 5, Relu);
SKIFF_KERNEL_TYPES(native, "Relu", 1, "signed");
SKIFF_KERNEL(native, "Relu", 6, 12, Relu);
SKIFF_KERNEL_TYPES(native, "Relu", 6, "signed");
SKIFF_KERNEL(native, "Relu", 13, 13, Relu);            // 13: bfloat16
SKIFF_KERNEL_TYPES(native, "Relu", 13, "signed");
SKIFF_KERNEL(native, "Relu", 14, kLatestOpset, Relu);  // 14: signed integer types
SKIFF_KERNEL_TYPES(native, "Relu", 14, "signed");
SKIFF_KERNEL(native, "LeakyRelu", 1, 5, LeakyRelu);
SKIFF_KERNEL_TYPES(native, "LeakyRelu", 1, "floats");
SKIFF_KERNEL(native, "LeakyRelu", 6, 15, LeakyRelu);
SKIFF_KERNEL_TYPES(native, "LeakyRelu", 6, "floats");
SKIFF_KERNEL(native, "LeakyRelu", 16, kLatestOpset, LeakyRelu);  // 16: bfloat16
SKIFF_KERNEL_TYPES(native, "LeakyRelu", 16, "floats");
SKIFF_KERNEL(native, "PRelu", 1, 5,
             PReluKernel);  // 1: consumed_inputs; size-1 or per-channel slope
SKIFF_KERNEL_TYPES(native, "PRelu", 1, "numeric");
SKIFF_KERNEL(native, "PRelu", 6, 6, PReluKernel);
SKIFF_KERNEL_TYPES(native, "PRelu", 6, "numeric");
SKIFF_KERNEL(native, "PRelu", 7, 8, PReluKernel);   // 7: slope broadcasts unidirectionally (numpy)
SKIFF_KERNEL_TYPES(native, "PRelu", 7, "numeric");
SKIFF_KERNEL(native, "PRelu", 9, 15, PReluKernel);  // 9: int32, int64, uint32, uint64
SKIFF_KERNEL_TYPES(native, "PRelu", 9, "numeric");
SKIFF_KERNEL(native, "PRelu", 16, kLatestOpset, PReluKernel);  // 16: bfloat16
SKIFF_KERNEL_TYPES(native, "PRelu", 16, "numeric");
SKIFF_KERNEL(native, "Clip", 1, 5, ClipKernel);  // 1: min/max attributes, consumed_inputs
SKIFF_KERNEL_TYPES(native, "Clip", 1, "floats");
SKIFF_KERNEL(native, "Clip", 6, 10, ClipKernel);
SKIFF_KERNEL_TYPES(native, "Clip", 6, "floats");
SKIFF_KERNEL(native, "Clip", 11, 11, ClipKernel);            // 11: min/max become optional inputs
SKIFF_KERNEL_TYPES(native, "Clip", 11, "numeric");
SKIFF_KERNEL(native, "Clip", 12, 12, ClipKernel);            // 12: integer types
SKIFF_KERNEL_TYPES(native, "Clip", 12, "numeric");
SKIFF_KERNEL(native, "Clip", 13, kLatestOpset, ClipKernel);  // 13: bfloat16
SKIFF_KERNEL_TYPES(native, "Clip", 13, "numeric");
SKIFF_KERNEL(native, "Elu", 1, 5, Elu);
SKIFF_KERNEL_TYPES(native, "Elu", 1, "floats");
SKIFF_KERNEL(native, "Elu", 6, kLatestOpset, Elu);
SKIFF_KERNEL_TYPES(native, "Elu", 6, "floats");
SKIFF_KERNEL(native, "Selu", 1, 5, Selu);
SKIFF_KERNEL_TYPES(native, "Selu", 1, "floats");
SKIFF_KERNEL(native, "Selu", 6, kLatestOpset, Selu);
SKIFF_KERNEL_TYPES(native, "Selu", 6, "floats");
SKIFF_KERNEL(native, "Celu", 12, kLatestOpset, UnaryKernel<CeluOp>);
SKIFF_KERNEL_TYPES(native, "Celu", 12, "floats");
SKIFF_KERNEL(native, "Sigmoid", 1, 5, Sigmoid);
SKIFF_KERNEL_TYPES(native, "Sigmoid", 1, "floats");
SKIFF_KERNEL(native, "Sigmoid", 6, 12, Sigmoid);
SKIFF_KERNEL_TYPES(native, "Sigmoid", 6, "floats");
SKIFF_KERNEL(native, "Sigmoid", 13, kLatestOpset, Sigmoid);  // 13: bfloat16
SKIFF_KERNEL_TYPES(native, "Sigmoid", 13, "floats");
SKIFF_KERNEL(native, "HardSigmoid", 1, 5, HardSigmoid);
SKIFF_KERNEL_TYPES(native, "HardSigmoid", 1, "floats");
SKIFF_KERNEL(native, "HardSigmoid", 6, kLatestOpset, HardSigmoid);
SKIFF_KERNEL_TYPES(native, "HardSigmoid", 6, "floats");
SKIFF_KERNEL(native, "HardSwish", 14, kLatestOpset, UnaryKernel<HardSwishOp>);
SKIFF_KERNEL_TYPES(native, "HardSwish", 14, "floats");
SKIFF_KERNEL(native, "Tanh", 1, 5, Tanh);
SKIFF_KERNEL_TYPES(native, "Tanh", 1, "floats");
SKIFF_KERNEL(native, "Tanh", 6, 12, Tanh);
SKIFF_KERNEL_TYPES(native, "Tanh", 6, "floats");
SKIFF_KERNEL(native, "Tanh", 13, kLatestOpset, Tanh);  // 13: bfloat16
SKIFF_KERNEL_TYPES(native, "Tanh", 13, "floats");
SKIFF_KERNEL(native, "Softplus", 1, kLatestOpset, UnaryKernel<SoftplusOp>);
SKIFF_KERNEL_TYPES(native, "Softplus", 1, "floats");
SKIFF_KERNEL(native, "Softsign", 1, kLatestOpset, UnaryKernel<SoftsignOp>);
SKIFF_KERNEL_TYPES(native, "Softsign", 1, "floats");
SKIFF_KERNEL(native, "Mish", 18, kLatestOpset, UnaryKernel<MishOp>);
SKIFF_KERNEL_TYPES(native, "Mish", 18, "floats");
SKIFF_KERNEL(native, "Gelu", 20, kLatestOpset, UnaryKernel<GeluOp>);
SKIFF_KERNEL_TYPES(native, "Gelu", 20, "floats");
SKIFF_KERNEL(native, "ThresholdedRelu", 10, kLatestOpset, UnaryKernel<ThresholdedReluOp>);
SKIFF_KERNEL_TYPES(native, "ThresholdedRelu", 10, "floats");
SKIFF_KERNEL(native, "Shrink", 9, kLatestOpset, UnaryKernel<ShrinkOp>);
SKIFF_KERNEL_TYPES(native, "Shrink", 9, "numeric");

}  // namespace skiff
