// Runs one op through its registered kernel: the op-test harness.
//
//   auto out = run_op("Add", {a, b});
//   auto out = run_op(OpSpec("Conv").attr("strides", {2, 2}).opset(11), {x, w});
#pragma once

#include <string>
#include <vector>

#include "core/tensor.h"
#include "ir/graph.h"

namespace skiff::testing {

class OpSpec {
 public:
  explicit OpSpec(std::string op_type, std::string domain = "");
  OpSpec& opset(int64_t version);
  OpSpec& engine(std::string name);
  OpSpec& attr(const std::string& name, int64_t value);
  OpSpec& attr(const std::string& name, int value) { return attr(name, static_cast<int64_t>(value)); }
  OpSpec& attr(const std::string& name, float value);
  OpSpec& attr(const std::string& name, const char* value);
  OpSpec& attr(const std::string& name, std::vector<int64_t> values);
  OpSpec& attr(const std::string& name, std::vector<float> values);
  OpSpec& attr(const std::string& name, Tensor value);
  // Number of outputs the node declares (default 1).
  OpSpec& outputs(size_t count);

  ir::Node node;
  int64_t opset_version = 17;
  std::string engine_name = "native";
};

// Runs the node on `inputs` (an undefined Tensor marks an omitted optional
// input) and returns its outputs. Throws skiff::Error like the executor.
std::vector<Tensor> run_op(const OpSpec& spec, const std::vector<Tensor>& inputs);
inline std::vector<Tensor> run_op(const std::string& op, const std::vector<Tensor>& inputs) {
  return run_op(OpSpec(op), inputs);
}

// Builds a tensor from values: make<float>({2, 2}, {1, 2, 3, 4}).
template <class T>
Tensor make(Shape shape, const std::vector<T>& values) {
  Tensor t(dtype_of<T>(), std::move(shape));
  SKIFF_ASSERT(static_cast<int64_t>(values.size()) == t.numel());
  for (size_t i = 0; i < values.size(); ++i) t.data<T>()[i] = values[i];
  return t;
}

template <class T>
std::vector<T> values(const Tensor& t) {
  return std::vector<T>(t.data<T>(), t.data<T>() + t.numel());
}

}  // namespace skiff::testing
