// Post-ops for the region's own steps (OwnStep in op.h): the part of a
// oneDNN post-op chain skiff's own kernels apply themselves, read back from
// the primitive_attr the builder made, so that an own step computes what
// the primitive would have.
#pragma once

#include <cstdint>
#include <vector>

#include "engines/dnnl/common.h"

namespace skiff::dnnl_engine {

// One post-op, applied in order to a kernel's result (bias included).
struct OwnPostOp {
  enum class Kind { kEltwise, kSum, kBinary };
  Kind kind = Kind::kEltwise;
  dnnl::algorithm algorithm{};  // kEltwise, kBinary
  float alpha = 0, beta = 0;    // kEltwise
  float scale = 1;              // kSum: result += scale * destination
  bool per_channel = false;     // kBinary: one operand per channel, else one value
  int operand = -1;             // kBinary: index of its data in the step's pointers
};

// The post-ops of `ops` in these terms; false when one is beyond the own
// kernels: eltwise other than relu, clip, linear and hardswish, binary
// other than add/mul/sub/div/max/min by one value or one value per channel
// (`channels` of them along dim `channel_axis` of the operand, counted
// from the end when negative: 1 for convolutions, -1 for matmuls). Binary
// operands are numbered from `first_operand` in post-op order.
bool own_post_ops(const dnnl::post_ops& ops, int64_t channels, int channel_axis, int first_operand,
                  std::vector<OwnPostOp>* out);

}  // namespace skiff::dnnl_engine
