// Helpers shared by the tensor-manipulation kernels (reshape, transpose,
// slice, gather, pad...): those kernels move elements without looking at
// them, so they dispatch on the element *size* rather than on the type, and
// read their shape-like inputs (int32 or int64) as int64 vectors.
#pragma once

#include <cstdint>
#include <string>
#include <type_traits>
#include <vector>

#include "core/dispatch.h"
#include "core/parallel.h"
#include "engines/kernel.h"

namespace skiff::manip {

// A 16-byte element (complex128), moved as a unit.
struct Bytes16 {
  uint64_t lo, hi;
};

// Runs f(Tag<U>) where U moves one element of `dtype`: an unsigned integer of
// the same size for plain data, Bytes16 for complex128, std::string for
// strings. One instantiation per size keeps the data-movement kernels small.
template <class F, class What>
void dispatch_element(DataType dtype, F&& f, const What& what) {
  if (dtype == DataType::kString) return f(Tag<std::string>{});
  switch (dtype_size(dtype)) {
    case 1: return f(Tag<uint8_t>{});
    case 2: return f(Tag<uint16_t>{});
    case 4: return f(Tag<uint32_t>{});
    case 8: return f(Tag<uint64_t>{});
    case 16: return f(Tag<Bytes16>{});
    default: break;
  }
  fail(ErrorCode::kUnsupported, what_text(what), ": type ", dtype_name(dtype), " is not supported");
}

inline constexpr TypeList<int32_t, int64_t> kIndexTypes{};

// parallel_for for loops that move elements of type T. Strings are moved
// serially: their assignment may allocate, and nothing may throw inside an
// OpenMP region.
template <class T, class F>
void parallel_for_elements(int64_t n, int64_t cost_per_item, F&& f) {
  if constexpr (std::is_same_v<T, std::string>) {
    if (n > 0) f(int64_t{0}, n);
  } else {
    parallel_for(n, cost_per_item, f);
  }
}

// Checks every index in indices[0, n) against [-dim, dim) (negative ones
// count from the back) and returns them normalized to [0, dim). Out-of-range
// indices fail with kRuntime naming the input, position and bound.
template <class I>
std::vector<int64_t> normalized_indices(const KernelContext& ctx, size_t input, const I* indices,
                                        int64_t n, int64_t dim) {
  std::vector<int64_t> out(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) {
    const int64_t v = static_cast<int64_t>(indices[i]);
    if (v < -dim || v >= dim)
      ctx.fail_runtime(ctx.input_label(input), " holds index ", v, " at position ", i,
                       dim == 0 ? std::string(", but the indexed axis is empty")
                                : str_cat(", out of range [", -dim, ", ", dim - 1, "]"));
    out[static_cast<size_t>(i)] = v < 0 ? v + dim : v;
  }
  return out;
}

// ---- Gather and Scatter: data is input 0, indices input 1 ----

// Fails unless input i is int32 or int64.
void check_index_type(const KernelContext& ctx, size_t i);

// Reads input i as indices into an axis of size `dim`, normalized.
std::vector<int64_t> read_indices(const KernelContext& ctx, size_t i, int64_t dim);

// `axis` of data (rank `rank`) counted from the front; fails when out of range.
int64_t data_axis(const KernelContext& ctx, int64_t axis, int64_t rank);

// GatherElements and ScatterElements: indices must have the rank of data and
// no larger dims outside `axis`.
void check_element_indices(const KernelContext& ctx, int64_t axis);

// GatherND and ScatterND: the data offset of the slice each index tuple (the
// last dim of indices, after `batch_dims` shared leading dims) picks, checking
// every index against its own dim.
std::vector<int64_t> nd_slice_offsets(const KernelContext& ctx, int64_t batch_dims);

// Reads input i, an int32 or int64 tensor of rank 0 or 1, as int64 values.
std::vector<int64_t> read_ints(const KernelContext& ctx, size_t i);
// Reads input i as one integer: a scalar or a 1-element tensor.
int64_t read_scalar_int(const KernelContext& ctx, size_t i);

// Lays out a strided view of `src` contiguously in `dst`: for every index
// (i_0, ..., i_n) of `shape`, dst[row-major flat index] =
// src[offset + sum_d i_d * strides[d]]. Strides are in elements and may be 0
// (broadcast) or negative. Transpose, Slice, Expand, Tile, Split and
// DepthToSpace are all this one copy with different strides. Parallel.
void strided_copy(DataType dtype, const void* src, int64_t offset, const Shape& shape,
                  const std::vector<int64_t>& strides, void* dst);

// Normalizes `axes` against `rank` (negative axes count from the end);
// out-of-range and duplicate axes fail with kInvalidInput naming `what`.
std::vector<int64_t> normalize_axes(const KernelContext& ctx, const std::vector<int64_t>& axes,
                                    int64_t rank, const std::string& what);

}  // namespace skiff::manip
