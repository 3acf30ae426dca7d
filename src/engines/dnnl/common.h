// Shared helpers of the oneDNN engine: the CPU engine object, memory
// descriptors for plain (row-major) tensors, and ONNX attribute parsing that
// several op families need.
#pragma once

#include <dnnl.hpp>

#include <string>
#include <vector>

#include "core/error.h"
#include "core/tensor.h"
#include "ir/graph.h"

namespace skiff::dnnl_engine {

using dt = dnnl::memory::data_type;
using tag = dnnl::memory::format_tag;
using dims = dnnl::memory::dims;
using md = dnnl::memory::desc;

// The process-wide CPU engine (oneDNN engines are thread-safe).
const dnnl::engine& cpu_engine();

// Row-major descriptor of `shape` (rank 0 is [1]).
md plain_md(const Shape& shape);
// The same dims with format_tag::any, for primitives to choose a layout.
md any_md(const Shape& shape);
dims to_dims(const Shape& shape);
bool is_plain(const md& desc, const Shape& shape);
// Row-major [..., rows, cols], or (transposed) the same dims over memory
// holding [..., cols, rows]: a transposed view without a copy.
md matrix_md(const dims& d, bool transposed);
// The format tag `desc` has, among plain, channels-last and channel-blocked
// (8, 16); tag::undef for any other layout.
tag layout_tag(const md& desc);
// True when the layout pads dims (a 3-channel tensor in 16-channel blocks):
// oneDNN's element-wise kernels fall back to slow reference code there.
bool has_padding(const md& desc);

// Attributes read straight from a node (no KernelInfo: region ops are built
// from the body graph); src/ir has the accessors.
using ir::attr_float;
using ir::attr_floats;
using ir::attr_int;
using ir::attr_ints;
using ir::attr_string;

// An activation as oneDNN eltwise steps (HardSigmoid is two: linear, clip).
struct Eltwise {
  dnnl::algorithm algorithm;
  float alpha = 0, beta = 0;
};
using EltwiseChain = std::vector<Eltwise>;

// The oneDNN form of a com.skiff fused activation (`activation`,
// `activation_params` as docs/skiff_ops.md defines them); false when it has
// none ("" gives an empty chain).
bool fused_activation(const ir::Node& node, EltwiseChain* chain);

}  // namespace skiff::dnnl_engine
