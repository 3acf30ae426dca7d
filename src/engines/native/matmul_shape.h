// numpy matmul shapes, shared by MatMul, MatMulInteger and QLinearMatMul.
#pragma once

#include <utility>
#include <vector>

#include "core/shape.h"
#include "engines/kernel.h"

namespace skiff {

// The shapes of one matmul: 1-D operands are promoted per numpy (A gets a
// leading 1, B a trailing 1) and the promoted dims dropped from the output.
struct MatMulShape {
  int64_t M = 0, N = 0, K = 0;
  Shape batch;                          // broadcast batch dims
  std::vector<int64_t> a_step, b_step;  // per batch dim, in matrices (0 = broadcast)
  Shape output;
};

// The shapes of inputs `a_input` x `b_input`; fails naming them when they do
// not multiply or the output size overflows.
MatMulShape matmul_shape(const KernelContext& ctx, size_t a_input, size_t b_input);

// The offsets, in matrices, of A and B for output matrix `batch`.
std::pair<int64_t, int64_t> matmul_batch_offsets(const MatMulShape& s, int64_t batch);

}  // namespace skiff
