// When a region may use its own swish (swish.h). Portable code: the AVX-512
// kernel lives in swish_avx512.cc.
#include <cstdlib>

#include "engines/dnnl/swish.h"

namespace skiff::dnnl_engine {

bool own_swish_available() {
  static const bool available = [] {
    // SKIFF_ISA (core/cpu.h) caps skiff's own kernels at scalar or AVX2.
    const char* cap = std::getenv("SKIFF_ISA");
    if (cap != nullptr && *cap != '\0') return false;
    // __builtin_cpu_supports also checks that the OS saves the ZMM state.
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx512f") != 0;
  }();
  return available;
}

}  // namespace skiff::dnnl_engine
