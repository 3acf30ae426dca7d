#include "engines/native/vec_kernels.h"

namespace skiff {

const VecKernels& vec_kernels_for(CpuIsa isa) {
  static const VecKernels kScalar{scalar::unary, scalar::binary, scalar::softmax, scalar::reduce,
                                  scalar::accumulate};
  static const VecKernels kAvx2{avx2::unary, avx2::binary, avx2::softmax, avx2::reduce,
                                avx2::accumulate};
  return isa == CpuIsa::kAvx2 ? kAvx2 : kScalar;
}

const VecKernels& vec_kernels() {
  static const VecKernels& chosen = vec_kernels_for(kernel_isa());
  return chosen;
}

}  // namespace skiff
