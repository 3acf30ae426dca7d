// Runs a generic lambda with the C++ type that matches a runtime DataType:
//
//   dispatch(kNumericTypes, x.dtype(), [&](auto tag) {
//     using T = typename decltype(tag)::type;
//     ...
//   }, "Relu input 'X'");
//
// Types not in the list end in a kUnsupported error naming `what`.
#pragma once

#include <string>

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

template <class... Ts, class F>
void dispatch(TypeList<Ts...>, DataType dtype, F&& f, const std::string& what = "tensor") {
  const bool matched = ((dtype == dtype_of<Ts>() ? (f(Tag<Ts>{}), true) : false) || ...);
  if (!matched)
    fail(ErrorCode::kUnsupported, what, ": type ", dtype_name(dtype), " is not supported");
}

}  // namespace skiff
