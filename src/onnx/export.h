// ir::Model -> ONNX ModelProto bytes or file: the inverse of the loader, used
// by `skiff optimize`. Lives in src/onnx because protobuf stays there.
#pragma once

#include <string>

#include "ir/graph.h"

namespace skiff::onnx {

// Serializes `model`. Initializers are written inline (raw_data); a model
// whose protobuf would pass 2 GB is refused with kUnsupported. The IR
// version is raised to 4 when lower, because initializers are not repeated
// as graph inputs. value_info entries for values the graph no longer has are
// dropped.
std::string serialize_model(const ir::Model& model);
// Writes serialize_model(model) to `path`; kIO when the file cannot be written.
void save_model(const ir::Model& model, const std::string& path);

}  // namespace skiff::onnx
