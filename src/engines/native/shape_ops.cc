// Ops that change only the shape, or report it: Reshape, Flatten, Squeeze,
// Unsqueeze, Identity, Dropout (inference), Shape, Size. The reshaping ones
// forward the input buffer under a new shape instead of copying it.
#include <algorithm>

#include "core/dispatch.h"
#include "engines/kernel.h"
#include "engines/native/manip_util.h"

namespace skiff {
namespace {

using manip::normalize_axes;
using manip::read_ints;

// Reads axes from the `axes` attribute (before `input_since`) or from
// optional input 1 (from `input_since`, opset 13 for Squeeze and Unsqueeze).
class AxesSource {
 public:
  AxesSource(const KernelInfo& info, int64_t input_since)
      : from_input_(info.opset() >= input_since),
        has_attr_(!from_input_ && info.has_attr("axes")),
        attr_(info.attr_ints("axes")) {}
  bool present(const KernelContext& ctx) const {
    return from_input_ ? ctx.has_input(1) : has_attr_;
  }
  std::vector<int64_t> get(const KernelContext& ctx) const {
    return from_input_ ? read_ints(ctx, 1) : attr_;
  }
  const char* name() const { return from_input_ ? "input 'axes'" : "attribute 'axes'"; }

 private:
  bool from_input_;
  bool has_attr_;
  std::vector<int64_t> attr_;
};

// Reshape, Flatten, Squeeze and Unsqueeze: prepare validates the new shape,
// compute forwards the input buffer under it.
class ReshapingKernel : public Kernel {
 public:
  void prepare(KernelContext& ctx) const final { output_shape(ctx); }
  void compute(KernelContext& ctx) const final {
    ctx.set_output_tensor(0, ctx.input(0).reshaped(output_shape(ctx)));
  }

 private:
  virtual Shape output_shape(const KernelContext& ctx) const = 0;
};

class ReshapeKernel final : public ReshapingKernel {
 public:
  explicit ReshapeKernel(const KernelInfo& info)
      : shape_from_attr_(info.opset() < 5),
        allowzero_(info.opset() >= 14 && info.attr_int("allowzero", 0) != 0),
        shape_attr_(info.attr_ints("shape")) {
    if (shape_from_attr_ && !info.has_attr("shape"))
      info.fail("required attribute 'shape' is missing");
  }

 private:
  // 0 copies the input dim at the same index (unless allowzero), and one -1
  // takes whatever the other dims leave.
  Shape output_shape(const KernelContext& ctx) const override {
    const Tensor& data = ctx.input(0);
    const std::vector<int64_t> requested = shape_from_attr_ ? shape_attr_ : read_ints(ctx, 1);
    const auto bad = [&](auto&&... why) {
      ctx.fail(ctx.input_label(0), " cannot be reshaped to ", shape_str(requested), ": ", why...);
    };
    Shape out(requested.size());
    int64_t inferred = -1;
    int64_t known = 1;
    bool has_zero = false, overflow = false;
    for (size_t i = 0; i < requested.size(); ++i) {
      int64_t d = requested[i];
      if (d == -1) {
        if (inferred >= 0) bad("more than one dim is -1");
        inferred = static_cast<int64_t>(i);
        continue;
      }
      if (d < -1) bad("dim ", i, " is negative");
      if (d == 0 && !allowzero_) {
        if (static_cast<int64_t>(i) >= data.rank())
          bad("dim ", i, " is 0 (copy the input dim) but the input has rank ", data.rank());
        d = data.dim(static_cast<int64_t>(i));
      }
      has_zero = has_zero || d == 0;
      out[i] = d;
      overflow = __builtin_mul_overflow(known, d, &known) || overflow;
    }
    if (has_zero) known = 0;  // a 0 dim empties the tensor, however large the others
    else if (overflow) bad("the dims multiply past int64");
    if (inferred >= 0) {
      if (allowzero_ && has_zero) bad("with allowzero=1 a shape cannot hold both 0 and -1");
      if (known == 0 || data.numel() % known != 0)
        bad("the -1 dim cannot be inferred from ", data.numel(), " elements");
      out[static_cast<size_t>(inferred)] = data.numel() / known;
    } else if (known != data.numel()) {
      bad("element counts differ (", data.numel(), " vs ", known, ")");
    }
    return out;
  }

  bool shape_from_attr_;
  bool allowzero_;
  std::vector<int64_t> shape_attr_;
};
// 1-4: `shape` attribute; 5: `shape` input; 14: allowzero; 19, 21: more types.
SKIFF_KERNEL(native, "Reshape", 1, 4, ReshapeKernel);
SKIFF_KERNEL_TYPES(native, "Reshape", 1, "all, complex64, complex128");
SKIFF_KERNEL(native, "Reshape", 5, 13, ReshapeKernel);
SKIFF_KERNEL_TYPES(native, "Reshape", 5, "T: all, complex64, complex128; shape: int32, int64");
SKIFF_KERNEL(native, "Reshape", 14, kLatestOpset, ReshapeKernel);
SKIFF_KERNEL_TYPES(native, "Reshape", 14, "T: all, complex64, complex128; shape: int32, int64");

class FlattenKernel final : public ReshapingKernel {
 public:
  explicit FlattenKernel(const KernelInfo& info) : axis_(info.attr_int("axis", 1)) {}

 private:
  Shape output_shape(const KernelContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    // axis may equal rank (everything goes to the outer dim).
    const int64_t axis = axis_ < 0 ? axis_ + x.rank() : axis_;
    if (axis < 0 || axis > x.rank())
      ctx.fail("axis ", axis_, " is out of range for ", ctx.input_label(0));
    int64_t outer = 1;
    for (int64_t d = 0; d < axis; ++d) outer *= x.dim(d);
    int64_t inner = 1;
    for (int64_t d = axis; d < x.rank(); ++d) inner *= x.dim(d);
    return {outer, inner};
  }

  int64_t axis_;
};
// 9: more types; 11: negative axis; 13: bfloat16; 21: more types.
SKIFF_KERNEL(native, "Flatten", 1, kLatestOpset, FlattenKernel);
SKIFF_KERNEL_TYPES(native, "Flatten", 1, "all, complex64, complex128");

class SqueezeKernel final : public ReshapingKernel {
 public:
  explicit SqueezeKernel(const KernelInfo& info) : axes_(info, 13) {}

 private:
  Shape output_shape(const KernelContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    std::vector<bool> drop(static_cast<size_t>(x.rank()), false);
    if (axes_.present(ctx)) {
      for (int64_t axis : normalize_axes(ctx, axes_.get(ctx), x.rank(), axes_.name())) {
        if (x.dim(axis) != 1)
          ctx.fail("cannot squeeze axis ", axis, " of ", ctx.input_label(0),
                   ": its size is not 1");
        drop[static_cast<size_t>(axis)] = true;
      }
    } else {
      for (int64_t d = 0; d < x.rank(); ++d) drop[static_cast<size_t>(d)] = x.dim(d) == 1;
    }
    Shape out;
    for (int64_t d = 0; d < x.rank(); ++d)
      if (!drop[static_cast<size_t>(d)]) out.push_back(x.dim(d));
    return out;
  }

  AxesSource axes_;
};
// 11: negative axes; 13: `axes` becomes an input; 21: more types.
SKIFF_KERNEL(native, "Squeeze", 1, 12, SqueezeKernel);
SKIFF_KERNEL_TYPES(native, "Squeeze", 1, "all, complex64, complex128");
SKIFF_KERNEL(native, "Squeeze", 13, kLatestOpset, SqueezeKernel);
SKIFF_KERNEL_TYPES(native, "Squeeze", 13, "T: all, complex64, complex128; axes: int32, int64");

class UnsqueezeKernel final : public ReshapingKernel {
 public:
  explicit UnsqueezeKernel(const KernelInfo& info) : axes_(info, 13) {
    if (info.opset() < 13 && !info.has_attr("axes"))
      info.fail("required attribute 'axes' is missing");
  }

 private:
  // Axes index the output, whose rank is the input's plus the new dims.
  Shape output_shape(const KernelContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    if (!axes_.present(ctx)) ctx.fail("required input 'axes' is missing");
    const std::vector<int64_t> requested = axes_.get(ctx);
    const int64_t rank = x.rank() + static_cast<int64_t>(requested.size());
    Shape out(static_cast<size_t>(rank), 0);
    std::vector<bool> inserted(static_cast<size_t>(rank), false);
    for (int64_t axis : normalize_axes(ctx, requested, rank, axes_.name()))
      inserted[static_cast<size_t>(axis)] = true;
    for (int64_t d = 0, src = 0; d < rank; ++d)
      out[static_cast<size_t>(d)] = inserted[static_cast<size_t>(d)] ? 1 : x.dim(src++);
    return out;
  }

  AxesSource axes_;
};
// 11: negative axes; 13: `axes` becomes an input; 21: more types.
SKIFF_KERNEL(native, "Unsqueeze", 1, 12, UnsqueezeKernel);
SKIFF_KERNEL_TYPES(native, "Unsqueeze", 1, "all, complex64, complex128");
SKIFF_KERNEL(native, "Unsqueeze", 13, kLatestOpset, UnsqueezeKernel);
SKIFF_KERNEL_TYPES(native, "Unsqueeze", 13, "T: all, complex64, complex128; axes: int32, int64");

// Forwards the Value itself, so tensors, sequences and optionals all pass.
class IdentityKernel final : public Kernel {
 public:
  explicit IdentityKernel(const KernelInfo&) {}
  void compute(KernelContext& ctx) const override {
    ctx.set_output_value(0, ctx.input_value(0));
  }
};
// 13: bfloat16; 14: sequences; 16: optionals; 19, 21: more types.
SKIFF_KERNEL(native, "Identity", 1, kLatestOpset, IdentityKernel);
SKIFF_KERNEL_TYPES(native, "Identity", 1, "V: any");

// Inference-time Dropout: the output is the input and the mask is all true.
// A training-mode Dropout with a non-zero ratio drops at random, which an
// inference engine cannot reproduce, so it is refused.
class DropoutKernel final : public Kernel {
 public:
  explicit DropoutKernel(const KernelInfo& info) {}
  void prepare(KernelContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    if (ctx.opset() >= 12) check_training_mode(ctx);
    if (ctx.output_wanted(1))
      ctx.set_output(1, ctx.opset() >= 10 ? DataType::kBool : x.dtype(), x.shape());
  }
  void compute(KernelContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    ctx.set_output_tensor(0, x);
    if (!ctx.output_wanted(1)) return;
    Tensor& mask = ctx.output(1);
    // Before opset 10 the mask has the data's type; ones mean "kept".
    dispatch(kPodTypes, mask.dtype(), [&](auto tag) {
      using T = typename decltype(tag)::type;
      std::fill_n(mask.data<T>(), mask.numel(), T(1));
    }, [&] { return ctx.prefix() + "mask"; });
  }

 private:
  static void check_training_mode(const KernelContext& ctx) {
    if (!ctx.has_input(2)) return;
    const Tensor& training = ctx.input(2);
    if (training.dtype() != DataType::kBool || training.numel() != 1)
      ctx.fail(ctx.input_label(2), " must be a bool scalar");
    if (!training.data<bool>()[0]) return;
    double ratio = 0.5;
    if (ctx.has_input(1)) {
      const Tensor& r = ctx.input(1);
      if (r.numel() != 1) ctx.fail(ctx.input_label(1), " must be a scalar");
      dispatch(kFloatTypes, r.dtype(), [&](auto tag) {
        using T = typename decltype(tag)::type;
        ratio = static_cast<double>(r.data<T>()[0]);
      }, ctx.describe_input(1));
    }
    if (ratio != 0)
      ctx.unsupported("training_mode=true with ratio ", ratio,
                      " drops elements at random; skiff only runs inference (ratio 0 is accepted)");
  }
};
// 6: drops consumed_inputs; 7: drops is_test; 10: bool mask; 12: ratio and
// training_mode inputs, seed; 13: bfloat16.
SKIFF_KERNEL(native, "Dropout", 1, 11, DropoutKernel);
SKIFF_KERNEL_TYPES(native, "Dropout", 1, "T: pod; T1: bool");
SKIFF_KERNEL(native, "Dropout", 12, kLatestOpset, DropoutKernel);
SKIFF_KERNEL_TYPES(native, "Dropout", 12, "T: all, complex64, complex128; T1: floats; T2: bool");

class ShapeKernel final : public Kernel {
 public:
  explicit ShapeKernel(const KernelInfo& info)
      : start_(info.opset() >= 15 ? info.attr_int("start", 0) : 0),
        end_(info.opset() >= 15 && info.has_attr("end") ? info.attr_int("end") : INT64_MAX) {}
  void prepare(KernelContext& ctx) const override {
    const auto [begin, end] = range(ctx.input(0).rank());
    ctx.set_output(0, DataType::kInt64, {end - begin});
  }
  void compute(KernelContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    const auto [begin, end] = range(x.rank());
    int64_t* out = ctx.output(0).data<int64_t>();
    for (int64_t d = begin; d < end; ++d) out[d - begin] = x.dim(d);
  }

 private:
  // start and end count from the back when negative and are clamped to
  // [0, rank]; an empty range gives an empty shape.
  std::pair<int64_t, int64_t> range(int64_t rank) const {
    const auto clamp = [rank](int64_t v) { return std::clamp(v < 0 ? v + rank : v, int64_t{0}, rank); };
    const int64_t begin = clamp(start_);
    return {begin, std::max(begin, clamp(end_))};
  }

  int64_t start_;
  int64_t end_;
};
// 13: bfloat16; 15: start and end; 19, 21: more types.
SKIFF_KERNEL(native, "Shape", 1, 14, ShapeKernel);
SKIFF_KERNEL_TYPES(native, "Shape", 1, "T: all, complex64, complex128; T1: int64");
SKIFF_KERNEL(native, "Shape", 15, kLatestOpset, ShapeKernel);
SKIFF_KERNEL_TYPES(native, "Shape", 15, "T: all, complex64, complex128; T1: int64");

class SizeKernel final : public Kernel {
 public:
  explicit SizeKernel(const KernelInfo&) {}
  void prepare(KernelContext& ctx) const override {
    ctx.input(0);
    ctx.set_output(0, DataType::kInt64, {});
  }
  void compute(KernelContext& ctx) const override {
    ctx.output(0).data<int64_t>()[0] = ctx.input(0).numel();
  }
};
// 13: bfloat16; 19, 21: more types.
SKIFF_KERNEL(native, "Size", 1, kLatestOpset, SizeKernel);
SKIFF_KERNEL_TYPES(native, "Size", 1, "T: all, complex64, complex128; T1: int64");

}  // namespace
}  // namespace skiff
