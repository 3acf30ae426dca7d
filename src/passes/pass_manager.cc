#include "passes/pass_manager.h"

#include <algorithm>
#include <cstdlib>
#include <iostream>
#include <unordered_set>

#include "passes/graph_util.h"
#include "passes/pass_list.h"
#include "passes/shape_inference.h"

namespace skiff::passes {
namespace {

using Factory = std::unique_ptr<Pass> (*)();

// The basic passes run as a group until nothing changes (folding exposes
// dead code, dead code exposes duplicates...); so does the extended group,
// whose fusions also enable one another.
constexpr Factory kBasicPasses[] = {
    make_eliminate_identity,
    make_fold_constants,
    make_shape_inference,
    make_eliminate_neutral_ops,
    make_eliminate_redundant_ops,
    make_merge_duplicate_initializers,
    make_eliminate_common_subexpressions,
    make_eliminate_dead_code,
};
constexpr Factory kExtendedPasses[] = {
    make_fold_batch_norm,
    make_fold_affine_into_conv,
    make_fuse_layer_norm,
    make_fuse_attention,
    make_fold_transpose_into_gemm,
    make_fuse_matmul_add,
    make_fold_residual_into_scale,
    make_fuse_conv_add,    // before fuse_activation: the activation follows the residual sum
    make_fuse_activation,
    make_fold_affine_into_next_conv,  // level all; after fuse_activation, which owns x * Clip(..) / 6
    make_eliminate_dead_code,
};
constexpr int kMaxRounds = 8;

std::vector<std::unique_ptr<Pass>> instantiate(const Factory* begin, const Factory* end) {
  std::vector<std::unique_ptr<Pass>> passes;
  for (const Factory* f = begin; f != end; ++f) passes.push_back((*f)());
  return passes;
}

std::vector<std::vector<std::unique_ptr<Pass>>> pipeline() {
  std::vector<std::vector<std::unique_ptr<Pass>>> groups;
  groups.push_back(instantiate(std::begin(kBasicPasses), std::end(kBasicPasses)));
  groups.push_back(instantiate(std::begin(kExtendedPasses), std::end(kExtendedPasses)));
  return groups;
}

bool log_enabled() {
  const char* v = std::getenv("SKIFF_LOG");
  return v && std::string(v) == "debug";
}

void fix_input_shapes(ir::Graph& graph, const std::map<std::string, Shape>& shapes) {
  for (const auto& [name, shape] : shapes) {
    ir::ValueInfo* vi = nullptr;
    for (auto& input : graph.inputs)
      if (input.name == name) vi = &input;
    if (!vi) fail(ErrorCode::kInvalidInput, "a shape is given for '", name, "', which is not an input of the model");
    if (vi->type.kind != ir::TypeInfo::Kind::kTensor)
      fail(ErrorCode::kInvalidInput, "input '", name, "' is ", vi->type.str(), ", not a tensor");
    const auto& declared = vi->type.shape;
    bool fits = !declared || declared->size() == shape.size();
    for (size_t i = 0; fits && declared && i < shape.size(); ++i)
      fits = !(*declared)[i].known() || (*declared)[i].value == shape[i];
    if (!fits)
      fail(ErrorCode::kInvalidInput, "input '", name, "' is declared ", vi->type.str(), "; shape ",
           shape_str(shape), " does not fit it");
    std::vector<ir::Dim> dims;
    for (int64_t d : shape) {
      ir::Dim dim;
      dim.value = d;
      dims.push_back(dim);
    }
    vi->type.shape = dims;
  }
}

// A subgraph reads an enclosing graph's initializer by name: copy it (the
// tensor shares its buffer) into the subgraph's initializers, so that the
// subgraph's passes fold what depends on it and its kernels see a constant
// (Silero VAD's LSTM weights are Unsqueezes, inside a nested If, of
// constants of the If around it; a constant fed through a capture would
// keep the fast LSTM path and oneDNN weight packing away). Deeper subgraphs
// get it from this one the same way.
void sink_constants(const ir::Graph& graph, ir::Graph& sub, const std::string& where, std::vector<std::string>* sunk,
                    std::vector<PassRecord>* records) {
  PassRecord record;
  record.pass = where + "sink_constants";
  record.nodes_before = record.nodes_after = node_count(sub);
  for (const auto& name : sub.free_values()) {
    const Tensor* t = graph.initializer(name);
    const bool overridable = std::any_of(graph.inputs.begin(), graph.inputs.end(),
                                         [&](const ir::ValueInfo& vi) { return vi.name == name; });
    if (!t || overridable) continue;
    sub.initializers[name] = *t;
    sunk->push_back(name);
    record.changes.push_back(str_cat("'", name, "' ", t->str(), " is now a constant of the subgraph"));
  }
  if (!record.changes.empty()) records->push_back(std::move(record));
}

// Initializers of `graph` that were sunk into subgraphs and that nothing in
// `graph` reads any more.
void drop_sunk_constants(ir::Graph& graph, const std::vector<std::string>& sunk, const std::string& where,
                         std::vector<PassRecord>* records) {
  if (sunk.empty()) return;
  std::unordered_set<std::string> read;
  for (const auto& vi : graph.outputs) read.insert(vi.name);
  for (const auto& node : graph.nodes) read.insert(node.inputs.begin(), node.inputs.end());
  PassRecord record;
  record.pass = where + "sink_constants";
  record.nodes_before = record.nodes_after = node_count(graph);
  for (const auto& name : sunk)
    if (!read.count(name) && graph.initializers.erase(name))
      record.changes.push_back(str_cat("'", name, "' dropped: only subgraphs read it"));
  if (!record.changes.empty()) records->push_back(std::move(record));
}

// Runs every group on `graph` until it stops changing, then on the graphs
// of its If/Loop/Scan nodes (which read outer values the passes treat as
// unknown inputs). `where` prefixes the records of subgraphs.
void run_pipeline(ir::Graph& graph, PassContext& ctx, const std::string& where, std::vector<PassRecord>* records) {
  const PassOptions& options = ctx.options();
  const bool log = log_enabled();
  ctx.invalidate_shapes();  // the cache may hold another graph's shapes
  for (auto& group : pipeline()) {
    for (int round = 0; round < kMaxRounds; ++round) {
      bool changed = false;
      for (auto& pass : group) {
        if (pass->level() > options.level || options.disabled.count(pass->name())) continue;
        if (options.portable && pass->emits_skiff_ops()) continue;
        PassRecord record;
        record.pass = where + pass->name();
        record.nodes_before = node_count(graph);
        bool did = false;
        try {
          did = pass->run(graph, ctx);
        } catch (const Error& e) {
          throw Error(e.code(), str_cat("pass ", record.pass, ": ", e.what()));
        }
        record.changes = ctx.take_notes();
        if (!did) continue;
        changed = true;
        ctx.invalidate_shapes();
        sort_nodes(graph);
        record.nodes_after = node_count(graph);
        if (log)
          std::cerr << "skiff: pass " << record.pass << ": " << record.nodes_before << " -> "
                    << record.nodes_after << " nodes, " << record.changes.size() << " changes\n";
        records->push_back(std::move(record));
      }
      if (!changed) break;
    }
  }
  if (!std::any_of(graph.nodes.begin(), graph.nodes.end(), has_subgraph)) return;
  // Subgraphs see this graph's values (and what its enclosing graphs had).
  const std::map<std::string, ShapeInfo> enclosing = ctx.outer_shapes();
  std::map<std::string, ShapeInfo> visible = ctx.shapes(graph);
  visible.insert(enclosing.begin(), enclosing.end());
  std::vector<std::string> sunk;
  for (auto& node : graph.nodes)
    for (auto& a : node.attributes) {
      const std::string inner = str_cat(where, node.label(), " ", a.name, ": ");
      std::vector<ir::Graph*> subs;
      if (a.g) subs.push_back(a.g.get());
      for (auto& sub : a.graphs) subs.push_back(sub.get());
      for (ir::Graph* sub : subs) {
        sink_constants(graph, *sub, inner, &sunk, records);
        ctx.set_outer_shapes(visible);
        run_pipeline(*sub, ctx, inner, records);
      }
    }
  ctx.set_outer_shapes(enclosing);
  drop_sunk_constants(graph, sunk, where, records);
}

}  // namespace

std::vector<PassDescription> list_passes() {
  std::vector<PassDescription> all;
  std::unordered_set<std::string> seen;  // eliminate_dead_code runs in both groups
  for (const auto& group : pipeline())
    for (const auto& p : group)
      if (seen.insert(p->name()).second) all.push_back({p->name(), p->level(), p->emits_skiff_ops()});
  return all;
}

std::vector<PassRecord> optimize(ir::Model& model, const PassOptions& options) {
  std::unordered_set<std::string> known;
  for (const auto& p : list_passes()) known.insert(p.name);
  for (const auto& name : options.disabled)
    if (!known.count(name)) {
      std::string names;
      for (const auto& p : list_passes()) names += (names.empty() ? "" : ", ") + p.name;
      fail(ErrorCode::kInvalidInput, "unknown pass '", name, "' (passes: ", names, ")");
    }
  fix_input_shapes(model.graph, options.input_shapes);
  std::vector<PassRecord> records;
  if (options.level == OptLevel::kNone) return records;
  PassContext ctx(model.opsets, options);
  run_pipeline(model.graph, ctx, "", &records);
  return records;
}

void prune_to_outputs(ir::Model& model, const std::vector<std::string>& outputs) {
  ir::Graph& g = model.graph;
  std::map<std::string, ir::ValueInfo> declared;
  for (const auto& vi : g.outputs) declared[vi.name] = vi;
  for (const auto& vi : g.value_info) declared.emplace(vi.name, vi);
  for (const auto& vi : g.inputs) declared.emplace(vi.name, vi);
  std::unordered_set<std::string> defined;
  for (const auto& vi : g.inputs) defined.insert(vi.name);
  for (const auto& [name, t] : g.initializers) defined.insert(name);
  for (const auto& node : g.nodes)
    for (const auto& o : node.outputs) defined.insert(o);
  // Outputs the model never declared get the type shape inference finds.
  const auto inferred = infer_shapes(g, model.opsets);
  std::vector<ir::ValueInfo> new_outputs;
  for (const auto& name : outputs) {
    if (name.empty() || !defined.count(name))
      fail(ErrorCode::kInvalidInput, "'", name, "' is not a value of the model (no node, input or initializer defines it)");
    ir::ValueInfo vi;
    vi.name = name;
    if (auto it = declared.find(name); it != declared.end()) vi = it->second;
    auto known = inferred.find(name);
    if (vi.type.kind == ir::TypeInfo::Kind::kUnknown && known != inferred.end() &&
        known->second.dtype != DataType::kUndefined) {
      vi.type.kind = ir::TypeInfo::Kind::kTensor;
      vi.type.dtype = known->second.dtype;
      vi.type.shape = known->second.dims;
    }
    new_outputs.push_back(vi);
  }
  g.outputs = new_outputs;
  PassOptions options;
  PassContext ctx(model.opsets, options);
  make_eliminate_dead_code()->run(g, ctx);
  // Inputs nothing reads any more go too: the pruned model's interface is
  // what its outputs need.
  std::unordered_set<std::string> read;
  for (const auto& node : g.nodes) {
    for (const auto& in : node.inputs) read.insert(in);
    for (const auto& a : node.attributes) {
      if (a.g)
        for (const auto& v : a.g->free_values()) read.insert(v);
      for (const auto& sub : a.graphs)
        for (const auto& v : sub->free_values()) read.insert(v);
    }
  }
  for (const auto& vi : g.outputs) read.insert(vi.name);
  std::vector<ir::ValueInfo> inputs;
  for (auto& vi : g.inputs)
    if (read.count(vi.name)) inputs.push_back(std::move(vi));
  g.inputs = std::move(inputs);
}

}  // namespace skiff::passes
