// Builds the Exec of one input-shape signature: walks the region's nodes in
// order, lets each op add its primitives (or falls back to the native
// kernel), fuses activation chains as post-ops, and plans the arena.
#include <algorithm>

#include "engines/dnnl/region.h"

namespace skiff::dnnl_engine {

namespace {

// Weight-cache keys of op-owned tensors start past any input index.
constexpr size_t kPackedSlots = 1 << 16;

class Builder final : public OpBuilder {
 public:
  Builder(const RegionKernel& region, const std::vector<Shape>& input_shapes)
      : r_(region), exec_(std::make_shared<Exec>()) {
    const ir::Graph& body = r_.body();
    for (size_t k = 0; k < body.inputs.size(); ++k) {
      Buffer buffer;
      buffer.kind = Buffer::Kind::kInput;
      buffer.index = static_cast<int>(k);
      const int b = add_buffer(std::move(buffer));
      values_[body.inputs[k].name] = Binding{input_shapes[k], {add_view(plain_md(input_shapes[k]), b)}};
    }
    for (size_t k = 0; k < body.outputs.size(); ++k) output_index_[body.outputs[k].name] = static_cast<int>(k);
    for (size_t i = 0; i < body.nodes.size(); ++i)
      for (const auto& in : body.nodes[i].inputs)
        if (!in.empty()) readers_[in].push_back(r_.position(i));
  }

  std::shared_ptr<const Exec> run();

  // OpBuilder
  const ir::Node& node() const override { return r_.node(node_); }
  int64_t opset() const override { return r_.opset(node_); }
  bool has_input(size_t i) const override { return node().has_input(i); }
  const Shape& input_shape(size_t i) const override {
    if (const Tensor* w = constant(i)) return w->shape();
    return values_.at(node().inputs[i]).shape;
  }
  const Tensor* constant(size_t i) const override {
    return has_input(i) ? r_.body().initializer(node().inputs[i]) : nullptr;
  }
  md input_md(size_t i) const override {
    if (const Tensor* w = constant(i)) return plain_md(w->shape());
    return exec_->views[values_.at(node().inputs[i]).views[0]].desc;
  }
  Arg input(size_t i, const md& desc) override;
  Arg input_as(size_t i, const md& source, const md& desc) override;
  Arg packed(size_t slot, const Tensor& data, const md& source, const md& desc) override;
  Arg output(size_t i, const Shape& shape, const md& desc) override;
  Arg temporary(const md& desc) override { return add_view(desc, arena_buffer(desc)); }
  Arg alias(Arg view, const md& desc) override {
    SKIFF_ASSERT(desc.get_size() == exec_->views[view].desc.get_size());
    return add_view(desc, exec_->views[view].buffer);
  }
  dnnl::primitive_attr attr(bool with_post_ops, const EltwiseChain& own) override;
  bool post_ops_fit(const Shape& shape) const override;
  void add(const dnnl::primitive& primitive, const dnnl::primitive_desc_base& pd,
           std::vector<std::pair<int, Arg>> args) override;

 private:
  struct Binding {
    Shape shape;
    std::vector<int> views;  // views[0]: the layout the producer wrote
  };
  struct Mark {
    size_t steps, views, buffers, natives, undo;
  };

  int add_buffer(Buffer buffer) {
    exec_->buffers.push_back(std::move(buffer));
    return static_cast<int>(exec_->buffers.size() - 1);
  }
  int add_view(const md& desc, int buffer) {
    exec_->views.push_back(View{desc, buffer});
    return static_cast<int>(exec_->views.size() - 1);
  }
  int arena_buffer(const md& desc) {
    Buffer buffer;
    buffer.bytes = desc.get_size();
    return add_buffer(std::move(buffer));
  }
  void bind(const std::string& value, const Shape& shape, int view) {
    auto [it, created] = values_.try_emplace(value, Binding{shape, {}});
    it->second.views.push_back(view);
    undo_.emplace_back(value, created);
  }
  void reorder(int from, int to) {
    dnnl::reorder::primitive_desc pd(cpu_engine(), exec_->views[from].desc, cpu_engine(),
                                     exec_->views[to].desc);
    add(dnnl::reorder(pd), pd, {{DNNL_ARG_FROM, from}, {DNNL_ARG_TO, to}});
  }
  // The view of `value` in layout `desc`, reordering into a new buffer once.
  int view_of(const std::string& value, const md& desc) {
    Binding& binding = values_.at(value);
    for (int v : binding.views)
      if (exec_->views[v].desc == desc) return v;
    const int view = add_view(desc, arena_buffer(desc));
    reorder(binding.views[0], view);
    bind(value, binding.shape, view);
    return view;
  }
  Mark mark() const {
    return {exec_->steps.size(), exec_->views.size(), exec_->buffers.size(), exec_->natives.size(), undo_.size()};
  }
  void rollback(const Mark& m) {
    exec_->steps.resize(m.steps);
    exec_->views.resize(m.views);
    exec_->buffers.resize(m.buffers);
    exec_->natives.resize(m.natives);
    while (undo_.size() > m.undo) {
      auto [value, created] = undo_.back();
      undo_.pop_back();
      if (created) values_.erase(value);
      else values_.at(value).views.pop_back();
    }
  }
  bool try_op(const DnnlOp& op) {
    try {
      return op.build(*this);
    } catch (const dnnl::error&) {
      return false;  // no oneDNN implementation for this case
    }
  }
  // The residual operand of the chain's Add, or "" when the chain has none.
  std::string residual() const;
  int residual_dst(const std::string& value, const Shape& shape, const md& desc);
  void build_native(size_t index);
  void finish_outputs();
  void plan_arena();

  const RegionKernel& r_;
  std::shared_ptr<Exec> exec_;
  std::unordered_map<std::string, Binding> values_;
  std::unordered_map<std::string, int> output_index_;
  std::unordered_map<std::string, std::vector<int>> readers_;  // value -> reader positions
  std::vector<std::pair<std::string, bool>> undo_;
  size_t node_ = 0;
  bool chain_active_ = false, chain_applied_ = false;
};

Arg Builder::input(size_t i, const md& desc) {
  if (desc.dims() == to_dims(input_shape(i))) {
    if (!constant(i)) return view_of(node().inputs[i], desc);
    return input_as(i, plain_md(input_shape(i)), desc);
  }
  return input_as(i, plain_md(Shape(desc.dims())), desc);
}

Arg Builder::packed(size_t slot, const Tensor& data, const md& source, const md& desc) {
  Buffer buffer;
  buffer.kind = Buffer::Kind::kWeight;
  buffer.weight = r_.weight(node_, kPackedSlots + slot, data, source, desc);
  return add_view(desc, add_buffer(std::move(buffer)));
}

Arg Builder::input_as(size_t i, const md& source, const md& desc) {
  if (constant(i)) {
    Buffer buffer;
    buffer.kind = Buffer::Kind::kWeight;
    buffer.weight = r_.weight(node_, i, source, desc);
    return add_view(desc, add_buffer(std::move(buffer)));
  }
  const Binding& binding = values_.at(node().inputs[i]);
  const int plain = view_of(node().inputs[i], plain_md(binding.shape));
  if (source == exec_->views[plain].desc) return view_of(node().inputs[i], desc);
  const int reread = add_view(source, exec_->views[plain].buffer);
  if (source == desc) return reread;
  const int view = add_view(desc, arena_buffer(desc));
  reorder(reread, view);
  return view;
}

std::string Builder::residual() const {
  std::string running = node().outputs[0];
  for (size_t member : r_.chain(node_)) {
    const ir::Node& m = r_.node(member);
    if (m.op_type == "Add" && m.domain.empty()) return m.inputs[0] == running ? m.inputs[1] : m.inputs[0];
    running = m.outputs[0];
  }
  return "";
}

bool Builder::post_ops_fit(const Shape& shape) const {
  if (!chain_active_) return true;
  const std::string r = residual();
  if (r.empty()) return true;
  auto it = values_.find(r);
  return it != values_.end() && it->second.shape == shape;
}

// The destination of a primitive whose sum post-op adds `value`: the
// residual's own buffer when nothing reads it afterwards (in place), else a
// new buffer the residual is first copied into.
int Builder::residual_dst(const std::string& value, const Shape& shape, const md& desc) {
  const std::string r = residual();
  const Binding& binding = values_.at(r);
  const int here = r_.position(node_);
  int add_position = here;
  for (size_t member : r_.chain(node_)) add_position = std::max(add_position, r_.position(member));
  bool read_later = output_index_.count(r) != 0;
  for (int p : readers_[r]) read_later = read_later || (p >= here && p != add_position);
  for (int v : binding.views) {
    const View view = exec_->views[v];
    if (!read_later && view.desc == desc && exec_->buffers[view.buffer].kind == Buffer::Kind::kArena &&
        !output_index_.count(value))
      return add_view(desc, view.buffer);
  }
  const int dst = add_view(desc, arena_buffer(desc));
  reorder(binding.views[0], dst);
  return dst;
}

Arg Builder::output(size_t i, const Shape& shape, const md& desc) {
  std::string value = node().outputs.size() > i ? node().outputs[i] : "";
  if (chain_active_ && i == 0) value = r_.node(r_.chain(node_).back()).outputs[0];
  if (value.empty()) return temporary(desc);
  int view;
  if (chain_active_ && i == 0 && !residual().empty()) {
    view = residual_dst(value, shape, desc);
  } else if (auto it = output_index_.find(value); it != output_index_.end() && is_plain(desc, shape)) {
    Buffer buffer;
    buffer.kind = Buffer::Kind::kOutput;
    buffer.index = it->second;
    buffer.bytes = desc.get_size();
    view = add_view(desc, add_buffer(std::move(buffer)));
  } else {
    view = add_view(desc, arena_buffer(desc));
  }
  bind(value, shape, view);
  return view;
}

dnnl::primitive_attr Builder::attr(bool with_post_ops, const EltwiseChain& own) {
  dnnl::primitive_attr attr;
  attr.set_scratchpad_mode(dnnl::scratchpad_mode::user);
  if (!with_post_ops) return attr;
  dnnl::post_ops ops;
  for (const Eltwise& e : own) ops.append_eltwise(1.f, e.algorithm, e.alpha, e.beta);
  if (!chain_active_) {
    attr.set_post_ops(ops);
    return attr;
  }
  for (size_t member : r_.chain(node_)) {
    EltwiseChain eltwise;
    if (r_.op(member)->as_post_ops(&eltwise)) {
      for (const Eltwise& e : eltwise) ops.append_eltwise(1.f, e.algorithm, e.alpha, e.beta);
    } else {
      ops.append_sum(1.f);  // the residual Add
    }
  }
  attr.set_post_ops(ops);
  chain_applied_ = true;
  return attr;
}

void Builder::add(const dnnl::primitive& primitive, const dnnl::primitive_desc_base& pd,
                  std::vector<std::pair<int, Arg>> args) {
  const md scratch = pd.scratchpad_desc();
  if (scratch.get_size() > 0) args.emplace_back(DNNL_ARG_SCRATCHPAD, temporary(scratch));
  exec_->steps.push_back(Step{primitive, std::move(args), -1});
}

// The node on its native kernel, on plain layouts. Output shapes come from
// the kernel's own prepare, run here on stand-in inputs of the right shapes
// (prepare reads no data of the ops this engine claims, except constants).
void Builder::build_native(size_t index) {
  node_ = index;
  const ir::Node& n = node();
  const Kernel* kernel = r_.native(index);
  if (!kernel)
    fail(ErrorCode::kUnsupported, r_.name(), ": ", n.label(), " cannot run with these shapes");
  NativeCall call;
  call.node = index;
  std::vector<Value> stand_ins(n.inputs.size());
  std::vector<const Value*> in(n.inputs.size(), nullptr);
  for (size_t i = 0; i < n.inputs.size(); ++i) {
    call.inputs.push_back(-1);
    call.input_shapes.emplace_back();
    if (!n.has_input(i)) continue;
    if (const Tensor* w = constant(i)) {
      stand_ins[i] = Value(*w);
    } else {
      const Shape& shape = values_.at(n.inputs[i]).shape;
      call.inputs[i] = view_of(n.inputs[i], plain_md(shape));
      call.input_shapes[i] = shape;
      stand_ins[i] = Value(Tensor(DataType::kFloat, shape));
    }
    in[i] = &stand_ins[i];
  }
  std::vector<Value> out(n.outputs.size());
  KernelContext ctx(n, opset(), std::move(in), &out, {});
  kernel->prepare(ctx);
  ctx.allocate_declared_outputs();
  for (size_t o = 0; o < n.outputs.size(); ++o) {
    call.outputs.push_back(-1);
    if (!n.has_output(o)) continue;
    if (!out[o].is_tensor() || out[o].tensor.dtype() != DataType::kFloat)
      fail(ErrorCode::kUnsupported, r_.name(), ": ", n.label(), " output ", o, " is not float");
    const Shape shape = out[o].tensor.shape();
    call.outputs[o] = output(o, shape, plain_md(shape));
  }
  exec_->natives.push_back(std::move(call));
  exec_->steps.push_back(Step{dnnl::primitive(), {}, static_cast<int>(exec_->natives.size() - 1)});
  ++exec_->native_nodes;
}

void Builder::finish_outputs() {
  const ir::Graph& body = r_.body();
  for (size_t k = 0; k < body.outputs.size(); ++k) {
    const Binding& binding = values_.at(body.outputs[k].name);
    exec_->output_shapes.push_back(binding.shape);
    bool written = false;
    for (int v : binding.views) {
      const Buffer& b = exec_->buffers[exec_->views[v].buffer];
      written = written || (b.kind == Buffer::Kind::kOutput && b.index == static_cast<int>(k));
    }
    if (written) continue;
    const md plain = plain_md(binding.shape);
    Buffer buffer;
    buffer.kind = Buffer::Kind::kOutput;
    buffer.index = static_cast<int>(k);
    buffer.bytes = plain.get_size();
    reorder(binding.views[0], add_view(plain, add_buffer(std::move(buffer))));
  }
}

// Arena offsets by liveness: buffers whose step ranges do not overlap may
// share addresses. Largest first, each at the lowest offset that fits.
void Builder::plan_arena() {
  auto touch = [&](int view, int step) {
    Buffer& b = exec_->buffers[exec_->views[view].buffer];
    if (b.first < 0 || step < b.first) b.first = step;
    b.last = std::max(b.last, step);
  };
  for (size_t s = 0; s < exec_->steps.size(); ++s) {
    const Step& step = exec_->steps[s];
    for (const auto& [arg, view] : step.args) touch(view, static_cast<int>(s));
    if (step.native >= 0) {
      for (int v : exec_->natives[step.native].inputs)
        if (v >= 0) touch(v, static_cast<int>(s));
      for (int v : exec_->natives[step.native].outputs)
        if (v >= 0) touch(v, static_cast<int>(s));
    }
  }
  std::vector<int> order;
  for (size_t b = 0; b < exec_->buffers.size(); ++b)
    if (exec_->buffers[b].kind == Buffer::Kind::kArena && exec_->buffers[b].first >= 0) order.push_back(static_cast<int>(b));
  std::sort(order.begin(), order.end(), [&](int a, int b) { return exec_->buffers[a].bytes > exec_->buffers[b].bytes; });
  std::vector<int> placed;
  for (int index : order) {
    Buffer& buffer = exec_->buffers[index];
    const size_t bytes = (buffer.bytes + 63) / 64 * 64;
    std::vector<std::pair<size_t, size_t>> busy;
    for (int other : placed) {
      const Buffer& o = exec_->buffers[other];
      if (o.last < buffer.first || buffer.last < o.first) continue;
      busy.emplace_back(o.offset, o.offset + (o.bytes + 63) / 64 * 64);
    }
    std::sort(busy.begin(), busy.end());
    size_t offset = 0;
    for (const auto& [begin, end] : busy) {
      if (offset + bytes <= begin) break;
      offset = std::max(offset, end);
    }
    buffer.offset = offset;
    exec_->arena_bytes = std::max(exec_->arena_bytes, offset + bytes);
    placed.push_back(index);
  }
}

std::shared_ptr<const Exec> Builder::run() {
  std::vector<bool> done(r_.body().nodes.size(), false);
  for (size_t index : r_.order()) {
    if (done[index]) continue;
    node_ = index;
    const DnnlOp& op = *r_.op(index);
    if (!r_.chain(index).empty()) {
      const Mark before = mark();
      chain_active_ = true;
      chain_applied_ = false;
      const bool fused = try_op(op) && chain_applied_;
      chain_active_ = false;
      node_ = index;
      if (fused) {
        for (size_t member : r_.chain(index)) done[member] = true;
        ++exec_->fused_chains;
        continue;
      }
      rollback(before);
    }
    const Mark before = mark();
    if (!try_op(op)) {
      rollback(before);
      build_native(index);
    }
  }
  finish_outputs();
  plan_arena();
  return exec_;
}

}  // namespace

std::shared_ptr<const Exec> build_exec(const RegionKernel& region, const std::vector<Shape>& input_shapes) {
  try {
    return Builder(region, input_shapes).run();
  } catch (const dnnl::error& e) {
    fail(ErrorCode::kInternal, region.name(), ": oneDNN: ", e.what());
  }
}

}  // namespace skiff::dnnl_engine
