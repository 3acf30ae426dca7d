// Runs a generic lambda with the C++ type that matches a runtime DataType:
//
//   dispatch(kNumericTypes, x.dtype(), [&](auto tag) {
//     using T = typename decltype(tag)::type;
//     ...
//   }, "Relu input 'X'");   // or a lambda returning the string
//
// Types not in the list end in a kUnsupported error naming `what`.
#pragma once

#include <string>
#include <type_traits>
#include <utility>

#include "core/dtype.h"
#include "core/error.h"

namespace skiff {

template <class T>
struct Tag {
  using type = T;
};

template <class... Ts>
struct TypeList {};

inline constexpr TypeList<float, double, Float16, BFloat16> kFloatTypes{};
inline constexpr TypeList<int8_t, int16_t, int32_t, int64_t, uint8_t, uint16_t, uint32_t, uint64_t>
    kIntTypes{};
inline constexpr TypeList<int8_t, int16_t, int32_t, int64_t, float, double, Float16, BFloat16>
    kSignedTypes{};
inline constexpr TypeList<float, double, Float16, BFloat16, int8_t, int16_t, int32_t, int64_t,
                          uint8_t, uint16_t, uint32_t, uint64_t>
    kNumericTypes{};
inline constexpr TypeList<float, double, Float16, BFloat16, int8_t, int16_t, int32_t, int64_t,
                          uint8_t, uint16_t, uint32_t, uint64_t, bool>
    kPodTypes{};
inline constexpr TypeList<float, double, Float16, BFloat16, int8_t, int16_t, int32_t, int64_t,
                          uint8_t, uint16_t, uint32_t, uint64_t, bool, std::string>
    kAllTypes{};

// `what` is a string, or a callable returning one: kernels pass a lambda
// (KernelContext::describe_input) so that the message, which names the
// node and the input's shape, is only built when a type does not match,
// never on the hot path.
template <class What>
std::string what_text(const What& what) {
  if constexpr (std::is_invocable_v<const What&>)
    return what();
  else
    return std::string(what);
}

template <class... Ts, class F, class What>
void dispatch(TypeList<Ts...>, DataType dtype, F&& f, const What& what) {
  const bool matched = ((dtype == dtype_of<Ts>() ? (f(Tag<Ts>{}), true) : false) || ...);
  if (!matched)
    fail(ErrorCode::kUnsupported, what_text(what), ": type ", dtype_name(dtype), " is not supported");
}

template <class... Ts, class F>
void dispatch(TypeList<Ts...> types, DataType dtype, F&& f) {
  dispatch(types, dtype, std::forward<F>(f), "tensor");
}

}  // namespace skiff
