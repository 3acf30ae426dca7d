#include "engines/dnnl/region.h"

#include <cstdlib>
#include <cstring>

#include "engines/partition.h"

namespace skiff::dnnl_engine {

namespace {

// Per-thread arena, grown to the largest region it served and reused: fresh
// large allocations would page-fault on every call. Regions run one at a
// time on a thread (they never nest), so one arena per thread suffices.
struct Arena {
  void* data = nullptr;
  size_t bytes = 0;
  ~Arena() { std::free(data); }
  void* reserve(size_t need) {
    if (need <= bytes) return data;
    std::free(data);
    bytes = (need + 4095) / 4096 * 4096;
    data = std::aligned_alloc(4096, bytes);
    if (!data) {
      bytes = 0;
      fail(ErrorCode::kRuntime, "out of memory reserving a ", need, "-byte oneDNN arena");
    }
    return data;
  }
};

thread_local Arena t_arena;

std::string signature_key(const std::vector<const Tensor*>& inputs) {
  std::string key;
  for (const Tensor* t : inputs) {
    key += std::to_string(static_cast<int>(t->dtype()));
    for (int64_t d : t->shape()) {
      key += ',';
      key += std::to_string(d);
    }
    key += ";";
  }
  return key;
}

// Activations that can follow a fused producer as a post-op.
bool is_residual_add(const ir::Node& node, int64_t opset) {
  return node.domain.empty() && node.op_type == "Add" && opset >= 7 && node.inputs.size() == 2;
}

}  // namespace

RegionKernel::RegionKernel(const Region& region, const EngineOptions& options)
    : name_(region.name), body_(region.body), capacity_(std::max<size_t>(1, options.primitive_cache_capacity)) {
  const size_t n = body_.nodes.size();
  order_ = body_.topological_order();
  position_.assign(n, 0);
  for (size_t k = 0; k < order_.size(); ++k) position_[order_[k]] = static_cast<int>(k);
  opsets_.resize(n);
  ops_.resize(n);
  natives_.resize(n);
  for (size_t i = 0; i < n; ++i) {
    const ir::Node& node = body_.nodes[i];
    opsets_[i] = node_opset(node, region.opsets);
    if (node.domain == kSkiffDomain && opsets_[i] == 0) opsets_[i] = 1;
    const DnnlOpDef* def = DnnlOpRegistry::global().find(node.domain, node.op_type, opsets_[i]);
    if (!def) fail(ErrorCode::kInternal, name_, ": no oneDNN op for ", node.label());
    ops_[i] = def->create(OpInfo{node, opsets_[i], body_});
    // The fallback for shapes oneDNN cannot do exactly; its constructor
    // also validates attributes as the native engine would.
    if (const KernelDef* native = KernelRegistry::global().find("native", node.domain, node.op_type, opsets_[i]))
      natives_[i] = native->factory(KernelInfo(node, opsets_[i], body_, nullptr));
  }
  for (size_t k = 0; k < order_.size(); ++k)
    for (const auto& in : body_.nodes[order_[k]].inputs)
      if (!in.empty()) last_reader_[in] = static_cast<int>(k);
  choose_chains();
}

int RegionKernel::last_reader(const std::string& value) const {
  auto it = last_reader_.find(value);
  return it == last_reader_.end() ? -1 : it->second;
}

// A producer that takes post-ops absorbs the activations (and one residual
// Add) that follow it, as long as each intermediate value has that single
// reader and is not a region output.
void RegionKernel::choose_chains() {
  const size_t n = body_.nodes.size();
  chains_.assign(n, {});
  std::unordered_map<std::string, std::vector<size_t>> readers;
  for (size_t i = 0; i < n; ++i)
    for (const auto& in : body_.nodes[i].inputs)
      if (!in.empty()) readers[in].push_back(i);
  std::unordered_map<std::string, bool> is_output;
  for (const auto& vi : body_.outputs) is_output[vi.name] = true;
  std::vector<bool> absorbed(n, false);
  for (size_t i : order_) {
    if (!ops_[i]->takes_post_ops() || absorbed[i]) continue;
    std::string value = body_.nodes[i].outputs.empty() ? "" : body_.nodes[i].outputs[0];
    bool has_add = false;
    while (!value.empty() && !is_output[value] && readers[value].size() == 1) {
      const size_t next = readers[value][0];
      const ir::Node& node = body_.nodes[next];
      EltwiseChain unused;
      const bool add = !has_add && is_residual_add(node, opsets_[next]) && node.inputs[0] != node.inputs[1];
      if (!add && !ops_[next]->as_post_ops(&unused)) break;
      has_add = has_add || add;
      chains_[i].push_back(next);
      absorbed[next] = true;
      value = node.outputs.empty() ? "" : node.outputs[0];
    }
  }
}

std::shared_ptr<void> RegionKernel::weight(size_t node, size_t input, const md& source,
                                           const md& desc) const {
  const Tensor* w = body_.initializer(body_.nodes[node].inputs[input]);
  SKIFF_ASSERT(w != nullptr);
  return weight(node, input, *w, source, desc);
}

std::shared_ptr<void> RegionKernel::weight(size_t node, size_t slot, const Tensor& tensor, const md& source,
                                           const md& desc) const {
  const Tensor* w = &tensor;
  std::lock_guard<std::mutex> lock(weight_mutex_);
  auto& versions = weights_[{node, slot}];
  for (const auto& [s, d, data] : versions)
    if (s == source && d == desc) return data;
  SKIFF_ASSERT(w->dtype() == DataType::kFloat && source.get_size() == w->nbytes());
  std::shared_ptr<void> data;
  if (source == desc) {
    // Already in the wanted layout: share the model's buffer.
    Tensor keep = *w;
    data = std::shared_ptr<void>(const_cast<void*>(w->raw()), [keep](void*) {});
  } else {
    void* p = std::aligned_alloc(64, (desc.get_size() + 63) / 64 * 64);
    if (!p) fail(ErrorCode::kRuntime, "out of memory reordering weights of ", body_.nodes[node].label());
    data = std::shared_ptr<void>(p, [](void* q) { std::free(q); });
    dnnl::memory from(source, cpu_engine(), const_cast<void*>(w->raw()));
    dnnl::memory to(desc, cpu_engine(), p);
    dnnl::stream stream(cpu_engine());
    dnnl::reorder(from, to).execute(stream, from, to);
    stream.wait();
  }
  versions.emplace_back(source, desc, data);
  return data;
}

std::shared_ptr<const Exec> RegionKernel::exec_for(const std::vector<const Tensor*>& inputs) const {
  const std::string key = signature_key(inputs);
  {
    std::lock_guard<std::mutex> lock(cache_mutex_);
    auto it = cache_.find(key);
    if (it != cache_.end()) {
      lru_.splice(lru_.begin(), lru_, it->second);
      return it->second->second;
    }
  }
  std::vector<Shape> shapes;
  for (const Tensor* t : inputs) shapes.push_back(t->shape());
  std::shared_ptr<const Exec> exec = build_exec(*this, shapes);
  std::lock_guard<std::mutex> lock(cache_mutex_);
  auto it = cache_.find(key);
  if (it != cache_.end()) return it->second->second;  // another thread built it meanwhile
  lru_.emplace_front(key, exec);
  cache_[key] = lru_.begin();
  while (lru_.size() > capacity_) {
    cache_.erase(lru_.back().first);
    lru_.pop_back();
  }
  return exec;
}

// Runs every node on its native kernel: for inputs oneDNN does not take
// (types other than float, empty tensors).
void RegionKernel::run_native(KernelContext& ctx) const {
  std::unordered_map<std::string, Value> values;
  for (size_t k = 0; k < body_.inputs.size(); ++k) values[body_.inputs[k].name] = ctx.input_value(k);
  for (size_t index : order_) {
    const ir::Node& node = body_.nodes[index];
    if (!natives_[index]) ctx.unsupported(node.label(), " has no native kernel for these inputs");
    std::vector<const Value*> in;
    std::vector<Value> constants(node.inputs.size());
    for (size_t i = 0; i < node.inputs.size(); ++i) {
      const std::string& name = node.inputs[i];
      if (name.empty()) {
        in.push_back(nullptr);
      } else if (const Tensor* w = body_.initializer(name)) {
        constants[i] = Value(*w);
        in.push_back(&constants[i]);
      } else {
        in.push_back(&values.at(name));
      }
    }
    std::vector<Value> out(node.outputs.size());
    KernelContext node_ctx(node, opsets_[index], std::move(in), &out, {});
    natives_[index]->prepare(node_ctx);
    node_ctx.allocate_declared_outputs();
    natives_[index]->compute(node_ctx);
    for (size_t o = 0; o < node.outputs.size(); ++o)
      if (node.has_output(o)) values[node.outputs[o]] = std::move(out[o]);
  }
  for (size_t k = 0; k < body_.outputs.size(); ++k) ctx.set_output_value(k, values.at(body_.outputs[k].name));
}

void RegionKernel::compute(KernelContext& ctx) const {
  std::vector<const Tensor*> inputs;
  bool dnnl_ok = true;
  for (size_t k = 0; k < ctx.num_inputs(); ++k) {
    const Value& v = ctx.input_value(k);
    if (!v.is_tensor() || v.tensor.dtype() != DataType::kFloat || v.tensor.numel() == 0) {
      dnnl_ok = false;
      break;
    }
    inputs.push_back(&v.tensor);
  }
  if (!dnnl_ok) return run_native(ctx);
  const std::shared_ptr<const Exec> exec = exec_for(inputs);

  std::vector<void*> pointers(exec->buffers.size(), nullptr);
  char* arena = static_cast<char*>(t_arena.reserve(exec->arena_bytes));
  for (size_t b = 0; b < exec->buffers.size(); ++b) {
    const Buffer& buffer = exec->buffers[b];
    switch (buffer.kind) {
      case Buffer::Kind::kArena: pointers[b] = arena + buffer.offset; break;
      case Buffer::Kind::kInput: pointers[b] = const_cast<void*>(inputs[buffer.index]->raw()); break;
      case Buffer::Kind::kWeight: pointers[b] = buffer.weight.get(); break;
      case Buffer::Kind::kOutput: break;
    }
  }
  for (size_t k = 0; k < exec->output_shapes.size(); ++k)
    ctx.allocate_output(k, DataType::kFloat, exec->output_shapes[k]);
  for (size_t b = 0; b < exec->buffers.size(); ++b)
    if (exec->buffers[b].kind == Buffer::Kind::kOutput) pointers[b] = ctx.output(exec->buffers[b].index).raw();

  std::vector<dnnl::memory> memories;
  memories.reserve(exec->views.size());
  for (const View& view : exec->views) memories.emplace_back(view.desc, cpu_engine(), pointers[view.buffer]);
  dnnl::stream stream(cpu_engine());
  std::unordered_map<int, dnnl::memory> args;
  for (const Step& step : exec->steps) {
    if (step.native >= 0) {
      stream.wait();
      const NativeCall& call = exec->natives[step.native];
      const ir::Node& node = body_.nodes[call.node];
      std::vector<Value> in_values(call.inputs.size());
      std::vector<const Value*> in(call.inputs.size(), nullptr);
      for (size_t i = 0; i < call.inputs.size(); ++i) {
        if (call.inputs[i] >= 0) {
          in_values[i] = Value(Tensor::view(DataType::kFloat, call.input_shapes[i], memories[call.inputs[i]].get_data_handle()));
        } else if (node.has_input(i)) {
          in_values[i] = Value(*body_.initializer(node.inputs[i]));
        } else {
          continue;
        }
        in[i] = &in_values[i];
      }
      std::vector<Value> out(node.outputs.size());
      KernelContext node_ctx(node, opsets_[call.node], std::move(in), &out, {});
      natives_[call.node]->prepare(node_ctx);
      node_ctx.allocate_declared_outputs();
      natives_[call.node]->compute(node_ctx);
      for (size_t o = 0; o < call.outputs.size(); ++o) {
        if (call.outputs[o] < 0) continue;
        const Tensor& t = out[o].tensor;
        SKIFF_ASSERT(t.dtype() == DataType::kFloat && t.nbytes() == memories[call.outputs[o]].get_desc().get_size());
        std::memcpy(memories[call.outputs[o]].get_data_handle(), t.raw(), t.nbytes());
      }
      continue;
    }
    args.clear();
    for (const auto& [arg, view] : step.args) args.emplace(arg, memories[view]);
    step.primitive.execute(stream, args);
  }
  stream.wait();
}

}  // namespace skiff::dnnl_engine
