// Small ONNX models built in code, for the loader and API tests.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "onnx/onnx.pb.h"

namespace skiff::testing {

// An ir_version 8 model importing the default domain at `opset`; its graph
// has one input `name`: float[batch, width], "batch" symbolic.
::onnx::ModelProto model_with_float_input(int64_t opset, const std::string& name, int64_t width);

// Appends the node op_type(inputs) -> output to `graph`.
::onnx::NodeProto* add_node(::onnx::GraphProto* graph, const std::string& op_type,
                            const std::vector<std::string>& inputs, const std::string& output);

// Appends a 1-D float initializer holding `values`.
void add_float_initializer(::onnx::GraphProto* graph, const std::string& name,
                           const std::vector<float>& values);

}  // namespace skiff::testing
