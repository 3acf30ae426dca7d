// Gather, GatherElements, GatherND: reads picked by an index tensor. Every
// index is checked (and negative ones wrapped) before the parallel copy.
#include <algorithm>

#include "engines/kernel.h"
#include "engines/native/manip_util.h"

namespace skiff {
namespace {

using manip::check_index_type;
using manip::dispatch_element;
using manip::parallel_for_elements;
using manip::read_indices;

// out[o, j, :] = data[o, indices[j], :], with o over the dims before axis.
class GatherKernel final : public Kernel {
 public:
  explicit GatherKernel(const KernelInfo& info) : axis_(info.attr_int("axis", 0)) {}
  void prepare(KernelContext& ctx) const override {
    const Tensor& data = ctx.input(0);
    const Tensor& indices = ctx.input(1);
    check_index_type(ctx, 1);
    const auto axis = static_cast<size_t>(manip::data_axis(ctx, axis_, data.rank()));
    Shape shape(data.shape().begin(), data.shape().begin() + static_cast<int64_t>(axis));
    shape.insert(shape.end(), indices.shape().begin(), indices.shape().end());
    shape.insert(shape.end(), data.shape().begin() + static_cast<int64_t>(axis) + 1,
                 data.shape().end());
    ctx.set_output(0, data.dtype(), shape);
  }
  void compute(KernelContext& ctx) const override {
    const Tensor& data = ctx.input(0);
    Tensor& y = ctx.output(0);
    const int64_t axis = manip::data_axis(ctx, axis_, data.rank());
    const int64_t dim = data.dim(axis);
    const std::vector<int64_t> indices = read_indices(ctx, 1, dim);
    const auto n = static_cast<int64_t>(indices.size());
    if (y.numel() == 0) return;
    int64_t outer = 1;
    for (int64_t d = 0; d < axis; ++d) outer *= data.dim(d);
    const int64_t inner = y.numel() / (outer * n);
    dispatch_element(data.dtype(), [&](auto tag) {
      using T = typename decltype(tag)::type;
      const T* src = static_cast<const T*>(data.raw());
      T* out = static_cast<T*>(y.raw());
      parallel_for_elements<T>(outer * n, inner, [&](int64_t begin, int64_t end) {
        for (int64_t u = begin; u < end; ++u) {
          const int64_t o = u / n, j = u % n;
          std::copy_n(src + (o * dim + indices[static_cast<size_t>(j)]) * inner, inner,
                      out + u * inner);
        }
      });
    }, ctx.describe_input(0));
  }

 private:
  int64_t axis_;
};
// 11: negative indices and axis; 13: bfloat16.
SKIFF_KERNEL(native, "Gather", 1, kLatestOpset, GatherKernel);
SKIFF_KERNEL_TYPES(native, "Gather", 1, "T: all, complex64, complex128; Tind: int32, int64");

// out[i] = data[i with i[axis] replaced by indices[i]].
class GatherElementsKernel final : public Kernel {
 public:
  explicit GatherElementsKernel(const KernelInfo& info) : axis_(info.attr_int("axis", 0)) {}
  void prepare(KernelContext& ctx) const override {
    const Tensor& data = ctx.input(0);
    const Tensor& indices = ctx.input(1);
    check_index_type(ctx, 1);
    const int64_t axis = manip::data_axis(ctx, axis_, data.rank());
    manip::check_element_indices(ctx, axis);
    ctx.set_output(0, data.dtype(), indices.shape());
  }
  void compute(KernelContext& ctx) const override {
    const Tensor& data = ctx.input(0);
    Tensor& y = ctx.output(0);
    const int64_t axis = manip::data_axis(ctx, axis_, data.rank());
    const std::vector<int64_t> indices = read_indices(ctx, 1, data.dim(axis));
    if (y.numel() == 0) return;
    const std::vector<int64_t> strides = shape_strides(data.shape());
    const size_t last = static_cast<size_t>(y.rank()) - 1;
    const int64_t n = y.dim(static_cast<int64_t>(last));
    // Along the innermost dim the data offset moves by its stride, unless
    // that dim is the gathered axis (then the index alone places it).
    const int64_t step = static_cast<int64_t>(last) == axis ? 0 : strides[last];
    const int64_t axis_stride = strides[static_cast<size_t>(axis)];
    dispatch_element(data.dtype(), [&](auto tag) {
      using T = typename decltype(tag)::type;
      const T* src = static_cast<const T*>(data.raw());
      T* out = static_cast<T*>(y.raw());
      parallel_for_elements<T>(y.numel() / n, n, [&](int64_t begin, int64_t end) {
        for (int64_t row = begin; row < end; ++row) {
          int64_t base = 0;
          for (int64_t r = row, d = static_cast<int64_t>(last) - 1; d >= 0; --d) {
            const int64_t i = r % y.dim(d);
            r /= y.dim(d);
            if (d != axis) base += i * strides[static_cast<size_t>(d)];
          }
          const int64_t* idx = indices.data() + row * n;
          for (int64_t k = 0; k < n; ++k)
            out[row * n + k] = src[base + k * step + idx[k] * axis_stride];
        }
      });
    }, ctx.describe_input(0));
  }

 private:
  int64_t axis_;
};
// 13: bfloat16.
SKIFF_KERNEL(native, "GatherElements", 11, kLatestOpset, GatherElementsKernel);
SKIFF_KERNEL_TYPES(native, "GatherElements", 11, "T: all, complex64, complex128; Tind: int32, int64");

// Index tuples of length k pick slices data[batch, i_1, ..., i_k, :].
class GatherNDKernel final : public Kernel {
 public:
  explicit GatherNDKernel(const KernelInfo& info)
      : batch_dims_(info.opset() >= 12 ? info.attr_int("batch_dims", 0) : 0) {
    if (batch_dims_ < 0) info.fail("batch_dims ", batch_dims_, " must not be negative");
  }
  void prepare(KernelContext& ctx) const override {
    const Tensor& data = ctx.input(0);
    const Tensor& indices = ctx.input(1);
    check_index_type(ctx, 1);
    const int64_t b = batch_dims_;
    if (indices.rank() < 1 || b >= std::min(data.rank(), indices.rank()))
      ctx.fail("batch_dims ", b, " must be below the ranks of ", ctx.input_label(0), " and ",
               ctx.input_label(1));
    const int64_t k = indices.dim(-1);
    if (k < 1 || k > data.rank() - b)
      ctx.fail("the last dim of ", ctx.input_label(1), " must be in [1, ", data.rank() - b, "]");
    for (int64_t d = 0; d < b; ++d)
      if (indices.dim(d) != data.dim(d))
        ctx.fail("batch dim ", d, " differs between ", ctx.input_label(0), " and ",
                 ctx.input_label(1));
    Shape shape(indices.shape().begin(), indices.shape().end() - 1);
    shape.insert(shape.end(), data.shape().begin() + b + k, data.shape().end());
    ctx.set_output(0, data.dtype(), shape);
  }
  void compute(KernelContext& ctx) const override {
    const Tensor& data = ctx.input(0);
    Tensor& y = ctx.output(0);
    const std::vector<int64_t> offsets = manip::nd_slice_offsets(ctx, batch_dims_);
    const auto n = static_cast<int64_t>(offsets.size());
    if (y.numel() == 0) return;
    const int64_t slice = y.numel() / n;
    dispatch_element(data.dtype(), [&](auto tag) {
      using T = typename decltype(tag)::type;
      const T* src = static_cast<const T*>(data.raw());
      T* out = static_cast<T*>(y.raw());
      parallel_for_elements<T>(n, slice, [&](int64_t begin, int64_t end) {
        for (int64_t t = begin; t < end; ++t)
          std::copy_n(src + offsets[static_cast<size_t>(t)], slice, out + t * slice);
      });
    }, ctx.describe_input(0));
  }

 private:
  int64_t batch_dims_;
};
// 12: batch_dims; 13: bfloat16.
SKIFF_KERNEL(native, "GatherND", 11, kLatestOpset, GatherNDKernel);
SKIFF_KERNEL_TYPES(native, "GatherND", 11, "T: all, complex64, complex128; indices: int32, int64");

}  // namespace
}  // namespace skiff
