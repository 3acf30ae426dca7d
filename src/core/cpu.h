// The instruction set skiff's own vectorized kernels run with, chosen once per
// process.
//
// skiff is built for x86-64-v2 (SSE4.2) so that one binary runs anywhere; the
// hot native kernels are also compiled for AVX2+FMA in separate files
// (src/engines/native/*_avx2.cc, built with -mavx2 -mfma) and selected at
// startup when the CPU has them. The environment variable SKIFF_ISA caps the
// choice: SKIFF_ISA=scalar forces the portable kernels (tests run the whole
// unit suite that way too), SKIFF_ISA=avx2 asks for AVX2 (ignored, with a
// warning on stderr, when the CPU lacks it). An unknown value is reported on
// stderr and ignored. Either value also caps the AVX-512 kernels below
// (avx512_kernels()). See docs/kernels.md.
#pragma once

namespace skiff {

enum class CpuIsa { kScalar, kAvx2 };

// True when the running CPU (and OS) can execute code built for `isa`.
bool cpu_supports(CpuIsa isa);

// The ISA the kernels use: the best one the CPU supports, capped by SKIFF_ISA.
// Read once, on first call; thread-safe.
CpuIsa kernel_isa();

// "scalar" or "avx2".
const char* isa_name(CpuIsa isa);

// Whether skiff's own AVX-512F kernels run (the fast LSTM/GRU steps, the
// oneDNN regions' swish): the CPU and OS support AVX-512F and SKIFF_ISA
// names no ISA (scalar and avx2 both cap below AVX-512). Read once;
// thread-safe.
bool avx512_kernels();

}  // namespace skiff
