#include "engines/dnnl/region.h"

#include <omp.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif

#include <atomic>
#include <cmath>
#include <cstdlib>
#include <cstring>

#include "core/cpu.h"
#include "core/pages.h"
#include "engines/partition.h"

namespace skiff::dnnl_engine {

namespace {

// Per-thread arena, grown to the largest region it served and reused: fresh
// large allocations would page-fault on every call. Regions run one at a
// time on a thread (they never nest), so one arena per thread suffices.
// Mapped on huge pages (core/pages.h), like the weights.
struct Arena {
  std::shared_ptr<void> data;
  size_t bytes = 0;
  void* reserve(size_t need) {
    if (need <= bytes) return data.get();
    data.reset();
    bytes = 0;
    data = allocate_mapped(need);
    bytes = need;
    return data.get();
  }
};

thread_local Arena t_arena;

// Each Exec keeps the dnnl::memory objects of its views between calls.
// Making one per view on every call costs an allocation, a descriptor copy
// and, for views whose blocked layout pads the channels, zeroing that
// padding; a kept one only gets a new data handle when its buffer moved
// (inputs and outputs may on every call, the arena and the weights rarely).
// Primitives expect zero padding in what they read and keep it in what
// they write, but the thread's arena is shared by every region: when
// anything else used it since (another Exec, or this one on another
// thread), the padded arena views are zeroed again (set_data_handle does).
std::atomic<uint64_t> g_arena_stamps{0};  // one per use of any thread's arena
thread_local uint64_t t_arena_stamp = 0;   // this thread's arena's latest use

bool has_padding(const md& desc) {
  size_t elements = 1;
  for (auto d : desc.dims()) elements *= static_cast<size_t>(d);
  return desc.get_size() != elements * sizeof(float);
}

// Takes one of the Exec's idle sets (or makes one) and points it at this
// call's buffers. Give it back with return_views.
std::unique_ptr<KeptViews> take_views(const Exec& exec, const std::vector<void*>& pointers, const void* arena) {
  std::unique_ptr<KeptViews> kept;
  {
    std::lock_guard<std::mutex> lock(exec.kept_mutex);
    if (!exec.kept.empty()) {
      kept = std::move(exec.kept.back());
      exec.kept.pop_back();
    }
  }
  if (!kept) {
    kept = std::make_unique<KeptViews>();
    for (const View& view : exec.views) {
      kept->memories.emplace_back(view.desc, cpu_engine(), pointers[view.buffer]);
      kept->handles.push_back(pointers[view.buffer]);
      kept->padded.push_back(exec.buffers[view.buffer].kind == Buffer::Kind::kArena && has_padding(view.desc));
    }
  } else {
    const bool arena_reused = kept->arena != arena || kept->arena_use != t_arena_stamp;
    for (size_t v = 0; v < exec.views.size(); ++v) {
      void* p = pointers[exec.views[v].buffer];
      if (kept->handles[v] != p || (arena_reused && kept->padded[v])) {
        kept->memories[v].set_data_handle(p);
        kept->handles[v] = p;
      }
    }
  }
  return kept;
}

void return_views(const Exec& exec, std::unique_ptr<KeptViews> kept, const void* arena) {
  kept->arena = arena;
  kept->arena_use = t_arena_stamp;
  std::lock_guard<std::mutex> lock(exec.kept_mutex);
  exec.kept.push_back(std::move(kept));
}

// Shapes and the thread count: oneDNN partitions work when a primitive is
// created, so primitives serve only the thread count they were made for.
std::string signature_key(const std::vector<const Tensor*>& inputs) {
  std::string key = std::to_string(omp_get_max_threads()) + "t;";
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

// glibc keeps freed heap blocks resident (weights loaded after its mmap
// threshold has grown live on the heap), so a released weight would still
// count in the process's memory: ResNet-50 peaked at 175 MB instead of 131 MB.
// Trimming hands the freed pages back at once (~0.1 ms; once per weight).
void return_freed_memory() {
#ifdef __GLIBC__
  malloc_trim(0);
#endif
}

// Whether oneDNN can reorder `from` back to `to`. Not from every layout:
// Winograd weights (wino_*) only go in, so the plain copy of a weight kept
// only in that layout could never be rebuilt for another signature (det at
// a second input size, or at another thread count, failed with "could not
// create a primitive descriptor for a reorder primitive").
bool reversible(const md& from, const md& to) {
  try {
    dnnl::reorder::primitive_desc(cpu_engine(), from, cpu_engine(), to);
    return true;
  } catch (const dnnl::error&) {
    return false;
  }
}

bool is_op(const ir::Node& node, const char* op) { return node.domain.empty() && node.op_type == op; }

// A constant holding one value equal to `expected`.
bool is_scalar(const ir::Graph& body, const std::string& value, float expected) {
  const Tensor* t = body.initializer(value);
  return t && t->dtype() == DataType::kFloat && t->numel() == 1 && *t->data<float>() == expected;
}

}  // namespace

RegionKernel::RegionKernel(const Region& region, const EngineOptions& options)
    : name_(region.name), body_(region.body), capacity_(std::max<size_t>(1, options.primitive_cache_capacity)),
      own_kernels_(options.dynamic_shapes && avx512_kernels()) {
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
  // Ops and chains have read what they need from the constants; weights
  // become views whose data plain_ owns (see weight()).
  for (auto& [name, t] : body_.initializers)
    if (t.dtype() == DataType::kFloat && t.rank() >= 2 && t.numel() > 0) {
      Tensor view = Tensor::wrap(t.dtype(), t.shape(), t.raw(), nullptr);
      plain_[name] = std::move(t);
      t = std::move(view);
    }
}

Tensor RegionKernel::constant(const std::string& name) const {
  std::lock_guard<std::mutex> lock(weight_mutex_);
  return constant_locked(name);
}

// A released weight comes back by reordering its kept version to the plain
// layout it was made from: an f32 -> f32 reorder without scales moves values
// without changing them, so the result equals the original bytes.
Tensor RegionKernel::constant_locked(const std::string& name) const {
  if (auto it = plain_.find(name); it != plain_.end()) return it->second;
  auto it = released_.find(name);
  const Tensor* meta = body_.initializer(name);
  SKIFF_ASSERT(meta != nullptr);
  if (it == released_.end()) return *meta;
  Tensor t(meta->dtype(), meta->shape());
  dnnl::memory from(it->second.desc, cpu_engine(), it->second.data.get());
  dnnl::memory to(it->second.source, cpu_engine(), t.raw());
  dnnl::stream stream(cpu_engine());
  dnnl::reorder(from, to).execute(stream, from, to);
  stream.wait();
  return t;
}

int RegionKernel::last_reader(const std::string& value) const {
  auto it = last_reader_.find(value);
  return it == last_reader_.end() ? -1 : it->second;
}

// A producer that takes post-ops absorbs what follows it while each
// intermediate value has only the readers the chain consumes and is not a
// region output.
void RegionKernel::choose_chains() {
  const size_t n = body_.nodes.size();
  chains_.assign(n, {});
  std::unordered_map<std::string, std::vector<size_t>> readers;
  for (size_t i = 0; i < n; ++i)
    for (const auto& in : body_.nodes[i].inputs)
      if (!in.empty()) readers[in].push_back(i);
  std::unordered_map<std::string, bool> is_output;
  for (const auto& vi : body_.outputs) is_output[vi.name] = true;
  auto sole_reader = [&](const std::string& v) -> const ir::Node* {
    if (is_output[v] || readers[v].size() != 1) return nullptr;
    return &body_.nodes[readers[v][0]];
  };
  std::vector<bool> absorbed(n, false);
  for (size_t i : order_) {
    if (!ops_[i]->takes_post_ops() || absorbed[i] || body_.nodes[i].outputs.empty()) continue;
    std::string value = body_.nodes[i].outputs[0];
    bool has_sum = false;
    while (!value.empty() && !is_output[value]) {
      ChainItem item;
      item.input = value;
      if (match_batch_norm(value, sole_reader, &chains_[i])) {
        for (size_t m : chains_[i].back().nodes) absorbed[m] = true;
        value = chains_[i].back().output;
      } else if (match_hardswish(value, readers, sole_reader, &item) ||
                 match_single(value, sole_reader, has_sum, &item)) {
        has_sum = has_sum || item.kind == ChainItem::Kind::kSum;
        for (size_t m : item.nodes) absorbed[m] = true;
        value = item.output;
        chains_[i].push_back(std::move(item));
      } else {
        break;
      }
    }
  }
}

// x * Clip(x + 3, 0, 6) / 6 (how paddle2onnx writes hard_swish).
template <class Readers, class Sole>
bool RegionKernel::match_hardswish(const std::string& x, Readers& readers, Sole sole_reader, ChainItem* item) const {
  const auto& r = readers[x];
  if (r.size() != 2) return false;
  for (int first = 0; first < 2; ++first) {
    const size_t add = r[first], mul = r[1 - first];
    const ir::Node& a = body_.nodes[add];
    if (!is_op(a, "Add") || a.inputs.size() != 2 || !(a.inputs[0] == x ? is_scalar(body_, a.inputs[1], 3.f)
                                                                        : is_scalar(body_, a.inputs[0], 3.f)))
      continue;
    const ir::Node* clip = sole_reader(a.outputs[0]);
    if (!clip || !is_op(*clip, "Clip") || opsets_[&*clip - body_.nodes.data()] < 11 || clip->inputs.size() != 3 ||
        !is_scalar(body_, clip->inputs[1], 0.f) || !is_scalar(body_, clip->inputs[2], 6.f))
      continue;
    const ir::Node* m = sole_reader(clip->outputs[0]);
    if (!m || m != &body_.nodes[mul] || !is_op(*m, "Mul")) continue;
    const ir::Node* div = sole_reader(m->outputs[0]);
    if (!div || !is_op(*div, "Div") || div->inputs[0] != m->outputs[0] || !is_scalar(body_, div->inputs[1], 6.f))
      continue;
    item->kind = ChainItem::Kind::kEltwise;
    item->eltwise = {{dnnl::algorithm::eltwise_hardswish, 0.f, 0.f}};
    item->nodes = {add, static_cast<size_t>(clip - body_.nodes.data()), mul,
                   static_cast<size_t>(div - body_.nodes.data())};
    item->output = div->outputs[0];
    return true;
  }
  return false;
}

// Inference BatchNormalization with constant statistics: y = x * a + b per
// channel, a = scale / sqrt(var + epsilon), b = B - mean * a, as two
// per-channel binary post-ops.
template <class Sole>
bool RegionKernel::match_batch_norm(const std::string& x, Sole sole_reader, std::vector<ChainItem>* chain) const {
  const ir::Node* bn = sole_reader(x);
  if (!bn || !is_op(*bn, "BatchNormalization") || bn->inputs.size() != 5 || bn->inputs[0] != x) return false;
  const size_t index = static_cast<size_t>(bn - body_.nodes.data());
  std::vector<const Tensor*> p;
  for (size_t i = 1; i < 5; ++i) {
    const Tensor* t = body_.initializer(bn->inputs[i]);
    if (!t || t->dtype() != DataType::kFloat || t->rank() != 1 || (!p.empty() && t->numel() != p[0]->numel()))
      return false;
    p.push_back(t);
  }
  const ir::Attribute* eps = bn->attr("epsilon");
  const double epsilon = eps && eps->type == ir::Attribute::Type::kFloat ? eps->f : 1e-5;
  const int64_t c = p[0]->numel();
  Tensor a(DataType::kFloat, {c}), b(DataType::kFloat, {c});
  for (int64_t k = 0; k < c; ++k) {
    const double scale = p[0]->data<float>()[k] / std::sqrt(static_cast<double>(p[3]->data<float>()[k]) + epsilon);
    a.data<float>()[k] = static_cast<float>(scale);
    b.data<float>()[k] = static_cast<float>(p[1]->data<float>()[k] - p[2]->data<float>()[k] * scale);
  }
  for (int k = 0; k < 2; ++k) {
    ChainItem item;
    item.kind = ChainItem::Kind::kBinary;
    item.nodes = {index};
    item.input = k == 0 ? x : "";
    item.output = k == 0 ? "" : bn->outputs[0];
    item.algorithm = k == 0 ? dnnl::algorithm::binary_mul : dnnl::algorithm::binary_add;
    item.channels = k == 0 ? a : b;
    item.slot = static_cast<size_t>(k);
    chain->push_back(std::move(item));
  }
  return true;
}

// One node: an activation, arithmetic with a constant, or a residual Add.
template <class Sole>
bool RegionKernel::match_single(const std::string& x, Sole sole_reader, bool has_sum, ChainItem* item) const {
  const ir::Node* next = sole_reader(x);
  if (!next || next->outputs.empty()) return false;
  const size_t index = static_cast<size_t>(next - body_.nodes.data());
  item->nodes = {index};
  item->output = next->outputs[0];
  if (ops_[index]->as_post_ops(&item->eltwise)) {
    item->kind = ChainItem::Kind::kEltwise;
    return true;
  }
  if (!next->domain.empty() || next->inputs.size() != 2 || opsets_[index] < 7) return false;
  const std::string& op = next->op_type;
  const bool first = next->inputs[0] == x;
  const std::string& other = first ? next->inputs[1] : next->inputs[0];
  if (other == x) return false;
  if (body_.is_initializer(other)) {
    using alg = dnnl::algorithm;
    if (op == "Add") item->algorithm = alg::binary_add;
    else if (op == "Mul") item->algorithm = alg::binary_mul;
    else if (op == "Sub" && first) item->algorithm = alg::binary_sub;
    else if (op == "Div" && first) item->algorithm = alg::binary_div;
    else return false;
    const Tensor* c = body_.initializer(other);
    if (c->dtype() != DataType::kFloat) return false;
    item->kind = ChainItem::Kind::kBinary;
    item->operand = other;
    return true;
  }
  if (op != "Add" || has_sum) return false;
  item->kind = ChainItem::Kind::kSum;
  item->operand = other;
  return true;
}

std::shared_ptr<void> RegionKernel::weight(size_t node, size_t input, const md& source,
                                           const md& desc) const {
  const std::string& name = body_.nodes[node].inputs[input];
  std::shared_ptr<void> data;
  {
    std::lock_guard<std::mutex> lock(weight_mutex_);
    for (const auto& [s, d, version] : weights_[{node, input}])
      if (s == source && d == desc) return version;
  }
  data = weight(node, input, constant(name), source, desc);
  std::lock_guard<std::mutex> lock(weight_mutex_);
  // The plain copy goes once a reordered version exists, unless a version
  // shares it (already in the primitive's layout).
  bool shared = false;
  for (const auto& [key, versions] : weights_)
    if (body_.nodes[key.first].inputs.size() > key.second && body_.nodes[key.first].inputs[key.second] == name)
      for (const auto& [s, d, version] : versions) shared = shared || s == d;
  if (source != desc && !shared && reversible(desc, source) && plain_.erase(name)) {
    released_[name] = {source, desc, data};
    return_freed_memory();
  }
  return data;
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
    // Already in the wanted layout: share the caller's buffer (an owning
    // tensor: constant() or the op's own data).
    Tensor keep = *w;
    data = std::shared_ptr<void>(const_cast<void*>(w->raw()), [keep](void*) {});
  } else {
    data = allocate_packed(desc.get_size());  // huge pages: see core/pages.h
    dnnl::memory from(source, cpu_engine(), const_cast<void*>(w->raw()));
    dnnl::memory to(desc, cpu_engine(), data.get());
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
      } else if (body_.is_initializer(name)) {
        constants[i] = Value(constant(name));
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

bool RegionKernel::own_kernels() const { return own_kernels_ && omp_get_max_threads() == 1; }

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
  ctx.reserve_scratch(exec->arena_bytes);  // counts against Config::memory_limit
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

  std::unique_ptr<KeptViews> kept = take_views(*exec, pointers, arena);
  t_arena_stamp = ++g_arena_stamps;  // from here on, this call owns the arena's contents
  const std::vector<dnnl::memory>& memories = kept->memories;
  // One stream per thread, made once: a stream is cheap to use but not to
  // make, and must not be shared between threads.
  thread_local dnnl::stream stream(cpu_engine());
  const int threads = omp_get_max_threads();
  // Arguments through the C API: primitive::execute would build a hash map
  // and then a vector of them for every step of every call.
  std::vector<dnnl_exec_arg_t> args;
  thread_local std::vector<void*> own_data;  // reused: no allocation per call
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
          in_values[i] = Value(constant(node.inputs[i]));
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
    const bool own_threads = step.threads > 0 && step.threads != threads;
    if (own_threads) omp_set_num_threads(step.threads);
    if (step.own) {
      own_data.clear();
      for (const auto& arg : step.args) own_data.push_back(memories[arg.second].get_data_handle());
      step.own->run(own_data.data());
      if (own_threads) omp_set_num_threads(threads);
      continue;
    }
    args.clear();
    for (const auto& [arg, view] : step.args) args.push_back({arg, memories[view].get()});
    const dnnl_status_t status =
        dnnl_primitive_execute(step.primitive.get(), stream.get(), static_cast<int>(args.size()), args.data());
    if (own_threads) omp_set_num_threads(threads);
    if (status != dnnl_success)
      fail(ErrorCode::kRuntime, name_, ": oneDNN failed to execute a primitive (status ", static_cast<int>(status), ")");
  }
  stream.wait();
  return_views(*exec, std::move(kept), arena);
}

}  // namespace skiff::dnnl_engine
