// Resize (opsets 11-19) on oneDNN's resampling primitive, in the input's
// layout, where oneDNN computes exactly what ONNX asks:
// - nearest: oneDNN reads input floor((o + 0.5) / F) (F = out/in); the op
//   evaluates ONNX's coordinate transform and rounding mode for every output
//   index and claims the signature only when both pick the same inputs;
// - linear: oneDNN is half_pixel with the scale out/in, so ONNX's half_pixel
//   (or pytorch_half_pixel with outputs longer than 1) when the scale given
//   is exactly out/in.
// Everything else (cubic, align_corners, tf_crop_and_resize, antialias,
// axes, resizing N or C) runs on the native kernel.
#include <cmath>

#include "engines/dnnl/op.h"

namespace skiff::dnnl_engine {

namespace {

// ONNX's input coordinate for output index `o` (before rounding).
double onnx_coordinate(const std::string& mode, int64_t o, double scale, int64_t in, int64_t out) {
  const double x = static_cast<double>(o);
  if (mode == "asymmetric") return x / scale;
  if (mode == "half_pixel") return (x + 0.5) / scale - 0.5;
  if (mode == "pytorch_half_pixel") return out > 1 ? (x + 0.5) / scale - 0.5 : 0.0;
  if (mode == "tf_half_pixel_for_nn") return (x + 0.5) / scale;
  if (mode == "align_corners") return out == 1 ? 0.0 : x * static_cast<double>(in - 1) / static_cast<double>(out - 1);
  return NAN;
}

int64_t onnx_nearest(const std::string& rounding, double x) {
  if (rounding == "floor") return static_cast<int64_t>(std::floor(x));
  if (rounding == "ceil") return static_cast<int64_t>(std::ceil(x));
  const double f = std::floor(x);
  if (x - f == 0.5) return static_cast<int64_t>(rounding == "round_prefer_ceil" ? f + 1 : f);
  return static_cast<int64_t>(std::round(x));
}

class ResizeOp final : public DnnlOp {
 public:
  explicit ResizeOp(const OpInfo& info)
      : linear_(attr_string(info.node, "mode", "nearest") == "linear"),
        coordinates_(attr_string(info.node, "coordinate_transformation_mode", "half_pixel")),
        rounding_(attr_string(info.node, "nearest_mode", "round_prefer_floor")) {}

  static bool accepts(const OpInfo& info) {
    const ir::Node& node = info.node;
    const std::string mode = attr_string(node, "mode", "nearest");
    if (mode != "nearest" && mode != "linear") return false;
    if (attr_int(node, "antialias", 0) != 0 || node.attr("axes") ||
        attr_string(node, "keep_aspect_ratio_policy", "stretch") != "stretch")
      return false;
    // scales and sizes must be constants: the output shape may not depend on data.
    for (size_t i = 1; i < node.inputs.size(); ++i)
      if (node.has_input(i) && !info.body.is_initializer(node.inputs[i])) return false;
    return true;
  }

  // The chain after it (FPN: Resize then Add of the lateral branch) as
  // post-ops: the upsampled tensor is never written on its own.
  bool takes_post_ops() const override { return true; }

  bool build(OpBuilder& b) const override {
    const Shape& x = b.input_shape(0);
    std::vector<Shape> shapes;
    if (x.size() < 3 || x.size() > 5 || !b.native_output_shapes(&shapes) || shapes.empty()) return false;
    const Shape& y = shapes[0];
    if (y.size() != x.size() || y[0] != x[0] || y[1] != x[1]) return false;
    const Tensor* scales = b.has_input(2) ? b.constant(2) : nullptr;
    const bool given_scales = scales && scales->numel() == static_cast<int64_t>(x.size());
    for (size_t d = 2; d < x.size(); ++d) {
      const double exact = static_cast<double>(y[d]) / static_cast<double>(x[d]);
      double scale = exact;
      if (given_scales)
        scale = scales->dtype() == DataType::kFloat ? scales->data<float>()[d] : std::nan("");
      if (!(scale > 0) || !matches(x[d], y[d], scale)) return false;
    }
    if (!b.post_ops_fit(y)) return false;
    const md src = b.input_md(0);
    const dnnl::resampling_forward::desc desc(
        dnnl::prop_kind::forward_inference,
        linear_ ? dnnl::algorithm::resampling_linear : dnnl::algorithm::resampling_nearest, src, any_md(y));
    const dnnl::resampling_forward::primitive_desc pd(desc, b.attr(true), cpu_engine());
    const Arg in = b.input(0, pd.src_desc());
    b.add(dnnl::resampling_forward(pd), pd, {{DNNL_ARG_SRC, in}, {DNNL_ARG_DST, b.output(0, y, pd.dst_desc())}});
    return true;
  }

 private:
  bool matches(int64_t in, int64_t out, double scale) const {
    const double factor = static_cast<double>(out) / static_cast<double>(in);
    if (linear_) {
      const bool half_pixel = coordinates_ == "half_pixel" || (coordinates_ == "pytorch_half_pixel" && out > 1);
      return half_pixel && scale == factor;
    }
    for (int64_t o = 0; o < out; ++o) {
      const double theirs = (static_cast<double>(o) + 0.5) / factor;
      // Too close to a rounding boundary for float and double to agree.
      if (std::fabs(theirs - std::round(theirs)) < 1e-4) return false;
      const double x = onnx_coordinate(coordinates_, o, scale, in, out);
      if (!std::isfinite(x)) return false;
      const int64_t ours = std::clamp<int64_t>(onnx_nearest(rounding_, x), 0, in - 1);
      if (ours != std::min<int64_t>(static_cast<int64_t>(std::floor(theirs)), in - 1)) return false;
    }
    return true;
  }

  bool linear_;
  std::string coordinates_, rounding_;
};

}  // namespace

// 11: coordinate modes, roi, sizes; 13: more rounding defaults settled;
// 18: antialias, axes, keep_aspect_ratio_policy (claimed only when unused);
// 19: half_pixel_symmetric mode (runs natively).
SKIFF_DNNL_OP("", "Resize", 11, kLatestOpset, ResizeOp, ResizeOp::accepts);

}  // namespace skiff::dnnl_engine
