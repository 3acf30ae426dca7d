// skiff version: what was built, how, and for which CPU.
#include <iostream>

#include "skiff/skiff.h"
#include "cli.h"
#include "core/cpu.h"
#include "onnx/onnx.h"

namespace skiff::cli {

int cmd_version(const std::vector<std::string>& args) {
  (void)args;
  const BuildInfo info = build_info();
  std::cout << "skiff " << info.version << "\n"
            << "commit:    " << info.git_commit << "\n"
            << "compiler:  " << info.compiler << "\n"
            << "build:     " << info.build_type << "\n"
            << "flags:     " << info.flags << "\n"
            << "onnx:      schemas from onnx " << info.onnx_version << " (opset "
            << onnx::schema_max_opset() << ")\n"
            << "threads:   " << info.max_threads << " (OpenMP)\n"
            << "cpu:       " << info.cpu_isa << "\n"
            << "kernels:   " << isa_name(kernel_isa()) << " (native float kernels; SKIFF_ISA=scalar forces the portable ones)"
            << (avx512_kernels() ? "; AVX-512: fast LSTM/GRU steps, oneDNN regions' swish" : "") << "\n";
  return kExitOk;
}

}  // namespace skiff::cli
