#include "engines/native/matmul_shape.h"

namespace skiff {

MatMulShape matmul_shape(const KernelContext& ctx, size_t a_input, size_t b_input) {
  const Shape& a = ctx.input(a_input).shape();
  const Shape& b = ctx.input(b_input).shape();
  if (a.empty() || b.empty())
    ctx.fail("operands must have rank >= 1, got ", ctx.input_label(a_input), " and ",
             ctx.input_label(b_input));
  Shape a2 = a, b2 = b;
  if (a.size() == 1) a2.insert(a2.begin(), 1);
  if (b.size() == 1) b2.push_back(1);
  MatMulShape s;
  s.M = a2[a2.size() - 2];
  s.K = a2.back();
  s.N = b2.back();
  if (b2[b2.size() - 2] != s.K)
    ctx.fail("inner dimensions differ: ", ctx.input_label(a_input), " has K = ", s.K, " but ",
             ctx.input_label(b_input), " has K = ", b2[b2.size() - 2]);
  const Shape a_batch(a2.begin(), a2.end() - 2), b_batch(b2.begin(), b2.end() - 2);
  try {
    s.batch = broadcast_shapes(a_batch, b_batch);
  } catch (const Error&) {
    ctx.fail("batch dimensions of ", ctx.input_label(a_input), " and ", ctx.input_label(b_input),
             " do not broadcast");
  }
  const size_t rank = s.batch.size();
  s.a_step.assign(rank, 0);
  s.b_step.assign(rank, 0);
  int64_t a_stride = 1, b_stride = 1;
  for (size_t i = rank; i-- > 0;) {
    const size_t pad_a = rank - a_batch.size(), pad_b = rank - b_batch.size();
    if (i >= pad_a && a_batch[i - pad_a] != 1) s.a_step[i] = a_stride;
    if (i >= pad_b && b_batch[i - pad_b] != 1) s.b_step[i] = b_stride;
    if (i >= pad_a) a_stride *= a_batch[i - pad_a];
    if (i >= pad_b) b_stride *= b_batch[i - pad_b];
  }
  s.output = s.batch;
  if (a.size() > 1) s.output.push_back(s.M);
  if (b.size() > 1) s.output.push_back(s.N);
  shape_numel(s.output);
  return s;
}

std::pair<int64_t, int64_t> matmul_batch_offsets(const MatMulShape& s, int64_t batch) {
  int64_t a_off = 0, b_off = 0, rest = batch;
  for (size_t i = s.batch.size(); i-- > 0;) {
    const int64_t idx = rest % s.batch[i];
    rest /= s.batch[i];
    a_off += idx * s.a_step[i];
    b_off += idx * s.b_step[i];
  }
  return {a_off, b_off};
}

}  // namespace skiff
