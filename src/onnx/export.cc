#include "onnx/export.h"

#include <fstream>
#include <unordered_set>

#include "onnx/tensor_proto.h"

namespace skiff::onnx {
namespace {

using AttrType = ir::Attribute::Type;

void type_to_proto(const ir::TypeInfo& type, ::onnx::TypeProto* proto) {
  switch (type.kind) {
    case ir::TypeInfo::Kind::kTensor: {
      auto* tt = proto->mutable_tensor_type();
      tt->set_elem_type(static_cast<int32_t>(type.dtype));
      if (!type.shape) return;
      auto* shape = tt->mutable_shape();
      for (const auto& d : *type.shape) {
        auto* dim = shape->add_dim();
        if (d.known()) dim->set_dim_value(d.value);
        else if (!d.param.empty()) dim->set_dim_param(d.param);
      }
      return;
    }
    case ir::TypeInfo::Kind::kSequence:
      if (type.elem) type_to_proto(*type.elem, proto->mutable_sequence_type()->mutable_elem_type());
      return;
    case ir::TypeInfo::Kind::kOptional:
      if (type.elem) type_to_proto(*type.elem, proto->mutable_optional_type()->mutable_elem_type());
      return;
    default:
      return;  // unknown (and map types, whose details the loader does not keep)
  }
}

void value_info_to_proto(const ir::ValueInfo& vi, ::onnx::ValueInfoProto* proto) {
  proto->set_name(vi.name);
  if (!vi.doc.empty()) proto->set_doc_string(vi.doc);
  if (vi.type.kind != ir::TypeInfo::Kind::kUnknown) type_to_proto(vi.type, proto->mutable_type());
}

void graph_to_proto(const ir::Graph& g, ::onnx::GraphProto* proto);

void attribute_to_proto(const ir::Attribute& a, ::onnx::AttributeProto* proto) {
  proto->set_name(a.name);
  if (!a.ref_attr_name.empty()) proto->set_ref_attr_name(a.ref_attr_name);
  switch (a.type) {
    case AttrType::kFloat: proto->set_type(::onnx::AttributeProto::FLOAT); proto->set_f(a.f); break;
    case AttrType::kInt: proto->set_type(::onnx::AttributeProto::INT); proto->set_i(a.i); break;
    case AttrType::kString: proto->set_type(::onnx::AttributeProto::STRING); proto->set_s(a.s); break;
    case AttrType::kTensor:
      proto->set_type(::onnx::AttributeProto::TENSOR);
      tensor_to_proto(a.t, proto->mutable_t());
      break;
    case AttrType::kGraph:
      proto->set_type(::onnx::AttributeProto::GRAPH);
      if (a.g) graph_to_proto(*a.g, proto->mutable_g());
      break;
    case AttrType::kFloats:
      proto->set_type(::onnx::AttributeProto::FLOATS);
      for (float v : a.floats) proto->add_floats(v);
      break;
    case AttrType::kInts:
      proto->set_type(::onnx::AttributeProto::INTS);
      for (int64_t v : a.ints) proto->add_ints(v);
      break;
    case AttrType::kStrings:
      proto->set_type(::onnx::AttributeProto::STRINGS);
      for (const auto& v : a.strings) proto->add_strings(v);
      break;
    case AttrType::kTensors:
      proto->set_type(::onnx::AttributeProto::TENSORS);
      for (const auto& t : a.tensors) tensor_to_proto(t, proto->add_tensors());
      break;
    case AttrType::kGraphs:
      proto->set_type(::onnx::AttributeProto::GRAPHS);
      for (const auto& g : a.graphs) graph_to_proto(*g, proto->add_graphs());
      break;
    case AttrType::kTypeProto:
      proto->set_type(::onnx::AttributeProto::TYPE_PROTO);
      type_to_proto(a.type_proto, proto->mutable_tp());
      break;
    default:
      // Sparse tensors are not kept by the loader; such nodes never load.
      fail(ErrorCode::kUnsupported, "attribute '", a.name, "' of type ", attr_type_name(a.type),
           " cannot be exported");
  }
}

void node_to_proto(const ir::Node& node, ::onnx::NodeProto* proto) {
  if (!node.name.empty()) proto->set_name(node.name);
  proto->set_op_type(node.op_type);
  if (!node.domain.empty()) proto->set_domain(node.domain);
  if (!node.doc.empty()) proto->set_doc_string(node.doc);
  for (const auto& in : node.inputs) proto->add_input(in);
  for (const auto& out : node.outputs) proto->add_output(out);
  for (const auto& a : node.attributes) attribute_to_proto(a, proto->add_attribute());
}

void graph_to_proto(const ir::Graph& g, ::onnx::GraphProto* proto) {
  proto->set_name(g.name.empty() ? "graph" : g.name);
  if (!g.doc.empty()) proto->set_doc_string(g.doc);
  for (const auto& [name, t] : g.initializers) {
    auto* tp = proto->add_initializer();
    tensor_to_proto(t, tp);
    tp->set_name(name);
  }
  for (const auto& vi : g.inputs) value_info_to_proto(vi, proto->add_input());
  for (const auto& vi : g.outputs) value_info_to_proto(vi, proto->add_output());
  std::unordered_set<std::string> produced;
  for (const auto& node : g.nodes) {
    node_to_proto(node, proto->add_node());
    for (const auto& out : node.outputs) produced.insert(out);
  }
  for (const auto& vi : g.value_info)
    if (produced.count(vi.name)) value_info_to_proto(vi, proto->add_value_info());
}

}  // namespace

std::string serialize_model(const ir::Model& model) {
  size_t weight_bytes = 0;
  for (const auto& [name, t] : model.graph.initializers) weight_bytes += t.nbytes();
  if (weight_bytes > (size_t{2} << 30) - (size_t{64} << 20))
    fail(ErrorCode::kUnsupported, "the model holds ", weight_bytes,
         " bytes of weights; ONNX files over 2 GB need external data, which skiff does not write");
  ::onnx::ModelProto proto;
  proto.set_ir_version(std::max<int64_t>(model.ir_version, 4));
  if (!model.producer_name.empty()) proto.set_producer_name(model.producer_name);
  if (!model.producer_version.empty()) proto.set_producer_version(model.producer_version);
  if (!model.domain.empty()) proto.set_domain(model.domain);
  if (model.model_version) proto.set_model_version(model.model_version);
  if (!model.doc.empty()) proto.set_doc_string(model.doc);
  for (const auto& [domain, version] : model.opsets) {
    auto* op = proto.add_opset_import();
    op->set_domain(domain);
    op->set_version(version);
  }
  for (const auto& [key, value] : model.metadata) {
    auto* kv = proto.add_metadata_props();
    kv->set_key(key);
    kv->set_value(value);
  }
  graph_to_proto(model.graph, proto.mutable_graph());
  std::string bytes;
  if (!proto.SerializeToString(&bytes)) fail(ErrorCode::kInternal, "cannot serialize the model");
  return bytes;
}

void save_model(const ir::Model& model, const std::string& path) {
  const std::string bytes = serialize_model(model);
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out) fail(ErrorCode::kIO, "cannot write '", path, "'");
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  if (!out) fail(ErrorCode::kIO, "error writing '", path, "'");
}

}  // namespace skiff::onnx
