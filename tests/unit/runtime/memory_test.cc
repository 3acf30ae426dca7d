// The plan's memory: in-place element-wise outputs, the memory limit, and
// oneDNN regions freeing the plain copy of weights they reorder.
#include <gtest/gtest.h>

#include <cmath>

#include "runtime/plan.h"

namespace skiff::runtime {

namespace {

const std::map<std::string, int64_t> kOpsets{{"", 13}};

ir::Node onnx_node(const std::string& op, std::vector<std::string> in, std::vector<std::string> out) {
  ir::Node n;
  n.op_type = op;
  n.name = out[0];
  n.inputs = std::move(in);
  n.outputs = std::move(out);
  return n;
}

ir::ValueInfo float_value(const std::string& name, size_t rank) {
  ir::ValueInfo vi;
  vi.name = name;
  vi.type.kind = ir::TypeInfo::Kind::kTensor;
  vi.type.dtype = DataType::kFloat;
  vi.type.shape = std::vector<ir::Dim>(rank, ir::Dim{-1, ""});
  return vi;
}

PlanOptions native_only(size_t memory_limit = 0) {
  PlanOptions options;
  options.engines = {"native"};
  options.memory_limit = memory_limit;
  return options;
}

Tensor ramp(Shape shape, float start = -3.f) {
  Tensor t(DataType::kFloat, std::move(shape));
  for (int64_t i = 0; i < t.numel(); ++i) t.data<float>()[i] = start + 0.25f * static_cast<float>(i % 29);
  return t;
}

// Notes where each step's first output lives.
class Addresses final : public RunObserver {
 public:
  void after_step(const ir::Node& node, double, double, const std::vector<Value>& outputs) override {
    at[node.outputs[0]] = outputs[0].is_tensor() ? outputs[0].tensor.raw() : nullptr;
  }
  std::map<std::string, const void*> at;
};

// x -> a = Relu(x) -> b = Sigmoid(a) -> c = Add(b, b) -> d = Neg(c), with
// `a` also a graph output and read again by e = Add(a, d).
ir::Graph chain_graph() {
  ir::Graph g;
  g.inputs.push_back(float_value("x", 2));
  g.nodes.push_back(onnx_node("Relu", {"x"}, {"a"}));
  g.nodes.push_back(onnx_node("Sigmoid", {"a"}, {"b"}));
  g.nodes.push_back(onnx_node("Add", {"b", "b"}, {"c"}));
  g.nodes.push_back(onnx_node("Neg", {"c"}, {"d"}));
  g.nodes.push_back(onnx_node("Add", {"a", "d"}, {"e"}));
  g.nodes.push_back(onnx_node("Exp", {"e"}, {"f"}));
  g.outputs.push_back(float_value("a", 2));
  g.outputs.push_back(float_value("f", 2));
  return g;
}

void expect_chain_results(const Tensor& x, const std::vector<Value>& out) {
  for (int64_t i = 0; i < x.numel(); ++i) {
    const float a = std::max(0.f, x.data<float>()[i]);
    const float b = 1.f / (1.f + std::exp(-a));
    const float f = std::exp(a - (b + b));
    ASSERT_FLOAT_EQ(out[0].tensor.data<float>()[i], a) << i;
    ASSERT_NEAR(out[1].tensor.data<float>()[i], f, 1e-5f * f) << i;
  }
}

}  // namespace

TEST(InPlace, ElementWiseOutputsTakeDyingInputsOnly) {
  auto plan = Plan::compile(chain_graph(), kOpsets, native_only());
  const Tensor x = ramp({4, 33});
  const Tensor x_before = x.clone();
  for (int run = 0; run < 3; ++run) {  // recording run, then runs from the memory pattern
    Addresses seen;
    const auto out = plan->run({Value(x)}, {}, &seen);
    expect_chain_results(x, out);
    // Never the caller's input, nor a value read again later or returned.
    EXPECT_NE(seen.at["a"], x.raw());
    EXPECT_NE(seen.at["b"], seen.at["a"]);  // a is a graph output and read by e
    EXPECT_NE(seen.at["c"], seen.at["b"]);  // b is read twice by the same node
    EXPECT_EQ(seen.at["d"], seen.at["c"]);  // c dies at Neg: reused
    EXPECT_EQ(seen.at["e"], seen.at["d"]);  // d dies at Add; a does not (output)
    EXPECT_EQ(seen.at["f"], seen.at["e"]);
    EXPECT_NE(out[1].tensor.raw(), out[0].tensor.raw());
    EXPECT_EQ(std::memcmp(x.raw(), x_before.raw(), x.nbytes()), 0) << "the input was written";
  }
}

TEST(InPlace, NeverWritesIntoAForwardedCallerBufferOrAShapeChange) {
  // Reshape forwards the caller's tensor; its Relu must not write into it.
  ir::Graph g;
  g.inputs.push_back(float_value("x", 2));
  g.initializers["shape"] = Tensor(DataType::kInt64, {1});
  g.initializers["shape"].data<int64_t>()[0] = -1;
  g.nodes.push_back(onnx_node("Reshape", {"x", "shape"}, {"flat"}));
  g.nodes.push_back(onnx_node("Relu", {"flat"}, {"y"}));
  g.nodes.push_back(onnx_node("Add", {"y", "shape_f"}, {"z"}));  // broadcast: [n] + [1]
  g.initializers["shape_f"] = Tensor::scalar(1.f).reshaped({1});
  g.outputs.push_back(float_value("z", 1));
  auto plan = Plan::compile(g, kOpsets, native_only());
  const Tensor x = ramp({3, 5});
  const Tensor x_before = x.clone();
  for (int run = 0; run < 2; ++run) {
    Addresses seen;
    const auto out = plan->run({Value(x)}, {}, &seen);
    EXPECT_NE(seen.at["y"], x.raw());
    EXPECT_EQ(seen.at["z"], seen.at["y"]);  // y dies at Add and has z's size
    for (int64_t i = 0; i < x.numel(); ++i)
      ASSERT_FLOAT_EQ(out[0].tensor.data<float>()[i], std::max(0.f, x_before.data<float>()[i]) + 1.f);
    EXPECT_EQ(std::memcmp(x.raw(), x_before.raw(), x.nbytes()), 0);
  }
}

TEST(InPlace, BroadcastInputIsNotReused) {
  // c = Add(a, big): a has fewer elements than the output, so c cannot take it.
  ir::Graph g;
  g.inputs.push_back(float_value("x", 2));
  g.inputs.push_back(float_value("big", 2));
  g.nodes.push_back(onnx_node("Relu", {"x"}, {"a"}));
  g.nodes.push_back(onnx_node("Relu", {"big"}, {"b"}));
  g.nodes.push_back(onnx_node("Add", {"a", "b"}, {"c"}));
  g.outputs.push_back(float_value("c", 2));
  auto plan = Plan::compile(g, kOpsets, native_only());
  const Tensor x = ramp({1, 7}), big = ramp({6, 7}, -1.f);
  for (int run = 0; run < 2; ++run) {
    Addresses seen;
    const auto out = plan->run({Value(x), Value(big)}, {}, &seen);
    EXPECT_NE(seen.at["c"], seen.at["a"]);
    EXPECT_EQ(seen.at["c"], seen.at["b"]);
    for (int64_t i = 0; i < big.numel(); ++i)
      ASSERT_FLOAT_EQ(out[0].tensor.data<float>()[i],
                      std::max(0.f, x.data<float>()[i % 7]) + std::max(0.f, big.data<float>()[i]));
  }
}

TEST(MemoryLimit, ARunOverTheLimitFailsBeforeAllocatingAndNamesNeedAndLimit) {
  // Each intermediate is 4 x 1000 floats = 16000 bytes.
  const Tensor x = ramp({4, 1000});
  auto unlimited = Plan::compile(chain_graph(), kOpsets, native_only());
  unlimited->run({Value(x)});
  auto plan = Plan::compile(chain_graph(), kOpsets, native_only(20000));
  for (int run = 0; run < 2; ++run) {  // recording run, then the check from the recorded plan
    try {
      plan->run({Value(x)});
      FAIL() << "no error";
    } catch (const Error& e) {
      EXPECT_EQ(e.code(), ErrorCode::kRuntime);
      EXPECT_NE(std::string(e.what()).find("memory limit of 20000 bytes"), std::string::npos) << e.what();
      EXPECT_NE(std::string(e.what()).find("needs"), std::string::npos) << e.what();
    }
  }
  // A small input fits, and so do runs with a generous limit.
  EXPECT_NO_THROW(plan->run({Value(ramp({4, 100}))}));
  auto roomy = Plan::compile(chain_graph(), kOpsets, native_only(1 << 20));
  for (int run = 0; run < 2; ++run) expect_chain_results(x, roomy->run({Value(x)}));
}

TEST(MemoryLimit, ShapesThatFitKeepRunningFromTheirPlan) {
  // Peak need of a [4,1000] run: a, b and c alive at Add(b, b), 48000 bytes.
  const Tensor x = ramp({4, 1000});
  auto tight = Plan::compile(chain_graph(), kOpsets, native_only(47999));
  EXPECT_THROW(tight->run({Value(x)}), Error);
  auto plan = Plan::compile(chain_graph(), kOpsets, native_only(48000));
  for (int run = 0; run < 3; ++run) expect_chain_results(x, plan->run({Value(x)}));
  EXPECT_EQ(plan->cached_memory_patterns(), 1u);
  try {
    plan->run({Value(ramp({8, 1000}))});
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kRuntime);
    EXPECT_NE(std::string(e.what()).find("Config::memory_limit"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("Sigmoid node 'b'"), std::string::npos) << e.what();
  }
  expect_chain_results(x, plan->run({Value(x)}));
}

// A oneDNN region frees a weight's plain copy once it is reordered; shapes
// that need the weight again (another layout, a native fallback on an empty
// batch) get it back exactly.
TEST(WeightRelease, ReorderedWeightsServeNewShapesAndNativeFallbacks) {
  ir::Graph g;
  g.inputs.push_back(float_value("x", 4));
  Tensor w = ramp({16, 8, 3, 3}, -0.5f);
  for (int64_t i = 0; i < w.numel(); ++i) w.data<float>()[i] *= 0.1f * static_cast<float>(1 + i % 7);
  g.initializers["w"] = w;
  ir::Node conv = onnx_node("Conv", {"x", "w"}, {"y"});
  ir::Attribute pads;
  pads.name = "pads";
  pads.type = ir::Attribute::Type::kInts;
  pads.ints = {1, 1, 1, 1};
  conv.attributes.push_back(pads);
  g.nodes.push_back(conv);
  g.nodes.push_back(onnx_node("Relu", {"y"}, {"z"}));
  g.outputs.push_back(float_value("z", 4));
  auto dnnl = Plan::compile(g, kOpsets, PlanOptions{});
  auto native = Plan::compile(g, kOpsets, native_only());
  for (const Shape& shape : std::vector<Shape>{{1, 8, 12, 12}, {2, 8, 5, 9}, {0, 8, 4, 4}, {1, 8, 12, 12},
                                                {3, 8, 1, 1}}) {
    const Tensor x = ramp(shape);
    const auto expected = native->run({Value(x)});
    const auto actual = dnnl->run({Value(x)});
    ASSERT_EQ(actual[0].tensor.shape(), expected[0].tensor.shape());
    for (int64_t i = 0; i < expected[0].tensor.numel(); ++i)
      ASSERT_NEAR(actual[0].tensor.data<float>()[i], expected[0].tensor.data<float>()[i], 1e-4f)
          << shape_str(shape) << " element " << i;
  }
}

}  // namespace skiff::runtime

namespace skiff::runtime {

// Large graph outputs come from recycled buffers: the caller's dropped output
// serves the next run (no fresh pages to fault in), while an output the
// caller still holds is never handed out again.
TEST(OutputBuffers, DroppedOutputsAreReusedAndHeldOnesNever) {
  auto plan = Plan::compile(chain_graph(), kOpsets, native_only());
  const Tensor x = ramp({256, 512});  // 512 KiB outputs: pooled
  const void* first_a = nullptr;
  {
    const auto out = plan->run({Value(x)});
    expect_chain_results(x, out);
    first_a = out[0].tensor.raw();
  }
  const auto held = plan->run({Value(x)});  // the first run's buffers are back in the pool
  expect_chain_results(x, held);
  const std::vector<const void*> held_at = {held[0].tensor.raw(), held[1].tensor.raw()};
  EXPECT_TRUE(held_at[0] == first_a || held_at[1] == first_a) << "a dropped output buffer was not reused";
  for (int run = 0; run < 3; ++run) {
    const auto out = plan->run({Value(x)});
    expect_chain_results(x, out);
    for (const Value& v : out)
      for (const void* p : held_at) EXPECT_NE(v.tensor.raw(), p) << "an output the caller holds was reused";
  }
  expect_chain_results(x, held);  // still intact
}

}  // namespace skiff::runtime

namespace skiff::runtime {

// A new buffer gets a size class, so the next, slightly larger request of a
// dynamic-shape stream (the next OCR width) reuses it instead of faulting in
// fresh pages; a class is at most half again the request.
TEST(ArenaPool, NewBuffersGetASizeClassThatServesSlightlyLargerRequests) {
  for (size_t bytes : {size_t{1}, size_t{100}, size_t{1} << 20, (size_t{1} << 20) + 1, size_t{3} << 19,
                       size_t{5000000}}) {
    const size_t c = ArenaPool::capacity_for(bytes);
    EXPECT_GE(c, bytes);
    EXPECT_EQ(c % 64, 0u);
    EXPECT_LE(c, std::max<size_t>(64, bytes + bytes / 2 + 64)) << bytes;
  }
  ArenaPool pool;
  const size_t mib = size_t{1} << 20;
  const void* first = nullptr;
  {
    const auto a = pool.acquire(mib + 4096, 2 * (mib + 4096));
    a.get()[mib] = 42;  // fresh pages read 0: a marker tells reuse from a new mapping at the same address
    first = a.get();
  }
  const auto b = pool.acquire(mib + 300000, 2 * (mib + 300000));
  EXPECT_EQ(b.get(), first) << "a 1.29 MB request did not reuse the 1.5 MiB class buffer of a 1.0 MB one";
  EXPECT_EQ(b.get()[mib], 42);
}

// A full pool frees its least recently returned buffer, not the one coming
// back: a stream that moved on to larger sizes keeps reusing them.
TEST(ArenaPool, AFullPoolKeepsTheMostRecentlyReturnedBuffers) {
  ArenaPool pool(2);
  const size_t mib = size_t{1} << 20;
  auto small = pool.acquire(mib);
  auto medium = pool.acquire(4 * mib);
  auto large = pool.acquire(16 * mib);
  const void* medium_at = medium.get();
  const void* large_at = large.get();
  medium.get()[0] = 7;  // markers: fresh pages read 0
  large.get()[0] = 9;
  small.reset();
  medium.reset();
  large.reset();  // the pool is full: `small` goes
  const auto again_large = pool.acquire(16 * mib);
  EXPECT_EQ(again_large.get(), large_at);
  EXPECT_EQ(again_large.get()[0], 9);
  const auto again_medium = pool.acquire(3 * mib, 6 * mib);
  EXPECT_EQ(again_medium.get(), medium_at);
  EXPECT_EQ(again_medium.get()[0], 7);
}

}  // namespace skiff::runtime
