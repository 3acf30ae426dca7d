#include "engines/engine.h"

#include <algorithm>

namespace skiff {

namespace {

// The fallback engine: one node at a time, kernels from engines/native.
class NativeEngine final : public Engine {
 public:
  std::string_view name() const override { return "native"; }
  bool supports(const ir::Node& node, int64_t opset, const ValueTypes&) const override {
    return KernelRegistry::global().find("native", node.domain, node.op_type, opset) != nullptr;
  }
  bool forms_regions() const override { return false; }
  std::unique_ptr<Kernel> compile(const Region& region, const EngineOptions&) const override {
    fail(ErrorCode::kInternal, "the native engine forms no regions (", region.name, ")");
  }
};

const bool kNativeRegistered = EngineRegistry::global().add(std::make_unique<NativeEngine>());

// Output types that differ from the first input's, for ops whose outputs
// feed an engine's decision. Everything else inherits input 0's type (true
// of the elementwise, layout and indexing ops that make up most graphs).
DataType output_type(const ir::Node& node, size_t output, const std::vector<DataType>& inputs) {
  const std::string& op = node.op_type;
  auto attr_dtype = [&](const char* name, DataType fallback) {
    const ir::Attribute* a = node.attr(name);
    if (a && a->type == ir::Attribute::Type::kInt && dtype_is_valid(static_cast<int32_t>(a->i)))
      return static_cast<DataType>(a->i);
    if (a && a->type == ir::Attribute::Type::kTensor) return a->t.dtype();
    return fallback;
  };
  if (!node.domain.empty() && node.domain != kSkiffDomain) return DataType::kUndefined;
  if (op == "Shape" || op == "Size" || op == "NonZero" || op == "ArgMax" || op == "ArgMin" ||
      (op == "TopK" && output == 1) || (op == "Unique" && output > 0) ||
      (op == "MaxPool" && output == 1))
    return DataType::kInt64;
  if (op == "Equal" || op == "Less" || op == "Greater" || op == "LessOrEqual" ||
      op == "GreaterOrEqual" || op == "Not" || op == "And" || op == "Or" || op == "Xor" ||
      op == "IsNaN" || op == "IsInf")
    return DataType::kBool;
  if (op == "Cast") return attr_dtype("to", DataType::kUndefined);
  if (op == "CastLike") return inputs.size() > 1 ? inputs[1] : DataType::kUndefined;
  if (op == "ConstantOfShape") return attr_dtype("value", DataType::kFloat);
  if (op == "Constant") return attr_dtype("value", DataType::kUndefined);
  if (op == "Where") return inputs.size() > 1 ? inputs[1] : DataType::kUndefined;
  if (op == "DequantizeLinear") return DataType::kFloat;
  if (op == "QuantizeLinear" || op == "DynamicQuantizeLinear")
    return inputs.size() > 2 && inputs[2] != DataType::kUndefined ? inputs[2] : DataType::kUInt8;
  if (op == "RandomNormal" || op == "RandomUniform" || op == "EyeLike" ||
      op == "RandomNormalLike" || op == "RandomUniformLike")
    return attr_dtype("dtype", inputs.empty() ? DataType::kFloat : inputs[0]);
  if (op == "If" || op == "Loop" || op == "Scan" || op == "SequenceAt" || op == "Multinomial")
    return DataType::kUndefined;
  return inputs.empty() ? DataType::kUndefined : inputs[0];
}

}  // namespace

ValueTypes::ValueTypes(const ir::Graph& graph, const std::map<std::string, DataType>& outer)
    : graph_(graph), types_(outer) {
  for (const auto* list : {&graph.inputs, &graph.outputs, &graph.value_info})
    for (const auto& vi : *list)
      if (vi.type.kind == ir::TypeInfo::Kind::kTensor && vi.type.dtype != DataType::kUndefined)
        types_[vi.name] = vi.type.dtype;
  for (const auto& [name, t] : graph.initializers) types_[name] = t.dtype();
  std::vector<size_t> order;
  try {
    order = graph.topological_order();
  } catch (const Error&) {
    return;  // the plan reports the cycle
  }
  for (size_t index : order) {
    const ir::Node& node = graph.nodes[index];
    std::vector<DataType> inputs;
    for (const auto& in : node.inputs) inputs.push_back(in.empty() ? DataType::kUndefined : dtype(in));
    for (size_t o = 0; o < node.outputs.size(); ++o)
      if (node.has_output(o) && !types_.count(node.outputs[o])) {
        const DataType t = output_type(node, o, inputs);
        if (t != DataType::kUndefined) types_[node.outputs[o]] = t;
      }
  }
}

DataType ValueTypes::dtype(const std::string& value) const {
  auto it = types_.find(value);
  return it == types_.end() ? DataType::kUndefined : it->second;
}

EngineRegistry& EngineRegistry::global() {
  static EngineRegistry registry;
  return registry;
}

bool EngineRegistry::add(std::unique_ptr<Engine> engine) {
  engines_.push_back(std::move(engine));
  return true;
}

const Engine* EngineRegistry::find(std::string_view name) const {
  for (const auto& e : engines_)
    if (e->name() == name) return e.get();
  return nullptr;
}

const Engine* EngineRegistry::find_region_engine(std::string_view region_op) const {
  for (const auto& e : engines_)
    if (e->forms_regions() && e->region_op() == region_op) return e.get();
  return nullptr;
}

std::vector<std::string> EngineRegistry::names() const {
  std::vector<std::string> names;
  for (const auto& e : engines_) names.emplace_back(e->name());
  return names;
}

std::vector<std::string> default_engines() {
  std::vector<std::string> engines;
  if (EngineRegistry::global().find("dnnl")) engines.push_back("dnnl");
  engines.push_back("native");
  return engines;
}

std::vector<std::string> engines_for_choice(const std::string& choice) {
  if (choice == "native") return {"native"};
  if (choice == "dnnl" && EngineRegistry::global().find("dnnl")) return {"dnnl", "native"};
  fail(ErrorCode::kInvalidInput, "unknown engine '", choice, "' (expected native or dnnl)");
}

}  // namespace skiff
