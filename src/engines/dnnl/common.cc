#include "engines/dnnl/common.h"
#include "engines/dnnl/own_post_ops.h"

namespace skiff::dnnl_engine {

const dnnl::engine& cpu_engine() {
  static const dnnl::engine engine(dnnl::engine::kind::cpu, 0);
  return engine;
}

dims to_dims(const Shape& shape) {
  if (shape.empty()) return {1};
  return dims(shape.begin(), shape.end());
}

static tag plain_tag(size_t rank) {
  switch (rank) {
    case 0:
    case 1: return tag::a;
    case 2: return tag::ab;
    case 3: return tag::abc;
    case 4: return tag::abcd;
    case 5: return tag::abcde;
    case 6: return tag::abcdef;
    default: return tag::undef;
  }
}

md plain_md(const Shape& shape) {
  const dims d = to_dims(shape);
  if (d.size() <= 6) return md(d, dt::f32, plain_tag(d.size()));
  // Ranks past oneDNN's named tags: explicit row-major strides.
  dims strides(d.size());
  int64_t stride = 1;
  for (size_t i = d.size(); i-- > 0;) {
    strides[i] = stride;
    stride *= std::max<int64_t>(d[i], 1);
  }
  return md(d, dt::f32, strides);
}

tag layout_tag(const md& desc) {
  static const std::vector<tag> kCandidates[] = {
      {}, {tag::a}, {tag::ab, tag::ba}, {tag::abc, tag::acb, tag::aBc16b, tag::aBc8b},
      {tag::abcd, tag::acdb, tag::aBcd16b, tag::aBcd8b}, {tag::abcde, tag::acdeb, tag::aBcde16b, tag::aBcde8b}};
  const dims d = desc.dims();
  if (d.size() >= std::size(kCandidates)) return tag::undef;
  for (tag t : kCandidates[d.size()])
    if (md(d, dt::f32, t) == desc) return t;
  return tag::undef;
}

bool has_padding(const md& desc) {
  const auto& data = desc.data;
  for (int i = 0; i < data.ndims; ++i)
    if (data.padded_dims[i] != data.dims[i]) return true;
  return false;
}

md matrix_md(const dims& d, bool transposed) {
  const size_t r = d.size();
  std::vector<size_t> axes(r);
  for (size_t i = 0; i < r; ++i) axes[i] = i;
  if (transposed && r >= 2) std::swap(axes[r - 1], axes[r - 2]);
  dims strides(r);
  int64_t stride = 1;
  for (size_t k = r; k-- > 0;) {
    strides[axes[k]] = stride;
    stride *= d[axes[k]];
  }
  return md(d, dt::f32, strides);
}

md any_md(const Shape& shape) { return md(to_dims(shape), dt::f32, tag::any); }

bool is_plain(const md& desc, const Shape& shape) { return desc == plain_md(shape); }

bool fused_activation(const ir::Node& node, EltwiseChain* chain) {
  using alg = dnnl::algorithm;
  const std::string activation = attr_string(node, "activation", "");
  const std::vector<float> params = attr_floats(node, "activation_params");
  chain->clear();
  if (activation.empty()) return true;
  if (activation == "Relu") chain->push_back({alg::eltwise_relu, 0.f, 0.f});
  else if (activation == "LeakyRelu" && params.size() == 1) chain->push_back({alg::eltwise_relu, params[0], 0.f});
  else if (activation == "Clip" && params.size() == 2) chain->push_back({alg::eltwise_clip, params[0], params[1]});
  else if (activation == "Sigmoid") chain->push_back({alg::eltwise_logistic, 0.f, 0.f});
  else if (activation == "Tanh") chain->push_back({alg::eltwise_tanh, 0.f, 0.f});
  else if (activation == "HardSwish") chain->push_back({alg::eltwise_hardswish, 0.f, 0.f});
  else if (activation == "HardSigmoid" && params.size() == 2) {
    // max(0, min(1, alpha * x + beta)): oneDNN 2.6 has no hardsigmoid.
    chain->push_back({alg::eltwise_linear, params[0], params[1]});
    chain->push_back({alg::eltwise_clip, 0.f, 1.f});
  } else if (activation == "Gelu") chain->push_back({alg::eltwise_gelu_erf, 0.f, 0.f});
  else if (activation == "GeluTanh") chain->push_back({alg::eltwise_gelu_tanh, 0.f, 0.f});
  else if (activation == "Silu") chain->push_back({alg::eltwise_swish, 1.f, 0.f});
  else return false;
  return true;
}

bool own_post_ops(const dnnl::post_ops& ops, int64_t channels, int channel_axis, int first_operand,
                        std::vector<OwnPostOp>* out) {
  using alg = dnnl::algorithm;
  out->clear();
  int operand = first_operand;
  for (int i = 0; i < ops.len(); ++i) {
    OwnPostOp op;
    switch (ops.kind(i)) {
      case dnnl::primitive::kind::sum:
        op.kind = OwnPostOp::Kind::kSum;
        ops.get_params_sum(i, op.scale);
        break;
      case dnnl::primitive::kind::eltwise: {
        float scale = 1;
        ops.get_params_eltwise(i, scale, op.algorithm, op.alpha, op.beta);
        const alg a = op.algorithm;
        if (scale != 1.f || !(a == alg::eltwise_relu || a == alg::eltwise_clip || a == alg::eltwise_clip_v2 ||
                              a == alg::eltwise_linear || a == alg::eltwise_hardswish))
          return false;
        break;
      }
      case dnnl::primitive::kind::binary: {
        op.kind = OwnPostOp::Kind::kBinary;
        md operand_md;
        ops.get_params_binary(i, op.algorithm, operand_md);
        const alg a = op.algorithm;
        if (!(a == alg::binary_add || a == alg::binary_mul || a == alg::binary_sub || a == alg::binary_div ||
              a == alg::binary_max || a == alg::binary_min) ||
            operand_md.data_type() != dt::f32)
          return false;
        const dims d = operand_md.dims();
        int64_t elements = 1;
        for (auto v : d) elements *= v;
        op.per_channel = elements > 1;
        const int axis = channel_axis < 0 ? static_cast<int>(d.size()) + channel_axis : channel_axis;
        if (op.per_channel && (axis < 0 || axis >= static_cast<int>(d.size()) || d[axis] != channels ||
                               elements != channels))
          return false;
        op.operand = operand++;
        break;
      }
      default:
        return false;
    }
    out->push_back(op);
  }
  return true;
}

}  // namespace skiff::dnnl_engine
