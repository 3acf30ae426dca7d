#include "runtime/plan.h"

#include <gtest/gtest.h>

#include <atomic>

namespace skiff::runtime {

namespace {

// Test-only kernels in their own domain: y = x + 1 (float), and a
// pass-through that forwards its input tensor without copying.
class AddOneKernel final : public Kernel {
 public:
  explicit AddOneKernel(const KernelInfo&) {}
  void prepare(KernelContext& ctx) const override {
    ctx.set_output(0, ctx.input(0).dtype(), ctx.input(0).shape());
  }
  void compute(KernelContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    for (int64_t i = 0; i < x.numel(); ++i) ctx.output(0).data<float>()[i] = x.data<float>()[i] + 1;
  }
};
class ForwardKernel final : public Kernel {
 public:
  explicit ForwardKernel(const KernelInfo&) {}
  void compute(KernelContext& ctx) const override { ctx.set_output_tensor(0, ctx.input(0)); }
};
SKIFF_KERNEL_DOMAIN(native, "skiff.test", "AddOne", 1, 1, AddOneKernel);
SKIFF_KERNEL_DOMAIN(native, "skiff.test", "Forward", 1, 1, ForwardKernel);

ir::Node node(const std::string& op, std::vector<std::string> in, std::vector<std::string> out) {
  ir::Node n;
  n.op_type = op;
  n.domain = "skiff.test";
  n.inputs = std::move(in);
  n.outputs = std::move(out);
  return n;
}

const std::map<std::string, int64_t> kOpsets{{"", 13}, {"skiff.test", 1}};

ir::ValueInfo float_input(const std::string& name, std::vector<ir::Dim> dims) {
  ir::ValueInfo vi;
  vi.name = name;
  vi.type.kind = ir::TypeInfo::Kind::kTensor;
  vi.type.dtype = DataType::kFloat;
  vi.type.shape = std::move(dims);
  return vi;
}

}  // namespace

TEST(Plan, RunsNodesInDependencyOrder) {
  ir::Graph g;
  g.inputs.push_back(float_input("x", {{-1, "n"}}));
  g.nodes.push_back(node("AddOne", {"a"}, {"b"}));
  g.nodes.push_back(node("AddOne", {"x"}, {"a"}));
  g.outputs.push_back({"b", {}, ""});
  auto plan = Plan::compile(g, kOpsets, {});
  Tensor x(DataType::kFloat, {3});
  for (int i = 0; i < 3; ++i) x.data<float>()[i] = static_cast<float>(i);
  auto out = plan->run({Value(x)});
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].tensor.data<float>()[2], 4.f);
}

TEST(Plan, OutputsNeverAliasInputsOrWeights) {
  ir::Graph g;
  g.inputs.push_back(float_input("x", {{2, ""}}));
  Tensor w(DataType::kFloat, {2});
  w.data<float>()[0] = 5;
  g.initializers["w"] = w;
  g.nodes.push_back(node("Forward", {"x"}, {"y"}));
  g.nodes.push_back(node("Forward", {"w"}, {"z"}));
  g.outputs.push_back({"y", {}, ""});
  g.outputs.push_back({"z", {}, ""});
  auto plan = Plan::compile(g, kOpsets, {});
  Tensor x(DataType::kFloat, {2});
  auto out = plan->run({Value(x)});
  EXPECT_FALSE(out[0].tensor.same_storage(x));
  out[1].tensor.data<float>()[0] = -1;  // the caller may write to its outputs
  EXPECT_EQ(plan->run({Value(x)})[1].tensor.data<float>()[0], 5.f);
}

TEST(Plan, InputsAreCheckedAgainstDeclaredTypeAndShape) {
  ir::Graph g;
  g.inputs.push_back(float_input("x", {{-1, "n"}, {3, ""}}));
  g.nodes.push_back(node("AddOne", {"x"}, {"y"}));
  g.outputs.push_back({"y", {}, ""});
  auto plan = Plan::compile(g, kOpsets, {});
  EXPECT_NO_THROW(plan->run({Value(Tensor(DataType::kFloat, {5, 3}))}));
  try {
    plan->run({Value(Tensor(DataType::kFloat, {5, 4}))});
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kInvalidInput);
    EXPECT_NE(std::string(e.what()).find("input 'x' has shape [5,4]"), std::string::npos) << e.what();
  }
  EXPECT_THROW(plan->run({Value(Tensor(DataType::kInt64, {5, 3}))}), Error);
  EXPECT_THROW(plan->run({}), Error);
}

TEST(Plan, RepeatedRunsReuseThePlannedArenaWithIdenticalResults) {
  // x -> a -> b -> ... -> f: intermediates die one step later, so the plan
  // can reuse their memory; results must not change from run to run.
  ir::Graph g;
  g.inputs.push_back(float_input("x", {{-1, "n"}}));
  std::string prev = "x";
  for (const char* name : {"a", "b", "c", "d", "e", "f"}) {
    g.nodes.push_back(node("AddOne", {prev}, {name}));
    prev = name;
  }
  g.outputs.push_back({"f", {}, ""});
  g.outputs.push_back({"c", {}, ""});  // an intermediate that is also an output
  auto plan = Plan::compile(g, kOpsets, {});
  for (int64_t n : {1000, 1000, 1000, 7, 1000}) {
    Tensor x(DataType::kFloat, {n});
    for (int64_t i = 0; i < n; ++i) x.data<float>()[i] = static_cast<float>(i);
    auto out = plan->run({Value(x)});
    for (int64_t i = 0; i < n; ++i) {
      ASSERT_EQ(out[0].tensor.data<float>()[i], static_cast<float>(i + 6));
      ASSERT_EQ(out[1].tensor.data<float>()[i], static_cast<float>(i + 3));
    }
  }
  EXPECT_EQ(plan->cached_memory_patterns(), 2u);  // two shape signatures
}

TEST(Plan, MissingKernelIsUnsupportedAndNamesTheOp) {
  ir::Graph g;
  g.inputs.push_back(float_input("x", {{1, ""}}));
  ir::Node n = node("NotThere", {"x"}, {"y"});
  n.name = "mystery";
  g.nodes.push_back(n);
  g.outputs.push_back({"y", {}, ""});
  try {
    Plan::compile(g, kOpsets, {});
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kUnsupported);
    EXPECT_NE(std::string(e.what()).find("NotThere node 'mystery'"), std::string::npos) << e.what();
  }
}

}  // namespace skiff::runtime
