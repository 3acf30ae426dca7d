// fold_batch_norm (extended): an inference BatchNormalization after a Conv,
// ConvTranspose or Gemm is a per-channel scale and shift, folded into the
// producer's weights and bias:
//
//   s = scale / sqrt(var + epsilon);  W' = W * s (per output channel);
//   b' = (b - mean) * s + B
//
// Only when the producer's output is read by the BatchNormalization alone,
// every BN input is a float initializer, and only the BN's first output is
// used. New weights get new names (the originals may be shared).
//
// A ConvTranspose without a bias that the dnnl engine runs as a oneDNN
// deconvolution keeps the shift as an Add after it: oneDNN 2.6's
// deconvolution with a bias runs ~100x slower than without (168 ms instead
// of 1.4 ms per ConvTranspose at 640x640, one thread, measured on the
// PaddleOCR det head before that engine ran its kernel-equals-stride
// ConvTransposes as 1x1 convolutions). See keeps_shift_outside() in
// conv_weights.h.
#include <cmath>

#include "passes/conv_weights.h"
#include "passes/graph_util.h"
#include "passes/pass_list.h"

namespace skiff::passes {
namespace {

bool float_constants(const ir::Graph& graph, const ir::Node& node, size_t from, size_t to) {
  for (size_t i = from; i < to; ++i) {
    if (!node.has_input(i)) continue;
    const Tensor* t = constant_input(graph, node, i);
    if (!t || t->dtype() != DataType::kFloat) return false;
  }
  return true;
}

// Per-channel scale and shift of an inference BatchNormalization.
bool batch_norm_affine(const ir::Graph& graph, const ir::Node& bn, int64_t opset, const Uses& uses,
                       std::vector<float>* scale, std::vector<float>* shift) {
  if (bn.inputs.size() != 5 || !float_constants(graph, bn, 1, 5)) return false;
  for (size_t i = 1; i < bn.outputs.size(); ++i)
    if (!bn.outputs[i].empty() && (uses.is_graph_output(bn.outputs[i]) || !uses.readers(bn.outputs[i]).empty()))
      return false;
  if (opset < 9 && attr_int(bn, "spatial", 1) != 1) return false;
  if (opset >= 14 && attr_int(bn, "training_mode", 0) != 0) return false;
  const double epsilon = attr_float(bn, "epsilon", 1e-5f);
  const auto gamma = to_doubles(*constant_input(graph, bn, 1)), beta = to_doubles(*constant_input(graph, bn, 2));
  const auto mean = to_doubles(*constant_input(graph, bn, 3)), var = to_doubles(*constant_input(graph, bn, 4));
  const size_t c = gamma.size();
  if (beta.size() != c || mean.size() != c || var.size() != c) return false;
  scale->resize(c);
  shift->resize(c);
  for (size_t i = 0; i < c; ++i) {
    const double s = gamma[i] / std::sqrt(var[i] + epsilon);
    (*scale)[i] = static_cast<float>(s);
    (*shift)[i] = static_cast<float>(beta[i] - mean[i] * s);
  }
  return true;
}

// The producer's weight scaled per output channel, or an undefined tensor
// when the shapes do not fit.
Tensor scaled_weight(const ir::Node& producer, const Tensor& w, const std::vector<float>& scale) {
  const std::vector<double> s(scale.begin(), scale.end());
  if (!is_op(producer, "Gemm")) return scale_output_channels(producer, w, s);
  // Gemm: output column n scales row n of B (transB) or column n of B.
  const int64_t channels = static_cast<int64_t>(scale.size());
  const bool trans_b = attr_int(producer, "transB", 0) != 0;
  const float alpha = attr_float(producer, "alpha", 1.0f);
  if (w.rank() != 2 || (trans_b ? w.dim(0) : w.dim(1)) != channels) return Tensor();
  Tensor out = w.clone();
  float* p = out.data<float>();
  for (int64_t r = 0; r < w.dim(0); ++r)
    for (int64_t c = 0; c < w.dim(1); ++c)
      p[r * w.dim(1) + c] *= alpha * scale[static_cast<size_t>(trans_b ? r : c)];
  return out;
}

// The new bias: (b - mean) * s + B, from the producer's bias (or zeros).
// For Gemm, C (times beta) may broadcast to [M, N]: it keeps its rows.
Tensor shifted_bias(const ir::Node& producer, const Tensor* bias, const std::vector<float>& scale,
                    const std::vector<float>& shift) {
  const int64_t channels = static_cast<int64_t>(scale.size());
  const bool gemm = is_op(producer, "Gemm");
  const float beta = gemm ? attr_float(producer, "beta", 1.0f) : 1.0f;
  Shape shape = {channels};
  if (bias && gemm) {
    if (bias->rank() > 2 || (bias->rank() >= 1 && bias->dim(-1) != 1 && bias->dim(-1) != channels)) return Tensor();
    shape = bias->rank() == 2 ? Shape{bias->dim(0), channels} : Shape{channels};
  } else if (bias && bias->numel() != channels) {
    return Tensor();
  }
  Tensor out(DataType::kFloat, shape);
  float* p = out.data<float>();
  const int64_t rows = out.numel() / channels;
  const float* b = bias ? bias->data<float>() : nullptr;
  const int64_t b_cols = bias && bias->rank() >= 1 ? bias->dim(-1) : 1;
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t c = 0; c < channels; ++c) {
      const float v = b ? beta * b[(bias->rank() == 2 ? r * b_cols : 0) + (b_cols == 1 ? 0 : c)] : 0.0f;
      p[r * channels + c] = v * scale[static_cast<size_t>(c)] + shift[static_cast<size_t>(c)];
    }
  return out;
}

class FoldBatchNorm final : public Pass {
 public:
  const char* name() const override { return "fold_batch_norm"; }
  OptLevel level() const override { return OptLevel::kExtended; }

  bool run(ir::Graph& graph, PassContext& ctx) override {
    bool changed = false;
    LazyUses lazy(graph);
    for (size_t i = 0; i < graph.nodes.size(); ++i) {
      ir::Node& bn = graph.nodes[i];
      if (!is_op(bn, "BatchNormalization") || !bn.has_input(0)) continue;
      const Uses& uses = lazy.get();
      const int p = uses.producer(bn.inputs[0]);
      if (p < 0 || !uses.only_read_by(bn.inputs[0], i)) continue;
      ir::Node& producer = graph.nodes[static_cast<size_t>(p)];
      if (!(is_op(producer, "Conv") || is_op(producer, "ConvTranspose") || is_op(producer, "Gemm"))) continue;
      if (producer.outputs.size() != 1 || !float_constants(graph, producer, 1, producer.inputs.size())) continue;
      std::vector<float> scale, shift;
      if (!batch_norm_affine(graph, bn, ctx.opset(), uses, &scale, &shift)) continue;
      const Tensor* bias = constant_input(graph, producer, 2);
      Tensor w = scaled_weight(producer, *constant_input(graph, producer, 1), scale);
      Tensor b = shifted_bias(producer, bias, scale, shift);
      if (!w.defined() || !b.defined()) continue;
      if (keeps_shift_outside(producer, *constant_input(graph, producer, 1))) {
        // Keep the shift outside (see keeps_shift_outside): the BN becomes
        // Add(ConvTranspose', shift [1, M, 1, ...]).
        producer.inputs[1] = add_initializer(graph, ctx, producer.inputs[1], std::move(w));
        Shape shift_shape(static_cast<size_t>(constant_input(graph, producer, 1)->rank()), 1);
        shift_shape[1] = b.numel();
        const std::string shift_name = add_initializer(graph, ctx, bn.inputs[1] + "_shift", b.reshaped(shift_shape));
        ctx.note(str_cat(bn.label(), " folded into ", producer.label(), " and an Add"));
        ir::Node add;
        add.name = bn.name;
        add.op_type = "Add";
        add.inputs = {bn.inputs[0], shift_name};
        add.outputs = {bn.outputs[0]};
        bn = std::move(add);
        changed = true;
        lazy.changed();
        continue;
      }
      producer.inputs.resize(3);
      producer.inputs[1] = add_initializer(graph, ctx, producer.inputs[1], std::move(w));
      producer.inputs[2] = add_initializer(graph, ctx, bias ? producer.inputs[2] : producer.inputs[1] + "_bias",
                                           std::move(b));
      if (is_op(producer, "Gemm")) {
        set_attr(producer, make_attr("alpha", 1.0f));
        set_attr(producer, make_attr("beta", 1.0f));
      }
      ctx.note(str_cat(bn.label(), " folded into ", producer.label()));
      producer.outputs[0] = bn.outputs[0];
      kill_node(bn);
      changed = true;
      lazy.changed();
    }
    erase_dead_nodes(graph);
    return changed;
  }
};

}  // namespace

std::unique_ptr<Pass> make_fold_batch_norm() { return std::make_unique<FoldBatchNorm>(); }

}  // namespace skiff::passes
