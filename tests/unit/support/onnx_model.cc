#include "support/onnx_model.h"

namespace skiff::testing {

::onnx::ModelProto model_with_float_input(int64_t opset, const std::string& name, int64_t width) {
  ::onnx::ModelProto m;
  m.set_ir_version(8);
  m.add_opset_import()->set_version(opset);
  auto* x = m.mutable_graph()->add_input();
  x->set_name(name);
  auto* tt = x->mutable_type()->mutable_tensor_type();
  tt->set_elem_type(::onnx::TensorProto::FLOAT);
  tt->mutable_shape()->add_dim()->set_dim_param("batch");
  tt->mutable_shape()->add_dim()->set_dim_value(width);
  return m;
}

::onnx::NodeProto* add_node(::onnx::GraphProto* graph, const std::string& op_type,
                            const std::vector<std::string>& inputs, const std::string& output) {
  auto* n = graph->add_node();
  n->set_op_type(op_type);
  for (const auto& i : inputs) n->add_input(i);
  n->add_output(output);
  return n;
}

void add_float_initializer(::onnx::GraphProto* graph, const std::string& name,
                           const std::vector<float>& values) {
  auto* t = graph->add_initializer();
  t->set_name(name);
  t->set_data_type(::onnx::TensorProto::FLOAT);
  t->add_dims(static_cast<int64_t>(values.size()));
  for (float v : values) t->add_float_data(v);
}

}  // namespace skiff::testing
