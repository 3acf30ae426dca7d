// Shape rules for the sliding-window and linear-algebra ops: Conv (and
// FusedConv), pools, ConvTranspose, Resize/Upsample, MatMul, Gemm (and
// FusedGemm).
#include <algorithm>
#include <cmath>

#include "passes/shape_inference_internal.h"

namespace skiff::passes::shape_detail {

void infer_conv(Node& n, bool pool) {
  const Dims* x = n.dims(0);
  if (!x || x->size() < 3) return;
  const size_t rank = x->size() - 2;
  std::vector<int64_t> kernel = attr_ints(n.node, "kernel_shape");
  ir::Dim channels = (*x)[1];
  if (!pool) {
    const Dims* w = n.dims(1);
    if (!w || w->size() != x->size()) return;
    channels = (*w)[0];
    if (kernel.empty())
      for (size_t i = 2; i < w->size(); ++i) {
        if (!(*w)[i].known()) return;
        kernel.push_back((*w)[i].value);
      }
  }
  if (kernel.size() != rank) return;
  std::vector<int64_t> strides = attr_ints(n.node, "strides"), dilations = attr_ints(n.node, "dilations"),
                       pads = attr_ints(n.node, "pads");
  strides.resize(rank, 1);
  if (strides.size() != rank) return;
  if (dilations.empty()) dilations.assign(rank, 1);
  if (pads.empty()) pads.assign(2 * rank, 0);
  if (dilations.size() != rank || pads.size() != 2 * rank) return;
  const std::string auto_pad = attr_string(n.node, "auto_pad", "NOTSET");
  const bool ceil_mode = attr_int(n.node, "ceil_mode", 0) != 0;
  Dims out = {(*x)[0], channels};
  for (size_t i = 0; i < rank; ++i) {
    const ir::Dim& in = (*x)[i + 2];
    const int64_t extent = dilations[i] * (kernel[i] - 1) + 1;
    if (auto_pad == "SAME_UPPER" || auto_pad == "SAME_LOWER")
      out.push_back(window_dim(in, strides[i] - 1, 1, strides[i], true));  // ceil(in / stride)
    else if (auto_pad == "VALID")
      out.push_back(window_dim(in, 0, extent, strides[i], false));
    else
      out.push_back(window_dim(in, pads[i] + pads[i + rank], extent, strides[i], ceil_mode));
  }
  n.set(0, n.dtype(0), out);
}

void infer_matmul(Node& n) {
  const Dims* a = n.dims(0);
  const Dims* b = n.dims(1);
  if (!a || !b || a->empty() || b->empty()) return;
  Dims x = *a, y = *b;
  const bool vec_a = x.size() == 1, vec_b = y.size() == 1;
  if (vec_a) x.insert(x.begin(), known_dim(1));
  if (vec_b) y.push_back(known_dim(1));
  Dims batch_a(x.begin(), x.end() - 2), batch_b(y.begin(), y.end() - 2);
  if (batch_a.size() < batch_b.size()) std::swap(batch_a, batch_b);
  const size_t off = batch_a.size() - batch_b.size();
  for (size_t k = 0; k < batch_b.size(); ++k) batch_a[off + k] = broadcast_dim(batch_a[off + k], batch_b[k]);
  Dims out = batch_a;
  if (!vec_a) out.push_back(x[x.size() - 2]);
  if (!vec_b) out.push_back(y.back());
  n.set(0, n.dtype(0), out);
}

void infer_gemm(Node& n, bool fused) {
  const Dims* a = n.dims(0);
  const Dims* b = n.dims(1);
  if (!a || !b || b->size() != 2) return;
  const bool ta = attr_int(n.node, "transA", 0) != 0, tb = attr_int(n.node, "transB", 0) != 0;
  if (fused && a->size() > 2 && !ta) {  // FusedGemm's batched form
    Dims out(a->begin(), a->end() - 1);
    out.push_back(tb ? (*b)[0] : (*b)[1]);
    return n.set(0, n.dtype(0), out);
  }
  if (a->size() != 2) return;
  n.set(0, n.dtype(0), Dims{ta ? (*a)[1] : (*a)[0], tb ? (*b)[0] : (*b)[1]});
}

// The size of Reshape's -1 dim: cancel the output dims that match input
// dims (same number or symbol); what is left of the input is the answer
// when it is one dim, or a number when everything left is known.
void infer_resize(Node& n) {
  const Dims* x = n.dims(0);
  if (!x) return;
  std::vector<double> scales;
  std::optional<std::vector<int64_t>> sizes;
  const bool upsample = n.node.op_type == "Upsample";
  if (upsample && n.opset < 9) {
    for (float f : n.node.attr("scales") ? n.node.attr("scales")->floats : std::vector<float>{}) scales.push_back(f);
  } else {
    const size_t scales_input = (upsample || n.opset < 11) ? 1 : 2;
    if (const Tensor* t = n.constant(scales_input)) scales = to_doubles(*t);
    if (!upsample && n.opset >= 11 && n.node.has_input(3)) sizes = n.ints(3);
  }
  if (!attr_ints(n.node, "axes").empty()) return n.set(0, n.dtype(0), Dims(x->size(), unknown()));
  Dims out;
  for (size_t i = 0; i < x->size(); ++i) {
    const ir::Dim& d = (*x)[i];
    if (sizes && sizes->size() == x->size()) {
      out.push_back(known_dim((*sizes)[i]));
    } else if (scales.size() == x->size()) {
      const double f = scales[i];
      if (f == 1.0) out.push_back(d);
      else if (d.known()) out.push_back(known_dim(static_cast<int64_t>(std::floor(static_cast<double>(d.value) * f))));
      else out.push_back(d.param.empty() ? unknown() : symbol(str_cat("(", d.param, "*", f, ")")));
    } else {
      out.push_back(unknown());
    }
  }
  n.set(0, n.dtype(0), out);
}

void infer_conv_transpose(Node& n) {
  const Dims* x = n.dims(0);
  const Dims* w = n.dims(1);
  if (!x || !w || x->size() < 3 || w->size() != x->size()) return;
  const size_t rank = x->size() - 2;
  const int64_t group = attr_int(n.node, "group", 1);
  ir::Dim channels = (*w)[1].known() ? known_dim((*w)[1].value * group) : unknown();
  Dims out = {(*x)[0], channels};
  const auto output_shape = attr_ints(n.node, "output_shape");
  std::vector<int64_t> kernel = attr_ints(n.node, "kernel_shape"), strides = attr_ints(n.node, "strides"),
                       dilations = attr_ints(n.node, "dilations"), pads = attr_ints(n.node, "pads"),
                       output_padding = attr_ints(n.node, "output_padding");
  if (kernel.empty())
    for (size_t i = 2; i < w->size(); ++i) kernel.push_back((*w)[i].known() ? (*w)[i].value : -1);
  strides.resize(rank, 1);
  dilations.resize(rank, 1);
  output_padding.resize(rank, 0);
  pads.resize(2 * rank, 0);
  const std::string auto_pad = attr_string(n.node, "auto_pad", "NOTSET");
  for (size_t i = 0; i < rank; ++i) {
    const ir::Dim& in = (*x)[i + 2];
    if (output_shape.size() == rank) {
      out.push_back(known_dim(output_shape[i]));
    } else if (kernel[i] < 0 || auto_pad != "NOTSET") {
      out.push_back(unknown());
    } else {
      // (in - 1) * stride + extent + output_padding - pads
      const int64_t add = (dilations[i] * (kernel[i] - 1) + 1) + output_padding[i] - pads[i] - pads[i + rank] - strides[i];
      if (in.known()) out.push_back(known_dim(in.value * strides[i] + add));
      else out.push_back(in.param.empty() ? unknown() : symbol(str_cat("(", in.param, "*", strides[i], "+", add, ")")));
    }
  }
  n.set(0, n.dtype(0), out);
}

}  // namespace skiff::passes::shape_detail
