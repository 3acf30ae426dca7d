#include "support/op_test.h"

#include "engines/kernel.h"

namespace skiff::testing {

OpSpec::OpSpec(std::string op_type, std::string domain) {
  node.op_type = std::move(op_type);
  node.domain = std::move(domain);
  node.name = "test_" + node.op_type;
  node.outputs = {"y0"};
}

OpSpec& OpSpec::opset(int64_t version) {
  opset_version = version;
  return *this;
}

OpSpec& OpSpec::engine(std::string name) {
  engine_name = std::move(name);
  return *this;
}

static ir::Attribute& add_attr(ir::Node& node, const std::string& name, ir::Attribute::Type type) {
  ir::Attribute a;
  a.name = name;
  a.type = type;
  node.attributes.push_back(std::move(a));
  return node.attributes.back();
}

OpSpec& OpSpec::attr(const std::string& name, int64_t value) {
  add_attr(node, name, ir::Attribute::Type::kInt).i = value;
  return *this;
}
OpSpec& OpSpec::attr(const std::string& name, float value) {
  add_attr(node, name, ir::Attribute::Type::kFloat).f = value;
  return *this;
}
OpSpec& OpSpec::attr(const std::string& name, const char* value) {
  add_attr(node, name, ir::Attribute::Type::kString).s = value;
  return *this;
}
OpSpec& OpSpec::attr(const std::string& name, std::vector<int64_t> values) {
  add_attr(node, name, ir::Attribute::Type::kInts).ints = std::move(values);
  return *this;
}
OpSpec& OpSpec::attr(const std::string& name, std::vector<float> values) {
  add_attr(node, name, ir::Attribute::Type::kFloats).floats = std::move(values);
  return *this;
}
OpSpec& OpSpec::attr(const std::string& name, Tensor value) {
  add_attr(node, name, ir::Attribute::Type::kTensor).t = std::move(value);
  return *this;
}
OpSpec& OpSpec::outputs(size_t count) {
  node.outputs.clear();
  for (size_t i = 0; i < count; ++i) node.outputs.push_back("y" + std::to_string(i));
  return *this;
}

std::vector<Tensor> run_op(const OpSpec& spec, const std::vector<Tensor>& inputs) {
  ir::Node node = spec.node;
  node.inputs.clear();
  std::vector<Value> values(inputs.size());
  std::vector<const Value*> input_ptrs;
  for (size_t i = 0; i < inputs.size(); ++i) {
    node.inputs.push_back(inputs[i].defined() ? "x" + std::to_string(i) : "");
    values[i] = inputs[i].defined() ? Value(inputs[i]) : Value();
    input_ptrs.push_back(inputs[i].defined() ? &values[i] : nullptr);
  }
  const KernelDef* def = KernelRegistry::global().find(spec.engine_name, node.domain,
                                                       node.op_type, spec.opset_version);
  if (!def)
    fail(ErrorCode::kUnsupported, "no ", spec.engine_name, " kernel for ", node.op_type,
         " at opset ", spec.opset_version);
  ir::Graph graph;
  KernelInfo info(node, spec.opset_version, graph, nullptr);
  auto kernel = def->factory(info);
  std::vector<Value> outputs(node.outputs.size());
  KernelContext ctx(node, spec.opset_version, input_ptrs, &outputs, {});
  kernel->prepare(ctx);
  ctx.allocate_declared_outputs();
  kernel->compute(ctx);
  std::vector<Tensor> result;
  for (auto& v : outputs) result.push_back(v.tensor);
  return result;
}

}  // namespace skiff::testing
