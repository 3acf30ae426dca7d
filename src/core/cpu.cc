#include "core/cpu.h"

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <initializer_list>

namespace skiff {

bool cpu_supports(CpuIsa isa) {
  switch (isa) {
    case CpuIsa::kScalar:
      return true;
    case CpuIsa::kAvx2:
      // __builtin_cpu_supports also checks that the OS saves the YMM state.
      __builtin_cpu_init();
      return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
  }
  return false;
}

const char* isa_name(CpuIsa isa) { return isa == CpuIsa::kAvx2 ? "avx2" : "scalar"; }

namespace {

CpuIsa detect_kernel_isa() {
  const CpuIsa best = cpu_supports(CpuIsa::kAvx2) ? CpuIsa::kAvx2 : CpuIsa::kScalar;
  const char* requested = std::getenv("SKIFF_ISA");
  if (requested == nullptr || *requested == '\0') return best;
  for (CpuIsa isa : {CpuIsa::kScalar, CpuIsa::kAvx2}) {
    if (std::strcmp(requested, isa_name(isa)) != 0) continue;
    if (cpu_supports(isa)) return isa;
    std::fprintf(stderr, "skiff: SKIFF_ISA=%s is not supported by this CPU; using %s\n",
                 requested, isa_name(best));
    return best;
  }
  std::fprintf(stderr, "skiff: SKIFF_ISA=%s is unknown (expected scalar or avx2); using %s\n",
               requested, isa_name(best));
  return best;
}

}  // namespace

CpuIsa kernel_isa() {
  static const CpuIsa isa = detect_kernel_isa();
  return isa;
}

bool avx512_kernels() {
  static const bool enabled = [] {
    const char* requested = std::getenv("SKIFF_ISA");
    if (requested != nullptr && *requested != '\0') return false;
    // __builtin_cpu_supports also checks that the OS saves the ZMM state.
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx512f") != 0;
  }();
  return enabled;
}

}  // namespace skiff
