// TensorProto <-> Tensor and TypeProto -> TypeInfo, shared by the model
// loader and the test-data reader. Internal to src/onnx.
#pragma once

#include <map>
#include <memory>
#include <string>

#include "core/tensor.h"
#include "ir/graph.h"
#include "onnx/onnx-data.pb.h"
#include "onnx/onnx.pb.h"

namespace skiff::onnx {

// Resolves external-data locations against the model's folder and keeps the
// memory mappings alive.
class ExternalData {
 public:
  explicit ExternalData(std::string base_dir) : base_dir_(std::move(base_dir)) {}
  // A view of [offset, offset+length) of `location`, which must stay inside
  // the model's folder.
  Tensor map(const std::string& location, int64_t offset, int64_t length, DataType dtype,
             const Shape& shape, const std::string& what);

 private:
  struct Mapping;
  std::string base_dir_;
  std::map<std::string, std::shared_ptr<Mapping>> files_;
};

// `what` names the tensor in errors ("initializer 'conv1.weight'").
Tensor tensor_from_proto(const ::onnx::TensorProto& proto, ExternalData* external,
                         const std::string& what);
void tensor_to_proto(const Tensor& tensor, ::onnx::TensorProto* proto);
ir::TypeInfo type_from_proto(const ::onnx::TypeProto& proto, const std::string& what);

}  // namespace skiff::onnx
