#include "engines/native/conv_util.h"

namespace skiff {

void check_conv_weights(const KernelContext& ctx) {
  const Tensor& x = ctx.input(0);
  const Tensor& w = ctx.input(1);
  if (w.rank() != x.rank())
    ctx.fail(ctx.input_label(1), " must have the rank of ", ctx.input_label(0));
  if (w.dtype() != x.dtype()) ctx.fail(ctx.input_label(1), " must have the type of X");
}

Shape conv_kernel(const KernelContext& ctx, const WindowAttrs& attrs, int64_t out_channels) {
  const Tensor& w = ctx.input(1);
  const Shape kernel(w.shape().begin() + 2, w.shape().end());
  if (!attrs.kernel_shape.empty() && attrs.kernel_shape != kernel)
    ctx.fail("kernel_shape ", shape_str(attrs.kernel_shape), " does not match ", ctx.input_label(1));
  if (ctx.has_input(2)) {
    const Tensor& b = ctx.input(2);
    if (b.rank() != 1 || b.dim(0) != out_channels || b.dtype() != ctx.input(0).dtype())
      ctx.fail(ctx.input_label(2), " must be a 1-D tensor of ", out_channels,
               " elements of the type of X");
  }
  return kernel;
}

}  // namespace skiff
