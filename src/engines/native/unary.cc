// Unary math: Abs, Neg, Exp, Log, Sqrt, Reciprocal, Floor, Ceil, Round, Sign,
// the trigonometric and hyperbolic functions, Erf, Not, IsNaN, IsInf.
#include <cmath>
#include <type_traits>

#include "engines/native/elementwise.h"

namespace skiff {
namespace {

// Integer Abs and Neg wrap: -INT_MIN is INT_MIN, as in numpy and ONNX Runtime.
struct AbsOp : UnaryOp {
  using Types = decltype(kNumericTypes);
  template <class T>
  T operator()(T x) const {
    if constexpr (std::is_unsigned_v<T>)
      return x;
    else if constexpr (std::is_integral_v<T>)
      return x < 0 ? wrapping_negate(x) : x;
    else
      return static_cast<T>(std::fabs(static_cast<compute_t<T>>(x)));
  }
};

struct NegOp : UnaryOp {
  using Types = decltype(kSignedTypes);
  template <class T>
  T operator()(T x) const {
    if constexpr (std::is_integral_v<T>)
      return wrapping_negate(x);
    else
      return static_cast<T>(-static_cast<compute_t<T>>(x));
  }
};

struct SignOp : UnaryOp {
  using Types = decltype(kNumericTypes);
  template <class T>
  T operator()(T x) const {
    const compute_t<T> v = x;
    if constexpr (std::is_unsigned_v<T>) {
      return static_cast<T>(v > 0);
    } else {
      if (v != v) return x;  // sign(NaN) is NaN, as in numpy
      return static_cast<T>((v > 0) - (v < 0));
    }
  }
};

// Erf accepts integer types too (opset 9+); they compute in double and
// truncate like numpy's cast of the float result.
struct ErfOp : UnaryOp {
  using Types = decltype(kNumericTypes);
  static constexpr int64_t kCost = 10;
  VecUnaryOp vec() const { return {VecUnary::kErf}; }
  template <class T>
  T operator()(T x) const {
    if constexpr (std::is_integral_v<T>)
      return static_cast<T>(std::erf(static_cast<double>(x)));
    else
      return static_cast<T>(std::erf(static_cast<compute_t<T>>(x)));
  }
};

struct NotOp : UnaryOp {
  using Types = TypeList<bool>;
  bool operator()(bool x) const { return !x; }
};

struct IsNaNOp : UnaryOp {
  using Types = decltype(kFloatTypes);
  static constexpr bool kBoolOutput = true;
  template <class T>
  bool operator()(T x) const {
    return std::isnan(static_cast<compute_t<T>>(x));
  }
};

struct IsInfOp : UnaryOp {
  using Types = decltype(kFloatTypes);
  static constexpr bool kBoolOutput = true;
  explicit IsInfOp(const KernelInfo& info)
      : detect_positive(info.attr_int("detect_positive", 1) != 0),
        detect_negative(info.attr_int("detect_negative", 1) != 0) {}
  template <class T>
  bool operator()(T x) const {
    const compute_t<T> v = x;
    return std::isinf(v) && (v > 0 ? detect_positive : detect_negative);
  }
  bool detect_positive, detect_negative;
};

struct ExpOp : MathOp<[](auto x) { return std::exp(x); }> {
  VecUnaryOp vec() const { return {VecUnary::kExp}; }
};
using LogOp = MathOp<[](auto x) { return std::log(x); }>;
using SqrtOp = MathOp<[](auto x) { return std::sqrt(x); }, decltype(kFloatTypes), 2>;
using ReciprocalOp = MathOp<[](auto x) { return decltype(x){1} / x; }, decltype(kFloatTypes), 2>;
using FloorOp = MathOp<[](auto x) { return std::floor(x); }, decltype(kFloatTypes), 1>;
using CeilOp = MathOp<[](auto x) { return std::ceil(x); }, decltype(kFloatTypes), 1>;
// nearbyint in the default rounding mode rounds halves to even, as ONNX asks.
using RoundOp = MathOp<[](auto x) { return std::nearbyint(x); }, decltype(kFloatTypes), 1>;
using SinOp = MathOp<[](auto x) { return std::sin(x); }>;
using CosOp = MathOp<[](auto x) { return std::cos(x); }>;
using TanOp = MathOp<[](auto x) { return std::tan(x); }>;
using AsinOp = MathOp<[](auto x) { return std::asin(x); }>;
using AcosOp = MathOp<[](auto x) { return std::acos(x); }>;
using AtanOp = MathOp<[](auto x) { return std::atan(x); }>;
using SinhOp = MathOp<[](auto x) { return std::sinh(x); }>;
using CoshOp = MathOp<[](auto x) { return std::cosh(x); }>;
using AsinhOp = MathOp<[](auto x) { return std::asinh(x); }>;
using AcoshOp = MathOp<[](auto x) { return std::acosh(x); }>;
using AtanhOp = MathOp<[](auto x) { return std::atanh(x); }>;

using Abs = UnaryKernel<AbsOp>;
using Neg = UnaryKernel<NegOp>;
using Exp = UnaryKernel<ExpOp>;
using Log = UnaryKernel<LogOp>;
using Sqrt = UnaryKernel<SqrtOp>;
using Reciprocal = UnaryKernel<ReciprocalOp>;
using Floor = UnaryKernel<FloorOp>;
using Ceil = UnaryKernel<CeilOp>;
using Round = UnaryKernel<RoundOp>;
using Sign = UnaryKernel<SignOp>;
using Erf = UnaryKernel<ErfOp>;
using Not = UnaryKernel<NotOp>;
using IsNaN = UnaryKernel<IsNaNOp>;
using IsInf = UnaryKernel<IsInfOp>;

}  // namespace

// Opset 1-5 versions carry `consumed_inputs`, which only described in-place
// reuse and is ignored. Type lists are the newest version's; older versions
// accept a subset.
SKIFF_KERNEL(native, "Abs", 1, 5, Abs);              // 1: float types only, consumed_inputs
SKIFF_KERNEL_TYPES(native, "Abs", 1, "numeric");
SKIFF_KERNEL(native, "Abs", 6, 12, Abs);             // 6: integer types
SKIFF_KERNEL_TYPES(native, "Abs", 6, "numeric");
SKIFF_KERNEL(native, "Abs", 13, kLatestOpset, Abs);  // 13: bfloat16
SKIFF_KERNEL_TYPES(native, "Abs", 13, "numeric");
SKIFF_KERNEL(native, "Neg", 1, 5, Neg);
SKIFF_KERNEL_TYPES(native, "Neg", 1, "signed");
SKIFF_KERNEL(native, "Neg", 6, 12, Neg);             // 6: signed integer types
SKIFF_KERNEL_TYPES(native, "Neg", 6, "signed");
SKIFF_KERNEL(native, "Neg", 13, kLatestOpset, Neg);  // 13: bfloat16
SKIFF_KERNEL_TYPES(native, "Neg", 13, "signed");
SKIFF_KERNEL(native, "Exp", 1, 5, Exp);
SKIFF_KERNEL_TYPES(native, "Exp", 1, "floats");
SKIFF_KERNEL(native, "Exp", 6, 12, Exp);
SKIFF_KERNEL_TYPES(native, "Exp", 6, "floats");
SKIFF_KERNEL(native, "Exp", 13, kLatestOpset, Exp);  // 13: bfloat16
SKIFF_KERNEL_TYPES(native, "Exp", 13, "floats");
SKIFF_KERNEL(native, "Log", 1, 5, Log);
SKIFF_KERNEL_TYPES(native, "Log", 1, "floats");
SKIFF_KERNEL(native, "Log", 6, 12, Log);
SKIFF_KERNEL_TYPES(native, "Log", 6, "floats");
SKIFF_KERNEL(native, "Log", 13, kLatestOpset, Log);  // 13: bfloat16
SKIFF_KERNEL_TYPES(native, "Log", 13, "floats");
SKIFF_KERNEL(native, "Sqrt", 1, 5, Sqrt);
SKIFF_KERNEL_TYPES(native, "Sqrt", 1, "floats");
SKIFF_KERNEL(native, "Sqrt", 6, 12, Sqrt);
SKIFF_KERNEL_TYPES(native, "Sqrt", 6, "floats");
SKIFF_KERNEL(native, "Sqrt", 13, kLatestOpset, Sqrt);  // 13: bfloat16
SKIFF_KERNEL_TYPES(native, "Sqrt", 13, "floats");
SKIFF_KERNEL(native, "Reciprocal", 1, 5, Reciprocal);
SKIFF_KERNEL_TYPES(native, "Reciprocal", 1, "floats");
SKIFF_KERNEL(native, "Reciprocal", 6, 12, Reciprocal);
SKIFF_KERNEL_TYPES(native, "Reciprocal", 6, "floats");
SKIFF_KERNEL(native, "Reciprocal", 13, kLatestOpset, Reciprocal);  // 13: bfloat16
SKIFF_KERNEL_TYPES(native, "Reciprocal", 13, "floats");
SKIFF_KERNEL(native, "Floor", 1, 5, Floor);
SKIFF_KERNEL_TYPES(native, "Floor", 1, "floats");
SKIFF_KERNEL(native, "Floor", 6, 12, Floor);
SKIFF_KERNEL_TYPES(native, "Floor", 6, "floats");
SKIFF_KERNEL(native, "Floor", 13, kLatestOpset, Floor);  // 13: bfloat16
SKIFF_KERNEL_TYPES(native, "Floor", 13, "floats");
SKIFF_KERNEL(native, "Ceil", 1, 5, Ceil);
SKIFF_KERNEL_TYPES(native, "Ceil", 1, "floats");
SKIFF_KERNEL(native, "Ceil", 6, 12, Ceil);
SKIFF_KERNEL_TYPES(native, "Ceil", 6, "floats");
SKIFF_KERNEL(native, "Ceil", 13, kLatestOpset, Ceil);  // 13: bfloat16
SKIFF_KERNEL_TYPES(native, "Ceil", 13, "floats");
SKIFF_KERNEL(native, "Round", 11, kLatestOpset, Round);
SKIFF_KERNEL_TYPES(native, "Round", 11, "floats");
SKIFF_KERNEL(native, "Sign", 9, 12, Sign);
SKIFF_KERNEL_TYPES(native, "Sign", 9, "numeric");
SKIFF_KERNEL(native, "Sign", 13, kLatestOpset, Sign);  // 13: bfloat16
SKIFF_KERNEL_TYPES(native, "Sign", 13, "numeric");
SKIFF_KERNEL(native, "Sin", 7, kLatestOpset, UnaryKernel<SinOp>);
SKIFF_KERNEL_TYPES(native, "Sin", 7, "floats");
SKIFF_KERNEL(native, "Cos", 7, kLatestOpset, UnaryKernel<CosOp>);
SKIFF_KERNEL_TYPES(native, "Cos", 7, "floats");
SKIFF_KERNEL(native, "Tan", 7, kLatestOpset, UnaryKernel<TanOp>);
SKIFF_KERNEL_TYPES(native, "Tan", 7, "floats");
SKIFF_KERNEL(native, "Asin", 7, kLatestOpset, UnaryKernel<AsinOp>);
SKIFF_KERNEL_TYPES(native, "Asin", 7, "floats");
SKIFF_KERNEL(native, "Acos", 7, kLatestOpset, UnaryKernel<AcosOp>);
SKIFF_KERNEL_TYPES(native, "Acos", 7, "floats");
SKIFF_KERNEL(native, "Atan", 7, kLatestOpset, UnaryKernel<AtanOp>);
SKIFF_KERNEL_TYPES(native, "Atan", 7, "floats");
SKIFF_KERNEL(native, "Sinh", 9, kLatestOpset, UnaryKernel<SinhOp>);
SKIFF_KERNEL_TYPES(native, "Sinh", 9, "floats");
SKIFF_KERNEL(native, "Cosh", 9, kLatestOpset, UnaryKernel<CoshOp>);
SKIFF_KERNEL_TYPES(native, "Cosh", 9, "floats");
SKIFF_KERNEL(native, "Asinh", 9, kLatestOpset, UnaryKernel<AsinhOp>);
SKIFF_KERNEL_TYPES(native, "Asinh", 9, "floats");
SKIFF_KERNEL(native, "Acosh", 9, kLatestOpset, UnaryKernel<AcoshOp>);
SKIFF_KERNEL_TYPES(native, "Acosh", 9, "floats");
SKIFF_KERNEL(native, "Atanh", 9, kLatestOpset, UnaryKernel<AtanhOp>);
SKIFF_KERNEL_TYPES(native, "Atanh", 9, "floats");
SKIFF_KERNEL(native, "Erf", 9, 12, Erf);
SKIFF_KERNEL_TYPES(native, "Erf", 9, "numeric");
SKIFF_KERNEL(native, "Erf", 13, kLatestOpset, Erf);  // 13: bfloat16
SKIFF_KERNEL_TYPES(native, "Erf", 13, "numeric");
SKIFF_KERNEL(native, "Not", 1, kLatestOpset, Not);
SKIFF_KERNEL_TYPES(native, "Not", 1, "bool");
SKIFF_KERNEL(native, "IsNaN", 9, 12, IsNaN);
SKIFF_KERNEL_TYPES(native, "IsNaN", 9, "T1: floats; T2: bool");
SKIFF_KERNEL(native, "IsNaN", 13, kLatestOpset, IsNaN);  // 13: bfloat16; 20: float8 (unsupported)
SKIFF_KERNEL_TYPES(native, "IsNaN", 13, "T1: floats; T2: bool");
SKIFF_KERNEL(native, "IsInf", 10, kLatestOpset, IsInf);  // 20: bfloat16, float16, float8
SKIFF_KERNEL_TYPES(native, "IsInf", 10, "T1: floats; T2: bool");

}  // namespace skiff
