// ONNX ModelProto -> ir::Model, with the validation that lets every later
// layer trust the graph.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <unordered_set>

#include "onnx/onnx.h"
#include "onnx/tensor_proto.h"

namespace skiff::onnx {

namespace {

using AttrType = ir::Attribute::Type;

struct Importer {
  std::string label;  // the model's path, for messages
  ExternalData external;
  const std::map<std::string, int64_t>* opsets = nullptr;

  [[noreturn]] void fail_model(const std::string& message) const {
    fail(ErrorCode::kInvalidModel, "model '", label, "': ", message);
  }

  ir::ValueInfo value_info(const ::onnx::ValueInfoProto& proto, const char* kind) {
    ir::ValueInfo vi;
    vi.name = proto.name();
    vi.doc = proto.doc_string();
    if (vi.name.empty()) fail_model(str_cat("a graph ", kind, " has no name"));
    try {
      if (proto.has_type()) vi.type = type_from_proto(proto.type(), str_cat(kind, " '", vi.name, "'"));
    } catch (const Error& e) {
      fail_model(e.what());
    }
    return vi;
  }

  // Every proto the importer reads was parsed by this file's loaders and is
  // owned by them, so a tensor's bytes are freed as soon as they are copied:
  // the load then holds one copy of the weights at a time instead of two
  // (ResNet-50: 102 MB less at the load's peak).
  Tensor tensor(const ::onnx::TensorProto& proto, const std::string& what) {
    try {
      Tensor t = tensor_from_proto(proto, &external, what);
      if (proto.has_raw_data()) delete const_cast<::onnx::TensorProto&>(proto).release_raw_data();
      return t;
    } catch (const Error& e) {
      if (e.code() == ErrorCode::kInvalidModel) fail_model(e.what());
      throw;
    }
  }

  ir::Attribute attribute(const ::onnx::AttributeProto& proto, const ir::Node& node) {
    ir::Attribute a;
    a.name = proto.name();
    a.ref_attr_name = proto.ref_attr_name();
    const std::string what = str_cat(node.label(), " attribute '", a.name, "'");
    auto type = proto.type();
    if (type == ::onnx::AttributeProto::UNDEFINED) {
      // IR < 3 models may omit the type; infer it from the populated field.
      if (proto.has_f()) type = ::onnx::AttributeProto::FLOAT;
      else if (proto.has_i()) type = ::onnx::AttributeProto::INT;
      else if (proto.has_s()) type = ::onnx::AttributeProto::STRING;
      else if (proto.has_t()) type = ::onnx::AttributeProto::TENSOR;
      else if (proto.has_g()) type = ::onnx::AttributeProto::GRAPH;
      else if (proto.floats_size()) type = ::onnx::AttributeProto::FLOATS;
      else if (proto.ints_size()) type = ::onnx::AttributeProto::INTS;
      else if (proto.strings_size()) type = ::onnx::AttributeProto::STRINGS;
      else if (proto.tensors_size()) type = ::onnx::AttributeProto::TENSORS;
      else if (proto.graphs_size()) type = ::onnx::AttributeProto::GRAPHS;
    }
    switch (type) {
      case ::onnx::AttributeProto::FLOAT: a.type = AttrType::kFloat; a.f = proto.f(); break;
      case ::onnx::AttributeProto::INT: a.type = AttrType::kInt; a.i = proto.i(); break;
      case ::onnx::AttributeProto::STRING: a.type = AttrType::kString; a.s = proto.s(); break;
      case ::onnx::AttributeProto::TENSOR:
        a.type = AttrType::kTensor;
        a.t = tensor(proto.t(), what);
        break;
      case ::onnx::AttributeProto::GRAPH:
        a.type = AttrType::kGraph;
        a.g = std::make_shared<ir::Graph>(graph(proto.g()));
        break;
      case ::onnx::AttributeProto::FLOATS:
        a.type = AttrType::kFloats;
        a.floats.assign(proto.floats().begin(), proto.floats().end());
        break;
      case ::onnx::AttributeProto::INTS:
        a.type = AttrType::kInts;
        a.ints.assign(proto.ints().begin(), proto.ints().end());
        break;
      case ::onnx::AttributeProto::STRINGS:
        a.type = AttrType::kStrings;
        a.strings.assign(proto.strings().begin(), proto.strings().end());
        break;
      case ::onnx::AttributeProto::TENSORS:
        a.type = AttrType::kTensors;
        for (const auto& t : proto.tensors()) a.tensors.push_back(tensor(t, what));
        break;
      case ::onnx::AttributeProto::GRAPHS:
        a.type = AttrType::kGraphs;
        for (const auto& g : proto.graphs()) a.graphs.push_back(std::make_shared<ir::Graph>(graph(g)));
        break;
      case ::onnx::AttributeProto::TYPE_PROTO:
        a.type = AttrType::kTypeProto;
        a.type_proto = type_from_proto(proto.tp(), what);
        break;
      case ::onnx::AttributeProto::SPARSE_TENSOR:
      case ::onnx::AttributeProto::SPARSE_TENSORS:
        a.type = type == ::onnx::AttributeProto::SPARSE_TENSOR ? AttrType::kSparseTensor
                                                                : AttrType::kSparseTensors;
        break;
      default:
        if (a.ref_attr_name.empty()) fail_model(str_cat(what, " has no type and no value"));
    }
    return a;
  }

  // A Constant node is a weight: its value becomes an initializer, so that
  // kernels can pack it and passes can fold through it.
  bool fold_constant(const ir::Node& node, ir::Graph& g) {
    if (node.op_type != "Constant" || !(node.domain.empty() || node.domain == "ai.onnx") ||
        node.outputs.size() != 1 || node.attributes.size() != 1)
      return false;
    const ir::Attribute& a = node.attributes[0];
    Tensor value;
    if (a.name == "value" && a.type == AttrType::kTensor) {
      value = a.t;
    } else if (a.name == "value_float" && a.type == AttrType::kFloat) {
      value = Tensor::scalar(a.f);
    } else if (a.name == "value_int" && a.type == AttrType::kInt) {
      value = Tensor::scalar(a.i);
    } else if (a.name == "value_string" && a.type == AttrType::kString) {
      value = Tensor::scalar(a.s);
    } else if (a.name == "value_floats" && a.type == AttrType::kFloats) {
      value = Tensor(DataType::kFloat, {static_cast<int64_t>(a.floats.size())});
      std::copy(a.floats.begin(), a.floats.end(), value.data<float>());
    } else if (a.name == "value_ints" && a.type == AttrType::kInts) {
      value = Tensor(DataType::kInt64, {static_cast<int64_t>(a.ints.size())});
      std::copy(a.ints.begin(), a.ints.end(), value.data<int64_t>());
    } else if (a.name == "value_strings" && a.type == AttrType::kStrings) {
      value = Tensor(DataType::kString, {static_cast<int64_t>(a.strings.size())});
      std::copy(a.strings.begin(), a.strings.end(), value.data<std::string>());
    } else {
      return false;  // sparse_value and friends go to the Constant kernel
    }
    if (node.outputs[0].empty()) return true;
    if (!g.initializers.emplace(node.outputs[0], value).second)
      fail_model(str_cat(node.label(), ": output '", node.outputs[0], "' is defined twice"));
    return true;
  }

  ir::Graph graph(const ::onnx::GraphProto& proto) {
    ir::Graph g;
    g.name = proto.name();
    g.doc = proto.doc_string();
    for (const auto& t : proto.initializer()) {
      if (t.name().empty()) fail_model(str_cat("graph '", g.name, "' has an initializer without a name"));
      Tensor value = tensor(t, str_cat("initializer '", t.name(), "'"));
      if (!g.initializers.emplace(t.name(), std::move(value)).second)
        fail_model(str_cat("initializer '", t.name(), "' is defined twice"));
    }
    if (proto.sparse_initializer_size() > 0)
      fail(ErrorCode::kUnsupported, "model '", label, "': sparse initializers are not supported");
    // Graph inputs that are also initializers are defaults (IR < 4): the
    // initializer is the value, so they are not inputs the caller must feed.
    for (const auto& vi : proto.input()) {
      ir::ValueInfo info = value_info(vi, "input");
      if (!g.is_initializer(info.name)) g.inputs.push_back(std::move(info));
    }
    for (const auto& vi : proto.output()) g.outputs.push_back(value_info(vi, "output"));
    for (const auto& vi : proto.value_info()) g.value_info.push_back(value_info(vi, "value"));
    for (const auto& np : proto.node()) {
      ir::Node node;
      node.name = np.name();
      node.op_type = np.op_type();
      node.domain = np.domain() == "ai.onnx" ? "" : np.domain();
      node.doc = np.doc_string();
      node.inputs.assign(np.input().begin(), np.input().end());
      node.outputs.assign(np.output().begin(), np.output().end());
      if (node.op_type.empty()) fail_model(str_cat("a node named '", node.name, "' has no op_type"));
      for (const auto& ap : np.attribute()) {
        ir::Attribute a = attribute(ap, node);
        if (node.attr(a.name))
          fail_model(str_cat(node.label(), " has attribute '", a.name, "' twice"));
        node.attributes.push_back(std::move(a));
      }
      if (!fold_constant(node, g)) g.nodes.push_back(std::move(node));
    }
    return g;
  }

  void check_op(const ir::Node& node) const {
    auto it = opsets->find(node.domain);
    if (it == opsets->end())
      fail_model(str_cat(node.label(), " uses domain '", node.domain.empty() ? "ai.onnx" : node.domain,
                         "', which the model does not import (opset_import)"));
    if (!is_standard_domain(node.domain)) return;  // custom domains: the kernel registry decides
    const int since = schema_since_version(node.domain, node.op_type, it->second);
    const std::string domain = node.domain.empty() ? "ai.onnx" : node.domain;
    if (since < 0)
      fail_model(str_cat(node.label(), ": unknown op '", node.op_type, "' in domain '", domain,
                         "' (opset ", it->second, "); ONNX ", schema_onnx_version(),
                         " has no such operator"));
    if (since == 0)
      fail_model(str_cat(node.label(), ": op '", node.op_type, "' does not exist in domain '",
                         domain, "' at opset ", it->second, " (it was added in a later opset)"));
  }

  // Every name read is defined exactly once, before use, in this graph or an
  // enclosing one; no cycles; ops exist.
  void validate(const ir::Graph& g, const std::unordered_set<std::string>& outer) const {
    std::unordered_set<std::string> defined = outer;
    auto define = [&](const std::string& name, const std::string& by) {
      if (!defined.insert(name).second && !outer.count(name))
        fail_model(str_cat("value '", name, "' is defined twice (again by ", by, ")"));
    };
    for (const auto& vi : g.inputs) define(vi.name, "graph input");
    for (const auto& [name, t] : g.initializers)
      if (!g.find_input(name)) define(name, "an initializer");
    for (const auto& node : g.nodes)
      for (const auto& out : node.outputs)
        if (!out.empty()) define(out, node.label());
    for (const auto& node : g.nodes) {
      check_op(node);
      for (size_t i = 0; i < node.inputs.size(); ++i)
        if (!node.inputs[i].empty() && !defined.count(node.inputs[i]))
          fail_model(str_cat(node.label(), ": input ", i, " '", node.inputs[i],
                             "' is not produced by any node, graph input or initializer"));
      for (const auto& a : node.attributes) {
        if (a.g) validate(*a.g, defined);
        for (const auto& sub : a.graphs) validate(*sub, defined);
      }
    }
    for (const auto& out : g.outputs)
      if (!defined.count(out.name))
        fail_model(str_cat("graph output '", out.name, "' is not produced by any node"));
    try {
      g.topological_order();
    } catch (const Error& e) {
      fail_model(e.what());
    }
  }
};

ir::Model import_model(const ::onnx::ModelProto& proto, Importer& importer) {
  ir::Model model;
  model.path = importer.label;
  model.ir_version = proto.ir_version();
  model.producer_name = proto.producer_name();
  model.producer_version = proto.producer_version();
  model.domain = proto.domain();
  model.model_version = proto.model_version();
  model.doc = proto.doc_string();
  for (const auto& kv : proto.metadata_props()) model.metadata[kv.key()] = kv.value();
  for (const auto& op : proto.opset_import()) {
    const std::string domain = op.domain() == "ai.onnx" ? "" : op.domain();
    if (op.version() < 1) importer.fail_model(str_cat("opset_import for domain '", op.domain(), "' has version ", op.version()));
    model.opsets[domain] = op.version();
  }
  // IR version 1/2 models predate opset_import and mean opset 1.
  if (model.opsets.empty() && model.ir_version > 0 && model.ir_version < 3) model.opsets[""] = 1;
  if (!model.opsets.count("")) model.opsets[""] = 1;
  if (proto.functions_size() > 0)
    fail(ErrorCode::kUnsupported, "model '", importer.label,
         "': model-local functions are not supported yet");
  importer.opsets = &model.opsets;
  model.graph = importer.graph(proto.graph());
  importer.validate(model.graph, {});
  return model;
}

std::string base_dir_of(const std::string& path) {
  const std::filesystem::path p(path);
  return p.has_parent_path() ? p.parent_path().string() : std::string(".");
}

}  // namespace

namespace {

void check_proto(const ::onnx::ModelProto& proto, const Importer& importer) {
  if (proto.ir_version() <= 0 || !proto.has_graph())
    importer.fail_model("not an ONNX model (no ir_version or graph)");
}

void check_size(size_t size, const Importer& importer) {
  if (size == 0) importer.fail_model("the file is empty");
  if (size > static_cast<size_t>(INT32_MAX))
    importer.fail_model(str_cat("the file is ", size, " bytes; protobuf models are limited to 2 GB "
                                "(store large weights as external data)"));
}

constexpr const char* kNotOnnx = "not a valid ONNX protobuf (the file is truncated, corrupt or not ONNX)";

}  // namespace

ir::Model load_model_from_bytes(const void* data, size_t size, const std::string& base_dir,
                                const std::string& label) {
  Importer importer{label, ExternalData(base_dir)};
  check_size(size, importer);
  ::onnx::ModelProto proto;
  if (!proto.ParseFromArray(data, static_cast<int>(size))) importer.fail_model(kNotOnnx);
  check_proto(proto, importer);
  return import_model(proto, importer);
}

ir::Model load_model(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) fail(ErrorCode::kIO, "cannot open model '", path, "': ", std::strerror(errno));
  struct Close {
    int fd;
    ~Close() { ::close(fd); }
  } close_fd{fd};
  struct stat st{};
  if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) fail(ErrorCode::kIO, "model '", path, "' is not a regular file");
  Importer importer{path, ExternalData(base_dir_of(path))};
  check_size(static_cast<size_t>(st.st_size), importer);
  // Parsed from read() chunks rather than a mapping of the whole file: the
  // file's pages then never count in this process's resident memory, which
  // with a mapping peaked at file + parsed copy (ResNet-50: 204 MB).
  ::onnx::ModelProto proto;
  if (!proto.ParseFromFileDescriptor(fd)) importer.fail_model(kNotOnnx);
  check_proto(proto, importer);
  return import_model(proto, importer);
}

}  // namespace skiff::onnx
