// Helpers for pass tests: build a small model, run it before and after a
// pass with the same inputs, compare outputs (1e-5 relative) and count ops.
//
//   ModelBuilder b(13);
//   b.input("x", {1, 3, 8, 8}).weight("w", random({4, 3, 3, 3}, 1));
//   b.node("Conv", {"x", "w"}, {"c"}).node("Relu", {"c"}, {"y"}).output("y");
//   expect_pass_keeps_results(b.model, {"fuse_activation"});
#pragma once

#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "ir/graph.h"
#include "passes/graph_util.h"
#include "passes/pass_manager.h"
#include "runtime/plan.h"
#include "support/op_test.h"

namespace skiff::testing {

inline Tensor random_tensor(Shape shape, uint64_t seed, float lo = -1.0f, float hi = 1.0f) {
  Tensor t(DataType::kFloat, std::move(shape));
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<float> dist(lo, hi);
  for (int64_t i = 0; i < t.numel(); ++i) t.data<float>()[i] = dist(rng);
  return t;
}

inline Tensor scalar_tensor(float v) { return Tensor::scalar(v); }

inline Tensor int64_tensor(const std::vector<int64_t>& v) {
  Tensor t(DataType::kInt64, {static_cast<int64_t>(v.size())});
  std::copy(v.begin(), v.end(), t.data<int64_t>());
  return t;
}

class ModelBuilder {
 public:
  explicit ModelBuilder(int64_t opset = 13) {
    model.ir_version = 8;
    model.opsets[""] = opset;
  }
  // An input with a fixed shape; a dim < 0 becomes the symbol "d<i>".
  ModelBuilder& input(const std::string& name, const Shape& shape, DataType dtype = DataType::kFloat) {
    ir::ValueInfo vi;
    vi.name = name;
    vi.type.kind = ir::TypeInfo::Kind::kTensor;
    vi.type.dtype = dtype;
    std::vector<ir::Dim> dims;
    for (size_t i = 0; i < shape.size(); ++i) {
      ir::Dim d;
      if (shape[i] >= 0) d.value = shape[i];
      else d.param = "d" + std::to_string(i);
      dims.push_back(d);
    }
    vi.type.shape = dims;
    model.graph.inputs.push_back(vi);
    return *this;
  }
  ModelBuilder& output(const std::string& name) {
    ir::ValueInfo vi;
    vi.name = name;
    model.graph.outputs.push_back(vi);
    return *this;
  }
  ModelBuilder& weight(const std::string& name, Tensor t) {
    model.graph.initializers[name] = std::move(t);
    return *this;
  }
  ModelBuilder& node(const std::string& op, std::vector<std::string> inputs, std::vector<std::string> outputs,
                     std::vector<ir::Attribute> attrs = {}, const std::string& domain = "") {
    ir::Node n;
    n.op_type = op;
    n.domain = domain;
    n.name = op + "_" + std::to_string(model.graph.nodes.size());
    n.inputs = std::move(inputs);
    n.outputs = std::move(outputs);
    n.attributes = std::move(attrs);
    model.graph.nodes.push_back(std::move(n));
    return *this;
  }

  ir::Model model;
};

using passes::make_attr;

// Runs the model (inputs in graph-input order) with the native kernels,
// the reference the passes are checked against (or with other `engines`).
inline std::vector<Tensor> run_model(const ir::Model& model, const std::vector<Tensor>& inputs,
                                     std::vector<std::string> engines = {"native"}) {
  runtime::PlanOptions options;
  options.engines = std::move(engines);
  auto plan = runtime::Plan::compile(model.graph, model.opsets, options);
  std::vector<Value> values;
  for (const auto& t : inputs) values.emplace_back(t);
  std::vector<Tensor> out;
  for (auto& v : plan->run(values)) out.push_back(v.tensor);
  return out;
}

// Random inputs of the declared shapes (symbolic dims become 5).
inline std::vector<Tensor> random_inputs(const ir::Model& model, uint64_t seed = 7) {
  std::vector<Tensor> inputs;
  for (const auto& vi : model.graph.inputs) {
    Shape shape;
    for (const auto& d : *vi.type.shape) shape.push_back(d.known() ? d.value : 5);
    inputs.push_back(random_tensor(shape, seed++));
  }
  return inputs;
}

// Runs only the named passes (every other pass disabled) at level `all`.
inline std::vector<passes::PassRecord> run_only(ir::Model& model, const std::set<std::string>& names,
                                                passes::PassOptions options = {}) {
  options.level = passes::OptLevel::kAll;
  for (const auto& p : passes::list_passes())
    if (!names.count(p.name)) options.disabled.insert(p.name);
  return passes::optimize(model, options);
}

inline int count_op(const ir::Model& model, const std::string& op) {
  int n = 0;
  for (const auto& node : model.graph.nodes) n += node.op_type == op;
  return n;
}

inline void expect_close(const Tensor& expected, const Tensor& actual, double rtol = 1e-5, double atol = 1e-6) {
  ASSERT_EQ(expected.dtype(), actual.dtype());
  ASSERT_EQ(expected.shape(), actual.shape());
  if (expected.dtype() != DataType::kFloat) {
    EXPECT_EQ(0, std::memcmp(expected.raw(), actual.raw(), expected.nbytes()));
    return;
  }
  for (int64_t i = 0; i < expected.numel(); ++i) {
    const double e = expected.data<float>()[i], a = actual.data<float>()[i];
    ASSERT_NEAR(e, a, atol + rtol * std::fabs(e)) << "element " << i;
  }
}

// Runs `model` before and after the named passes on random inputs and
// expects equal outputs; returns the optimized model.
inline ir::Model expect_pass_keeps_results(const ir::Model& model, const std::set<std::string>& names,
                                           passes::PassOptions options = {}, uint64_t seed = 7) {
  const auto inputs = random_inputs(model, seed);
  const auto before = run_model(model, inputs);
  ir::Model optimized = model;
  run_only(optimized, names, options);
  const auto after = run_model(optimized, inputs);
  EXPECT_EQ(before.size(), after.size());
  for (size_t i = 0; i < before.size() && i < after.size(); ++i) expect_close(before[i], after[i]);
  EXPECT_EQ(model.graph.outputs.size(), optimized.graph.outputs.size());
  for (size_t i = 0; i < model.graph.outputs.size() && i < optimized.graph.outputs.size(); ++i)
    EXPECT_EQ(model.graph.outputs[i].name, optimized.graph.outputs[i].name);
  return optimized;
}

}  // namespace skiff::testing
