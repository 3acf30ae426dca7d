// ONNX import and tensor files. This is the only layer that sees protobuf:
// everything it returns is skiff's own IR.
#pragma once

#include <string>
#include <vector>

#include "core/value.h"
#include "ir/graph.h"

namespace skiff::onnx {

// Loads and validates a model. Throws Error(kInvalidModel) naming the file and
// the problem for anything malformed (truncated file, not ONNX, dangling or
// duplicate names, cycles, bad initializers, unknown ops, external data
// outside the model's folder), and Error(kIO) when the file cannot be read.
// Constant nodes become initializers.
ir::Model load_model(const std::string& path);
// Same, from bytes in memory; external data is resolved against `base_dir`
// (none allowed when empty).
ir::Model load_model_from_bytes(const void* data, size_t size, const std::string& base_dir,
                                const std::string& label = "<memory>");

// Reads an ONNX test-data file: a TensorProto, or (when `expected` says so) a
// SequenceProto or OptionalProto. Unknown `expected` (nullptr) means tensor.
Value read_value_file(const std::string& path, const ir::TypeInfo* expected = nullptr);
// Writes a Value as TensorProto / SequenceProto / OptionalProto.
void write_value_file(const std::string& path, const Value& value, const std::string& name);

// Whether ONNX defines `op` in `domain` at `opset` (domain "" is ai.onnx).
// Returns the schema's since_version, 0 when the op exists only in later
// opsets, -1 when ONNX has no such op in that domain.
int schema_since_version(const std::string& domain, const std::string& op, int64_t opset);
// True for the domains whose schemas skiff knows (ai.onnx, ai.onnx.ml, ...).
bool is_standard_domain(const std::string& domain);
// Every op name ONNX defines in `domain`, sorted (deprecated ops excluded).
std::vector<std::string> schema_ops(const std::string& domain);
// The onnx package version the schemas come from, and its latest opset.
const char* schema_onnx_version();
int schema_max_opset();

}  // namespace skiff::onnx
