// Conv, com.skiff FusedConv and ConvTranspose on oneDNN's (de)convolution
// primitives. Activations, weights and outputs use format_tag::any: oneDNN
// picks its layouts (channels-last for its brgconv kernels on AVX-512,
// 8/16-channel blocks elsewhere), which is where its direct convolutions
// reach ~90% of FMA peak; weights are reordered once. In models with open
// input dims, steps built for one thread on AVX-512 run depthwise, 1x1 and
// small convolutions on skiff's own kernels instead (own_depthwise,
// own_pointwise, own_im2col below; docs/kernels.md, "Own kernels for
// dynamic shapes").
#include "core/parallel.h"
#include "engines/dnnl/depthwise.h"
#include "engines/dnnl/own_gemm.h"
#include "engines/dnnl/op.h"

namespace skiff::dnnl_engine {

namespace {

// A 4-D layout whose memory order is N, H, W, C (plain is, at 1x1 pixels).
bool channels_last(const md& desc) {
  const tag t = layout_tag(desc);
  return t == tag::acdb || (t == tag::abcd && desc.dims()[2] * desc.dims()[3] == 1);
}

class DepthwiseStep final : public OwnStep {
 public:
  DepthwiseStep(const ConvGeometry& shape, std::vector<OwnPostOp> post_ops, bool has_bias)
      : shape_(shape), post_ops_(std::move(post_ops)), has_bias_(has_bias) {}
  void run(void* const* data) const override {
    DepthwiseArgs a;
    a.shape = &shape_;
    a.post_ops = &post_ops_;
    a.src = static_cast<const float*>(data[0]);
    a.weights = static_cast<const float*>(data[1]);
    a.bias = has_bias_ ? static_cast<const float*>(data[2]) : nullptr;
    a.dst = static_cast<float*>(data[has_bias_ ? 3 : 2]);
    a.operands = data;
    // Items of one row and 16 channels (even 3 rows split evenly over 2
    // threads), ~1 ns each per 16 multiply-adds.
    const int64_t blocks = (shape_.channels + 15) / 16;
    const int64_t item_ns = 1 + shape_.out_w * shape_.kernel_h * shape_.kernel_w;
    parallel_for(shape_.batch * shape_.out_h * blocks, item_ns,
                 [&](int64_t begin, int64_t end) { depthwise_avx512(a, begin, end); });
  }

 private:
  ConvGeometry shape_;
  std::vector<OwnPostOp> post_ops_;
  bool has_bias_;
};

struct Window {
  std::vector<int64_t> kernel_shape, strides, dilations, pads;
  std::string auto_pad;
  int64_t group = 1;

  explicit Window(const ir::Node& node)
      : kernel_shape(attr_ints(node, "kernel_shape")),
        strides(attr_ints(node, "strides")),
        dilations(attr_ints(node, "dilations")),
        pads(attr_ints(node, "pads")),
        auto_pad(attr_string(node, "auto_pad", "NOTSET")),
        group(attr_int(node, "group", 1)) {}

  bool valid() const {
    return group >= 1 && (auto_pad == "NOTSET" || auto_pad == "VALID" || auto_pad == "SAME_UPPER" ||
                          auto_pad == "SAME_LOWER");
  }
};

// Spatial parameters of one convolution for oneDNN: strides, dilations
// (oneDNN counts the holes: ONNX dilation - 1) and both paddings.
struct Geometry {
  dims strides, dilations, padding_l, padding_r;
  Shape output_spatial;
};

bool conv_geometry(const Window& w, const Shape& x, const Shape& kernel, Geometry* g) {
  const size_t spatial = x.size() - 2;
  if (kernel.size() != spatial) return false;
  for (size_t d = 0; d < spatial; ++d) {
    const int64_t s = w.strides.empty() ? 1 : w.strides[d];
    const int64_t dil = w.dilations.empty() ? 1 : w.dilations[d];
    const int64_t k = kernel[d];
    if (s < 1 || dil < 1 || k < 1) return false;
    const int64_t extent = (k - 1) * dil + 1;
    const int64_t in = x[d + 2];
    int64_t pl = 0, pr = 0;
    if (w.auto_pad == "NOTSET") {
      if (!w.pads.empty()) {
        if (w.pads.size() != 2 * spatial) return false;
        pl = w.pads[d];
        pr = w.pads[d + spatial];
      }
    } else if (w.auto_pad != "VALID") {
      const int64_t out = (in + s - 1) / s;
      const int64_t total = std::max<int64_t>(0, (out - 1) * s + extent - in);
      pl = w.auto_pad == "SAME_UPPER" ? total / 2 : total - total / 2;
      pr = total - pl;
    }
    if (pl < 0 || pr < 0) return false;
    const int64_t out = (in + pl + pr - extent) / s + 1;
    if (in + pl + pr < extent || out < 1) return false;
    g->strides.push_back(s);
    g->dilations.push_back(dil - 1);
    g->padding_l.push_back(pl);
    g->padding_r.push_back(pr);
    g->output_spatial.push_back(out);
  }
  return true;
}

// The own kernels' geometry of a 2-D convolution (NCHW shapes x, w, y).
ConvGeometry geometry_of(const Shape& x, const Shape& w, const Shape& y, const Geometry& g) {
  ConvGeometry c;
  c.batch = x[0];
  c.channels = x[1];
  c.in_h = x[2];
  c.in_w = x[3];
  c.out_h = y[2];
  c.out_w = y[3];
  c.kernel_h = w[2];
  c.kernel_w = w[3];
  c.stride_h = g.strides[0];
  c.stride_w = g.strides[1];
  c.pad_top = g.padding_l[0];
  c.pad_left = g.padding_l[1];
  return c;
}

// oneDNN's Winograd convolution (F(4x4, 3x3), AVX-512 only in 2.6) for
// ungrouped 3x3 stride-1 2-D convolutions with enough work to pay for the
// reorders around it: it reads and writes 16-channel blocks while the
// region around it is channels-last. Measured at one thread on the
// PaddleOCR det neck, 96->24 channels: 160x160 3.0 ms instead of 6.1 ms,
// 80x80 0.67 ms instead of 1.5 ms (the reorders in and out add ~1 ms and
// ~0.2 ms); at 20x20 (8M multiply-adds) it no longer pays.
constexpr double kWinogradMinMacs = 1 << 24;

bool winograd_fits(const Shape& x, const Shape& w, int64_t group, const Geometry& g) {
  if (group != 1 || w.size() != 4 || w[2] != 3 || w[3] != 3 || w[0] < 16 || w[1] < 16) return false;
  for (size_t d = 0; d < 2; ++d)
    if (g.strides[d] != 1 || g.dilations[d] != 0) return false;
  const double macs = static_cast<double>(x[0]) * static_cast<double>(w[0] * w[1] * 9) *
                      static_cast<double>(g.output_spatial[0] * g.output_spatial[1]);
  return macs >= kWinogradMinMacs;
}

class ConvOp final : public DnnlOp {
 public:
  explicit ConvOp(const OpInfo& info) : window_(info.node) { fused_activation(info.node, &activation_); }

  static bool accepts(const OpInfo& info) {
    EltwiseChain unused;
    return Window(info.node).valid() && info.node.has_input(1) && fused_activation(info.node, &unused);
  }
  bool takes_post_ops() const override { return true; }

  bool build(OpBuilder& b) const override {
    const Shape& x = b.input_shape(0);
    const Shape& w = b.input_shape(1);
    if (x.size() < 3 || x.size() > 5 || w.size() != x.size()) return false;
    const int64_t group = window_.group;
    if (x[1] != w[1] * group || w[0] % group != 0) return false;
    const Shape kernel(w.begin() + 2, w.end());
    if (!window_.kernel_shape.empty() && window_.kernel_shape != kernel) return false;
    Geometry g;
    if (!conv_geometry(window_, x, kernel, &g)) return false;
    Shape y{x[0], w[0]};
    y.insert(y.end(), g.output_spatial.begin(), g.output_spatial.end());
    // FusedConv's Z: Y = activation(conv + Z), Z accumulated by a sum post-op.
    if (b.has_input(3) && (b.input_shape(3) != y || !b.accumulate_into_output(3))) return false;
    if (!b.post_ops_fit(y)) return false;

    dims weight_dims = to_dims(w);
    if (group > 1) {
      weight_dims[0] = w[0] / group;
      weight_dims.insert(weight_dims.begin(), group);
    }
    const md weights_any(weight_dims, dt::f32, tag::any);
    const bool has_bias = b.has_input(2);
    if (has_bias && b.input_shape(2) != Shape{w[0]}) return false;
    const md bias_md = has_bias ? plain_md({w[0]}) : md();
    const dnnl::primitive_attr attr = b.attr(true, activation_);
    auto make_pd = [&](dnnl::algorithm algorithm) {
      const dnnl::convolution_forward::desc desc(dnnl::prop_kind::forward_inference, algorithm, any_md(x),
                                                 weights_any, bias_md, any_md(y), g.strides, g.dilations,
                                                 g.padding_l, g.padding_r);
      return dnnl::convolution_forward::primitive_desc(desc, attr, cpu_engine());
    };
    const dnnl::convolution_forward::primitive_desc pd = make_pd(dnnl::algorithm::convolution_direct);
    dnnl::convolution_forward::primitive_desc winograd;
    if (!b.output_accumulates() && winograd_fits(x, w, group, g)) {
      try {
        winograd = make_pd(dnnl::algorithm::convolution_winograd);
      } catch (const dnnl::error&) {
        // no Winograd implementation on this CPU or for this case
      }
    }
    // The own kernels take 2-D convolutions in the channels-last layout oneDNN chose.
    if (!winograd && b.own_kernels() && x.size() == 4 && channels_last(pd.src_desc()) &&
        channels_last(pd.dst_desc()) &&
        (own_depthwise(b, x, w, y, g, pd, attr) || own_pointwise(b, x, w, y, g, pd, attr) ||
         own_im2col(b, x, w, y, g, pd, attr)))
      return true;
    const auto& chosen = winograd ? winograd : pd;
    std::vector<std::pair<int, Arg>> args{
        {DNNL_ARG_SRC, b.input(0, chosen.src_desc())},
        {DNNL_ARG_WEIGHTS, b.input_as(1, plain_md(Shape(weight_dims)), chosen.weights_desc())}};
    if (has_bias) args.emplace_back(DNNL_ARG_BIAS, b.input(2, chosen.bias_desc()));
    if (!winograd) {
      args.emplace_back(DNNL_ARG_DST, b.output(0, y, pd.dst_desc()));
      b.add(dnnl::convolution_forward(pd), pd, std::move(args));
      return true;
    }
    // The output goes on in the layout the direct convolution would write.
    const Arg staged = b.temporary(winograd.dst_desc());
    args.emplace_back(DNNL_ARG_DST, staged);
    b.add(dnnl::convolution_forward(winograd), winograd, std::move(args));
    const dnnl::reorder::primitive_desc back(cpu_engine(), winograd.dst_desc(), cpu_engine(), pd.dst_desc());
    b.add(dnnl::reorder(back), back, {{DNNL_ARG_FROM, staged}, {DNNL_ARG_TO, b.output(0, y, pd.dst_desc())}});
    return true;
  }

 private:
  // A depthwise convolution on DepthwiseStep (depthwise.h) when the kernel
  // covers its case. The own_* paths below are tried only for a 4-D input
  // that oneDNN gave channels-last layouts (build()), with a bias of one
  // value per output channel if any.
  bool own_depthwise(OpBuilder& b, const Shape& x, const Shape& w, const Shape& y, const Geometry& g,
                     const dnnl::convolution_forward::primitive_desc& pd, const dnnl::primitive_attr& attr) const {
    if (window_.group != x[1] || w[0] != x[1] || w[1] != 1) return false;
    if (g.dilations[0] != 0 || g.dilations[1] != 0) return false;
    // Rows under 8 columns, strides over 2, and stride 2 over more than
    // 1 MiB of input stay with oneDNN, which is faster there (docs/kernels.md
    // "Own kernels for dynamic shapes").
    if (y[3] < 8 || g.strides[0] > 2 || g.strides[1] > 2 ||
        ((g.strides[0] == 2 || g.strides[1] == 2) && x[1] * x[2] * x[3] * 4 > (1 << 20)))
      return false;
    const bool has_bias = b.has_input(2);
    std::vector<OwnPostOp> post_ops;
    if (!own_post_ops(attr.get_post_ops(), y[1], 1, has_bias ? 4 : 3, &post_ops)) return false;
    const ConvGeometry s = geometry_of(x, w, y, g);
    const dims weight_dims{w[0], 1, 1, w[2], w[3]};
    std::vector<Arg> args{b.input(0, pd.src_desc()),
                          b.input_as(1, plain_md(Shape(weight_dims)), md(weight_dims, dt::f32, tag::Goihw16g))};
    if (has_bias) args.push_back(b.input(2, plain_md({w[0]})));
    args.push_back(b.output(0, y, pd.dst_desc()));
    const double macs = static_cast<double>(y[0] * y[1] * y[2] * y[3] * w[2] * w[3]);
    const double bytes = 4.0 * static_cast<double>(x[0] * x[1] * x[2] * x[3] + y[0] * y[1] * y[2] * y[3]);
    b.add_own(std::make_shared<DepthwiseStep>(s, std::move(post_ops), has_bias), std::move(args),
              estimate_work_ns(macs, bytes));
    return true;
  }

  // A 1x1 convolution (stride 1, no padding) on the own GEMM (own_gemm.h).
  bool own_pointwise(OpBuilder& b, const Shape& x, const Shape& w, const Shape& y, const Geometry& g,
                     const dnnl::convolution_forward::primitive_desc& pd, const dnnl::primitive_attr& attr) const {
    if (window_.group != 1 || w[2] != 1 || w[3] != 1) return false;
    // Maps over 1024 pixels with under 128 input channels stay with oneDNN,
    // which is faster there (docs/kernels.md "Own kernels for dynamic
    // shapes").
    if (x[1] < 128 && x[0] * x[2] * x[3] > 1024) return false;
    for (size_t d = 0; d < 2; ++d)
      if (g.strides[d] != 1 || g.padding_l[d] != 0 || g.padding_r[d] != 0) return false;
    const bool has_bias = b.has_input(2);
    std::vector<OwnPostOp> post_ops;
    if (!own_post_ops(attr.get_post_ops(), y[1], 1, has_bias ? 4 : 3, &post_ops)) return false;
    const OwnGemmShape s = OwnGemmShape::dense(x[0] * x[2] * x[3], w[0], x[1]);
    const dims weight_dims = to_dims(w);
    std::vector<Arg> args{b.input(0, pd.src_desc()),
                          b.input_as(1, plain_md(w), md(weight_dims, dt::f32, tag::Oihw16o))};
    if (has_bias) args.push_back(b.input(2, plain_md({w[0]})));
    args.push_back(b.output(0, y, pd.dst_desc()));
    const double bytes = 4.0 * static_cast<double>(s.m * s.k + s.m * s.n + s.k * s.n);
    b.add_own(own_gemm_step(s, std::move(post_ops), has_bias), std::move(args),
              estimate_work_ns(static_cast<double>(s.m * s.n * s.k), bytes));
    return true;
  }

  // Other ungrouped 2-D convolutions with up to 1024 output pixels (the
  // recognizer's first convolution and its neck's 1x3 ones at small
  // widths) on the own GEMM over their windows (im2col).
  bool own_im2col(OpBuilder& b, const Shape& x, const Shape& w, const Shape& y, const Geometry& g,
                  const dnnl::convolution_forward::primitive_desc& pd, const dnnl::primitive_attr& attr) const {
    if (window_.group != 1) return false;
    if (y[0] * y[2] * y[3] > 1024 || g.dilations[0] != 0 || g.dilations[1] != 0) return false;
    const bool has_bias = b.has_input(2);
    std::vector<OwnPostOp> post_ops;
    if (!own_post_ops(attr.get_post_ops(), y[1], 1, has_bias ? 5 : 4, &post_ops)) return false;
    const ConvGeometry c = geometry_of(x, w, y, g);
    const OwnGemmShape s = OwnGemmShape::dense(y[0] * y[2] * y[3], w[0], w[1] * w[2] * w[3]);
    std::vector<Arg> args{b.input(0, pd.src_desc()), b.input_as(1, plain_md(w), md(to_dims(w), dt::f32, tag::Ohwi16o))};
    if (has_bias) args.push_back(b.input(2, plain_md({w[0]})));
    args.push_back(b.temporary(plain_md({s.m, s.k})));
    args.push_back(b.output(0, y, pd.dst_desc()));
    const double bytes = 4.0 * static_cast<double>(2 * s.m * s.k + s.m * s.n + s.k * s.n);
    b.add_own(own_gemm_step(s, std::move(post_ops), has_bias, &c), std::move(args),
              estimate_work_ns(static_cast<double>(s.m * s.n * s.k), bytes));
    return true;
  }

  Window window_;
  EltwiseChain activation_;
};

// ConvTranspose with explicit pads (output_shape, output_padding and
// auto_pad other than NOTSET/VALID run natively: their padding rules are
// ONNX's own).
class ConvTransposeOp final : public DnnlOp {
 public:
  explicit ConvTransposeOp(const OpInfo& info)
      : window_(info.node),
        output_padding_(attr_ints(info.node, "output_padding")),
        output_shape_(attr_ints(info.node, "output_shape")) {
    pack_pointwise(info);
  }

  static bool accepts(const OpInfo& info) {
    const Window w(info.node);
    return w.valid() && (w.auto_pad == "NOTSET" || w.auto_pad == "VALID") && info.node.has_input(1);
  }
  // Post-ops only in the pointwise form: oneDNN 2.6 applies them to
  // deconvolutions element by element, 20-100x slower than running them
  // apart (PaddleOCR det head: 2x2 stride-2 deconvolutions, 90 ms with a
  // ReLU post-op, 2 ms without).
  bool takes_post_ops() const override { return pointwise_weights_.defined(); }

  bool build(OpBuilder& b) const override {
    if (pointwise_weights_.defined() && build_pointwise(b)) return true;
    const Shape& x = b.input_shape(0);
    const Shape& w = b.input_shape(1);  // [C, M/group, k...]
    if (x.size() < 3 || x.size() > 5 || w.size() != x.size() || !output_shape_.empty()) return false;
    for (int64_t p : output_padding_)
      if (p != 0) return false;
    const int64_t group = window_.group;
    if (x[1] != w[0] || w[0] % group != 0) return false;
    const size_t spatial = x.size() - 2;
    const Shape kernel(w.begin() + 2, w.end());
    if (!window_.kernel_shape.empty() && window_.kernel_shape != kernel) return false;
    dims strides, dilations, padding_l, padding_r;
    Shape y{x[0], w[1] * group};
    for (size_t d = 0; d < spatial; ++d) {
      const int64_t s = window_.strides.empty() ? 1 : window_.strides[d];
      const int64_t dil = window_.dilations.empty() ? 1 : window_.dilations[d];
      int64_t pl = 0, pr = 0;
      if (window_.auto_pad == "NOTSET" && !window_.pads.empty()) {
        if (window_.pads.size() != 2 * spatial) return false;
        pl = window_.pads[d];
        pr = window_.pads[d + spatial];
      }
      const int64_t out = s * (x[d + 2] - 1) + (kernel[d] - 1) * dil + 1 - pl - pr;
      if (s < 1 || dil < 1 || pl < 0 || pr < 0 || out < 1) return false;
      strides.push_back(s);
      dilations.push_back(dil - 1);
      padding_l.push_back(pl);
      padding_r.push_back(pr);
      y.push_back(out);
    }
    // ONNX stores [C_in, C_out/group, k...]: oneDNN's (g)iohw order.
    const int64_t oc = w[1] * group, ic = w[0];
    dims weight_dims{oc, ic};
    if (group > 1) weight_dims = {group, oc / group, ic / group};
    weight_dims.insert(weight_dims.end(), kernel.begin(), kernel.end());
    static const tag kSource[2][3] = {{tag::bac, tag::bacd, tag::bacde}, {tag::acbd, tag::acbde, tag::acbdef}};
    const md source(weight_dims, dt::f32, kSource[group > 1][spatial - 1]);
    // The bias is added by a binary step after the deconvolution: with a
    // bias (or any post-op) oneDNN 2.6 takes a path 10x slower here.
    const bool has_bias = b.has_input(2);
    if (has_bias && b.input_shape(2) != Shape{oc}) return false;
    // Activations channels-last, or plain for one or two output channels
    // per group: oneDNN 2.6's default blocked layout pads the channels to 16
    // and is 2-20x slower (PaddleOCR det head, 2x2 stride-2 at 1 thread:
    // 24->24 channels at 160x160 1.4 ms blocked, 0.8 ms channels-last;
    // 24->1 at 320x320 8 ms blocked, 1.4 ms channels-last, 0.44 ms plain).
    static const tag kLast[3] = {tag::acb, tag::acdb, tag::acdeb};
    auto activation_md = [&](const Shape& s) {
      return oc / group <= 2 ? plain_md(s) : md(to_dims(s), dt::f32, kLast[spatial - 1]);
    };
    const dnnl::deconvolution_forward::desc desc(
        dnnl::prop_kind::forward_inference, dnnl::algorithm::deconvolution_direct, activation_md(x),
        md(weight_dims, dt::f32, tag::any), md(), activation_md(y), strides, dilations, padding_l, padding_r);
    const dnnl::deconvolution_forward::primitive_desc pd(desc, b.attr(false), cpu_engine());
    const Arg src = b.input(0, pd.src_desc());
    const Arg weights = b.input_as(1, source, pd.weights_desc());
    if (!has_bias) {
      b.add(dnnl::deconvolution_forward(pd), pd,
            {{DNNL_ARG_SRC, src}, {DNNL_ARG_WEIGHTS, weights}, {DNNL_ARG_DST, b.output(0, y, pd.dst_desc())}});
      return true;
    }
    const Arg raw = b.temporary(pd.dst_desc());
    b.add(dnnl::deconvolution_forward(pd), pd, {{DNNL_ARG_SRC, src}, {DNNL_ARG_WEIGHTS, weights}, {DNNL_ARG_DST, raw}});
    Shape channel(y.size(), 1);
    channel[1] = oc;
    const dnnl::binary::primitive_desc add_pd(
        dnnl::binary::desc(dnnl::algorithm::binary_add, pd.dst_desc(), plain_md(channel), pd.dst_desc()),
        b.attr(false), cpu_engine());
    const Arg bias = b.input(2, add_pd.src1_desc());
    b.add(dnnl::binary(add_pd), add_pd,
          {{DNNL_ARG_SRC_0, raw}, {DNNL_ARG_SRC_1, bias}, {DNNL_ARG_DST, b.output(0, y, pd.dst_desc())}});
    return true;
  }

 private:
  void pack_pointwise(const OpInfo& info);
  bool build_pointwise(OpBuilder& b) const;

  Window window_;
  std::vector<int64_t> output_padding_, output_shape_;
  // The pointwise form (pack_pointwise): [kh*kw*M, C, 1, 1] weights and the
  // bias tiled kh*kw times (undefined without a bias).
  Tensor pointwise_weights_, pointwise_bias_;
  int64_t kh_ = 0, kw_ = 0;
};

// A 2-D ConvTranspose whose kernel equals its stride (no padding, dilation
// or groups) sends each input pixel to its own kh x kw output patch: it is a
// 1x1 convolution to kh*kw*M channels, ordered (i, j, m), followed by a
// pixel shuffle (one reorder). oneDNN's 1x1 convolutions run near peak and
// take the post-op chain, its deconvolutions neither (PaddleOCR det head at
// 640x640, one thread: 24->1 channels 2.5 ms + 0.9 ms of reorders as a
// deconvolution, 24->24 channels 1.35 ms + 1.3 ms for the BatchNormalization
// and ReLU after it). Prepared here when the weights are constants.
void ConvTransposeOp::pack_pointwise(const OpInfo& info) {
  const ir::Node& node = info.node;
  const Tensor* w = info.body.initializer(node.inputs[1]);
  if (!w || w->dtype() != DataType::kFloat || w->rank() != 4 || window_.group != 1 || !output_shape_.empty() ||
      (window_.auto_pad != "NOTSET" && window_.auto_pad != "VALID"))
    return;
  const Shape kernel{w->dim(2), w->dim(3)};
  if (window_.strides != std::vector<int64_t>(kernel.begin(), kernel.end())) return;
  if (!window_.kernel_shape.empty() && window_.kernel_shape != window_.strides) return;
  for (const auto* list : {&window_.pads, &output_padding_})
    for (int64_t v : *list)
      if (v != 0) return;
  for (int64_t v : window_.dilations)
    if (v != 1) return;
  const Tensor* bias = node.has_input(2) ? info.body.initializer(node.inputs[2]) : nullptr;
  const int64_t c = w->dim(0), m = w->dim(1), kh = kernel[0], kw = kernel[1];
  if (node.has_input(2) && (!bias || bias->dtype() != DataType::kFloat || bias->shape() != Shape{m})) return;
  Tensor packed(DataType::kFloat, {kh * kw * m, c, 1, 1});
  const float* from = w->data<float>();
  float* to = packed.data<float>();
  for (int64_t ci = 0; ci < c; ++ci)
    for (int64_t o = 0; o < m; ++o)
      for (int64_t t = 0; t < kh * kw; ++t) to[(t * m + o) * c + ci] = from[(ci * m + o) * kh * kw + t];
  if (bias) {
    pointwise_bias_ = Tensor(DataType::kFloat, {kh * kw * m});
    for (int64_t t = 0; t < kh * kw; ++t)
      std::copy_n(bias->data<float>(), m, pointwise_bias_.data<float>() + t * m);
  }
  pointwise_weights_ = std::move(packed);
  kh_ = kh;
  kw_ = kw;
}

bool ConvTransposeOp::build_pointwise(OpBuilder& b) const {
  const Shape& x = b.input_shape(0);
  const int64_t c = pointwise_weights_.dim(1), channels = pointwise_weights_.dim(0), m = channels / (kh_ * kw_);
  if (x.size() != 4 || x[1] != c) return false;
  const int64_t n = x[0], h = x[2], w = x[3], yh = h * kh_, yw = w * kw_;
  const Shape z{n, channels, h, w}, y{n, m, yh, yw};
  b.tile_post_op_channels(kh_ * kw_);
  if (!b.post_ops_fit(z)) {
    b.tile_post_op_channels(1);
    return false;
  }
  // Channels-last z: the shuffle then moves runs of m floats.
  const md z_md(to_dims(z), dt::f32, tag::acdb);
  const dnnl::convolution_forward::desc desc(
      dnnl::prop_kind::forward_inference, dnnl::algorithm::convolution_direct, any_md(x),
      md(to_dims(pointwise_weights_.shape()), dt::f32, tag::any),
      pointwise_bias_.defined() ? plain_md({channels}) : md(), z_md, {1, 1}, {0, 0}, {0, 0});
  const dnnl::convolution_forward::primitive_desc pd(desc, b.attr(true), cpu_engine());
  // The shuffle: z and y as [n, h, i, w, j, m] (y[., ., h*kh+i, w*kw+j] =
  // z channel (i*kw+j)*m + o at [h, w]), y channels-last, or plain for one
  // or two channels (the layout of the deconvolution path).
  const dims shuffle{n, h, kh_, w, kw_, m};
  const md z6(shuffle, dt::f32, dims{h * w * channels, w * channels, kw_ * m, channels, m, 1});
  const bool plain = m <= 2;
  const md y_md = plain ? plain_md(y) : md(to_dims(y), dt::f32, tag::acdb);
  const md y6(shuffle, dt::f32,
              plain ? dims{m * yh * yw, kh_ * yw, yw, kw_, 1, yh * yw}
                    : dims{yh * yw * m, kh_ * yw * m, yw * m, kw_ * m, m, 1});
  const dnnl::reorder::primitive_desc shuffle_pd(cpu_engine(), z6, cpu_engine(), y6);

  std::vector<std::pair<int, Arg>> args{
      {DNNL_ARG_SRC, b.input(0, pd.src_desc())},
      {DNNL_ARG_WEIGHTS, b.packed(0, pointwise_weights_, plain_md(pointwise_weights_.shape()), pd.weights_desc())}};
  if (pointwise_bias_.defined())
    args.emplace_back(DNNL_ARG_BIAS, b.packed(1, pointwise_bias_, plain_md({channels}), pd.bias_desc()));
  const Arg staged = b.temporary(pd.dst_desc());
  args.emplace_back(DNNL_ARG_DST, staged);
  b.add(dnnl::convolution_forward(pd), pd, std::move(args));
  const Arg out = b.output(0, y, y_md);
  b.add(dnnl::reorder(shuffle_pd), shuffle_pd, {{DNNL_ARG_FROM, b.alias(staged, z6)}, {DNNL_ARG_TO, b.alias(out, y6)}});
  return true;
}

}  // namespace

SKIFF_DNNL_OP("", "Conv", 1, kLatestOpset, ConvOp, ConvOp::accepts);
SKIFF_DNNL_OP("com.skiff", "FusedConv", 1, 1, ConvOp, ConvOp::accepts);
SKIFF_DNNL_OP("", "ConvTranspose", 1, kLatestOpset, ConvTransposeOp, ConvTransposeOp::accepts);

}  // namespace skiff::dnnl_engine
