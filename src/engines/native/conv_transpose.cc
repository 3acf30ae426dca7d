// ConvTranspose: the adjoint of Conv. Per image and group, gemm computes the
// column matrix W^T X (one row per output channel and kernel offset, one
// column per input position) and col2im scatters it into the output.
#include <algorithm>
#include <vector>

#include "core/dispatch.h"
#include "core/parallel.h"
#include "engines/kernel.h"
#include "engines/native/gemm.h"
#include "engines/native/im2col.h"
#include "engines/native/window.h"

namespace skiff {
namespace {

inline constexpr TypeList<float, double, Float16, BFloat16> kConvTypes{};

struct TransposeGeometry {
  int64_t batch = 0, channels = 0, out_channels = 0, group = 1;
  // The window of the equivalent forward Conv: `in` is this op's output
  // (the image col2im writes), `out` is this op's input.
  Window window;
};

template <class T>
void conv_transpose(const TransposeGeometry& g, const T* x, const T* weights, const T* bias,
                    T* y) {
  const Window& w = g.window;
  const int64_t cg = g.channels / g.group, mg = g.out_channels / g.group;
  const int64_t in_size = w.out_size(), out_size = w.in_size(), ksize = w.kernel_size();
  const int64_t rows = mg * ksize;
  std::vector<T> col(static_cast<size_t>(checked_mul(rows, in_size)));
  std::fill(y, y + g.batch * g.out_channels * out_size, T(0));
  for (int64_t n = 0; n < g.batch; ++n) {
    for (int64_t grp = 0; grp < g.group; ++grp) {
      const T* image = x + (n * g.channels + grp * cg) * in_size;
      const T* wg = weights + grp * cg * rows;  // [cg, mg * ksize]
      if constexpr (std::is_same_v<T, float>)
        gemm(true, false, rows, in_size, cg, 1.0f, wg, rows, image, in_size, 0.0f, col.data(),
             in_size);
      else
        gemm_generic<T>(true, false, rows, in_size, cg, 1.0, wg, rows, image, in_size, 0.0,
                        col.data(), in_size);
      col2im(w, mg, col.data(), y + (n * g.out_channels + grp * mg) * out_size);
    }
  }
  if (!bias) return;
  parallel_for(g.batch * g.out_channels, out_size, [&](int64_t p0, int64_t p1) {
    for (int64_t p = p0; p < p1; ++p) {
      T* plane = y + p * out_size;
      const T b = bias[p % g.out_channels];
      for (int64_t i = 0; i < out_size; ++i) plane[i] = plane[i] + b;
    }
  });
}

class ConvTransposeKernel final : public Kernel {
 public:
  explicit ConvTransposeKernel(const KernelInfo& info)
      : attrs_(info, false),
        group_(info.attr_int("group", 1)),
        output_padding_(info.attr_ints("output_padding")),
        output_shape_(info.attr_ints("output_shape")) {
    if (group_ <= 0) info.fail("group must be positive, got ", group_);
  }

  void prepare(KernelContext& ctx) const override {
    const TransposeGeometry g = geometry(ctx);
    Shape out = {g.batch, g.out_channels};
    out.insert(out.end(), g.window.in.begin(), g.window.in.end());
    ctx.set_output(0, ctx.input(0).dtype(), out);
  }

  void compute(KernelContext& ctx) const override {
    const TransposeGeometry g = geometry(ctx);
    const Tensor& x = ctx.input(0);
    Tensor& y = ctx.output(0);
    if (y.empty()) return;
    dispatch(kConvTypes, x.dtype(), [&](auto tag) {
      using T = typename decltype(tag)::type;
      const T* bias = ctx.has_input(2) ? ctx.input(2).data<T>() : nullptr;
      conv_transpose<T>(g, x.data<T>(), ctx.input(1).data<T>(), bias, y.data<T>());
    }, ctx.prefix() + ctx.input_label(0));
  }

 private:
  TransposeGeometry geometry(const KernelContext& ctx) const {
    const Tensor& x = ctx.input(0);
    const Tensor& w = ctx.input(1);
    const Shape in = spatial_dims(ctx, 0);
    if (w.rank() != x.rank())
      ctx.fail(ctx.input_label(1), " must have the rank of ", ctx.input_label(0));
    if (w.dtype() != x.dtype()) ctx.fail(ctx.input_label(1), " must have the type of X");
    TransposeGeometry g;
    g.batch = x.dim(0);
    g.channels = x.dim(1);
    g.group = group_;
    if (w.dim(0) != g.channels)
      ctx.fail(ctx.input_label(0), " has ", g.channels, " channels but ", ctx.input_label(1),
               " expects ", w.dim(0));
    if (g.channels % group_ != 0)
      ctx.fail("group ", group_, " must divide the input channels (", g.channels, ")");
    g.out_channels = checked_mul(w.dim(1), group_);
    const Shape kernel(w.shape().begin() + 2, w.shape().end());
    if (!attrs_.kernel_shape.empty() && attrs_.kernel_shape != kernel)
      ctx.fail("kernel_shape ", shape_str(attrs_.kernel_shape), " does not match ",
               ctx.input_label(1));
    if (ctx.has_input(2)) {
      const Tensor& b = ctx.input(2);
      if (b.rank() != 1 || b.dim(0) != g.out_channels || b.dtype() != x.dtype())
        ctx.fail(ctx.input_label(2), " must be a 1-D tensor of ", g.out_channels,
                 " elements of the type of X");
    }
    g.window = window(ctx, in, kernel);
    checked_mul(checked_mul(w.dim(1), g.window.kernel_size()), g.window.out_size());
    return g;
  }

  // Output size and pads. With output_shape (or SAME auto_pad, which asks
  // for in * stride) the pads follow from the total padding, the odd one at
  // the beginning except for SAME_UPPER, as the spec says.
  Window window(const KernelContext& ctx, const Shape& in, const Shape& kernel) const {
    const size_t rank = in.size();
    check_window_attrs(ctx, attrs_, rank);
    check_kernel(ctx, kernel);
    Window w;
    w.in.assign(rank, 0);
    w.out = in;
    w.kernel = kernel;
    w.strides = attrs_.strides.empty() ? std::vector<int64_t>(rank, 1) : attrs_.strides;
    w.dilations = attrs_.dilations.empty() ? std::vector<int64_t>(rank, 1) : attrs_.dilations;
    w.pad_begin.assign(rank, 0);
    w.pad_end.assign(rank, 0);
    if (!output_padding_.empty() && output_padding_.size() != rank)
      ctx.fail("attribute 'output_padding' has ", output_padding_.size(), " values, expected ", rank);
    Shape wanted;
    if (!output_shape_.empty()) {
      if (output_shape_.size() != rank && output_shape_.size() != rank + 2)
        ctx.fail("attribute 'output_shape' has ", output_shape_.size(), " values, expected ", rank);
      wanted.assign(output_shape_.end() - static_cast<int64_t>(rank), output_shape_.end());
    }
    const bool same = attrs_.auto_pad == AutoPad::kSameUpper || attrs_.auto_pad == AutoPad::kSameLower;
    for (size_t i = 0; i < rank; ++i) {
      const int64_t stride = w.strides[i];
      const int64_t out_pad = output_padding_.empty() ? 0 : output_padding_[i];
      if (out_pad < 0 || (out_pad >= stride && out_pad >= w.dilations[i]))
        ctx.fail("output_padding ", out_pad, " must be less than the stride or the dilation");
      const int64_t full = stride * (in[i] - 1) + out_pad + (kernel[i] - 1) * w.dilations[i] + 1;
      if (!wanted.empty() || same) {
        const int64_t target = wanted.empty() ? in[i] * stride : wanted[i];
        const int64_t total = full - target;
        // Floor division, as in the spec's (Python) formula: a negative
        // total (output_shape beyond the natural size) grows the end.
        const int64_t half = im2col_detail::floor_div(total, 2);
        w.pad_begin[i] = attrs_.auto_pad == AutoPad::kSameUpper ? half : total - half;
        w.pad_end[i] = total - w.pad_begin[i];
      } else if (attrs_.auto_pad == AutoPad::kNotSet && !attrs_.pads.empty()) {
        w.pad_begin[i] = attrs_.pads[i];
        w.pad_end[i] = attrs_.pads[i + rank];
      }
      const int64_t size = full - w.pad_begin[i] - w.pad_end[i];
      if (size < 0) ctx.fail("output spatial dim ", i, " would be negative (", size, ")");
      w.in[i] = size;
    }
    return w;
  }

  WindowAttrs attrs_;
  int64_t group_;
  std::vector<int64_t> output_padding_, output_shape_;
};

// 11: auto_pad/output_shape semantics clarified; unchanged through 21.
SKIFF_KERNEL(native, "ConvTranspose", 1, kLatestOpset, ConvTransposeKernel);
SKIFF_KERNEL_TYPES(native, "ConvTranspose", 1, "floats");

}  // namespace
}  // namespace skiff
