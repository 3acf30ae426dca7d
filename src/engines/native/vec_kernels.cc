#include "engines/native/vec_kernels.h"

namespace skiff {

const VecKernels& vec_kernels_for(CpuIsa isa) {
  static const VecKernels kScalar{scalar::unary,   scalar::binary,         scalar::softmax,
                                  scalar::reduce,  scalar::accumulate,     scalar::sum_exp,
                                  scalar::accumulate_exp, scalar::where,   scalar::prelu,
                                  scalar::extremum};
  static const VecKernels kAvx2{avx2::unary,   avx2::binary,         avx2::softmax,
                                avx2::reduce,  avx2::accumulate,     avx2::sum_exp,
                                avx2::accumulate_exp, avx2::where,   avx2::prelu,
                                avx2::extremum};
  return isa == CpuIsa::kAvx2 ? kAvx2 : kScalar;
}

const VecKernels& vec_kernels() {
  static const VecKernels& chosen = vec_kernels_for(kernel_isa());
  return chosen;
}

}  // namespace skiff
