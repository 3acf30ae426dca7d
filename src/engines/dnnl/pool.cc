// MaxPool, AveragePool, GlobalMaxPool, GlobalAveragePool on oneDNN's pooling
// primitive, in the layout the input has. ceil_mode becomes extra right
// padding; the cases where ONNX and oneDNN would count that padding
// differently run natively.
#include "engines/dnnl/op.h"

namespace skiff::dnnl_engine {

namespace {

class PoolOp final : public DnnlOp {
 public:
  explicit PoolOp(const OpInfo& info)
      : global_(info.node.op_type.rfind("Global", 0) == 0),
        max_(info.node.op_type.find("Max") != std::string::npos),
        kernel_shape_(attr_ints(info.node, "kernel_shape")),
        strides_(attr_ints(info.node, "strides")),
        pads_(attr_ints(info.node, "pads")),
        auto_pad_(attr_string(info.node, "auto_pad", "NOTSET")),
        ceil_mode_(attr_int(info.node, "ceil_mode", 0) != 0),
        count_include_pad_(attr_int(info.node, "count_include_pad", 0) != 0) {}

  static bool accepts(const OpInfo& info) {
    const ir::Node& node = info.node;
    if (node.has_output(1)) return false;  // MaxPool's Indices
    if (attr_int(node, "storage_order", 0) != 0) return false;
    for (int64_t d : attr_ints(node, "dilations"))
      if (d != 1) return false;
    const std::string auto_pad = attr_string(node, "auto_pad", "NOTSET");
    return auto_pad == "NOTSET" || auto_pad == "VALID";
  }

  bool build(OpBuilder& b) const override {
    const Shape& x = b.input_shape(0);
    if (x.size() < 3 || x.size() > 5) return false;
    const size_t spatial = x.size() - 2;
    dims kernel, strides, padding_l, padding_r;
    Shape y{x[0], x[1]};
    bool ceil_padding = false;
    for (size_t d = 0; d < spatial; ++d) {
      const int64_t in = x[d + 2];
      const int64_t k = global_ ? in : (kernel_shape_.size() == spatial ? kernel_shape_[d] : -1);
      const int64_t s = global_ || strides_.empty() ? 1 : strides_[d];
      int64_t pl = 0, pr = 0;
      if (!global_ && auto_pad_ == "NOTSET" && !pads_.empty()) {
        if (pads_.size() != 2 * spatial) return false;
        pl = pads_[d];
        pr = pads_[d + spatial];
      }
      if (k < 1 || s < 1 || pl < 0 || pr < 0 || pl >= k || pr >= k || in + pl + pr < k) return false;
      int64_t out = (in + pl + pr - k) / s + 1;
      if (ceil_mode_) {
        out = (in + pl + pr - k + s - 1) / s + 1;
        // The last window must start inside the input or its left padding.
        if ((out - 1) * s >= in + pl) --out;
      }
      const int64_t right = (out - 1) * s + k - in - pl;  // padding the last window reaches
      if (right > pr) ceil_padding = true;
      kernel.push_back(k);
      strides.push_back(s);
      padding_l.push_back(pl);
      padding_r.push_back(std::max(pr, right));
      y.push_back(out);
    }
    // Averages that count padding would count ceil_mode's extra padding too.
    if (!max_ && count_include_pad_ && ceil_padding) return false;
    const dnnl::algorithm algorithm = max_ ? dnnl::algorithm::pooling_max
                                      : count_include_pad_ ? dnnl::algorithm::pooling_avg_include_padding
                                                           : dnnl::algorithm::pooling_avg_exclude_padding;
    const md src = b.input_md(0);
    const dnnl::pooling_forward::desc desc(dnnl::prop_kind::forward_inference, algorithm, src, any_md(y),
                                           strides, kernel, padding_l, padding_r);
    const dnnl::pooling_forward::primitive_desc pd(desc, b.attr(false), cpu_engine());
    const Arg in = b.input(0, pd.src_desc());
    b.add(dnnl::pooling_forward(pd), pd, {{DNNL_ARG_SRC, in}, {DNNL_ARG_DST, b.output(0, y, pd.dst_desc())}});
    return true;
  }

 private:
  bool global_, max_;
  std::vector<int64_t> kernel_shape_, strides_, pads_;
  std::string auto_pad_;
  bool ceil_mode_, count_include_pad_;
};

}  // namespace

// 10: ceil_mode; 11: pads may be larger; 12 (MaxPool): int8/uint8; 19
// (AveragePool): dilations. The engine claims float without dilations.
SKIFF_DNNL_OP("", "MaxPool", 1, kLatestOpset, PoolOp, PoolOp::accepts);
SKIFF_DNNL_OP("", "AveragePool", 1, kLatestOpset, PoolOp, PoolOp::accepts);
SKIFF_DNNL_OP("", "GlobalMaxPool", 1, kLatestOpset, PoolOp, PoolOp::accepts);
SKIFF_DNNL_OP("", "GlobalAveragePool", 1, kLatestOpset, PoolOp, PoolOp::accepts);

}  // namespace skiff::dnnl_engine
