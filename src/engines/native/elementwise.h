// Building blocks for one-input element-wise kernels (unary math and
// activations): a parallel map, the arithmetic type 16-bit floats compute in,
// and UnaryKernel, which turns a small "op" struct into a registered kernel:
//
//   struct ReluOp : UnaryOp {
//     using Types = decltype(kSignedTypes);           // accepted input types
//     template <class T> T operator()(T x) const { return x > T(0) ? x : T(0); }
//   };
//   SKIFF_KERNEL(native, "Relu", 14, 21, UnaryKernel<ReluOp>);
//
// An op with attributes takes them in a constructor from `const KernelInfo&`
// (and validates them there); an op whose output is bool sets kBoolOutput.
#pragma once

#include <cstdint>
#include <limits>
#include <type_traits>

#include "core/dispatch.h"
#include "core/parallel.h"
#include "engines/kernel.h"

namespace skiff {

// The type arithmetic happens in: 16-bit floats widen to float (and round once
// on store), everything else computes in its own type.
template <class T>
using compute_t =
    std::conditional_t<std::is_same_v<T, Float16> || std::is_same_v<T, BFloat16>, float, T>;

template <class T>
inline constexpr bool is_float_v =
    std::is_floating_point_v<T> || std::is_same_v<T, Float16> || std::is_same_v<T, BFloat16>;

// Float to integer without undefined behaviour: NaN becomes 0, the value is
// truncated toward zero and saturated to int64 (uint64 for uint64), then
// narrowed modulo 2^bits as a C cast on x86 does (numpy: -1.0 -> 255 for uint8).
template <class T, class F>
T float_to_int(F v) {
  static_assert(std::is_integral_v<T> && std::is_floating_point_v<F>);
  constexpr F kTwo63 = static_cast<F>(9223372036854775808.0);
  if (!(v == v)) return T{0};
  if constexpr (std::is_same_v<T, uint64_t>) {
    if (v >= 2 * kTwo63) return ~uint64_t{0};
    if (v >= kTwo63) return static_cast<uint64_t>(v);
  }
  const int64_t i = v >= kTwo63 ? INT64_MAX : v < -kTwo63 ? INT64_MIN : static_cast<int64_t>(v);
  return static_cast<T>(i);
}

// Integer arithmetic that wraps modulo 2^bits instead of overflowing (signed
// overflow is undefined). wrap_unsigned_t is at least unsigned int, so that
// uint16 * uint16 does not overflow through promotion to int.
template <class T>
using wrap_unsigned_t = std::make_unsigned_t<decltype(T{} + 0u)>;
template <class T>
T wrapping_add(T a, T b) {
  return static_cast<T>(static_cast<wrap_unsigned_t<T>>(a) + static_cast<wrap_unsigned_t<T>>(b));
}
template <class T>
T wrapping_sub(T a, T b) {
  return static_cast<T>(static_cast<wrap_unsigned_t<T>>(a) - static_cast<wrap_unsigned_t<T>>(b));
}
template <class T>
T wrapping_mul(T a, T b) {
  return static_cast<T>(static_cast<wrap_unsigned_t<T>>(a) * static_cast<wrap_unsigned_t<T>>(b));
}
template <class T>
T wrapping_negate(T x) {
  return wrapping_sub(T{0}, x);
}

// True when `dtype` is one of the list's types.
template <class... Ts>
constexpr bool dtype_in(TypeList<Ts...>, DataType dtype) {
  return ((dtype == dtype_of<Ts>()) || ...);
}

// out[i] = f(in[i]) for i in [0, n), in parallel. `cost` is a rough per-element
// cost in nanoseconds (transcendental functions ~10). `f` must not throw.
template <class I, class O, class F>
void map_elements(const I* in, O* out, int64_t n, F&& f, int64_t cost = 1) {
  parallel_for(n, cost, [&](int64_t begin, int64_t end) {
    for (int64_t i = begin; i < end; ++i) out[i] = f(in[i]);
  });
}

// Defaults for UnaryKernel ops.
struct UnaryOp {
  static constexpr bool kBoolOutput = false;  // output is bool (IsNaN, IsInf)
  static constexpr int64_t kCost = 1;         // per element, for parallel_for
};

// A float-only (by default) op given by a captureless generic lambda that is
// called with the compute type: MathOp<[](auto x) { return std::sin(x); }>.
template <auto F, class TypeListT = decltype(kFloatTypes), int64_t Cost = 8>
struct MathOp : UnaryOp {
  using Types = TypeListT;
  static constexpr int64_t kCost = Cost;
  template <class T>
  T operator()(T x) const {
    return static_cast<T>(F(static_cast<compute_t<T>>(x)));
  }
};

template <class Op>
class UnaryKernel final : public Kernel {
 public:
  explicit UnaryKernel(const KernelInfo& info) : op_(make_op(info)) {}

  void prepare(KernelContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    if (!dtype_in(typename Op::Types{}, x.dtype()))
      ctx.unsupported(ctx.input_label(0), " has unsupported type ", dtype_name(x.dtype()));
    ctx.set_output(0, Op::kBoolOutput ? DataType::kBool : x.dtype(), x.shape());
  }

  void compute(KernelContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    Tensor& y = ctx.output(0);
    dispatch(
        typename Op::Types{}, x.dtype(),
        [&](auto tag) {
          using T = typename decltype(tag)::type;
          using Out = std::conditional_t<Op::kBoolOutput, bool, T>;
          map_elements(
              x.data<T>(), y.data<Out>(), x.numel(), [this](T v) { return op_(v); }, Op::kCost);
        },
        ctx.prefix() + ctx.input_label(0));
  }

  // y[i] = f(x[i]): y may take x's buffer.
  bool in_place(size_t output, size_t input) const override {
    return !Op::kBoolOutput && output == 0 && input == 0;
  }

 private:
  static Op make_op(const KernelInfo& info) {
    if constexpr (std::is_constructible_v<Op, const KernelInfo&>)
      return Op(info);
    else
      return Op();
  }

  Op op_;
};

}  // namespace skiff
