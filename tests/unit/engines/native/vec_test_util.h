// Helpers shared by the vec_kernels tests: the ISAs this CPU runs, NaN-aware
// equality, and guarded output buffers.
#pragma once

#include <cmath>
#include <cstdint>
#include <limits>
#include <vector>

#include "engines/native/vec_kernels.h"

namespace skiff::testing {

constexpr float kInf = std::numeric_limits<float>::infinity();
constexpr float kNaN = std::numeric_limits<float>::quiet_NaN();
const int64_t kSizes[] = {0, 1, 7, 8, 9, 15, 16, 17, 33};

// The sets this CPU can run, the portable one first.
inline std::vector<CpuIsa> isas() {
  std::vector<CpuIsa> out = {CpuIsa::kScalar};
  if (cpu_supports(CpuIsa::kAvx2)) out.push_back(CpuIsa::kAvx2);
  return out;
}

// Equal, or both NaN.
inline bool same(float a, float b) { return a == b || (std::isnan(a) && std::isnan(b)); }

// A buffer with `n` values at an odd offset (never 32-byte aligned) and
// sentinels around them, to catch writes past either end.
struct Guarded {
  explicit Guarded(int64_t n) : data(static_cast<size_t>(n + 18), 12345.0f), n(n) {}
  float* begin() { return data.data() + 9; }
  bool intact() const {
    for (int64_t i = 0; i < 9; ++i)
      if (data[static_cast<size_t>(i)] != 12345.0f || data[static_cast<size_t>(n + 9 + i)] != 12345.0f)
        return false;
    return true;
  }
  std::vector<float> data;
  int64_t n;
};

}  // namespace skiff::testing
