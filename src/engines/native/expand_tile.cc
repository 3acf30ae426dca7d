// Expand and Tile: outputs larger than the input, made by one strided copy
// in which repeated dims have stride 0.
#include "engines/kernel.h"
#include "engines/native/manip_util.h"

namespace skiff {
namespace {

using manip::read_ints;

// Expand broadcasts both ways: the shape input may hold 1 where the input
// has a larger dim (the input's dim wins), as in numpy's broadcast.
class ExpandKernel final : public Kernel {
 public:
  explicit ExpandKernel(const KernelInfo&) {}
  void prepare(KernelContext& ctx) const override {
    ctx.set_output(0, ctx.input(0).dtype(), output_shape(ctx));
  }
  void compute(KernelContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    Tensor& y = ctx.output(0);
    const std::vector<int64_t> x_strides = shape_strides(x.shape());
    const int64_t lead = y.rank() - x.rank();
    std::vector<int64_t> strides(static_cast<size_t>(y.rank()), 0);
    for (int64_t d = 0; d < x.rank(); ++d)
      if (x.dim(d) != 1) strides[static_cast<size_t>(lead + d)] = x_strides[static_cast<size_t>(d)];
    manip::strided_copy(x.dtype(), x.raw(), 0, y.shape(), strides, y.raw());
  }

 private:
  static Shape output_shape(const KernelContext& ctx) {
    const Tensor& x = ctx.input(0);
    const std::vector<int64_t> shape = read_ints(ctx, 1);
    for (int64_t d : shape)
      if (d < 0) ctx.fail(ctx.input_label(1), " holds a negative dim: ", shape_str(shape));
    try {
      return broadcast_shapes(x.shape(), shape);
    } catch (const Error&) {
      ctx.fail(ctx.input_label(0), " cannot be expanded to ", shape_str(shape));
    }
  }
};
// 13: bfloat16.
SKIFF_KERNEL(native, "Expand", 8, kLatestOpset, ExpandKernel);
SKIFF_KERNEL_TYPES(native, "Expand", 8, "T: all, complex64, complex128; shape: int32, int64");

class TileKernel final : public Kernel {
 public:
  explicit TileKernel(const KernelInfo&) {}
  void prepare(KernelContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    const std::vector<int64_t> repeats = repeats_of(ctx);
    Shape shape(x.shape());
    for (size_t d = 0; d < shape.size(); ++d) shape[d] = checked_mul(shape[d], repeats[d]);
    ctx.set_output(0, x.dtype(), shape);
  }
  // The output viewed as [r0, d0, r1, d1, ...]: the repeat dims have stride
  // 0 in the input, the data dims their usual stride.
  void compute(KernelContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    const std::vector<int64_t> repeats = repeats_of(ctx);
    const std::vector<int64_t> x_strides = shape_strides(x.shape());
    Shape view;
    std::vector<int64_t> strides;
    for (size_t d = 0; d < repeats.size(); ++d) {
      view.insert(view.end(), {repeats[d], x.shape()[d]});
      strides.insert(strides.end(), {0, x_strides[d]});
    }
    Tensor& y = ctx.output(0);
    manip::strided_copy(x.dtype(), x.raw(), 0, view, strides, y.raw());
  }

 private:
  // Opset 1 tiles one axis (`tiles` and `axis` inputs); from 6 `repeats`
  // gives a count per dim.
  static std::vector<int64_t> repeats_of(const KernelContext& ctx) {
    const Tensor& x = ctx.input(0);
    std::vector<int64_t> repeats;
    if (ctx.opset() < 6) {
      repeats.assign(static_cast<size_t>(x.rank()), 1);
      const int64_t axis = manip::read_scalar_int(ctx, 2);
      if (axis < 0 || axis >= x.rank())
        ctx.fail("axis ", axis, " is out of range for ", ctx.input_label(0));
      repeats[static_cast<size_t>(axis)] = manip::read_scalar_int(ctx, 1);
    } else {
      repeats = read_ints(ctx, 1);
    }
    if (static_cast<int64_t>(repeats.size()) != x.rank())
      ctx.fail(ctx.input_label(1), " must hold one count per dim of ", ctx.input_label(0));
    for (int64_t r : repeats)
      if (r < 0) ctx.fail(ctx.input_label(1), " holds a negative count: ", shape_str(repeats));
    return repeats;
  }
};
// 6: `repeats` input replaces `tiles` and `axis`; 13: bfloat16.
SKIFF_KERNEL(native, "Tile", 1, 5, TileKernel);
SKIFF_KERNEL_TYPES(native, "Tile", 1, "T: all, complex64, complex128; T1: int32, int64");
SKIFF_KERNEL(native, "Tile", 6, kLatestOpset, TileKernel);
SKIFF_KERNEL_TYPES(native, "Tile", 6, "T: all, complex64, complex128; T1: int32, int64");

}  // namespace
}  // namespace skiff
