#include <algorithm>
#include <unordered_set>

#include "passes/graph_util.h"
#include "passes/pass.h"
#include "passes/shape_inference.h"
#include "engines/engine.h"
#include "runtime/plan.h"

namespace skiff::passes {

OptLevel parse_opt_level(const std::string& text) {
  if (text == "none" || text == "0") return OptLevel::kNone;
  if (text == "basic" || text == "1") return OptLevel::kBasic;
  if (text == "extended" || text == "2") return OptLevel::kExtended;
  if (text == "all" || text == "3") return OptLevel::kAll;
  fail(ErrorCode::kInvalidInput, "unknown optimization level '", text,
       "' (expected none, basic, extended or all)");
}

const char* opt_level_name(OptLevel level) {
  switch (level) {
    case OptLevel::kNone: return "none";
    case OptLevel::kBasic: return "basic";
    case OptLevel::kExtended: return "extended";
    case OptLevel::kAll: return "all";
  }
  return "?";
}

bool ShapeInfo::fully_known() const {
  return dims && std::all_of(dims->begin(), dims->end(), [](const ir::Dim& d) { return d.known(); });
}

Shape ShapeInfo::shape() const {
  SKIFF_ASSERT(fully_known());
  Shape s;
  for (const auto& d : *dims) s.push_back(d.value);
  return s;
}

PassContext::PassContext(std::map<std::string, int64_t>& opsets, const PassOptions& options)
    : opsets_(opsets), options_(options) {}

int64_t PassContext::opset(const std::string& domain) const {
  auto it = opsets_.find(domain == "ai.onnx" ? "" : domain);
  return it == opsets_.end() ? 0 : it->second;
}

void PassContext::use_skiff_domain() { opsets_.emplace(kSkiffDomain, kSkiffOpset); }

std::optional<std::vector<Tensor>> PassContext::evaluate(const ir::Node& node,
                                                         const std::vector<Tensor>& inputs) const {
  // A one-node graph whose inputs are initializers, compiled and run like
  // any model: the native kernels are the reference for folding.
  ir::Graph g;
  g.name = "fold";
  ir::Node copy = node;
  for (size_t i = 0; i < copy.inputs.size(); ++i) {
    if (copy.inputs[i].empty()) continue;
    if (i >= inputs.size() || !inputs[i].defined()) return std::nullopt;
    copy.inputs[i] = str_cat("in", i);
    g.initializers.emplace(copy.inputs[i], inputs[i]);
  }
  for (size_t i = 0; i < copy.outputs.size(); ++i) {
    if (copy.outputs[i].empty()) continue;
    copy.outputs[i] = str_cat("out", i);
    ir::ValueInfo vi;
    vi.name = copy.outputs[i];
    g.outputs.push_back(vi);
  }
  g.nodes.push_back(std::move(copy));
  try {
    // The native kernels are the reference (and need no region to form).
    runtime::PlanOptions native;
    native.engines = {"native"};
    auto plan = runtime::Plan::compile(g, opsets_, native);
    std::vector<Value> values = plan->run({});
    std::vector<Tensor> result;
    for (auto& v : values) {
      if (!v.is_tensor() || v.optional) return std::nullopt;
      result.push_back(std::move(v.tensor));
    }
    return result;
  } catch (const Error&) {
    return std::nullopt;
  }
}

bool PassContext::fusion_keeps_engine(const ir::Graph& graph, const ir::Node& original,
                                      const ir::Node& fused) const {
  for (const auto& name : options_.engines) {
    const Engine* engine = EngineRegistry::global().find(name);
    if (!engine || !engine->forms_regions()) continue;
    const ValueTypes types(graph, outer_types_);  // in a subgraph, outer values count too
    auto version = [&](const ir::Node& n) { return n.domain == kSkiffDomain ? kSkiffOpset : opset(n.domain); };
    if (!engine->supports(original, version(original), types)) return true;
    return engine->supports(fused, version(fused), types);
  }
  return true;
}

void PassContext::set_outer_shapes(std::map<std::string, ShapeInfo> outer) {
  outer_shapes_ = std::move(outer);
  outer_types_.clear();
  for (const auto& [value, info] : outer_shapes_)
    if (info.dtype != DataType::kUndefined) outer_types_[value] = info.dtype;
  shapes_valid_ = false;
}

const std::map<std::string, ShapeInfo>& PassContext::shapes(const ir::Graph& graph) {
  if (!shapes_valid_) {
    shapes_ = infer_shapes(graph, opsets_, &outer_shapes_);
    shapes_valid_ = true;
  }
  return shapes_;
}

const ShapeInfo* PassContext::shape_of(const ir::Graph& graph, const std::string& value) {
  return find_shape(shapes(graph), value);
}

void PassContext::note(std::string change) { notes_.push_back(std::move(change)); }

std::vector<std::string> PassContext::take_notes() {
  std::vector<std::string> out;
  out.swap(notes_);
  return out;
}

std::string PassContext::fresh_name(const ir::Graph& graph, const std::string& base) {
  std::unordered_set<std::string> used;
  for (const auto& vi : graph.inputs) used.insert(vi.name);
  for (const auto& vi : graph.outputs) used.insert(vi.name);
  for (const auto& [name, t] : graph.initializers) used.insert(name);
  for (const auto& node : graph.nodes) {
    used.insert(node.name);
    for (const auto& o : node.outputs) used.insert(o);
  }
  std::string name;
  do {
    name = str_cat(base, "_skiff", name_counter_++);
  } while (used.count(name));
  return name;
}

}  // namespace skiff::passes
