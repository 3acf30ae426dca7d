// Attribute parsing and input validation shared by RNN, GRU and LSTM.
#include "engines/native/rnn_util.h"

#include <algorithm>
#include <cctype>

namespace skiff::rnn {
namespace {

struct ActivationSpec {
  const char* name;  // lower case; the attribute is matched case-insensitively
  Activation::Kind kind;
  bool uses_alpha, uses_beta;
  float default_alpha, default_beta;  // the standalone ops' defaults
};

constexpr ActivationSpec kActivations[] = {
    {"relu", Activation::Kind::kRelu, false, false, 0, 0},
    {"tanh", Activation::Kind::kTanh, false, false, 0, 0},
    {"sigmoid", Activation::Kind::kSigmoid, false, false, 0, 0},
    {"affine", Activation::Kind::kAffine, true, true, 1.0f, 0.0f},
    {"leakyrelu", Activation::Kind::kLeakyRelu, true, false, 0.01f, 0},
    {"thresholdedrelu", Activation::Kind::kThresholdedRelu, true, false, 1.0f, 0},
    {"scaledtanh", Activation::Kind::kScaledTanh, true, true, 1.0f, 1.0f},
    {"hardsigmoid", Activation::Kind::kHardSigmoid, true, true, 0.2f, 0.5f},
    {"elu", Activation::Kind::kElu, true, false, 1.0f, 0},
    {"softsign", Activation::Kind::kSoftsign, false, false, 0, 0},
    {"softplus", Activation::Kind::kSoftplus, false, false, 0, 0},
};

const ActivationSpec* find_activation(std::string name) {
  std::transform(name.begin(), name.end(), name.begin(),
                 [](unsigned char ch) { return static_cast<char>(std::tolower(ch)); });
  for (const ActivationSpec& spec : kActivations)
    if (name == spec.name) return &spec;
  return nullptr;
}

// activation_alpha and activation_beta are consumed in the order of the
// activation functions, each list only by the functions that take it.
std::vector<Activation> parse_activations(const KernelInfo& info,
                                          const std::vector<std::string>& defaults,
                                          int64_t num_directions) {
  std::vector<std::string> names = info.attr_strings("activations", {});
  const size_t per_direction = defaults.size();
  if (names.empty()) {
    for (int64_t d = 0; d < num_directions; ++d) names.insert(names.end(), defaults.begin(), defaults.end());
  } else if (names.size() == per_direction && num_directions == 2) {
    // One direction's list for a bidirectional op: both directions use it.
    const std::vector<std::string> once = names;
    names.insert(names.end(), once.begin(), once.end());
  } else if (names.size() != per_direction * static_cast<size_t>(num_directions)) {
    info.fail("activations has ", names.size(), " functions but needs ", per_direction,
              " per direction (", num_directions, " direction", num_directions > 1 ? "s" : "", ")");
  }
  const std::vector<float> alphas = info.attr_floats("activation_alpha", {});
  const std::vector<float> betas = info.attr_floats("activation_beta", {});
  size_t next_alpha = 0, next_beta = 0;
  std::vector<Activation> result;
  for (const std::string& name : names) {
    const ActivationSpec* spec = find_activation(name);
    if (!spec) info.unsupported("activation function '", name, "' is not supported");
    Activation a;
    a.kind = spec->kind;
    a.alpha = spec->default_alpha;
    a.beta = spec->default_beta;
    if (spec->uses_alpha && next_alpha < alphas.size()) a.alpha = alphas[next_alpha++];
    if (spec->uses_beta && next_beta < betas.size()) a.beta = betas[next_beta++];
    result.push_back(a);
  }
  return result;
}

}  // namespace

RecurrentAttrs parse_recurrent_attrs(const KernelInfo& info,
                                     const std::vector<std::string>& default_activations) {
  RecurrentAttrs a;
  const std::string direction = info.attr_string("direction", "forward");
  if (direction == "bidirectional") {
    a.bidirectional = true;
    a.num_directions = 2;
  } else if (direction == "reverse") {
    a.reverse = true;
  } else if (direction != "forward") {
    info.fail("direction must be forward, reverse or bidirectional, got '", direction, "'");
  }
  if (info.has_attr("hidden_size")) {
    a.hidden_size = info.attr_int("hidden_size");
    if (a.hidden_size <= 0) info.fail("hidden_size must be positive, got ", a.hidden_size);
  }
  if (info.opset() >= 14) {
    a.layout = info.attr_int("layout", 0);
    if (a.layout != 0 && a.layout != 1) info.fail("layout must be 0 or 1, got ", a.layout);
  }
  if (info.has_attr("clip")) {
    a.clip = info.attr_float("clip");
    a.has_clip = true;
    if (!(a.clip > 0)) info.fail("clip must be positive, got ", a.clip);
  }
  a.activations = parse_activations(info, default_activations, a.num_directions);
  return a;
}

RecurrentShape check_recurrent_inputs(const KernelContext& ctx, const RecurrentAttrs& attrs,
                                      int64_t gates, bool lstm) {
  const Tensor& x = ctx.input(0);
  RecurrentShape s;
  s.layout = attrs.layout;
  s.directions = attrs.num_directions;
  if (x.rank() != 3)
    ctx.fail(ctx.input_label(0), " must be 3-D ",
             s.layout == 0 ? "[seq_length, batch_size, input_size]"
                           : "[batch_size, seq_length, input_size] (layout = 1)");
  s.seq_length = x.dim(s.layout == 0 ? 0 : 1);
  s.batch = x.dim(s.layout == 0 ? 1 : 0);
  s.input_size = x.dim(2);
  const Tensor& r = ctx.input(2);
  if (r.rank() != 3) ctx.fail(ctx.input_label(2), " must be 3-D [num_directions, ", gates,
                              "*hidden_size, hidden_size]");
  s.hidden = attrs.hidden_size >= 0 ? attrs.hidden_size : r.dim(2);
  const int64_t D = s.directions, H = s.hidden, GH = checked_mul(gates, H);

  auto expect = [&](size_t i, const Shape& want, const char* meaning) {
    const Tensor& t = ctx.input(i);
    if (t.dtype() != x.dtype())
      ctx.fail(ctx.input_label(i), " must have the same type as ", ctx.input_label(0));
    if (t.shape() != want)
      ctx.fail(ctx.input_label(i), " must have shape ", shape_str(want), " = ", meaning,
               " (hidden_size ", H, ", ", D, " direction", D > 1 ? "s" : "", ")");
  };
  const char* gates_text = gates == 1 ? "hidden_size" : gates == 3 ? "3*hidden_size" : "4*hidden_size";
  const std::string w_meaning = str_cat("[num_directions, ", gates_text, ", input_size]");
  const std::string r_meaning = str_cat("[num_directions, ", gates_text, ", hidden_size]");
  expect(1, {D, GH, s.input_size}, w_meaning.c_str());
  expect(2, {D, GH, H}, r_meaning.c_str());
  if (ctx.has_input(3)) {
    const std::string b_meaning = str_cat("[num_directions, 2*", gates_text, "]");
    expect(3, {D, checked_mul(2, GH)}, b_meaning.c_str());
  }
  if (ctx.has_input(4)) {
    const Tensor& lens = ctx.input(4);
    if (lens.dtype() != DataType::kInt32 && lens.dtype() != DataType::kInt64)
      ctx.fail(ctx.input_label(4), " must be int32 (or int64)");
    if (lens.shape() != Shape{s.batch})
      ctx.fail(ctx.input_label(4), " must have shape [batch_size] = [", s.batch, "]");
  }
  const Shape state = s.layout == 0 ? Shape{D, s.batch, H} : Shape{s.batch, D, H};
  const char* state_meaning = s.layout == 0 ? "[num_directions, batch_size, hidden_size]"
                                            : "[batch_size, num_directions, hidden_size]";
  if (ctx.has_input(5)) expect(5, state, state_meaning);
  if (lstm && ctx.has_input(6)) expect(6, state, state_meaning);
  if (lstm && ctx.has_input(7)) expect(7, {D, checked_mul(3, H)}, "[num_directions, 3*hidden_size]");
  return s;
}

void declare_recurrent_outputs(KernelContext& ctx, const RecurrentShape& s, int state_outputs) {
  const DataType dtype = ctx.input(0).dtype();
  const int64_t D = s.directions;
  if (ctx.output_wanted(0))
    ctx.set_output(0, dtype,
                   s.layout == 0 ? Shape{s.seq_length, D, s.batch, s.hidden}
                                 : Shape{s.batch, s.seq_length, D, s.hidden});
  for (int i = 1; i <= state_outputs; ++i)
    if (ctx.output_wanted(static_cast<size_t>(i)))
      ctx.set_output(static_cast<size_t>(i), dtype,
                     s.layout == 0 ? Shape{D, s.batch, s.hidden} : Shape{s.batch, D, s.hidden});
}

std::vector<int64_t> sequence_lengths(const KernelContext& ctx, const RecurrentShape& s) {
  std::vector<int64_t> lens(static_cast<size_t>(s.batch), s.seq_length);
  if (!ctx.has_input(4)) return lens;
  const Tensor& t = ctx.input(4);
  for (int64_t b = 0; b < s.batch; ++b) {
    const int64_t v = t.dtype() == DataType::kInt32 ? t.data<int32_t>()[b] : t.data<int64_t>()[b];
    if (v < 0 || v > s.seq_length)
      ctx.fail_runtime("sequence_lens[", b, "] = ", v, " is outside [0, ", s.seq_length,
                       "] (seq_length of ", ctx.input_label(0), ")");
    lens[static_cast<size_t>(b)] = v;
  }
  return lens;
}

}  // namespace skiff::rnn
