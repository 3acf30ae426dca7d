// Builds the Exec of one input-shape signature: walks the region's nodes in
// order, lets each op add its primitives (or falls back to the native
// kernel), fuses activation chains as post-ops, and plans the arena.
#include <omp.h>

#include <algorithm>

#include "core/cpu.h"
#include "engines/dnnl/own_reorder.h"
#include "engines/dnnl/region.h"
#include "engines/dnnl/swish.h"

namespace skiff::dnnl_engine {

namespace {

// Weight-cache keys of op-owned tensors start past any input index.
constexpr size_t kPackedSlots = 1 << 16;

// Steps estimated below this run on one thread: a parallel region costs a
// futex wake-up of the sleeping worker (OMP_WAIT_POLICY=passive, ~10 us
// here) plus a barrier, and the estimate runs 2-5x slow for convolutions.
// PaddleOCR classifier at 2 threads (bench --fixed-threads, 5 alternating
// rounds): 0.47 ms with 30 us, 0.33 ms with 100 us, 0.32 ms on one thread.
constexpr double kSmallStepNs = 100000;

// estimate_work_ns for a primitive: the multiply-adds of convolutions and
// matmuls, the bytes of every argument.
double estimate_ns(const dnnl::primitive& primitive, const std::vector<md>& touched, const md& weights,
                   const md& dst) {
  double bytes = 0;
  for (const md& d : touched) bytes += static_cast<double>(d.get_size());
  double macs = 0;
  const auto kind = primitive.get_kind();
  using pk = dnnl::primitive::kind;
  if ((kind == pk::convolution || kind == pk::deconvolution || kind == pk::matmul) && !weights.is_zero()) {
    const dims w = weights.dims(), y = dst.dims();
    double weights_elems = 1, dst_elems = 1;
    for (auto d : w) weights_elems *= static_cast<double>(d);
    for (auto d : y) dst_elems *= static_cast<double>(d);
    const double outputs_per_weight_row = kind == pk::matmul ? static_cast<double>(y.back()) : static_cast<double>(y[1]);
    macs = dst_elems * weights_elems / std::max(1.0, outputs_per_weight_row);
  } else if (kind == pk::rnn) {
    // Every time step is a parallel region: with a batch of a few rows the
    // steps are too short to share (LSTM classifier, batch 1: 2.7 ms on one
    // thread, 7.5 ms on two).
    const dims y = dst.dims();
    if (y.size() == 3 && y[1] <= 4) return 0;
    macs = 5e11;
  }
  return estimate_work_ns(macs, bytes);
}

// `times` copies of `t`'s elements one after another, as a flat tensor.
Tensor tiled(const Tensor& t, int64_t times) {
  if (times == 1) return t;
  Tensor out(DataType::kFloat, {t.numel() * times});
  for (int64_t k = 0; k < times; ++k) std::copy_n(t.data<float>(), t.numel(), out.data<float>() + k * t.numel());
  return out;
}

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
  bool accumulate_into_output(size_t input) override {
    if (constant(input) || !has_input(input)) return false;
    own_sum_ = node().inputs[input];
    return true;
  }
  void tile_post_op_channels(int64_t times) override { tile_ = times; }
  bool own_kernels() const override { return r_.own_kernels(); }
  bool output_accumulates() const override { return !own_sum_.empty() || (chain_active_ && !residual().empty()); }
  Arg alias(Arg view, const md& desc) override {
    SKIFF_ASSERT(desc.get_size() == exec_->views[view].desc.get_size());
    return add_view(desc, exec_->views[view].buffer);
  }
  dnnl::primitive_attr attr(bool with_post_ops, const EltwiseChain& own) override;
  bool post_ops_fit(const Shape& shape, bool binary_ok) const override;
  void add(const dnnl::primitive& primitive, const dnnl::primitive_desc_base& pd,
           std::vector<std::pair<int, Arg>> args) override;
  void add_own(std::shared_ptr<const OwnStep> step, std::vector<Arg> args, double work_ns) override;
  void add_own_swish(int dst);
  // Appends an own step on `args` (their DNNL_ARG_* keys only label them).
  void push_own(std::shared_ptr<const OwnStep> step, std::vector<std::pair<int, Arg>> args) {
    Step own;
    own.own = std::move(step);
    own.args = std::move(args);
    exec_->steps.push_back(std::move(own));
  }
  // add() without the pending post-op operands (reorders the op needs first).
  void add_step(const dnnl::primitive& primitive, const dnnl::primitive_desc_base& pd,
                std::vector<std::pair<int, Arg>> args);
  bool native_output_shapes(std::vector<Shape>* shapes) override {
    try {
      for (const Value& v : native_prepare(node_)) shapes->push_back(v.is_tensor() ? v.tensor.shape() : Shape{});
      return true;
    } catch (const Error&) {
      return false;
    }
  }

 private:
  // The node's native prepare on stand-in inputs (real constants, fresh
  // uninitialised tensors of the right shapes otherwise): its outputs.
  std::vector<Value> native_prepare(size_t index);
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
    if (r_.own_kernels()) {
      if (auto own = own_reorder_step(exec_->views[from].desc, exec_->views[to].desc)) {
        node_work_ns_ += static_cast<double>(exec_->views[from].desc.get_size()) / 4;  // ~1 ns an element
        push_own(std::move(own), {{DNNL_ARG_FROM, from}, {DNNL_ARG_TO, to}});
        return;
      }
    }
    dnnl::reorder::primitive_desc pd(cpu_engine(), exec_->views[from].desc, cpu_engine(),
                                     exec_->views[to].desc);
    add_step(dnnl::reorder(pd), pd, {{DNNL_ARG_FROM, from}, {DNNL_ARG_TO, to}});
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
  bool build_node(size_t index, bool fused);
  bool try_op(const DnnlOp& op) {
    try {
      return op.build(*this);
    } catch (const dnnl::error&) {
      return false;  // no oneDNN implementation for this case
    }
  }
  // The residual operand of the chain's Add, or "" when the chain has none.
  std::string residual() const;
  int residual_dst(const std::string& value, const std::string& residual, const md& desc);
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
  double node_work_ns_ = 0;  // estimated time of the current node's steps
  std::string own_sum_;      // the value output 0 starts from (FusedConv's Z)
  int64_t tile_ = 1;         // copies of the channels the primitive writes (tile_post_op_channels)
  mutable size_t chain_rank_ = 0;  // rank of the fused primitive's output (from post_ops_fit)
  std::vector<std::pair<int, Arg>> post_op_args_;  // binary post-op operands for the next add()
  // attr() left out a trailing swish post-op: the next add() follows its
  // primitive with an own_swish step on the primitive's destination.
  bool own_swish_ = false;
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
  for (const ChainItem& item : r_.chain(node_))
    if (item.kind == ChainItem::Kind::kSum) return item.operand;
  return "";
}

bool Builder::post_ops_fit(const Shape& shape, bool binary_ok) const {
  if (!chain_active_) return true;
  chain_rank_ = std::max<size_t>(shape.size(), 1);
  for (const ChainItem& item : r_.chain(node_)) {
    if (item.kind == ChainItem::Kind::kSum) {
      if (!own_sum_.empty() || tile_ > 1) return false;  // one sum post-op per primitive
      auto it = values_.find(item.operand);
      if (it == values_.end() || it->second.shape != shape) return false;
    } else if (item.kind == ChainItem::Kind::kBinary) {
      if (!binary_ok) return false;
      if (item.channels.defined()) {
        if (shape.size() < 2 || shape[1] != item.channels.numel() * tile_) return false;
        continue;
      }
      // The constant may broadcast to the output, never the other way.
      const Shape& c = r_.body().initializer(item.operand)->shape();
      if (c.size() > shape.size()) return false;
      for (size_t d = 0; d < c.size(); ++d) {
        const int64_t dim = c[c.size() - 1 - d];
        const size_t axis = shape.size() - 1 - d;
        if (tile_ > 1 && dim != 1 && (axis != 1 || dim * tile_ != shape[1])) return false;
        if (tile_ == 1 && dim != 1 && dim != shape[axis]) return false;
      }
    }
  }
  return true;
}

// The destination of a primitive whose sum post-op adds `value`: the
// residual's own buffer when nothing reads it afterwards (in place), else a
// new buffer the residual is first copied into.
int Builder::residual_dst(const std::string& value, const std::string& r, const md& desc) {
  const Binding& binding = values_.at(r);
  const int here = r_.position(node_);
  // Positions of the nodes this step stands for, which read `r` now.
  std::vector<int> consumed{here};
  if (chain_active_)
    for (const ChainItem& item : r_.chain(node_))
      for (size_t member : item.nodes) consumed.push_back(r_.position(member));
  bool read_later = output_index_.count(r) != 0;
  for (int p : readers_[r])
    read_later = read_later || (p > here && std::find(consumed.begin(), consumed.end(), p) == consumed.end());
  // The node's other inputs are read while the output is written.
  int uses_here = 0;
  for (const auto& in : node().inputs) uses_here += in == r;
  read_later = read_later || uses_here > (r == own_sum_ ? 1 : 0);
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
  if (chain_active_ && i == 0) value = r_.chain(node_).back().output;
  if (value.empty()) return temporary(desc);
  int view;
  if (i == 0 && !own_sum_.empty()) {
    view = residual_dst(value, own_sum_, desc);
  } else if (chain_active_ && i == 0 && !residual().empty()) {
    view = residual_dst(value, residual(), desc);
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
  own_swish_ = false;
  if (!with_post_ops) return attr;
  // The last eltwise post-op, when nothing (sum, binary) comes after it.
  const Eltwise* last = nullptr;
  static const std::vector<ChainItem> kNoChain;
  const std::vector<ChainItem>& chain = chain_active_ ? r_.chain(node_) : kNoChain;
  if (!chain.empty()) {
    if (chain.back().kind == ChainItem::Kind::kEltwise && !chain.back().eltwise.empty())
      last = &chain.back().eltwise.back();
  } else if (!own.empty()) {
    last = &own.back();
  }
  own_swish_ = last && last->algorithm == dnnl::algorithm::eltwise_swish && last->alpha == 1.f &&
               avx512_kernels();
  dnnl::post_ops ops;
  auto append = [&](const Eltwise& e) {
    if (!(own_swish_ && &e == last)) ops.append_eltwise(1.f, e.algorithm, e.alpha, e.beta);
  };
  if (!own_sum_.empty()) ops.append_sum(1.f);
  for (const Eltwise& e : own) append(e);
  if (!chain_active_) {
    attr.set_post_ops(ops);
    return attr;
  }
  post_op_args_.clear();
  for (const ChainItem& item : chain) {
    switch (item.kind) {
      case ChainItem::Kind::kEltwise:
        for (const Eltwise& e : item.eltwise) append(e);
        break;
      case ChainItem::Kind::kSum:
        ops.append_sum(1.f);
        break;
      case ChainItem::Kind::kBinary: {
        // The constant at the output's rank, 1 where it broadcasts.
        Buffer buffer;
        buffer.kind = Buffer::Kind::kWeight;
        md desc;
        if (item.channels.defined()) {
          Shape c(chain_rank_, 1);
          c[1] = item.channels.numel() * tile_;
          desc = plain_md(c);
          buffer.weight = r_.weight(item.nodes[0], kPackedSlots + item.slot, tiled(item.channels, tile_), desc, desc);
        } else {
          const ir::Node& member = r_.node(item.nodes[0]);
          const size_t input = member.inputs[0] == item.operand ? 0 : 1;
          const Tensor& operand = *r_.body().initializer(item.operand);
          Shape c = operand.shape();
          c.insert(c.begin(), chain_rank_ - c.size(), 1);
          if (tile_ > 1 && c[1] > 1) {
            c[1] *= tile_;
            desc = plain_md(c);
            buffer.weight = r_.weight(item.nodes[0], kPackedSlots + input, tiled(operand, tile_), desc, desc);
          } else {
            desc = plain_md(c);
            buffer.weight = r_.weight(item.nodes[0], input, desc, desc);
          }
        }
        ops.append_binary(item.algorithm, desc);
        post_op_args_.emplace_back(DNNL_ARG_ATTR_MULTIPLE_POST_OP(ops.len() - 1) | DNNL_ARG_SRC_1,
                                   add_view(desc, add_buffer(std::move(buffer))));
        break;
      }
    }
  }
  attr.set_post_ops(ops);
  chain_applied_ = true;
  return attr;
}

void Builder::add(const dnnl::primitive& primitive, const dnnl::primitive_desc_base& pd,
                  std::vector<std::pair<int, Arg>> args) {
  args.insert(args.end(), post_op_args_.begin(), post_op_args_.end());
  post_op_args_.clear();
  int dst = -1;
  for (const auto& [arg, view] : args)
    if (arg == DNNL_ARG_DST) dst = view;
  add_step(primitive, pd, std::move(args));
  add_own_swish(dst);
}

void Builder::add_own(std::shared_ptr<const OwnStep> step, std::vector<Arg> args, double work_ns) {
  SKIFF_ASSERT(step != nullptr);
  const int dst = args.empty() ? -1 : args.back();
  for (const auto& [arg, view] : post_op_args_) args.push_back(view);
  post_op_args_.clear();
  node_work_ns_ += work_ns;
  std::vector<std::pair<int, Arg>> keyed;
  for (Arg a : args) keyed.emplace_back(0, a);
  push_own(std::move(step), std::move(keyed));
  add_own_swish(dst);
}

// The swish attr() left out, in place on `dst` (the primitive's
// destination; an own step's last argument).
void Builder::add_own_swish(int dst) {
  if (!own_swish_) return;
  own_swish_ = false;
  SKIFF_ASSERT(dst >= 0 && exec_->views[dst].desc.data_type() == dnnl::memory::data_type::f32);
  push_own(swish_step(static_cast<int64_t>(exec_->views[dst].desc.get_size() / sizeof(float))),
           {{DNNL_ARG_DST, dst}});
}

void Builder::add_step(const dnnl::primitive& primitive, const dnnl::primitive_desc_base& pd,
                       std::vector<std::pair<int, Arg>> args) {
  std::vector<md> touched;
  for (const auto& [arg, view] : args) touched.push_back(exec_->views[view].desc);
  node_work_ns_ += estimate_ns(primitive, touched, pd.weights_desc(), pd.dst_desc());
  const md scratch = pd.scratchpad_desc();
  if (scratch.get_size() > 0) args.emplace_back(DNNL_ARG_SCRATCHPAD, temporary(scratch));
  Step step;
  step.primitive = primitive;
  step.args = std::move(args);
  exec_->steps.push_back(std::move(step));
}

std::vector<Value> Builder::native_prepare(size_t index) {
  const ir::Node& n = r_.node(index);
  const Kernel* kernel = r_.native(index);
  if (!kernel) fail(ErrorCode::kUnsupported, r_.name(), ": ", n.label(), " cannot run with these shapes");
  std::vector<Value> stand_ins(n.inputs.size());
  std::vector<const Value*> in(n.inputs.size(), nullptr);
  for (size_t i = 0; i < n.inputs.size(); ++i) {
    if (!n.has_input(i)) continue;
    if (r_.body().is_initializer(n.inputs[i])) stand_ins[i] = Value(r_.constant(n.inputs[i]));
    else stand_ins[i] = Value(Tensor(DataType::kFloat, values_.at(n.inputs[i]).shape));
    in[i] = &stand_ins[i];
  }
  std::vector<Value> out(n.outputs.size());
  KernelContext ctx(n, r_.opset(index), std::move(in), &out, {});
  kernel->prepare(ctx);
  ctx.allocate_declared_outputs();
  return out;
}

// The node on its native kernel, on plain layouts. Output shapes come from
// the kernel's own prepare, run here on stand-in inputs of the right shapes
// (prepare reads no data of the ops this engine claims, except constants).
void Builder::build_native(size_t index) {
  node_ = index;
  const ir::Node& n = node();
  NativeCall call;
  call.node = index;
  for (size_t i = 0; i < n.inputs.size(); ++i) {
    call.inputs.push_back(-1);
    call.input_shapes.emplace_back();
    if (!n.has_input(i) || constant(i)) continue;
    const Shape& shape = values_.at(n.inputs[i]).shape;
    call.inputs[i] = view_of(n.inputs[i], plain_md(shape));
    call.input_shapes[i] = shape;
  }
  std::vector<Value> out = native_prepare(index);
  for (size_t o = 0; o < n.outputs.size(); ++o) {
    call.outputs.push_back(-1);
    if (!n.has_output(o)) continue;
    if (!out[o].is_tensor() || out[o].tensor.dtype() != DataType::kFloat)
      fail(ErrorCode::kUnsupported, r_.name(), ": ", n.label(), " output ", o, " is not float");
    const Shape shape = out[o].tensor.shape();
    call.outputs[o] = output(o, shape, plain_md(shape));
  }
  exec_->natives.push_back(std::move(call));
  Step step;
  step.native = static_cast<int>(exec_->natives.size() - 1);
  exec_->steps.push_back(std::move(step));
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

// Builds node `index` (with its post-op chain when `fused`); false leaves
// nothing behind. A node whose steps would take less than kSmallStepNs is
// rebuilt for one thread: waking the other threads would cost more.
bool Builder::build_node(size_t index, bool fused) {
  const DnnlOp& op = *r_.op(index);
  const Mark before = mark();
  auto attempt = [&] {
    node_ = index;
    node_work_ns_ = 0;
    own_swish_ = false;
    own_sum_.clear();
    tile_ = 1;
    chain_active_ = fused;
    chain_applied_ = false;
    const bool ok = try_op(op) && (!fused || chain_applied_);
    chain_active_ = false;
    own_sum_.clear();
    node_ = index;
    return ok;
  };
  bool ok = attempt();
  const int threads = omp_get_max_threads();
  if (ok && threads > 1 && node_work_ns_ < kSmallStepNs) {
    rollback(before);
    omp_set_num_threads(1);
    ok = attempt();
    omp_set_num_threads(threads);
    for (size_t s = before.steps; ok && s < exec_->steps.size(); ++s) exec_->steps[s].threads = 1;
  }
  if (!ok) rollback(before);
  return ok;
}

std::shared_ptr<const Exec> Builder::run() {
  std::vector<bool> done(r_.body().nodes.size(), false);
  for (size_t index : r_.order()) {
    if (done[index]) continue;
    if (!r_.chain(index).empty() && build_node(index, true)) {
      for (const ChainItem& item : r_.chain(index))
        for (size_t member : item.nodes) done[member] = true;
      ++exec_->fused_chains;
      continue;
    }
    if (!build_node(index, false)) build_native(index);
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
