// Linear quantization helpers shared by QuantizeLinear, DynamicQuantizeLinear
// and the QLinear* kernels: q = saturate(round_half_even(v) + zero_point).
#pragma once

#include <cmath>
#include <cstdint>
#include <limits>

#include "core/dispatch.h"

namespace skiff {

// The integer types a quantized tensor may hold (int4 and float8 have no
// skiff dtype yet).
inline constexpr TypeList<uint8_t, int8_t, uint16_t, int16_t> kQuantTypes{};

// Rounds v (already divided by the scale) half to even, adds the zero point
// and saturates to Q. std::nearbyint rounds half to even under the default
// FE_TONEAREST mode, like numpy's rint. NaN has no integer value: it maps to
// the zero point (x86 numpy casts it to 0 and then adds nothing consistent).
template <class Q>
Q quantize_value(float v, int32_t zero_point) {
  constexpr float lo = static_cast<float>(std::numeric_limits<Q>::min());
  constexpr float hi = static_cast<float>(std::numeric_limits<Q>::max());
  if (std::isnan(v)) return static_cast<Q>(zero_point);
  float q = std::nearbyint(v) + static_cast<float>(zero_point);
  q = q < lo ? lo : (q > hi ? hi : q);
  return static_cast<Q>(q);
}

}  // namespace skiff
