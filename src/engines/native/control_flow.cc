// If, Loop and Scan: kernels that run compiled subgraphs. Values the bodies
// read from enclosing scopes arrive as KernelContext::captured(), in the order
// the executor compiled the subgraphs with.
#include <cstring>

#include "core/dispatch.h"
#include "engines/kernel.h"

namespace skiff {

namespace {

bool read_condition(const KernelContext& ctx, size_t index, const char* what) {
  const Tensor& t = ctx.input(index);
  if (t.numel() != 1) ctx.fail(what, " must hold exactly one element, got ", t.str());
  if (t.dtype() == DataType::kBool) return t.data<bool>()[0];
  bool result = false;
  dispatch(kNumericTypes, t.dtype(), [&](auto tag) {
    using T = typename decltype(tag)::type;
    result = static_cast<float>(t.data<T>()[0]) != 0.0f;
  }, [&] { return ctx.prefix() + what; });
  return result;
}

// Copies slice `index` of `t` along `axis` (the axis is removed).
Tensor take_slice(const Tensor& t, int64_t axis, int64_t index) {
  Shape shape = t.shape();
  const int64_t outer = shape_numel(Shape(shape.begin(), shape.begin() + axis));
  const int64_t inner = shape_numel(Shape(shape.begin() + axis + 1, shape.end()));
  const int64_t n = shape[axis];
  shape.erase(shape.begin() + axis);
  Tensor out(t.dtype(), shape);
  if (t.dtype() == DataType::kString) {
    for (int64_t o = 0; o < outer; ++o)
      for (int64_t i = 0; i < inner; ++i)
        out.data<std::string>()[o * inner + i] = t.data<std::string>()[(o * n + index) * inner + i];
    return out;
  }
  const size_t es = dtype_size(t.dtype());
  const auto* src = static_cast<const char*>(t.raw());
  auto* dst = static_cast<char*>(out.raw());
  for (int64_t o = 0; o < outer; ++o)
    std::memcpy(dst + o * inner * es, src + ((o * n + index) * inner) * es, inner * es);
  return out;
}

// Stacks equally shaped tensors along a new `axis`.
Tensor stack(const std::vector<Tensor>& items, int64_t axis, const KernelContext& ctx,
             const char* what) {
  const Tensor& first = items.front();
  for (const auto& t : items)
    if (t.shape() != first.shape() || t.dtype() != first.dtype())
      ctx.fail(what, " changes from ", first.str(), " to ", t.str(), " between iterations");
  Shape shape = first.shape();
  if (axis < 0) axis += static_cast<int64_t>(shape.size()) + 1;
  shape.insert(shape.begin() + axis, static_cast<int64_t>(items.size()));
  Tensor out(first.dtype(), shape);
  const int64_t outer = shape_numel(Shape(first.shape().begin(), first.shape().begin() + axis));
  const int64_t inner = shape_numel(Shape(first.shape().begin() + axis, first.shape().end()));
  const int64_t n = static_cast<int64_t>(items.size());
  for (int64_t k = 0; k < n; ++k) {
    if (first.dtype() == DataType::kString) {
      for (int64_t o = 0; o < outer; ++o)
        for (int64_t i = 0; i < inner; ++i)
          out.data<std::string>()[(o * n + k) * inner + i] = items[k].data<std::string>()[o * inner + i];
      continue;
    }
    const size_t es = dtype_size(first.dtype());
    for (int64_t o = 0; o < outer; ++o)
      std::memcpy(static_cast<char*>(out.raw()) + (o * n + k) * inner * es,
                  static_cast<const char*>(items[k].raw()) + o * inner * es, inner * es);
  }
  return out;
}

class IfKernel final : public Kernel {
 public:
  explicit IfKernel(const KernelInfo& info)
      : then_(info.compile_subgraph("then_branch")), else_(info.compile_subgraph("else_branch")) {
    if (then_->output_names().size() != info.num_outputs() ||
        else_->output_names().size() != info.num_outputs())
      info.fail("then_branch has ", then_->output_names().size(), " outputs and else_branch ",
                else_->output_names().size(), ", but the node has ", info.num_outputs());
  }
  void compute(KernelContext& ctx) const override {
    const auto& branch = read_condition(ctx, 0, "condition") ? then_ : else_;
    std::vector<Value> outputs = branch->run({}, ctx.captured());
    for (size_t i = 0; i < outputs.size(); ++i) ctx.set_output_value(i, std::move(outputs[i]));
  }

 private:
  std::shared_ptr<SubgraphRunner> then_, else_;
};

// 11: condition may be any 1-element tensor; 13: sequences; 16: optionals.
SKIFF_KERNEL(native, "If", 1, kLatestOpset, IfKernel);
SKIFF_KERNEL_TYPES(native, "If", 1, "B: bool, numeric; V: any");

class LoopKernel final : public Kernel {
 public:
  explicit LoopKernel(const KernelInfo& info) : body_(info.compile_subgraph("body")) {
    const size_t carried = info.num_inputs() >= 2 ? info.num_inputs() - 2 : 0;
    if (body_->input_names().size() != carried + 2)
      info.fail("body takes ", body_->input_names().size(), " inputs but the node carries ",
                carried, " values (the body needs iteration number, condition and each)");
    if (body_->output_names().size() < carried + 1)
      info.fail("body returns ", body_->output_names().size(), " outputs, needs at least ",
                carried + 1);
    num_scan_outputs_ = body_->output_names().size() - carried - 1;
  }

  void compute(KernelContext& ctx) const override {
    int64_t max_trips = INT64_MAX;
    if (ctx.has_input(0)) {
      const Tensor& m = ctx.input(0);
      if (m.numel() != 1 || m.dtype() != DataType::kInt64)
        ctx.fail("trip count M must be a 1-element int64 tensor, got ", m.str());
      max_trips = m.data<int64_t>()[0];
    }
    bool cond = ctx.has_input(1) ? read_condition(ctx, 1, "cond") : true;
    if (!ctx.has_input(0) && !ctx.has_input(1))
      ctx.unsupported("a Loop with neither a trip count nor a condition never ends");
    const size_t carried = ctx.num_inputs() - 2;
    std::vector<Value> state;
    for (size_t i = 0; i < carried; ++i) state.push_back(ctx.input_value(i + 2));
    std::vector<std::vector<Value>> scans(num_scan_outputs_);
    for (int64_t iter = 0; iter < max_trips && cond; ++iter) {
      std::vector<Value> in;
      in.push_back(Value(Tensor::scalar<int64_t>(iter)));
      in.push_back(Value(Tensor::scalar<bool>(cond)));
      for (auto& v : state) in.push_back(v);
      std::vector<Value> out = body_->run(in, ctx.captured());
      const Value& c = out[0];
      if (!c.is_tensor() || c.tensor.numel() != 1 || c.tensor.dtype() != DataType::kBool)
        ctx.fail("body's condition output must be a 1-element bool tensor");
      cond = c.tensor.data<bool>()[0];
      for (size_t i = 0; i < carried; ++i) state[i] = std::move(out[i + 1]);
      for (size_t i = 0; i < num_scan_outputs_; ++i) scans[i].push_back(std::move(out[carried + 1 + i]));
    }
    for (size_t i = 0; i < carried; ++i) ctx.set_output_value(i, std::move(state[i]));
    for (size_t i = 0; i < num_scan_outputs_; ++i) {
      std::vector<Tensor> items;
      for (auto& v : scans[i]) {
        if (!v.is_tensor()) ctx.unsupported("scan output ", i, " of the body is not a tensor");
        items.push_back(std::move(v.tensor));
      }
      // Zero iterations: an empty tensor; ONNX gives no element type here, so
      // float is as good as any.
      ctx.set_output_tensor(carried + i, items.empty() ? Tensor(DataType::kFloat, {0})
                                                       : stack(items, 0, ctx, "scan output"));
    }
  }

 private:
  std::shared_ptr<SubgraphRunner> body_;
  size_t num_scan_outputs_ = 0;
};

// 11: M/cond semantics clarified; 13: sequences; 16: optionals.
SKIFF_KERNEL(native, "Loop", 1, kLatestOpset, LoopKernel);
SKIFF_KERNEL_TYPES(native, "Loop", 1, "I: int64; B: bool, numeric; V: any");

class ScanKernel final : public Kernel {
 public:
  explicit ScanKernel(const KernelInfo& info)
      : body_(info.compile_subgraph("body")), legacy_(info.opset() < 9) {
    num_scan_inputs_ = info.attr_int("num_scan_inputs");
    const int64_t first = legacy_ ? 1 : 0;  // opset 8: sequence_lens comes first
    num_states_ = static_cast<int64_t>(info.num_inputs()) - first - num_scan_inputs_;
    if (num_scan_inputs_ < 1 || num_states_ < 0)
      info.fail("num_scan_inputs ", num_scan_inputs_, " does not fit ", info.num_inputs(), " inputs");
    num_scan_outputs_ = static_cast<int64_t>(info.num_outputs()) - num_states_;
    if (static_cast<int64_t>(body_->input_names().size()) != num_states_ + num_scan_inputs_ ||
        static_cast<int64_t>(body_->output_names().size()) != num_states_ + num_scan_outputs_)
      info.fail("body signature does not match the node's ", num_states_, " states, ",
                num_scan_inputs_, " scan inputs and ", num_scan_outputs_, " scan outputs");
    input_axes_ = info.attr_ints("scan_input_axes", std::vector<int64_t>(num_scan_inputs_, 0));
    input_dirs_ = info.attr_ints(legacy_ ? "directions" : "scan_input_directions",
                                 std::vector<int64_t>(num_scan_inputs_, 0));
    output_axes_ = info.attr_ints("scan_output_axes", std::vector<int64_t>(num_scan_outputs_, 0));
    output_dirs_ = info.attr_ints("scan_output_directions", std::vector<int64_t>(num_scan_outputs_, 0));
    if (static_cast<int64_t>(input_axes_.size()) != num_scan_inputs_ ||
        static_cast<int64_t>(input_dirs_.size()) != num_scan_inputs_ ||
        static_cast<int64_t>(output_axes_.size()) != num_scan_outputs_ ||
        static_cast<int64_t>(output_dirs_.size()) != num_scan_outputs_)
      info.fail("scan axes/directions attributes must have one entry per scan input/output");
  }

  void compute(KernelContext& ctx) const override {
    const size_t first = legacy_ ? 1 : 0;
    std::vector<Tensor> states, scan_in;
    for (int64_t i = 0; i < num_states_; ++i) states.push_back(ctx.input(first + i));
    for (int64_t i = 0; i < num_scan_inputs_; ++i) scan_in.push_back(ctx.input(first + num_states_ + i));
    if (!legacy_) {
      auto outputs = scan(ctx, states, scan_in, input_axes_, -1);
      for (size_t i = 0; i < outputs.size(); ++i) ctx.set_output_tensor(i, std::move(outputs[i]));
      return;
    }
    // Opset 8: axis 0 is a batch; each batch item scans along axis 1 up to
    // its sequence length.
    const int64_t batch = scan_in[0].dim(0);
    std::vector<std::vector<Tensor>> per_output(num_states_ + num_scan_outputs_);
    for (int64_t b = 0; b < batch; ++b) {
      std::vector<Tensor> s, x;
      for (auto& t : states) s.push_back(take_slice(t, 0, b));
      for (auto& t : scan_in) {
        if (t.rank() < 2 || t.dim(0) != batch) ctx.fail("scan input ", t.str(), " must be [batch, sequence, ...]");
        x.push_back(take_slice(t, 0, b));
      }
      int64_t length = -1;
      if (ctx.has_input(0)) {
        const Tensor& lens = ctx.input(0);
        if (lens.numel() != batch || lens.dtype() != DataType::kInt64) ctx.fail("sequence_lens must be int64[batch]");
        length = lens.data<int64_t>()[b];
      }
      auto outputs = scan(ctx, s, x, std::vector<int64_t>(num_scan_inputs_, 0), length);
      for (size_t i = 0; i < outputs.size(); ++i) per_output[i].push_back(std::move(outputs[i]));
    }
    for (size_t i = 0; i < per_output.size(); ++i) ctx.set_output_tensor(i, stack(per_output[i], 0, ctx, "output"));
  }

 private:
  std::vector<Tensor> scan(const KernelContext& ctx, std::vector<Tensor> states,
                           const std::vector<Tensor>& inputs, const std::vector<int64_t>& axes,
                           int64_t length) const {
    std::vector<int64_t> axis(inputs.size());
    int64_t steps = -1;
    for (size_t i = 0; i < inputs.size(); ++i) {
      if (axes[i] < -inputs[i].rank() || axes[i] >= inputs[i].rank())
        ctx.fail("scan_input_axes holds axis ", axes[i], ", out of range for scan input ", i, " ",
                 inputs[i].str());
      axis[i] = axes[i] < 0 ? axes[i] + inputs[i].rank() : axes[i];
      if (steps >= 0 && inputs[i].dim(axis[i]) != steps)
        ctx.fail("scan inputs disagree on the sequence length (", steps, " vs ", inputs[i].str(), ")");
      steps = inputs[i].dim(axis[i]);
    }
    if (length >= 0) {
      if (length > steps) ctx.fail("sequence length ", length, " exceeds the input's ", steps);
      steps = length;
    }
    std::vector<std::vector<Tensor>> collected(num_scan_outputs_);
    for (int64_t t = 0; t < steps; ++t) {
      std::vector<Value> in;
      for (auto& s : states) in.push_back(Value(s));
      for (size_t i = 0; i < inputs.size(); ++i) {
        const int64_t index = input_dirs_[i] ? steps - 1 - t : t;
        in.push_back(Value(take_slice(inputs[i], axis[i], index)));
      }
      std::vector<Value> out = body_->run(in, ctx.captured());
      for (int64_t i = 0; i < num_states_; ++i) states[i] = out[i].tensor;
      for (int64_t i = 0; i < num_scan_outputs_; ++i) collected[i].push_back(out[num_states_ + i].tensor);
    }
    std::vector<Tensor> result = states;
    for (int64_t i = 0; i < num_scan_outputs_; ++i) {
      auto& items = collected[i];
      if (items.empty()) ctx.unsupported("a Scan over an empty sequence has no output shape");
      if (output_dirs_[i]) std::reverse(items.begin(), items.end());
      const int64_t rank = items[0].rank() + 1;
      result.push_back(stack(items, normalize_axis(output_axes_[i], rank, "scan_output_axes"), ctx, "scan output"));
    }
    return result;
  }

  std::shared_ptr<SubgraphRunner> body_;
  bool legacy_;
  int64_t num_scan_inputs_ = 0, num_states_ = 0, num_scan_outputs_ = 0;
  std::vector<int64_t> input_axes_, input_dirs_, output_axes_, output_dirs_;
};

// 8: batched with sequence_lens; 9: no batch axis, scan axes and directions
// per input/output; 11: negative axes; 16: bfloat16.
SKIFF_KERNEL(native, "Scan", 8, kLatestOpset, ScanKernel);
SKIFF_KERNEL_TYPES(native, "Scan", 8, "I: int64; V: all, complex64, complex128");

}  // namespace

}  // namespace skiff
