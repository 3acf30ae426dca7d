#include "engines/kernel.h"

#include <algorithm>

namespace skiff {

using AttrType = ir::Attribute::Type;

KernelInfo::KernelInfo(
    const ir::Node& node, int64_t opset, const ir::Graph& graph,
    std::function<std::shared_ptr<SubgraphRunner>(const ir::Graph&)> compile_subgraph)
    : node_(node), opset_(opset), graph_(graph), compile_subgraph_(std::move(compile_subgraph)) {}

std::string KernelInfo::prefix() const {
  return str_cat(node_.label(), " (opset ", opset_, "): ");
}

const Tensor* KernelInfo::constant_input(size_t i) const {
  if (!has_input(i)) return nullptr;
  return graph_.initializer(node_.inputs[i]);
}

const ir::TypeInfo* KernelInfo::input_type(size_t i) const {
  if (!has_input(i)) return nullptr;
  const std::string& name = node_.inputs[i];
  for (const auto* list : {&graph_.inputs, &graph_.value_info, &graph_.outputs})
    for (const auto& vi : *list)
      if (vi.name == name) return &vi.type;
  return nullptr;
}

const ir::Attribute* KernelInfo::typed_attr(const std::string& name, AttrType type) const {
  const ir::Attribute* a = node_.attr(name);
  if (a && a->type != type)
    fail("attribute '", name, "' has type ", ir::attr_type_name(a->type), ", expected ",
         ir::attr_type_name(type));
  return a;
}

int64_t KernelInfo::attr_int(const std::string& name, int64_t fallback) const {
  const auto* a = typed_attr(name, AttrType::kInt);
  return a ? a->i : fallback;
}

int64_t KernelInfo::attr_int(const std::string& name) const {
  const auto* a = typed_attr(name, AttrType::kInt);
  if (!a) fail("required attribute '", name, "' is missing");
  return a->i;
}

float KernelInfo::attr_float(const std::string& name, float fallback) const {
  const auto* a = typed_attr(name, AttrType::kFloat);
  return a ? a->f : fallback;
}

float KernelInfo::attr_float(const std::string& name) const {
  const auto* a = typed_attr(name, AttrType::kFloat);
  if (!a) fail("required attribute '", name, "' is missing");
  return a->f;
}

std::string KernelInfo::attr_string(const std::string& name, const std::string& fallback) const {
  const auto* a = typed_attr(name, AttrType::kString);
  return a ? a->s : fallback;
}

std::string KernelInfo::attr_string(const std::string& name) const {
  const auto* a = typed_attr(name, AttrType::kString);
  if (!a) fail("required attribute '", name, "' is missing");
  return a->s;
}

std::vector<int64_t> KernelInfo::attr_ints(const std::string& name,
                                           std::vector<int64_t> fallback) const {
  const auto* a = typed_attr(name, AttrType::kInts);
  return a ? a->ints : fallback;
}

std::vector<float> KernelInfo::attr_floats(const std::string& name,
                                           std::vector<float> fallback) const {
  const auto* a = typed_attr(name, AttrType::kFloats);
  return a ? a->floats : fallback;
}

std::vector<std::string> KernelInfo::attr_strings(const std::string& name,
                                                  std::vector<std::string> fallback) const {
  const auto* a = typed_attr(name, AttrType::kStrings);
  return a ? a->strings : fallback;
}

const Tensor* KernelInfo::attr_tensor(const std::string& name) const {
  const auto* a = typed_attr(name, AttrType::kTensor);
  return a ? &a->t : nullptr;
}

const ir::Graph* KernelInfo::attr_graph(const std::string& name) const {
  const auto* a = typed_attr(name, AttrType::kGraph);
  return a ? a->g.get() : nullptr;
}

std::shared_ptr<SubgraphRunner> KernelInfo::compile_subgraph(const std::string& attr_name) const {
  const ir::Graph* g = attr_graph(attr_name);
  if (!g) fail("required graph attribute '", attr_name, "' is missing");
  if (!compile_subgraph_) unsupported("subgraphs cannot be compiled here");
  return compile_subgraph_(*g);
}

KernelContext::KernelContext(const ir::Node& node, int64_t opset, std::vector<const Value*> inputs,
                             std::vector<Value>* outputs, std::vector<const Value*> captured,
                             OutputAllocator* allocator)
    : node_(node),
      opset_(opset),
      inputs_(std::move(inputs)),
      outputs_(outputs),
      captured_(std::move(captured)),
      allocator_(allocator),
      wanted_(outputs->size()),
      declared_dtype_(outputs->size(), DataType::kUndefined),
      declared_shape_(outputs->size()) {
  for (size_t i = 0; i < outputs->size(); ++i) wanted_[i] = node.has_output(i);
}

std::string KernelContext::prefix() const {
  return str_cat(node_.label(), " (opset ", opset_, "): ");
}

std::string KernelContext::input_label(size_t i) const {
  std::string s = str_cat("input ", i);
  if (i < node_.inputs.size()) s += str_cat(" ('", node_.inputs[i], "'");
  if (has_input(i) && inputs_[i]->is_tensor()) s += str_cat(", ", inputs_[i]->tensor.str());
  if (i < node_.inputs.size()) s += ")";
  return s;
}

const Value& KernelContext::input_value(size_t i) const {
  if (!has_input(i))
    skiff::fail(ErrorCode::kInvalidModel, prefix(), "required input ", i, " is missing");
  return *inputs_[i];
}

const Tensor& KernelContext::input(size_t i) const {
  const Value& v = input_value(i);
  if (!v.is_tensor())
    skiff::fail(ErrorCode::kInvalidInput, prefix(), input_label(i), " must be a tensor");
  return v.tensor;
}

void KernelContext::set_output(size_t i, DataType dtype, Shape shape) {
  SKIFF_ASSERT(i < outputs_->size());
  shape_numel(shape);  // rejects negative dims and overflow before allocation
  declared_dtype_[i] = dtype;
  declared_shape_[i] = std::move(shape);
}

void KernelContext::allocate_declared_outputs() {
  for (size_t i = 0; i < outputs_->size(); ++i)
    if (declared_dtype_[i] != DataType::kUndefined)
      (*outputs_)[i] = Value(allocator_ ? allocator_->allocate(i, declared_dtype_[i], std::move(declared_shape_[i]))
                                        : Tensor(declared_dtype_[i], std::move(declared_shape_[i])));
}

Tensor& KernelContext::output(size_t i) {
  SKIFF_ASSERT(i < outputs_->size());
  Value& v = (*outputs_)[i];
  if (!v.is_tensor())
    skiff::fail(ErrorCode::kInternal, prefix(), "output ", i, " was not declared in prepare");
  return v.tensor;
}

Tensor& KernelContext::allocate_output(size_t i, DataType dtype, Shape shape) {
  SKIFF_ASSERT(i < outputs_->size());
  (*outputs_)[i] = Value(allocator_ ? allocator_->allocate(i, dtype, std::move(shape))
                                    : Tensor(dtype, std::move(shape)));
  return (*outputs_)[i].tensor;
}

void KernelContext::set_output_tensor(size_t i, Tensor tensor) {
  SKIFF_ASSERT(i < outputs_->size());
  (*outputs_)[i] = Value(std::move(tensor));
}

void KernelContext::set_output_value(size_t i, Value value) {
  SKIFF_ASSERT(i < outputs_->size());
  (*outputs_)[i] = std::move(value);
}

KernelRegistry& KernelRegistry::global() {
  static KernelRegistry registry;
  return registry;
}

bool KernelRegistry::add(const KernelDef& def) {
  defs_.push_back(def);
  return true;
}

const KernelDef* KernelRegistry::find(std::string_view engine, std::string_view domain,
                                      std::string_view op, int64_t opset) const {
  for (const auto& d : defs_)
    if (d.engine == engine && d.domain == domain && d.op == op && d.since <= opset &&
        opset <= d.until)
      return &d;
  return nullptr;
}

const KernelDef* KernelRegistry::find(std::string_view domain, std::string_view op,
                                      int64_t opset) const {
  for (const auto& d : defs_)
    if (d.domain == domain && d.op == op && d.since <= opset && opset <= d.until) return &d;
  return nullptr;
}

}  // namespace skiff
