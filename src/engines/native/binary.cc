// Binary element-wise ops with numpy broadcasting: Add, Sub, Mul, Div, Pow,
// Mod, BitShift, BitwiseAnd/Or/Xor (and BitwiseNot), And, Or, Xor, Equal,
// Less, Greater, LessOrEqual, GreaterOrEqual.
//
// Before opset 7, Add/Sub/Mul/Div/Pow/And/Or/Xor/Equal/Less/Greater did not
// broadcast like numpy: with broadcast=0 the shapes must match, with
// broadcast=1 B is broadcast to A from `axis` (legacy_broadcast_shape).
#include <cmath>
#include <optional>
#include <string>
#include <type_traits>

#include "engines/native/broadcast.h"
#include "engines/native/elementwise.h"
#include "engines/native/vec_kernels.h"

namespace skiff {
namespace {

// Output shape and B's shape as a plan input, for the numpy rules (opset >= 7)
// or the legacy `broadcast`/`axis` attributes.
class BinaryShapes {
 public:
  explicit BinaryShapes(const KernelInfo& info)
      : legacy_(info.opset() < 7), broadcast_(info.attr_int("broadcast", 0) != 0) {
    if (info.has_attr("axis")) axis_ = info.attr_int("axis");
  }

  // Output shape; fails naming the inputs when they do not broadcast.
  Shape output(const KernelContext& ctx) const {
    if (!legacy_) return broadcast_input_shapes(ctx, {0, 1});
    b_shape(ctx);
    return ctx.input(0).shape();
  }

  // Shape to give B in a plan whose output is output(ctx).
  Shape b_shape(const KernelContext& ctx) const {
    const Shape& a = ctx.input(0).shape();
    const Shape& b = ctx.input(1).shape();
    if (!legacy_) return b;
    if (!broadcast_) {
      if (a != b)
        ctx.fail("with broadcast=0 (opset < 7) the shapes must match: ", ctx.input_label(0), ", ",
                 ctx.input_label(1));
      return b;
    }
    try {
      return legacy_broadcast_shape(a, b, axis_);
    } catch (const Error& e) {
      ctx.fail(e.what());
    }
  }

 private:
  bool legacy_;
  bool broadcast_;
  std::optional<int64_t> axis_;
};

// broadcast_binary for float ops with a vectorized form: each run of the
// plan goes to vec_kernels().binary.
void broadcast_binary_vec(VecBinary op, const BroadcastPlan& plan, const float* a, const float* b,
                          float* out) {
  const int64_t step_a = plan.inner_step(0), step_b = plan.inner_step(1);
  const VecKernels& vec = vec_kernels();
  vec_parallel_for(plan.numel(), vec_binary_block_cost(op), [&](int64_t begin, int64_t end) {
    plan.for_each_run(begin, end, [&](int64_t o, const int64_t* in, int64_t len) {
      vec.binary(op, a + in[0], step_a, b + in[1], step_b, out + o, len);
    });
  });
}

// Defaults for BinaryKernel ops: same-typed inputs, output of that type.
struct BinaryOp {
  static constexpr bool kBoolOutput = false;  // comparisons and logic
  static constexpr bool kIntDivisor = false;  // B must not hold 0 for integer types
};

// A kernel for two same-typed inputs. Op provides Types (accepted input
// types), operator()(T, T), and optionally a KernelInfo constructor.
template <class Op>
class BinaryKernel final : public Kernel {
 public:
  explicit BinaryKernel(const KernelInfo& info) : op_(make_op(info)), shapes_(info) {}

  void prepare(KernelContext& ctx) const override {
    const Tensor& a = ctx.input(0);
    const Tensor& b = ctx.input(1);
    if (!dtype_in(typename Op::Types{}, a.dtype()))
      ctx.unsupported(ctx.input_label(0), " has unsupported type ", dtype_name(a.dtype()));
    if (b.dtype() != a.dtype())
      ctx.fail(ctx.input_label(1), " must have the same type as ", ctx.input_label(0));
    ctx.set_output(0, Op::kBoolOutput ? DataType::kBool : a.dtype(), shapes_.output(ctx));
  }

  void compute(KernelContext& ctx) const override {
    const Tensor& a = ctx.input(0);
    const Tensor& b = ctx.input(1);
    Tensor& y = ctx.output(0);
    const BroadcastPlan plan({a.shape(), shapes_.b_shape(ctx)}, y.shape());
    dispatch(
        typename Op::Types{}, a.dtype(),
        [&](auto tag) {
          using T = typename decltype(tag)::type;
          using Out = std::conditional_t<Op::kBoolOutput, bool, T>;
          if constexpr (Op::kIntDivisor && std::is_integral_v<T>) check_divisor<T>(ctx, plan);
          if constexpr (std::is_same_v<T, float> && requires { Op::kVec; }) {
            broadcast_binary_vec(Op::kVec, plan, a.data<float>(), b.data<float>(), y.data<float>());
            return;
          }
          broadcast_binary(plan, a.data<T>(), b.data<T>(), y.data<Out>(),
                           [this](const T& u, const T& v) -> Out { return op_(u, v); });
        },
        ctx.describe_input(0));
  }

  // broadcast_binary reads an input of the output's element count at the
  // output's own index, so the output may take that input's buffer.
  bool in_place(size_t output, size_t input) const override {
    return !Op::kBoolOutput && output == 0 && input < 2;
  }

 private:
  static Op make_op(const KernelInfo& info) {
    if constexpr (std::is_constructible_v<Op, const KernelInfo&>)
      return Op(info);
    else
      return Op();
  }

  // Integer division by zero would trap (SIGFPE): refuse it before computing.
  template <class T>
  static void check_divisor(const KernelContext& ctx, const BroadcastPlan& plan) {
    if (plan.numel() == 0) return;
    const Tensor& b = ctx.input(1);
    const T* data = b.data<T>();
    for (int64_t i = 0; i < b.numel(); ++i)
      if (data[i] == T{0})
        ctx.fail_runtime("integer division by zero: ", ctx.input_label(1), " holds 0 at index ", i);
  }

  Op op_;
  BinaryShapes shapes_;
};

struct AddOp : BinaryOp {
  using Types = decltype(kNumericTypes);
  static constexpr VecBinary kVec = VecBinary::kAdd;
  template <class T>
  T operator()(T a, T b) const {
    if constexpr (std::is_integral_v<T>)
      return wrapping_add(a, b);
    else
      return static_cast<T>(static_cast<compute_t<T>>(a) + static_cast<compute_t<T>>(b));
  }
};

struct SubOp : BinaryOp {
  using Types = decltype(kNumericTypes);
  static constexpr VecBinary kVec = VecBinary::kSub;
  template <class T>
  T operator()(T a, T b) const {
    if constexpr (std::is_integral_v<T>)
      return wrapping_sub(a, b);
    else
      return static_cast<T>(static_cast<compute_t<T>>(a) - static_cast<compute_t<T>>(b));
  }
};

struct MulOp : BinaryOp {
  using Types = decltype(kNumericTypes);
  static constexpr VecBinary kVec = VecBinary::kMul;
  template <class T>
  T operator()(T a, T b) const {
    if constexpr (std::is_integral_v<T>)
      return wrapping_mul(a, b);
    else
      return static_cast<T>(static_cast<compute_t<T>>(a) * static_cast<compute_t<T>>(b));
  }
};

// Integer division truncates toward zero (C and ONNX Runtime); INT_MIN / -1
// wraps instead of trapping.
struct DivOp : BinaryOp {
  using Types = decltype(kNumericTypes);
  static constexpr bool kIntDivisor = true;
  static constexpr VecBinary kVec = VecBinary::kDiv;
  template <class T>
  T operator()(T a, T b) const {
    if constexpr (std::is_signed_v<T> && std::is_integral_v<T>)
      return b == T(-1) ? wrapping_negate(a) : static_cast<T>(a / b);
    else if constexpr (std::is_integral_v<T>)
      return static_cast<T>(a / b);
    else
      return static_cast<T>(static_cast<compute_t<T>>(a) / static_cast<compute_t<T>>(b));
  }
};

// fmod=1: the remainder takes the dividend's sign (C fmod / %). fmod=0: it
// takes the divisor's sign (Python, numpy.mod); ONNX asks fmod=1 for floats,
// but fmod=0 on floats is given numpy's meaning rather than refused.
struct ModOp : BinaryOp {
  using Types = decltype(kNumericTypes);
  static constexpr bool kIntDivisor = true;
  explicit ModOp(const KernelInfo& info) : fmod(info.attr_int("fmod", 0) != 0) {}
  template <class T>
  T operator()(T a, T b) const {
    if constexpr (std::is_unsigned_v<T>) {
      return static_cast<T>(a % b);
    } else if constexpr (std::is_integral_v<T>) {
      if (b == T(-1)) return T{0};  // INT_MIN % -1 traps
      const T r = static_cast<T>(a % b);
      return !fmod && r != 0 && ((r < 0) != (b < 0)) ? static_cast<T>(r + b) : r;
    } else {
      using C = compute_t<T>;
      const C d = b;
      const C r = std::fmod(static_cast<C>(a), d);
      return static_cast<T>(!fmod && r != 0 && ((r < 0) != (d < 0)) ? r + d : r);
    }
  }
  bool fmod;
};

// Shifts by the type's width or more give 0 (C leaves them undefined).
struct BitShiftOp : BinaryOp {
  using Types = TypeList<uint8_t, uint16_t, uint32_t, uint64_t>;
  explicit BitShiftOp(const KernelInfo& info) {
    const std::string direction = info.attr_string("direction");
    if (direction != "LEFT" && direction != "RIGHT")
      info.fail("attribute 'direction' is '", direction, "', expected 'LEFT' or 'RIGHT'");
    left = direction == "LEFT";
  }
  template <class T>
  T operator()(T a, T b) const {
    if (b >= sizeof(T) * 8) return T{0};
    return static_cast<T>(left ? a << b : a >> b);
  }
  bool left = true;
};

struct BitwiseAndOp : BinaryOp {
  using Types = decltype(kIntTypes);
  template <class T>
  T operator()(T a, T b) const {
    return static_cast<T>(a & b);
  }
};
struct BitwiseOrOp : BinaryOp {
  using Types = decltype(kIntTypes);
  template <class T>
  T operator()(T a, T b) const {
    return static_cast<T>(a | b);
  }
};
struct BitwiseXorOp : BinaryOp {
  using Types = decltype(kIntTypes);
  template <class T>
  T operator()(T a, T b) const {
    return static_cast<T>(a ^ b);
  }
};
struct BitwiseNotOp : UnaryOp {
  using Types = decltype(kIntTypes);
  template <class T>
  T operator()(T x) const {
    return static_cast<T>(~x);
  }
};

struct LogicOp : BinaryOp {
  using Types = TypeList<bool>;
  static constexpr bool kBoolOutput = true;
};
struct AndOp : LogicOp {
  bool operator()(bool a, bool b) const { return a && b; }
};
struct OrOp : LogicOp {
  bool operator()(bool a, bool b) const { return a || b; }
};
struct XorOp : LogicOp {
  bool operator()(bool a, bool b) const { return a != b; }
};

// Comparisons of 16-bit floats compare their float values.
struct CompareOp : BinaryOp {
  using Types = decltype(kNumericTypes);
  static constexpr bool kBoolOutput = true;
};
struct EqualOp : CompareOp {
  using Types = decltype(kAllTypes);  // bool from opset 1, string from 19
  template <class T>
  bool operator()(const T& a, const T& b) const {
    if constexpr (std::is_same_v<T, std::string> || std::is_same_v<T, bool>)
      return a == b;
    else
      return static_cast<compute_t<T>>(a) == static_cast<compute_t<T>>(b);
  }
};
struct LessOp : CompareOp {
  template <class T>
  bool operator()(T a, T b) const {
    return static_cast<compute_t<T>>(a) < static_cast<compute_t<T>>(b);
  }
};
struct GreaterOp : CompareOp {
  template <class T>
  bool operator()(T a, T b) const {
    return static_cast<compute_t<T>>(a) > static_cast<compute_t<T>>(b);
  }
};
struct LessOrEqualOp : CompareOp {
  template <class T>
  bool operator()(T a, T b) const {
    return static_cast<compute_t<T>>(a) <= static_cast<compute_t<T>>(b);
  }
};
struct GreaterOrEqualOp : CompareOp {
  template <class T>
  bool operator()(T a, T b) const {
    return static_cast<compute_t<T>>(a) >= static_cast<compute_t<T>>(b);
  }
};

// Integer power by squaring, wrapping on overflow. A negative exponent gives
// the truncated reciprocal: 1 for base 1, +-1 for base -1, else 0.
template <class T, class E>
T int_pow(T base, E exponent) {
  if constexpr (std::is_signed_v<E>) {
    if (exponent < 0) {
      if (base == T(1)) return T(1);
      if constexpr (std::is_signed_v<T>)
        if (base == T(-1)) return (exponent % 2) ? T(-1) : T(1);
      return T{0};
    }
  }
  T result = 1;
  for (auto e = static_cast<uint64_t>(exponent); e != 0; e >>= 1) {
    if (e & 1) result = wrapping_mul(result, base);
    base = wrapping_mul(base, base);
  }
  return result;
}

// Pow's base and exponent may have different types (opset 12+); the result has
// the base's type. Integer bases with float exponents compute in double and
// truncate like numpy's cast.
template <class T, class E>
T pow_value(T base, E exponent) {
  if constexpr (std::is_integral_v<T> && std::is_integral_v<E>) {
    return int_pow(base, exponent);
  } else if constexpr (std::is_integral_v<T>) {
    return float_to_int<T>(std::pow(static_cast<double>(base), static_cast<double>(exponent)));
  } else {
    using C =
        std::conditional_t<std::is_same_v<T, double> || std::is_same_v<E, double>, double, float>;
    return static_cast<T>(std::pow(static_cast<C>(base), static_cast<C>(exponent)));
  }
}

class PowKernel final : public Kernel {
 public:
  using BaseTypes = TypeList<float, double, Float16, BFloat16, int32_t, int64_t>;

  explicit PowKernel(const KernelInfo& info) : shapes_(info) {}

  void prepare(KernelContext& ctx) const override {
    const Tensor& base = ctx.input(0);
    const Tensor& exponent = ctx.input(1);
    if (!dtype_in(BaseTypes{}, base.dtype()))
      ctx.unsupported(ctx.input_label(0), " has unsupported type ", dtype_name(base.dtype()));
    if (!dtype_in(kNumericTypes, exponent.dtype()))
      ctx.unsupported(ctx.input_label(1), " has unsupported type ", dtype_name(exponent.dtype()));
    ctx.set_output(0, base.dtype(), shapes_.output(ctx));
  }

  void compute(KernelContext& ctx) const override {
    const Tensor& base = ctx.input(0);
    const Tensor& exponent = ctx.input(1);
    Tensor& y = ctx.output(0);
    const BroadcastPlan plan({base.shape(), shapes_.b_shape(ctx)}, y.shape());
    dispatch(
        BaseTypes{}, base.dtype(),
        [&](auto base_tag) {
          using T = typename decltype(base_tag)::type;
          dispatch(
              kNumericTypes, exponent.dtype(),
              [&](auto exponent_tag) {
                using E = typename decltype(exponent_tag)::type;
                if constexpr (std::is_same_v<T, float> && std::is_same_v<E, float>) {
                  broadcast_binary_vec(VecBinary::kPow, plan, base.data<float>(),
                                       exponent.data<float>(), y.data<float>());
                  return;
                }
                broadcast_binary(
                    plan, base.data<T>(), exponent.data<E>(), y.data<T>(),
                    [](T u, E v) { return pow_value(u, v); }, 8);
              },
              ctx.describe_input(1));
        },
        ctx.describe_input(0));
  }

 private:
  BinaryShapes shapes_;
};

using Add = BinaryKernel<AddOp>;
using Sub = BinaryKernel<SubOp>;
using Mul = BinaryKernel<MulOp>;
using Div = BinaryKernel<DivOp>;
using Mod = BinaryKernel<ModOp>;
using And = BinaryKernel<AndOp>;
using Or = BinaryKernel<OrOp>;
using Xor = BinaryKernel<XorOp>;
using Equal = BinaryKernel<EqualOp>;
using Less = BinaryKernel<LessOp>;
using Greater = BinaryKernel<GreaterOp>;
using LessOrEqual = BinaryKernel<LessOrEqualOp>;
using GreaterOrEqual = BinaryKernel<GreaterOrEqualOp>;

}  // namespace

// The portable VecKernels::binary: the reference ops' float arithmetic.
void scalar::binary(VecBinary op, const float* a, int64_t step_a, const float* b, int64_t step_b,
                    float* y, int64_t n) {
  const auto each = [&](auto f) { step_runs(a, step_a, b, step_b, y, n, f); };
  switch (op) {
    case VecBinary::kAdd: return each(AddOp{});
    case VecBinary::kSub: return each(SubOp{});
    case VecBinary::kMul: return each(MulOp{});
    case VecBinary::kDiv: return each(DivOp{});
    case VecBinary::kPow: return each([](float u, float v) { return pow_value(u, v); });
  }
}

SKIFF_KERNEL(native, "Add", 1, 5, Add);              // 1: legacy broadcast/axis, consumed_inputs
SKIFF_KERNEL_TYPES(native, "Add", 1, "numeric");
SKIFF_KERNEL(native, "Add", 6, 6, Add);              // 6: integer types; still legacy broadcast
SKIFF_KERNEL_TYPES(native, "Add", 6, "numeric");
SKIFF_KERNEL(native, "Add", 7, 12, Add);             // 7: numpy broadcasting
SKIFF_KERNEL_TYPES(native, "Add", 7, "numeric");
SKIFF_KERNEL(native, "Add", 13, 13, Add);            // 13: bfloat16
SKIFF_KERNEL_TYPES(native, "Add", 13, "numeric");
SKIFF_KERNEL(native, "Add", 14, kLatestOpset, Add);  // 14: 8- and 16-bit integers
SKIFF_KERNEL_TYPES(native, "Add", 14, "numeric");
SKIFF_KERNEL(native, "Sub", 1, 5, Sub);
SKIFF_KERNEL_TYPES(native, "Sub", 1, "numeric");
SKIFF_KERNEL(native, "Sub", 6, 6, Sub);
SKIFF_KERNEL_TYPES(native, "Sub", 6, "numeric");
SKIFF_KERNEL(native, "Sub", 7, 12, Sub);
SKIFF_KERNEL_TYPES(native, "Sub", 7, "numeric");
SKIFF_KERNEL(native, "Sub", 13, 13, Sub);
SKIFF_KERNEL_TYPES(native, "Sub", 13, "numeric");
SKIFF_KERNEL(native, "Sub", 14, kLatestOpset, Sub);
SKIFF_KERNEL_TYPES(native, "Sub", 14, "numeric");
SKIFF_KERNEL(native, "Mul", 1, 5, Mul);
SKIFF_KERNEL_TYPES(native, "Mul", 1, "numeric");
SKIFF_KERNEL(native, "Mul", 6, 6, Mul);
SKIFF_KERNEL_TYPES(native, "Mul", 6, "numeric");
SKIFF_KERNEL(native, "Mul", 7, 12, Mul);
SKIFF_KERNEL_TYPES(native, "Mul", 7, "numeric");
SKIFF_KERNEL(native, "Mul", 13, 13, Mul);
SKIFF_KERNEL_TYPES(native, "Mul", 13, "numeric");
SKIFF_KERNEL(native, "Mul", 14, kLatestOpset, Mul);
SKIFF_KERNEL_TYPES(native, "Mul", 14, "numeric");
SKIFF_KERNEL(native, "Div", 1, 5, Div);
SKIFF_KERNEL_TYPES(native, "Div", 1, "numeric");
SKIFF_KERNEL(native, "Div", 6, 6, Div);
SKIFF_KERNEL_TYPES(native, "Div", 6, "numeric");
SKIFF_KERNEL(native, "Div", 7, 12, Div);
SKIFF_KERNEL_TYPES(native, "Div", 7, "numeric");
SKIFF_KERNEL(native, "Div", 13, 13, Div);
SKIFF_KERNEL_TYPES(native, "Div", 13, "numeric");
SKIFF_KERNEL(native, "Div", 14, kLatestOpset, Div);
SKIFF_KERNEL_TYPES(native, "Div", 14, "numeric");
SKIFF_KERNEL(native, "Pow", 1, 6, PowKernel);    // 1: legacy broadcast/axis
SKIFF_KERNEL_TYPES(native, "Pow", 1, "T: float, double, float16, bfloat16, int32, int64; T1: numeric");
SKIFF_KERNEL(native, "Pow", 7, 11, PowKernel);   // 7: numpy broadcasting
SKIFF_KERNEL_TYPES(native, "Pow", 7, "T: float, double, float16, bfloat16, int32, int64; T1: numeric");
SKIFF_KERNEL(native, "Pow", 12, 12, PowKernel);  // 12: exponent type may differ, int bases
SKIFF_KERNEL_TYPES(native, "Pow", 12, "T: float, double, float16, bfloat16, int32, int64; T1: numeric");
SKIFF_KERNEL(native, "Pow", 13, 14, PowKernel);  // 13: bfloat16 base
SKIFF_KERNEL_TYPES(native, "Pow", 13, "T: float, double, float16, bfloat16, int32, int64; T1: numeric");
SKIFF_KERNEL(native, "Pow", 15, kLatestOpset, PowKernel);  // 15: bfloat16 exponent
SKIFF_KERNEL_TYPES(native, "Pow", 15, "T: float, double, float16, bfloat16, int32, int64; T1: numeric");
SKIFF_KERNEL(native, "Mod", 10, 12, Mod);
SKIFF_KERNEL_TYPES(native, "Mod", 10, "numeric");
SKIFF_KERNEL(native, "Mod", 13, kLatestOpset, Mod);  // 13: bfloat16
SKIFF_KERNEL_TYPES(native, "Mod", 13, "numeric");
SKIFF_KERNEL(native, "BitShift", 11, kLatestOpset, BinaryKernel<BitShiftOp>);
SKIFF_KERNEL_TYPES(native, "BitShift", 11, "uint8, uint16, uint32, uint64");
SKIFF_KERNEL(native, "BitwiseAnd", 18, kLatestOpset, BinaryKernel<BitwiseAndOp>);
SKIFF_KERNEL_TYPES(native, "BitwiseAnd", 18, "ints");
SKIFF_KERNEL(native, "BitwiseOr", 18, kLatestOpset, BinaryKernel<BitwiseOrOp>);
SKIFF_KERNEL_TYPES(native, "BitwiseOr", 18, "ints");
SKIFF_KERNEL(native, "BitwiseXor", 18, kLatestOpset, BinaryKernel<BitwiseXorOp>);
SKIFF_KERNEL_TYPES(native, "BitwiseXor", 18, "ints");
SKIFF_KERNEL(native, "BitwiseNot", 18, kLatestOpset, UnaryKernel<BitwiseNotOp>);
SKIFF_KERNEL_TYPES(native, "BitwiseNot", 18, "ints");
SKIFF_KERNEL(native, "And", 1, 6, And);             // 1: legacy broadcast/axis
SKIFF_KERNEL_TYPES(native, "And", 1, "T: bool; T1: bool");
SKIFF_KERNEL(native, "And", 7, kLatestOpset, And);  // 7: numpy broadcasting
SKIFF_KERNEL_TYPES(native, "And", 7, "T: bool; T1: bool");
SKIFF_KERNEL(native, "Or", 1, 6, Or);
SKIFF_KERNEL_TYPES(native, "Or", 1, "T: bool; T1: bool");
SKIFF_KERNEL(native, "Or", 7, kLatestOpset, Or);
SKIFF_KERNEL_TYPES(native, "Or", 7, "T: bool; T1: bool");
SKIFF_KERNEL(native, "Xor", 1, 6, Xor);
SKIFF_KERNEL_TYPES(native, "Xor", 1, "T: bool; T1: bool");
SKIFF_KERNEL(native, "Xor", 7, kLatestOpset, Xor);
SKIFF_KERNEL_TYPES(native, "Xor", 7, "T: bool; T1: bool");
SKIFF_KERNEL(native, "Equal", 1, 6, Equal);    // 1: bool, int32, int64; legacy broadcast/axis
SKIFF_KERNEL_TYPES(native, "Equal", 1, "T: all; T1: bool");
SKIFF_KERNEL(native, "Equal", 7, 10, Equal);   // 7: numpy broadcasting
SKIFF_KERNEL_TYPES(native, "Equal", 7, "T: all; T1: bool");
SKIFF_KERNEL(native, "Equal", 11, 12, Equal);  // 11: all numeric types
SKIFF_KERNEL_TYPES(native, "Equal", 11, "T: all; T1: bool");
SKIFF_KERNEL(native, "Equal", 13, 18, Equal);  // 13: bfloat16
SKIFF_KERNEL_TYPES(native, "Equal", 13, "T: all; T1: bool");
SKIFF_KERNEL(native, "Equal", 19, kLatestOpset, Equal);  // 19: string
SKIFF_KERNEL_TYPES(native, "Equal", 19, "T: all; T1: bool");
SKIFF_KERNEL(native, "Less", 1, 6, Less);                // 1: legacy broadcast/axis
SKIFF_KERNEL_TYPES(native, "Less", 1, "T: numeric; T1: bool");
SKIFF_KERNEL(native, "Less", 7, 8, Less);                // 7: numpy broadcasting
SKIFF_KERNEL_TYPES(native, "Less", 7, "T: numeric; T1: bool");
SKIFF_KERNEL(native, "Less", 9, 12, Less);               // 9: integer types
SKIFF_KERNEL_TYPES(native, "Less", 9, "T: numeric; T1: bool");
SKIFF_KERNEL(native, "Less", 13, kLatestOpset, Less);    // 13: bfloat16
SKIFF_KERNEL_TYPES(native, "Less", 13, "T: numeric; T1: bool");
SKIFF_KERNEL(native, "Greater", 1, 6, Greater);
SKIFF_KERNEL_TYPES(native, "Greater", 1, "T: numeric; T1: bool");
SKIFF_KERNEL(native, "Greater", 7, 8, Greater);
SKIFF_KERNEL_TYPES(native, "Greater", 7, "T: numeric; T1: bool");
SKIFF_KERNEL(native, "Greater", 9, 12, Greater);
SKIFF_KERNEL_TYPES(native, "Greater", 9, "T: numeric; T1: bool");
SKIFF_KERNEL(native, "Greater", 13, kLatestOpset, Greater);
SKIFF_KERNEL_TYPES(native, "Greater", 13, "T: numeric; T1: bool");
SKIFF_KERNEL(native, "LessOrEqual", 12, 15, LessOrEqual);
SKIFF_KERNEL_TYPES(native, "LessOrEqual", 12, "T: numeric; T1: bool");
SKIFF_KERNEL(native, "LessOrEqual", 16, kLatestOpset, LessOrEqual);  // 16: bfloat16
SKIFF_KERNEL_TYPES(native, "LessOrEqual", 16, "T: numeric; T1: bool");
SKIFF_KERNEL(native, "GreaterOrEqual", 12, 15, GreaterOrEqual);
SKIFF_KERNEL_TYPES(native, "GreaterOrEqual", 12, "T: numeric; T1: bool");
SKIFF_KERNEL(native, "GreaterOrEqual", 16, kLatestOpset, GreaterOrEqual);  // 16: bfloat16
SKIFF_KERNEL_TYPES(native, "GreaterOrEqual", 16, "T: numeric; T1: bool");

}  // namespace skiff
