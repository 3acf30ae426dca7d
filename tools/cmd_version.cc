// skiff version: what was built, how, and for which CPU.
#include <omp.h>

#include <iostream>

#include "build_info_config.h"
#include "cli.h"
#include "onnx/onnx.h"

namespace skiff::cli {

int cmd_version(const std::vector<std::string>& args) {
  (void)args;
  __builtin_cpu_init();
  std::string isa = "x86-64";
#define SKIFF_ISA(feature) \
  if (__builtin_cpu_supports(feature)) isa += " " feature;
  SKIFF_ISA("sse4.2")
  SKIFF_ISA("avx")
  SKIFF_ISA("avx2")
  SKIFF_ISA("fma")
  SKIFF_ISA("avx512f")
  SKIFF_ISA("avx512bw")
  SKIFF_ISA("avx512vnni")
#undef SKIFF_ISA
  std::cout << "skiff " << SKIFF_VERSION << "\n"
            << "commit:    " << SKIFF_GIT_COMMIT << "\n"
            << "compiler:  " << SKIFF_COMPILER << "\n"
            << "build:     " << SKIFF_BUILD_TYPE << "\n"
            << "flags:     " << SKIFF_BUILD_FLAGS << "\n"
            << "onnx:      schemas from onnx " << onnx::schema_onnx_version() << " (opset "
            << onnx::schema_max_opset() << ")\n"
            << "threads:   " << omp_get_max_threads() << " (OpenMP)\n"
            << "cpu:       " << isa << "\n";
  return kExitOk;
}

}  // namespace skiff::cli
