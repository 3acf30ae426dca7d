// Layout changes of skiff's own inside oneDNN regions: plain (NCHW) <->
// channels-last (NHWC) f32 tensors, the reorders a recognizer's region does
// at its input and around its transformer. oneDNN generates the code of
// each reorder for its shape; this is one loop for every shape (see OwnStep
// in op.h).
#pragma once

#include <memory>

#include "engines/dnnl/op.h"

namespace skiff::dnnl_engine {

// The step that copies a tensor of layout `from` into layout `to` (its
// arguments: source, destination), or nullptr when the pair is not plain
// and channels-last 4-D f32 of the same dims.
std::shared_ptr<const OwnStep> own_reorder_step(const md& from, const md& to);

}  // namespace skiff::dnnl_engine
