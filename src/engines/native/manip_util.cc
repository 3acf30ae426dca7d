#include "engines/native/manip_util.h"

#include <algorithm>
#include <array>
#include <string>
#include <type_traits>

#include "core/parallel.h"

namespace skiff::manip {

void check_index_type(const KernelContext& ctx, size_t i) {
  const DataType dt = ctx.input(i).dtype();
  if (dt != DataType::kInt32 && dt != DataType::kInt64)
    ctx.fail(ctx.input_label(i), " must be int32 or int64");
}

std::vector<int64_t> read_indices(const KernelContext& ctx, size_t i, int64_t dim) {
  const Tensor& t = ctx.input(i);
  std::vector<int64_t> out;
  dispatch(kIndexTypes, t.dtype(), [&](auto tag) {
    using I = typename decltype(tag)::type;
    out = normalized_indices(ctx, i, t.data<I>(), t.numel(), dim);
  }, ctx.describe_input(i));
  return out;
}

int64_t data_axis(const KernelContext& ctx, int64_t axis, int64_t rank) {
  if (axis < -rank || axis >= rank)
    ctx.fail("axis ", axis, " is out of range for ", ctx.input_label(0));
  return axis < 0 ? axis + rank : axis;
}

void check_element_indices(const KernelContext& ctx, int64_t axis) {
  const Tensor& data = ctx.input(0);
  const Tensor& indices = ctx.input(1);
  bool fits = indices.rank() == data.rank();
  for (int64_t d = 0; fits && d < data.rank(); ++d)
    fits = d == axis || indices.dim(d) <= data.dim(d);
  if (!fits)
    ctx.fail(ctx.input_label(1), " must have the rank of ", ctx.input_label(0),
             " and no larger dims outside axis ", axis);
}

std::vector<int64_t> nd_slice_offsets(const KernelContext& ctx, int64_t batch_dims) {
  const Tensor& data = ctx.input(0);
  const Tensor& indices = ctx.input(1);
  const int64_t b = batch_dims;
  const int64_t k = indices.dim(-1);
  const std::vector<int64_t> strides = shape_strides(data.shape());
  const int64_t batch_stride = b == 0 ? data.numel() : strides[static_cast<size_t>(b - 1)];
  const int64_t tuples = indices.numel() / k;
  int64_t per_batch = 1;  // tuples in one batch: indices dims between batch and last
  for (int64_t d = b; d < indices.rank() - 1; ++d) per_batch *= indices.dim(d);
  std::vector<int64_t> offsets(static_cast<size_t>(tuples));
  dispatch(kIndexTypes, indices.dtype(), [&](auto tag) {
    using I = typename decltype(tag)::type;
    const I* idx = indices.data<I>();
    for (int64_t t = 0; t < tuples; ++t) {
      int64_t off = (t / per_batch) * batch_stride;
      for (int64_t j = 0; j < k; ++j) {
        const int64_t dim = data.dim(b + j);
        const auto v = static_cast<int64_t>(idx[t * k + j]);
        if (v < -dim || v >= dim)
          ctx.fail_runtime(ctx.input_label(1), " holds index ", v, " for data dim ", b + j,
                           " (size ", dim, ") in tuple ", t);
        off += (v < 0 ? v + dim : v) * strides[static_cast<size_t>(b + j)];
      }
      offsets[static_cast<size_t>(t)] = off;
    }
  }, ctx.describe_input(1));
  return offsets;
}

std::vector<int64_t> read_ints(const KernelContext& ctx, size_t i) {
  const Tensor& t = ctx.input(i);
  if (t.rank() > 1) ctx.fail(ctx.input_label(i), " must be a scalar or a 1-D tensor");
  std::vector<int64_t> out(static_cast<size_t>(t.numel()));
  if (t.dtype() == DataType::kInt64) {
    std::copy_n(t.data<int64_t>(), t.numel(), out.begin());
  } else if (t.dtype() == DataType::kInt32) {
    std::copy_n(t.data<int32_t>(), t.numel(), out.begin());
  } else {
    ctx.fail(ctx.input_label(i), " must be int32 or int64");
  }
  return out;
}

int64_t read_scalar_int(const KernelContext& ctx, size_t i) {
  const std::vector<int64_t> v = read_ints(ctx, i);
  if (v.size() != 1) ctx.fail(ctx.input_label(i), " must hold exactly one value");
  return v[0];
}

std::vector<int64_t> normalize_axes(const KernelContext& ctx, const std::vector<int64_t>& axes,
                                    int64_t rank, const std::string& what) {
  std::vector<int64_t> out;
  out.reserve(axes.size());
  for (int64_t a : axes) {
    if (a < -rank || a >= rank)
      ctx.fail(what, " holds axis ", a, ", out of range for rank ", rank);
    const int64_t axis = a < 0 ? a + rank : a;
    if (std::find(out.begin(), out.end(), axis) != out.end())
      ctx.fail(what, " names axis ", axis, " twice");
    out.push_back(axis);
  }
  return out;
}

namespace {

// Deep enough for any real tensor after size-1 dims are dropped; keeps the
// loop counters on the stack (no allocation inside parallel regions).
constexpr size_t kMaxDims = 64;
// Tile edge for the transposing copy: a 32x32 tile of 8-byte elements (8 KB)
// plus its destination stays in L1.
constexpr int64_t kTile = 32;

struct Layout {
  Shape shape;
  std::vector<int64_t> strides;
};

// Drops size-1 dims and merges neighbours that are contiguous in the source,
// so the loops run over as few, as long, dims as possible.
Layout simplify(const Shape& shape, const std::vector<int64_t>& strides) {
  Layout l;
  for (size_t d = 0; d < shape.size(); ++d) {
    if (shape[d] == 1) continue;
    if (!l.shape.empty() && l.strides.back() == strides[d] * shape[d]) {
      l.shape.back() *= shape[d];
      l.strides.back() = strides[d];
    } else {
      l.shape.push_back(shape[d]);
      l.strides.push_back(strides[d]);
    }
  }
  return l;
}

template <class T>
void copy_row(const T* src, int64_t n, int64_t stride, T* dst) {
  if (stride == 1) {
    std::copy_n(src, n, dst);
  } else if (stride == 0) {
    std::fill_n(dst, n, *src);
  } else {
    for (int64_t i = 0; i < n; ++i) dst[i] = src[i * stride];
  }
}

// One row (the innermost dim) at a time, walking the outer dims with an
// odometer so no division happens per row.
template <class T>
void copy_rows(const T* src, int64_t offset, const Layout& l, T* dst) {
  const size_t outer_dims = l.shape.size() - 1;
  const int64_t n = l.shape.back();
  const int64_t stride = l.strides.back();
  const int64_t rows = shape_numel(l.shape) / n;
  parallel_for_elements<T>(rows, n, [&](int64_t begin, int64_t end) {
    std::array<int64_t, kMaxDims> idx{};
    int64_t src_off = offset;
    for (int64_t r = begin, d = static_cast<int64_t>(outer_dims) - 1; d >= 0; --d) {
      idx[d] = r % l.shape[d];
      r /= l.shape[d];
      src_off += idx[d] * l.strides[d];
    }
    for (int64_t row = begin; row < end; ++row) {
      copy_row(src + src_off, n, stride, dst + row * n);
      for (int64_t d = static_cast<int64_t>(outer_dims) - 1; d >= 0; --d) {
        src_off += l.strides[d];
        if (++idx[d] < l.shape[d]) break;
        src_off -= idx[d] * l.strides[d];
        idx[d] = 0;
      }
    }
  });
}

// The transposing case: the innermost destination dim is strided in the
// source while dim `j` is contiguous there. Copying 32x32 tiles reads and
// writes whole cache lines instead of touching one element per line.
template <class T>
void copy_tiled(const T* src, int64_t offset, const Layout& l, size_t j, T* dst) {
  const size_t last = l.shape.size() - 1;
  const std::vector<int64_t> dst_strides = shape_strides(l.shape);
  const int64_t n = l.shape[last];
  const int64_t rows_j = l.shape[j];
  const int64_t blocks_j = (rows_j + kTile - 1) / kTile;
  const int64_t outer = shape_numel(l.shape) / (n * rows_j);
  parallel_for_elements<T>(outer * blocks_j, kTile * n, [&](int64_t begin, int64_t end) {
    for (int64_t u = begin; u < end; ++u) {
      const int64_t jb = (u % blocks_j) * kTile;
      const int64_t jend = std::min(jb + kTile, rows_j);
      int64_t src_base = offset, dst_base = 0;
      for (int64_t o = u / blocks_j, d = static_cast<int64_t>(last) - 1; d >= 0; --d) {
        if (static_cast<size_t>(d) == j) continue;
        const int64_t i = o % l.shape[d];
        o /= l.shape[d];
        src_base += i * l.strides[d];
        dst_base += i * dst_strides[d];
      }
      for (int64_t kb = 0; kb < n; kb += kTile) {
        const int64_t kend = std::min(kb + kTile, n);
        for (int64_t i = jb; i < jend; ++i) {
          const T* s = src + src_base + i;
          T* out = dst + dst_base + i * dst_strides[j];
          for (int64_t k = kb; k < kend; ++k) out[k] = s[k * l.strides[last]];
        }
      }
    }
  });
}

}  // namespace

void strided_copy(DataType dtype, const void* src, int64_t offset, const Shape& shape,
                  const std::vector<int64_t>& strides, void* dst) {
  SKIFF_ASSERT(shape.size() == strides.size());
  if (shape_numel(shape) == 0) return;
  const Layout l = simplify(shape, strides);
  if (l.shape.size() > kMaxDims)
    fail(ErrorCode::kUnsupported, "tensors of rank above ", kMaxDims, " are not supported");
  dispatch_element(dtype, [&](auto tag) {
    using T = typename decltype(tag)::type;
    const T* s = static_cast<const T*>(src);
    T* d = static_cast<T*>(dst);
    if (l.shape.empty()) {
      d[0] = s[offset];
      return;
    }
    const size_t last = l.shape.size() - 1;
    if (l.strides[last] != 1 && l.shape[last] >= 4) {
      for (size_t j = 0; j < last; ++j)
        if (l.strides[j] == 1 && l.shape[j] >= 4) return copy_tiled(s, offset, l, j, d);
    }
    copy_rows(s, offset, l, d);
  }, "strided copy");
}

}  // namespace skiff::manip
