#include "skiff/skiff.h"

#include <gtest/gtest.h>

#include <thread>

#include "onnx/onnx.pb.h"

namespace skiff {

namespace {

// y = Relu(x * w + b) with x: float[batch, 4], w, b: float[4], opset 13.
std::string model_bytes() {
  ::onnx::ModelProto m;
  m.set_ir_version(8);
  m.add_opset_import()->set_version(13);
  auto* g = m.mutable_graph();
  auto* x = g->add_input();
  x->set_name("x");
  auto* tt = x->mutable_type()->mutable_tensor_type();
  tt->set_elem_type(1);
  tt->mutable_shape()->add_dim()->set_dim_param("batch");
  tt->mutable_shape()->add_dim()->set_dim_value(4);
  for (const char* name : {"w", "b"}) {
    auto* t = g->add_initializer();
    t->set_name(name);
    t->set_data_type(1);
    t->add_dims(4);
    for (int i = 0; i < 4; ++i) t->add_float_data(name[0] == 'w' ? static_cast<float>(i - 1) : 0.5f);
  }
  auto node = [&](const char* op, std::vector<std::string> in, const char* out) {
    auto* n = g->add_node();
    n->set_op_type(op);
    for (auto& i : in) n->add_input(i);
    n->add_output(out);
  };
  node("Mul", {"x", "w"}, "xw");
  node("Add", {"xw", "b"}, "s");
  node("Relu", {"s"}, "y");
  g->add_output()->set_name("y");
  return m.SerializeAsString();
}

}  // namespace

TEST(Predictor, RunsFromBytesWithZeroCopyInputs) {
  const std::string bytes = model_bytes();
  auto predictor = Predictor::create(Config::from_bytes(bytes.data(), bytes.size()).threads(1));
  ASSERT_EQ(predictor->inputs().size(), 1u);
  EXPECT_EQ(predictor->inputs()[0].shape, (std::vector<int64_t>{-1, 4}));
  EXPECT_EQ(predictor->inputs()[0].dim_names[0], "batch");
  float data[8] = {1, 1, 1, 1, 2, 2, 2, 2};
  auto out = predictor->run({{"x", Tensor::view(DataType::kFloat, {2, 4}, data)}});
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].shape(), (Shape{2, 4}));
  // x * (i - 1) + 0.5, clamped at 0
  EXPECT_EQ(std::vector<float>(out[0].data<float>(), out[0].data<float>() + 8),
            (std::vector<float>{0, 0.5f, 1.5f, 2.5f, 0, 0.5f, 2.5f, 4.5f}));
  EXPECT_EQ(data[4], 2);  // inputs untouched
}

TEST(Predictor, WritesIntoCallerBuffers) {
  const std::string bytes = model_bytes();
  auto predictor = Predictor::create(Config::from_bytes(bytes.data(), bytes.size()));
  float x[4] = {1, 1, 1, 1};
  float y[4] = {};
  predictor->run({{"x", Tensor::view(DataType::kFloat, {1, 4}, x)}},
                 {{"y", Tensor::view(DataType::kFloat, {1, 4}, y)}});
  EXPECT_EQ(y[3], 2.5f);
  float wrong[3];
  EXPECT_THROW(predictor->run({{"x", Tensor::view(DataType::kFloat, {1, 4}, x)}},
                              {{"y", Tensor::view(DataType::kFloat, {3}, wrong)}}),
               Error);
}

TEST(Predictor, BadInputsNameTheProblem) {
  const std::string bytes = model_bytes();
  auto predictor = Predictor::create(Config::from_bytes(bytes.data(), bytes.size()));
  auto expect_error = [&](const NamedTensors& inputs, const std::string& needle) {
    try {
      predictor->run(inputs);
      ADD_FAILURE() << "no error for " << needle;
    } catch (const Error& e) {
      EXPECT_EQ(e.code(), ErrorCode::kInvalidInput);
      EXPECT_NE(std::string(e.what()).find(needle), std::string::npos) << e.what();
    }
  };
  expect_error({}, "input 'x' is missing");
  expect_error({{"z", Tensor(DataType::kFloat, {1, 4})}}, "no input named 'z'");
  expect_error({{"x", Tensor(DataType::kFloat, {1, 5})}}, "has shape [1,5]");
  expect_error({{"x", Tensor(DataType::kInt64, {1, 4})}}, "has type int64");
}

TEST(Predictor, MissingFileAndGarbageAreErrorsNotCrashes) {
  try {
    Predictor::create(Config("/nonexistent/model.onnx"));
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kIO);
  }
  const std::string junk = "definitely not a model";
  try {
    Predictor::create(Config::from_bytes(junk.data(), junk.size()));
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kInvalidModel);
  }
}

TEST(Predictor, ConcurrentRunsOnOnePredictorAndClonesAgree) {
  const std::string bytes = model_bytes();
  auto predictor = Predictor::create(Config::from_bytes(bytes.data(), bytes.size()).threads(1));
  Tensor x(DataType::kFloat, {16, 4});
  for (int64_t i = 0; i < x.numel(); ++i) x.data<float>()[i] = static_cast<float>(i % 7) - 3;
  const Tensor expected = predictor->run({{"x", x}})[0];
  auto clone = predictor->clone();
  std::vector<std::thread> threads;
  std::vector<int> mismatches(8, 0);
  for (int t = 0; t < 8; ++t)
    threads.emplace_back([&, t] {
      const Predictor& p = t % 2 ? *clone : *predictor;
      for (int r = 0; r < 50; ++r) {
        Tensor y = p.run({{"x", x}})[0];
        if (std::memcmp(y.raw(), expected.raw(), expected.nbytes()) != 0) ++mismatches[t];
      }
    });
  for (auto& th : threads) th.join();
  for (int m : mismatches) EXPECT_EQ(m, 0);
}

TEST(Predictor, ProfilingRecordsEveryNodeOfTheCallingThreadsRun) {
  const std::string bytes = model_bytes();
  auto plain = Predictor::create(Config::from_bytes(bytes.data(), bytes.size()));
  float x[4] = {1, 2, 3, 4};
  plain->run({{"x", Tensor::view(DataType::kFloat, {1, 4}, x)}});
  EXPECT_TRUE(plain->last_profile().nodes.empty());  // off by default

  // Without passes or oneDNN regions every ONNX node stays a node of its own.
  auto profiled = Predictor::create(Config::from_bytes(bytes.data(), bytes.size())
                                        .profiling(true)
                                        .opt_level(OptLevel::kNone)
                                        .enable_dnnl(false));
  profiled->run({{"x", Tensor::view(DataType::kFloat, {1, 4}, x)}});
  const Profile p = profiled->last_profile();
  ASSERT_EQ(p.nodes.size(), 3u);
  EXPECT_EQ(p.nodes[0].op, "Mul");
  EXPECT_EQ(p.nodes[2].op, "Relu");
  double sum = 0;
  for (const auto& n : p.nodes) {
    EXPECT_GE(n.duration_us, 0);
    sum += n.duration_us;
  }
  EXPECT_GE(p.total_us, sum);
  const std::string trace = p.chrome_trace();
  EXPECT_NE(trace.find("\"traceEvents\""), std::string::npos);
  EXPECT_NE(trace.find("\"cat\":\"Relu\""), std::string::npos);
  // Another thread has its own (empty) profile.
  std::thread([&] { EXPECT_TRUE(profiled->last_profile().nodes.empty()); }).join();
}

TEST(Predictor, PoolHandsOutClonesAndBuildInfoIsFilled) {
  const std::string bytes = model_bytes();
  PredictorPool pool(Config::from_bytes(bytes.data(), bytes.size()), 3);
  EXPECT_EQ(pool.size(), 3u);
  EXPECT_EQ(pool.retrieve(2).outputs()[0].name, "y");
  EXPECT_THROW(pool.retrieve(3), Error);
  const BuildInfo info = build_info();
  EXPECT_EQ(info.version, version());
  EXPECT_FALSE(info.git_commit.empty());
  EXPECT_NE(info.cpu_isa.find("x86-64"), std::string::npos);
}

}  // namespace skiff
