// ONNX test-data files: input_K.pb / output_K.pb hold a TensorProto, a
// SequenceProto or an OptionalProto.
#include <fstream>
#include <sstream>

#include "onnx/onnx.h"
#include "onnx/tensor_proto.h"

namespace skiff::onnx {

namespace {

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) fail(ErrorCode::kIO, "cannot read '", path, "'");
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

Value value_from_sequence(const ::onnx::SequenceProto& seq, const std::string& what) {
  if (seq.elem_type() != ::onnx::SequenceProto::TENSOR && seq.elem_type() != 0)
    fail(ErrorCode::kUnsupported, what, ": only sequences of tensors are supported");
  std::vector<Tensor> items;
  for (const auto& t : seq.tensor_values()) items.push_back(tensor_from_proto(t, nullptr, what));
  DataType dtype = items.empty() ? DataType::kUndefined : items[0].dtype();
  return Value::make_sequence(std::move(items), dtype);
}

}  // namespace

Value read_value_file(const std::string& path, const ir::TypeInfo* expected) {
  const std::string bytes = read_file(path);
  const std::string what = str_cat("'", path, "'");
  using Kind = ir::TypeInfo::Kind;
  const Kind kind = expected ? expected->kind : Kind::kTensor;
  if (kind == Kind::kSequence) {
    ::onnx::SequenceProto seq;
    if (!seq.ParseFromString(bytes)) fail(ErrorCode::kIO, what, " is not a SequenceProto");
    Value v = value_from_sequence(seq, what);
    if (expected->elem && v.sequence_dtype == DataType::kUndefined)
      v.sequence_dtype = expected->elem->dtype;
    return v;
  }
  if (kind == Kind::kOptional) {
    ::onnx::OptionalProto opt;
    if (!opt.ParseFromString(bytes)) fail(ErrorCode::kIO, what, " is not an OptionalProto");
    Value v;
    if (opt.has_tensor_value()) v = Value(tensor_from_proto(opt.tensor_value(), nullptr, what));
    else if (opt.has_sequence_value()) v = value_from_sequence(opt.sequence_value(), what);
    v.optional = true;
    return v;
  }
  ::onnx::TensorProto proto;
  if (!proto.ParseFromString(bytes)) fail(ErrorCode::kIO, what, " is not a TensorProto");
  // numpy has no bfloat16, so ONNX's test data stores bfloat16 tensors as
  // their uint16 bit patterns; the declared type says how to read them.
  if (expected && expected->kind == Kind::kTensor && expected->dtype == DataType::kBFloat16 &&
      proto.data_type() == static_cast<int32_t>(DataType::kUInt16))
    proto.set_data_type(static_cast<int32_t>(DataType::kBFloat16));
  try {
    return Value(tensor_from_proto(proto, nullptr, what));
  } catch (const Error& e) {
    throw Error(ErrorCode::kInvalidInput, e.what());
  }
}

void write_value_file(const std::string& path, const Value& value, const std::string& name) {
  std::string bytes;
  auto fill_sequence = [&](::onnx::SequenceProto* seq) {
    seq->set_name(name);
    seq->set_elem_type(::onnx::SequenceProto::TENSOR);
    for (const auto& t : value.sequence) tensor_to_proto(t, seq->add_tensor_values());
  };
  if (value.optional) {
    ::onnx::OptionalProto opt;
    opt.set_name(name);
    if (value.is_tensor()) {
      opt.set_elem_type(::onnx::OptionalProto::TENSOR);
      tensor_to_proto(value.tensor, opt.mutable_tensor_value());
    } else if (value.is_sequence()) {
      opt.set_elem_type(::onnx::OptionalProto::SEQUENCE);
      fill_sequence(opt.mutable_sequence_value());
    }
    bytes = opt.SerializeAsString();
  } else if (value.is_sequence()) {
    ::onnx::SequenceProto seq;
    fill_sequence(&seq);
    bytes = seq.SerializeAsString();
  } else if (value.is_tensor()) {
    ::onnx::TensorProto proto;
    proto.set_name(name);
    tensor_to_proto(value.tensor, &proto);
    bytes = proto.SerializeAsString();
  } else {
    fail(ErrorCode::kRuntime, "output '", name, "' has no value to write");
  }
  std::ofstream out(path, std::ios::binary);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  if (!out) fail(ErrorCode::kIO, "cannot write '", path, "'");
}

}  // namespace skiff::onnx
