#include "runtime/plan.h"

#include <algorithm>
#include <chrono>
#include <optional>
#include <unordered_map>
#include <unordered_set>

#include "engines/partition.h"
#include "onnx/onnx.h"
#include "runtime/memory_plan.h"

namespace skiff::runtime {

namespace {

class PlanRunner final : public SubgraphRunner {
 public:
  explicit PlanRunner(std::shared_ptr<const Plan> plan) : plan_(std::move(plan)) {
    for (const auto& vi : plan_->graph().inputs) inputs_.push_back(vi.name);
    for (const auto& vi : plan_->graph().outputs) outputs_.push_back(vi.name);
  }
  const std::vector<std::string>& input_names() const override { return inputs_; }
  const std::vector<std::string>& output_names() const override { return outputs_; }
  const std::vector<std::string>& captured_names() const override {
    return plan_->captured_names();
  }
  std::vector<Value> run(const std::vector<Value>& inputs,
                         const std::vector<const Value*>& captured) const override {
    return plan_->run(inputs, captured);
  }

 private:
  std::shared_ptr<const Plan> plan_;
  std::vector<std::string> inputs_, outputs_;
};

std::string supported_opsets(std::string_view domain, std::string_view op) {
  std::string ranges;
  for (const auto& def : KernelRegistry::global().all())
    if (def.domain == domain && def.op == op)
      ranges += str_cat(ranges.empty() ? "" : ", ", def.since, "-", def.until);
  return ranges;
}

// Values the node's subgraph attributes read from enclosing scopes.
std::vector<std::string> node_captures(const ir::Node& node) {
  std::vector<std::string> names;
  for (const auto& a : node.attributes) {
    std::vector<const ir::Graph*> graphs;
    if (a.g) graphs.push_back(a.g.get());
    for (const auto& g : a.graphs) graphs.push_back(g.get());
    for (const auto* g : graphs)
      for (auto& v : g->free_values())
        if (std::find(names.begin(), names.end(), v) == names.end()) names.push_back(std::move(v));
  }
  return names;
}

// A run's output memory. Without a pattern it records: every allocation comes
// from the heap and its lifetime (first step to last holder's release) is
// noted, to plan a pattern from. With a pattern it hands out arena slices,
// after checking that whatever else used that address range is dead in this
// run (a data-dependent alias could otherwise keep it alive), and falls back
// to the heap whenever a size or a check does not match.
class RunMemory final : public OutputAllocator {
 public:
  // `limit`: most bytes of tracked allocations and scratch alive at once (0:
  // none), checked before allocating; `what` names the run in its errors.
  RunMemory(std::shared_ptr<const MemoryPattern> pattern, ArenaPool& pool, ArenaPool& heap_pool, size_t num_slots,
            size_t limit)
      : pattern_(std::move(pattern)), heap_pool_(heap_pool), holder_(num_slots, -1), limit_(limit) {
    if (pattern_) {
      if (pattern_->arena_bytes) arena_ = pool.acquire(pattern_->arena_bytes);
      for (const Allocation& a : pattern_->allocations) bytes_.push_back(a.bytes);
      held_.assign(bytes_.size(), 0);
      live_.assign(bytes_.size(), false);
    }
  }

  // `reuse[o]`: the inputs whose buffer output o may take, in order.
  void begin_step(int step, const ir::Node& node, std::vector<std::vector<const Tensor*>> reuse) {
    step_ = step;
    node_ = &node;
    reuse_ = std::move(reuse);
  }

  Tensor allocate(size_t output, DataType dtype, Shape shape) override {
    if (dtype == DataType::kString) return Tensor(dtype, std::move(shape));
    const int64_t numel = shape_numel(shape);
    const size_t bytes = (static_cast<size_t>(numel) * dtype_size(dtype) + 63) / 64 * 64;
    if (output < reuse_.size())
      for (const Tensor* input : reuse_[output])
        if (can_take(*input, dtype, numel)) {
          for (auto& candidates : reuse_)  // an input's buffer serves one output
            candidates.erase(std::remove(candidates.begin(), candidates.end(), input), candidates.end());
          return input->reshaped(std::move(shape));
        }
    if (bytes) check_limit(bytes);
    if (!pattern_) return heap(dtype, std::move(shape), bytes, output);
    auto it = pattern_->index.find(MemoryPattern::key(step_, static_cast<int>(output)));
    if (it == pattern_->index.end() || !arena_) return heap(dtype, std::move(shape), bytes, output);
    const int index = it->second;
    if (pattern_->allocations[index].bytes != bytes || live_[index])
      return heap(dtype, std::move(shape), bytes, output);
    for (int other : pattern_->overlaps[index])
      if (live_[other]) return heap(dtype, std::move(shape), bytes, output);
    char* p = arena_.get() + pattern_->offsets[index];
    set_live(index, true);
    ranges_[reinterpret_cast<uintptr_t>(p)] = {index, bytes};
    return Tensor::wrap(dtype, std::move(shape), p, arena_);
  }

  void scratch(size_t bytes) override { check_limit(bytes); }

  // After a step: `slot` now holds `value`.
  void held(int slot, const Value& value) {
    const int index = find(value.is_tensor() ? value.tensor.raw() : nullptr);
    holder_[slot] = index;
    if (index >= 0) ++held_[index];
    for (const auto& t : value.sequence) pin(find(t.raw()));
  }

  void released(int slot) {
    const int index = holder_[slot];
    holder_[slot] = -1;
    if (index < 0) return;
    if (!pattern_) recorded_[index].last = std::max(recorded_[index].last, step_);
    if (--held_[index] == 0) kill(index);
  }

  // After a step's outputs are stored: allocations nobody holds are dead.
  void end_step() {
    reuse_.clear();
    for (auto it = ranges_.begin(); it != ranges_.end();) {
      const int index = it->second.first;
      if (held_[index] == 0 && !pinned(index)) {
        set_live(index, false);
        it = ranges_.erase(it);
      } else {
        ++it;
      }
    }
  }

  // The pattern this (recording) run implies; allocations still held at the
  // end (graph outputs) stay on the heap.
  std::shared_ptr<const MemoryPattern> pattern() const {
    std::vector<Allocation> planned;
    for (size_t i = 0; i < recorded_.size(); ++i)
      if (held_[i] == 0 && !pinned(static_cast<int>(i))) planned.push_back(recorded_[i]);
    return MemoryPattern::plan(std::move(planned));
  }

 private:
  // A heap allocation, tracked like the arena's (indices past the pattern's)
  // so that in-place reuse and the memory limit see it; recorded when there
  // is no pattern yet.
  //
  // Large ones come from heap_pool_: fresh, they would page-fault on every
  // run (graph outputs, which the caller owns, never live in the arena).
  Tensor heap(DataType dtype, Shape shape, size_t bytes, size_t output) {
    Tensor t;
    if (bytes >= kPooledBytes) {
      std::shared_ptr<char> buffer = heap_pool_.acquire(bytes, 2 * bytes);
      t = Tensor::wrap(dtype, std::move(shape), buffer.get(), buffer);
    } else {
      t = Tensor(dtype, std::move(shape));
    }
    if (bytes == 0) return t;
    const int index = static_cast<int>(bytes_.size());
    if (!pattern_) recorded_.push_back({step_, static_cast<int>(output), bytes, step_, step_});
    bytes_.push_back(bytes);
    ranges_[reinterpret_cast<uintptr_t>(t.raw())] = {index, bytes};
    held_.push_back(0);
    live_.push_back(false);
    set_live(index, true);
    return t;
  }

  // `input` is a whole allocation of this run that only its slot holds, so
  // the output may overwrite it.
  bool can_take(const Tensor& input, DataType dtype, int64_t numel) const {
    if (input.dtype() != dtype || input.numel() != numel || numel == 0) return false;
    auto it = ranges_.find(reinterpret_cast<uintptr_t>(input.raw()));
    if (it == ranges_.end()) return false;
    const int index = it->second.first;
    return held_[index] == 1 && !pinned(index) &&
           it->second.second == (input.nbytes() + 63) / 64 * 64;
  }

  void set_live(int index, bool live) {
    if (live_[index] == live) return;
    live_[index] = live;
    live_bytes_ = live ? live_bytes_ + bytes_[index] : live_bytes_ - bytes_[index];
  }

  void check_limit(size_t bytes) const {
    if (limit_ && live_bytes_ + bytes > limit_)
      fail(ErrorCode::kRuntime, node_ ? node_->label() : std::string("the run"), " needs ", bytes,
           " more bytes with ", live_bytes_, " already held: ", live_bytes_ + bytes,
           " bytes is over the memory limit of ", limit_, " bytes (Config::memory_limit)");
  }

  int find(const void* p) const {
    if (!p || ranges_.empty()) return -1;
    const auto address = reinterpret_cast<uintptr_t>(p);
    auto it = ranges_.upper_bound(address);
    if (it == ranges_.begin()) return -1;
    --it;
    return address < it->first + it->second.second ? it->second.first : -1;
  }
  void kill(int index) {
    set_live(index, false);
    for (auto it = ranges_.begin(); it != ranges_.end(); ++it)
      if (it->second.first == index) {
        ranges_.erase(it);
        break;
      }
  }
  void pin(int index) {
    if (index >= 0) pinned_.push_back(index);
  }
  bool pinned(int index) const { return std::find(pinned_.begin(), pinned_.end(), index) != pinned_.end(); }

  static constexpr size_t kPooledBytes = size_t{256} << 10;

  std::shared_ptr<const MemoryPattern> pattern_;
  ArenaPool& heap_pool_;
  std::shared_ptr<char> arena_;
  int step_ = 0;
  std::vector<Allocation> recorded_;
  std::map<uintptr_t, std::pair<int, size_t>> ranges_;  // live allocations by address
  std::vector<size_t> bytes_;  // per allocation: the pattern's, then this run's heap ones
  std::vector<int> held_;    // slots holding each allocation
  std::vector<bool> live_;
  std::vector<int> holder_;  // allocation held by each slot, -1 for none
  std::vector<int> pinned_;  // held inside sequences: never planned
  const ir::Node* node_ = nullptr;
  std::vector<std::vector<const Tensor*>> reuse_;
  size_t limit_;
  size_t live_bytes_ = 0;  // tracked allocations alive now
};

double now_us() {
  return std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

// The memory pattern's key: every input's kind, type and shape.
std::vector<int64_t> shape_signature(const std::vector<Value>& inputs,
                                     const std::vector<const Value*>& captured) {
  std::vector<int64_t> sig;
  auto add = [&](const Value* v) {
    if (!v) {
      sig.push_back(-1);
      return;
    }
    sig.push_back(static_cast<int64_t>(v->kind));
    auto add_tensor = [&](const Tensor& t) {
      sig.push_back(static_cast<int64_t>(t.dtype()));
      sig.push_back(t.rank());
      sig.insert(sig.end(), t.shape().begin(), t.shape().end());
    };
    if (v->is_tensor()) add_tensor(v->tensor);
    sig.push_back(static_cast<int64_t>(v->sequence.size()));
    for (const auto& t : v->sequence) add_tensor(t);
  };
  for (const auto& v : inputs) add(&v);
  for (const Value* v : captured) add(v);
  return sig;
}

// A graph input (not an initializer) whose rank or some dim is not fixed.
bool has_open_input_dims(const ir::Graph& graph) {
  return std::any_of(graph.inputs.begin(), graph.inputs.end(), [&](const ir::ValueInfo& input) {
    const auto& shape = input.type.shape;
    return !graph.is_initializer(input.name) &&
           (!shape || std::any_of(shape->begin(), shape->end(), [](const ir::Dim& d) { return !d.known(); }));
  });
}

}  // namespace

std::shared_ptr<const Plan> Plan::compile(const ir::Graph& graph,
                                          const std::map<std::string, int64_t>& opsets,
                                          const PlanOptions& options,
                                          const std::vector<std::string>& captured,
                                          const std::map<std::string, DataType>& captured_types) {
  std::shared_ptr<Plan> plan(new Plan());
  EngineOptions engine_options = options.engine_options;
  engine_options.dynamic_shapes = engine_options.dynamic_shapes || has_open_input_dims(graph);
  plan->patterns_ = std::make_unique<PatternCache>(std::max<size_t>(1, options.engine_options.primitive_cache_capacity));
  std::vector<std::string> single_engines;
  bool regions = false;
  for (const auto& name : options.engines) {
    const Engine* engine = EngineRegistry::global().find(name);
    if (engine && engine->forms_regions()) regions = true;
    else single_engines.push_back(name);
  }
  if (single_engines.empty()) single_engines.push_back("native");
  plan->graph_ = regions ? partition_graph(graph, opsets, options.engines, captured_types).graph : graph;
  // The dtypes the subgraphs of this graph's nodes see for what they
  // capture (worked out once, and only when a node has subgraphs).
  std::optional<ValueTypes> types;
  plan->captured_names_ = captured;
  const ir::Graph& g = plan->graph_;

  std::unordered_map<std::string, int> slot_of;
  auto slot = [&](const std::string& name) {
    auto [it, inserted] = slot_of.emplace(name, static_cast<int>(plan->num_slots_));
    if (inserted) ++plan->num_slots_;
    return it->second;
  };
  for (const auto& name : captured) plan->captured_slots_.push_back(slot(name));
  for (const auto& vi : g.inputs) plan->input_slots_.push_back(slot(vi.name));
  for (const auto& [name, value] : g.initializers) plan->constants_.emplace_back(slot(name), Value(value));

  const auto order = g.topological_order();
  for (size_t index : order) {
    const ir::Node& node = g.nodes[index];
    // A region node (from the partitioner) is compiled by its engine; its
    // members' opsets come from `opsets`.
    const Engine* region_engine = node.domain == kSkiffDomain && node.attr("body")
                                      ? EngineRegistry::global().find_region_engine(node.op_type)
                                      : nullptr;
    auto it = opsets.find(node.domain);
    if (it == opsets.end() && !region_engine)
      fail(ErrorCode::kInvalidModel, node.label(), " uses domain '", node.domain,
           "', which the model does not import");
    const int64_t opset = region_engine ? 1 : it->second;
    const KernelDef* def = nullptr;
    for (size_t e = 0; !region_engine && !def && e < single_engines.size(); ++e)
      def = KernelRegistry::global().find(single_engines[e], node.domain, node.op_type, opset);
    if (!def && !region_engine) {
      const std::string ranges = supported_opsets(node.domain, node.op_type);
      fail(ErrorCode::kUnsupported, node.label(), ": op '", node.op_type, "' (domain '",
           node.domain.empty() ? "ai.onnx" : node.domain, "', opset ", opset,
           ") is not supported", ranges.empty() ? std::string(" by skiff")
                                                : str_cat("; skiff implements opsets ", ranges));
    }
    Step step;
    step.node = &node;
    step.opset = opset;
    for (const auto& in : node.inputs) step.inputs.push_back(in.empty() ? -1 : slot(in));
    const auto node_captured = node_captures(node);
    for (const auto& name : node_captured) step.captured.push_back(slot(name));
    std::map<std::string, DataType> node_captured_types;
    if (!node_captured.empty() && !types) types.emplace(graph, captured_types);
    for (const auto& name : node_captured)
      if (const DataType t = types->dtype(name); t != DataType::kUndefined) node_captured_types[name] = t;
    auto compile_subgraph = [&opsets, &options, node_captured, node_captured_types](const ir::Graph& sub) {
      return std::shared_ptr<SubgraphRunner>(
          new PlanRunner(Plan::compile(sub, opsets, options, node_captured, node_captured_types)));
    };
    if (region_engine) {
      const Region region{*node.attr("body")->g, opsets, node.name};
      step.kernel = region_engine->compile(region, engine_options);
    } else {
      KernelInfo info(node, opset, g, compile_subgraph);
      step.kernel = def->factory(info);
    }
    for (const auto& out : node.outputs) step.outputs.push_back(out.empty() ? -1 : slot(out));
    plan->steps_.push_back(std::move(step));
  }
  for (const auto& vi : g.outputs) plan->output_slots_.push_back(slot(vi.name));

  // Liveness: a slot dies after its last reader, unless it is a graph
  // output or a constant (constants live in the plan, not per run).
  std::vector<int> last_use(plan->num_slots_, -1);
  for (size_t s = 0; s < plan->steps_.size(); ++s) {
    for (int in : plan->steps_[s].inputs)
      if (in >= 0) last_use[in] = static_cast<int>(s);
    for (int in : plan->steps_[s].captured) last_use[in] = static_cast<int>(s);
    for (int out : plan->steps_[s].outputs)
      if (out >= 0 && last_use[out] < static_cast<int>(s)) last_use[out] = static_cast<int>(s);
  }
  std::vector<bool> keep(plan->num_slots_, false);
  for (int out : plan->output_slots_) keep[out] = true;
  for (const auto& [s, v] : plan->constants_) keep[s] = true;
  for (int s : plan->captured_slots_) keep[s] = true;
  for (size_t s = 0; s < last_use.size(); ++s)
    if (!keep[s] && last_use[s] >= 0) plan->steps_[last_use[s]].release.push_back(static_cast<int>(s));
  plan->memory_limit_ = options.memory_limit;
  plan->plan_in_place();
  plan->drop_unused_constants();
  return plan;
}

void Plan::plan_in_place() {
  std::vector<bool> excluded(num_slots_, false);  // graph inputs; constants, captures, outputs never die
  for (int s : input_slots_) excluded[s] = true;
  for (Step& step : steps_) {
    step.in_place.assign(step.outputs.size(), {});
    for (size_t o = 0; o < step.outputs.size(); ++o) {
      if (step.outputs[o] < 0) continue;
      for (size_t i = 0; i < step.inputs.size(); ++i) {
        const int s = step.inputs[i];
        if (s < 0 || excluded[s] || !step.kernel->in_place(o, i)) continue;
        const bool dies_here = std::count(step.release.begin(), step.release.end(), s) == 1;
        const bool read_once = std::count(step.inputs.begin(), step.inputs.end(), s) == 1 &&
                               std::count(step.captured.begin(), step.captured.end(), s) == 0;
        if (dies_here && read_once) step.in_place[o].push_back(static_cast<int>(i));
      }
    }
  }
}

// Initializers no step of this graph reads (the weights of oneDNN regions
// live in the regions' kernels) are dropped with their region bodies' copies,
// so that the kernels hold the only references and can free what they
// repack (ResNet-50: 102 MB of plain weights).
void Plan::drop_unused_constants() {
  std::vector<bool> used(num_slots_, false);
  for (const Step& step : steps_) {
    for (int s : step.inputs)
      if (s >= 0) used[s] = true;
    for (int s : step.captured) used[s] = true;
  }
  for (int s : output_slots_) used[s] = true;
  std::unordered_set<const void*> kept;
  std::vector<std::pair<int, Value>> constants;
  for (auto& [s, v] : constants_)
    if (used[s]) {
      if (v.is_tensor()) kept.insert(v.tensor.raw());
      constants.emplace_back(s, std::move(v));
    }
  constants_ = std::move(constants);
  for (auto it = graph_.initializers.begin(); it != graph_.initializers.end();)
    it = kept.count(it->second.raw()) ? std::next(it) : graph_.initializers.erase(it);
  for (ir::Node& node : graph_.nodes) {
    if (node.domain != kSkiffDomain || !EngineRegistry::global().find_region_engine(node.op_type)) continue;
    for (auto& attr : node.attributes)
      if (attr.name == "body" && attr.g && !attr.g->initializers.empty()) {
        auto body = std::make_shared<ir::Graph>(*attr.g);  // the attribute may be shared
        body->initializers.clear();
        attr.g = std::move(body);
      }
  }
}

void Plan::validate_input(size_t index, const Value& value) const {
  const ir::ValueInfo& vi = graph_.inputs[index];
  const ir::TypeInfo& type = vi.type;
  if (type.kind != ir::TypeInfo::Kind::kTensor) return;
  if (!value.is_tensor())
    fail(ErrorCode::kInvalidInput, "input '", vi.name, "' must be a tensor (", type.str(), ")");
  const Tensor& t = value.tensor;
  if (type.dtype != DataType::kUndefined && t.dtype() != type.dtype)
    fail(ErrorCode::kInvalidInput, "input '", vi.name, "' has type ", dtype_name(t.dtype()),
         " but the model declares ", type.str());
  if (!type.shape) return;
  bool ok = type.shape->size() == t.shape().size();
  for (size_t i = 0; ok && i < t.shape().size(); ++i)
    ok = !(*type.shape)[i].known() || (*type.shape)[i].value == t.shape()[i];
  if (!ok)
    fail(ErrorCode::kInvalidInput, "input '", vi.name, "' has shape ", shape_str(t.shape()),
         " but the model declares ", type.str());
}

std::vector<Value> Plan::run(std::vector<Value> inputs, const std::vector<const Value*>& captured,
                             RunObserver* observer) const {
  if (inputs.size() != input_slots_.size())
    fail(ErrorCode::kInvalidInput, "graph '", graph_.name, "' takes ", input_slots_.size(),
         " inputs but ", inputs.size(), " were given");
  SKIFF_ASSERT(captured.size() == captured_slots_.size());
  for (size_t i = 0; i < inputs.size(); ++i) validate_input(i, inputs[i]);
  const std::vector<int64_t> signature = shape_signature(inputs, captured);
  auto pattern = patterns_->find(signature);
  RunMemory memory(pattern, *arenas_, *heap_buffers_, num_slots_, memory_limit_);

  std::vector<Value> slots(num_slots_);
  std::vector<const Value*> view(num_slots_, nullptr);
  for (const auto& [s, v] : constants_) view[s] = &v;
  for (size_t i = 0; i < captured.size(); ++i) view[captured_slots_[i]] = captured[i];
  // Anything a result shares with the caller's inputs or the model's
  // constants is copied at the end (Identity of a weight, ...).
  std::unordered_set<const void*> foreign;
  for (const auto& [s, v] : constants_)
    if (v.is_tensor()) foreign.insert(v.tensor.raw());
  for (const Value* c : captured)
    if (c && c->is_tensor()) foreign.insert(c->tensor.raw());
  for (size_t i = 0; i < inputs.size(); ++i) {
    if (inputs[i].is_tensor()) foreign.insert(inputs[i].tensor.raw());
    for (const auto& t : inputs[i].sequence) foreign.insert(t.raw());
    slots[input_slots_[i]] = std::move(inputs[i]);
    view[input_slots_[i]] = &slots[input_slots_[i]];
  }

  std::vector<Value> outputs;
  for (size_t index = 0; index < steps_.size(); ++index) {
    const Step& step = steps_[index];
    std::vector<std::vector<const Tensor*>> reuse(step.in_place.size());
    for (size_t o = 0; o < step.in_place.size(); ++o)
      for (int i : step.in_place[o])
        if (const Value* v = view[step.inputs[i]]; v && v->is_tensor()) reuse[o].push_back(&v->tensor);
    memory.begin_step(static_cast<int>(index), *step.node, std::move(reuse));
    std::vector<const Value*> in(step.inputs.size(), nullptr);
    for (size_t i = 0; i < step.inputs.size(); ++i)
      if (step.inputs[i] >= 0) {
        in[i] = view[step.inputs[i]];
        SKIFF_ASSERT(in[i] != nullptr);
      }
    std::vector<const Value*> cap;
    for (int s : step.captured) cap.push_back(view[s]);
    outputs.assign(step.outputs.size(), Value());
    KernelContext ctx(*step.node, step.opset, std::move(in), &outputs, std::move(cap), &memory);
    const double start = observer ? now_us() : 0;
    step.kernel->prepare(ctx);
    ctx.allocate_declared_outputs();
    step.kernel->compute(ctx);
    if (observer) observer->after_step(*step.node, start, now_us(), outputs);
    for (size_t i = 0; i < step.outputs.size(); ++i) {
      const int s = step.outputs[i];
      if (s < 0) continue;
      slots[s] = std::move(outputs[i]);
      view[s] = &slots[s];
      memory.held(s, slots[s]);
    }
    outputs.clear();
    for (int s : step.release) {
      slots[s] = Value();
      view[s] = nullptr;
      memory.released(s);
    }
    memory.end_step();
  }
  if (!pattern) patterns_->insert(signature, memory.pattern());

  std::vector<Value> result;
  for (size_t i = 0; i < output_slots_.size(); ++i) {
    const Value* v = view[output_slots_[i]];
    if (!v)
      fail(ErrorCode::kRuntime, "graph output '", graph_.outputs[i].name, "' was not computed");
    Value out = *v;
    if (out.is_tensor() && out.tensor.numel() > 0 && foreign.count(out.tensor.raw()))
      out.tensor = out.tensor.clone();
    for (auto& t : out.sequence)
      if (t.numel() > 0 && foreign.count(t.raw())) t = t.clone();
    result.push_back(std::move(out));
  }
  return result;
}

}  // namespace skiff::runtime
