#include "engines/native/window.h"

#include <algorithm>

namespace skiff {
namespace {

AutoPad parse_auto_pad(const KernelInfo& info) {
  const std::string s = info.attr_string("auto_pad", "NOTSET");
  if (s == "NOTSET" || s.empty()) return AutoPad::kNotSet;
  if (s == "SAME_UPPER") return AutoPad::kSameUpper;
  if (s == "SAME_LOWER") return AutoPad::kSameLower;
  if (s == "VALID") return AutoPad::kValid;
  info.fail("auto_pad '", s, "' is not one of NOTSET, SAME_UPPER, SAME_LOWER, VALID");
}

int64_t product(const std::vector<int64_t>& v) {
  int64_t p = 1;
  for (int64_t d : v) p = checked_mul(p, d);
  return p;
}

}  // namespace

WindowAttrs::WindowAttrs(const KernelInfo& info, bool require_kernel_shape)
    : auto_pad(parse_auto_pad(info)),
      kernel_shape(info.attr_ints("kernel_shape")),
      strides(info.attr_ints("strides")),
      dilations(info.attr_ints("dilations")),
      pads(info.attr_ints("pads")),
      ceil_mode(info.attr_int("ceil_mode", 0) != 0) {
  if (require_kernel_shape && kernel_shape.empty())
    info.fail("required attribute 'kernel_shape' is missing");
  for (int64_t k : kernel_shape)
    if (k <= 0) info.fail("kernel_shape values must be positive");
  for (int64_t s : strides)
    if (s <= 0) info.fail("strides must be positive");
  for (int64_t d : dilations)
    if (d <= 0) info.fail("dilations must be positive");
  for (int64_t p : pads)
    if (p < 0) info.fail("pads must be non-negative");
}

int64_t Window::in_size() const { return product(in); }
int64_t Window::out_size() const { return product(out); }
int64_t Window::kernel_size() const { return product(kernel); }

Shape spatial_dims(const KernelContext& ctx, size_t input, int64_t min_rank) {
  const Tensor& x = ctx.input(input);
  if (x.rank() < min_rank)
    ctx.fail(ctx.input_label(input), " must have rank >= ", min_rank, " ([N, C, spatial...])");
  return Shape(x.shape().begin() + 2, x.shape().end());
}

void check_window_attrs(const KernelContext& ctx, const WindowAttrs& attrs, size_t rank) {
  if (rank == 0 || rank > kMaxWindowRank)
    ctx.unsupported("windows over ", rank, " spatial dims are not supported (1 to ",
                    kMaxWindowRank, ")");
  auto check_len = [&](const std::vector<int64_t>& v, size_t want, const char* name) {
    if (!v.empty() && v.size() != want)
      ctx.fail("attribute '", name, "' has ", v.size(), " values, expected ", want, " for ",
               rank, " spatial dims");
  };
  check_len(attrs.kernel_shape, rank, "kernel_shape");
  check_len(attrs.strides, rank, "strides");
  check_len(attrs.dilations, rank, "dilations");
  check_len(attrs.pads, 2 * rank, "pads");
}

void check_kernel(const KernelContext& ctx, const Shape& kernel) {
  for (int64_t k : kernel)
    if (k <= 0) ctx.fail("kernel dims must be positive, got ", shape_str(kernel));
}

Window resolve_window(const KernelContext& ctx, const WindowAttrs& attrs, const Shape& in,
                      const Shape& kernel) {
  const size_t rank = in.size();
  check_window_attrs(ctx, attrs, rank);
  check_kernel(ctx, kernel);
  Window w;
  w.in = in;
  w.kernel = kernel;
  w.strides = attrs.strides.empty() ? std::vector<int64_t>(rank, 1) : attrs.strides;
  w.dilations = attrs.dilations.empty() ? std::vector<int64_t>(rank, 1) : attrs.dilations;
  w.pad_begin.assign(rank, 0);
  w.pad_end.assign(rank, 0);
  w.out.assign(rank, 0);
  for (size_t i = 0; i < rank; ++i) {
    const int64_t extent = w.dilations[i] * (kernel[i] - 1) + 1;  // dilated kernel
    const int64_t stride = w.strides[i];
    if (attrs.auto_pad == AutoPad::kSameUpper || attrs.auto_pad == AutoPad::kSameLower) {
      // Output ceil(in / stride); the padding that takes, odd half at the
      // end (SAME_UPPER) or at the beginning (SAME_LOWER).
      w.out[i] = (in[i] + stride - 1) / stride;
      const int64_t total = std::max<int64_t>(0, (w.out[i] - 1) * stride + extent - in[i]);
      w.pad_begin[i] = attrs.auto_pad == AutoPad::kSameUpper ? total / 2 : total - total / 2;
      w.pad_end[i] = total - w.pad_begin[i];
      continue;
    }
    if (attrs.auto_pad == AutoPad::kNotSet && !attrs.pads.empty()) {
      w.pad_begin[i] = attrs.pads[i];
      w.pad_end[i] = attrs.pads[i + rank];
    }
    const int64_t span = in[i] + w.pad_begin[i] + w.pad_end[i] - extent;
    if (span < 0)
      ctx.fail("spatial dim ", i, " of ", ctx.input_label(0), " has size ", in[i], " (padded ",
               in[i] + w.pad_begin[i] + w.pad_end[i], "), smaller than the dilated kernel ",
               extent);
    w.out[i] = (attrs.ceil_mode ? (span + stride - 1) / stride : span / stride) + 1;
    // ceil_mode: a window that would start past the input and its leading
    // padding is dropped (the convention PyTorch and ONNX Runtime follow).
    if (attrs.ceil_mode && (w.out[i] - 1) * stride >= in[i] + w.pad_begin[i]) --w.out[i];
  }
  return w;
}

}  // namespace skiff
