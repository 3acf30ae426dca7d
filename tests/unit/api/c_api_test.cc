#include "skiff/skiff_c.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "support/onnx_model.h"

namespace {

// y = Relu(x) with x: float[batch, 3], opset 13.
std::string relu_model() {
  ::onnx::ModelProto m = skiff::testing::model_with_float_input(13, "x", 3);
  skiff::testing::add_node(m.mutable_graph(), "Relu", {"x"}, "y");
  m.mutable_graph()->add_output()->set_name("y");
  return m.SerializeAsString();
}

class CApi : public ::testing::Test {
 protected:
  void SetUp() override {
    const std::string bytes = relu_model();
    skiff_config* config = skiff_config_create_from_bytes(bytes.data(), bytes.size());
    ASSERT_NE(config, nullptr);
    ASSERT_EQ(skiff_predictor_create(config, &predictor_), SKIFF_OK) << skiff_last_error();
    skiff_config_destroy(config);
  }
  void TearDown() override { skiff_predictor_destroy(predictor_); }

  skiff_status run_with(skiff_tensor* input, const char* name = "x") {
    const char* names[1] = {name};
    skiff_tensor* out = nullptr;
    const skiff_status s = skiff_predictor_run(predictor_, 1, names, &input, 1, &out);
    skiff_tensor_destroy(out);
    return s;
  }
  std::string error() const { return skiff_last_error(); }

  skiff_predictor* predictor_ = nullptr;
  float data_[6] = {-1, 2, -3, 4, -5, 6};
};

TEST_F(CApi, RunsAndDescribesTheModel) {
  EXPECT_EQ(skiff_predictor_num_inputs(predictor_), 1u);
  EXPECT_STREQ(skiff_predictor_input_name(predictor_, 0), "x");
  EXPECT_STREQ(skiff_predictor_output_name(predictor_, 0), "y");
  EXPECT_EQ(skiff_predictor_input_name(predictor_, 1), nullptr);
  int64_t shape[2] = {2, 3};
  skiff_tensor* x = skiff_tensor_view(SKIFF_FLOAT, shape, 2, data_);
  const char* names[1] = {"x"};
  skiff_tensor* y = nullptr;
  ASSERT_EQ(skiff_predictor_run(predictor_, 1, names, &x, 1, &y), SKIFF_OK) << error();
  EXPECT_EQ(skiff_tensor_rank(y), 2u);
  EXPECT_EQ(skiff_tensor_shape(y)[1], 3);
  EXPECT_EQ(static_cast<float*>(skiff_tensor_data(y))[1], 2.0f);
  EXPECT_EQ(static_cast<float*>(skiff_tensor_data(y))[2], 0.0f);
  skiff_tensor_destroy(x);
  skiff_tensor_destroy(y);
}

TEST_F(CApi, WrongNameDtypeRankShapeAndMissingInputAreClearErrors) {
  int64_t good[2] = {2, 3}, bad_shape[2] = {2, 4}, bad_rank[1] = {6};
  int64_t ints[6] = {};
  skiff_tensor* x = skiff_tensor_view(SKIFF_FLOAT, good, 2, data_);
  EXPECT_EQ(run_with(x, "nope"), SKIFF_ERROR_INVALID_INPUT);
  EXPECT_NE(error().find("no input named 'nope'"), std::string::npos) << error();
  skiff_tensor_destroy(x);

  skiff_tensor* wrong_type = skiff_tensor_view(SKIFF_INT64, good, 2, ints);
  EXPECT_EQ(run_with(wrong_type), SKIFF_ERROR_INVALID_INPUT);
  EXPECT_NE(error().find("has type int64"), std::string::npos) << error();
  skiff_tensor_destroy(wrong_type);

  skiff_tensor* wrong_rank = skiff_tensor_view(SKIFF_FLOAT, bad_rank, 1, data_);
  EXPECT_EQ(run_with(wrong_rank), SKIFF_ERROR_INVALID_INPUT);
  EXPECT_NE(error().find("has shape [6]"), std::string::npos) << error();
  skiff_tensor_destroy(wrong_rank);

  float more[8] = {};
  skiff_tensor* wrong_shape = skiff_tensor_view(SKIFF_FLOAT, bad_shape, 2, more);
  EXPECT_EQ(run_with(wrong_shape), SKIFF_ERROR_INVALID_INPUT);
  EXPECT_NE(error().find("has shape [2,4]"), std::string::npos) << error();
  skiff_tensor_destroy(wrong_shape);

  skiff_tensor* out = nullptr;
  EXPECT_EQ(skiff_predictor_run(predictor_, 0, nullptr, nullptr, 1, &out), SKIFF_ERROR_INVALID_INPUT);
  EXPECT_NE(error().find("input 'x' is missing"), std::string::npos) << error();
}

TEST_F(CApi, NullBuffersAndNullHandlesAreClearErrors) {
  int64_t shape[2] = {2, 3};
  EXPECT_EQ(skiff_tensor_view(SKIFF_FLOAT, shape, 2, nullptr), nullptr);
  EXPECT_NE(error().find("data is NULL"), std::string::npos) << error();
  EXPECT_EQ(skiff_tensor_view(SKIFF_FLOAT, nullptr, 2, data_), nullptr);
  EXPECT_EQ(skiff_tensor_create(static_cast<skiff_dtype>(99), shape, 2), nullptr);
  EXPECT_EQ(run_with(nullptr), SKIFF_ERROR_INVALID_INPUT);
  EXPECT_NE(error().find("tensor is NULL"), std::string::npos) << error();
  skiff_predictor* p = nullptr;
  EXPECT_EQ(skiff_predictor_create(nullptr, &p), SKIFF_ERROR_INVALID_ARGUMENT);
  EXPECT_EQ(skiff_config_create(nullptr), nullptr);
  skiff_config* missing = skiff_config_create("/nonexistent/model.onnx");
  EXPECT_EQ(skiff_predictor_create(missing, &p), SKIFF_ERROR_IO);
  EXPECT_NE(error().find("/nonexistent/model.onnx"), std::string::npos);
  skiff_config_destroy(missing);
}

TEST_F(CApi, CallsAfterDestructionAreErrorsNotCrashes) {
  int64_t shape[2] = {2, 3};
  skiff_tensor* x = skiff_tensor_view(SKIFF_FLOAT, shape, 2, data_);
  skiff_tensor_destroy(x);
  EXPECT_EQ(run_with(x), SKIFF_ERROR_INVALID_INPUT);
  EXPECT_NE(error().find("not a live handle"), std::string::npos) << error();
  EXPECT_EQ(skiff_tensor_data(x), nullptr);
  skiff_tensor_destroy(x);  // a second destroy is ignored

  skiff_predictor* clone = nullptr;
  ASSERT_EQ(skiff_predictor_clone(predictor_, &clone), SKIFF_OK);
  skiff_predictor_destroy(clone);
  const char* names[1] = {"x"};
  skiff_tensor* out = nullptr;
  EXPECT_EQ(skiff_predictor_run(clone, 0, names, nullptr, 0, &out), SKIFF_ERROR_INVALID_ARGUMENT);
  EXPECT_NE(error().find("not a live handle"), std::string::npos) << error();
  EXPECT_EQ(skiff_predictor_num_inputs(clone), 0u);
  skiff_predictor* again = nullptr;
  EXPECT_EQ(skiff_predictor_clone(clone, &again), SKIFF_ERROR_INVALID_ARGUMENT);
}

TEST(CApiConfig, OptLevelAndMemoryLimitSettersCheckTheirArguments) {
  const std::string bytes = relu_model();
  skiff_config* config = skiff_config_create_from_bytes(bytes.data(), bytes.size());
  ASSERT_NE(config, nullptr);
  EXPECT_EQ(skiff_config_set_opt_level(config, SKIFF_OPT_NONE), SKIFF_OK);
  EXPECT_EQ(skiff_config_set_opt_level(config, 4), SKIFF_ERROR_INVALID_ARGUMENT);
  EXPECT_NE(std::string(skiff_last_error()).find("level 4"), std::string::npos) << skiff_last_error();
  EXPECT_EQ(skiff_config_set_opt_level(nullptr, 1), SKIFF_ERROR_INVALID_ARGUMENT);
  EXPECT_EQ(skiff_config_set_memory_limit(nullptr, 1), SKIFF_ERROR_INVALID_ARGUMENT);
  // 64 bytes: the 2x3 output (24 bytes, rounded to 64) fits; a 4x1000 one does not.
  EXPECT_EQ(skiff_config_set_memory_limit(config, 64), SKIFF_OK);
  skiff_predictor* predictor = nullptr;
  ASSERT_EQ(skiff_predictor_create(config, &predictor), SKIFF_OK) << skiff_last_error();
  skiff_config_destroy(config);
  std::vector<float> data(4000, 1.f);
  const char* names[1] = {"x"};
  int64_t small[2] = {2, 3}, large[2] = {1000, 3};
  for (int64_t* shape : {small, large}) {
    skiff_tensor* x = skiff_tensor_view(SKIFF_FLOAT, shape, 2, data.data());
    skiff_tensor* y = nullptr;
    const skiff_status s = skiff_predictor_run(predictor, 1, names, &x, 1, &y);
    if (shape == small) {
      EXPECT_EQ(s, SKIFF_OK) << skiff_last_error();
    } else {
      EXPECT_EQ(s, SKIFF_ERROR_RUNTIME);
      EXPECT_NE(std::string(skiff_last_error()).find("memory limit of 64 bytes"), std::string::npos)
          << skiff_last_error();
    }
    skiff_tensor_destroy(x);
    skiff_tensor_destroy(y);
  }
  skiff_predictor_destroy(predictor);
}

}  // namespace

namespace {

skiff_config* relu_config() {
  const std::string bytes = relu_model();
  return skiff_config_create_from_bytes(bytes.data(), bytes.size());
}

// Runs the Relu model on a [rows, 3] input of ones; the status of the run.
skiff_status run_rows(skiff_predictor* predictor, int64_t rows) {
  std::vector<float> data(static_cast<size_t>(rows) * 3, 1.f);
  int64_t shape[2] = {rows, 3};
  skiff_tensor* x = skiff_tensor_view(SKIFF_FLOAT, shape, 2, data.data());
  const char* names[1] = {"x"};
  skiff_tensor* y = nullptr;
  const skiff_status s = skiff_predictor_run(predictor, 1, names, &x, 1, &y);
  skiff_tensor_destroy(x);
  skiff_tensor_destroy(y);
  return s;
}

}  // namespace

TEST(CApiConfig, AdaptiveThreadsTakesZeroOrOne) {
  skiff_config* config = relu_config();
  ASSERT_NE(config, nullptr);
  EXPECT_EQ(skiff_config_set_adaptive_threads(config, 0), SKIFF_OK);
  EXPECT_EQ(skiff_config_set_adaptive_threads(config, 1), SKIFF_OK);
  EXPECT_EQ(skiff_config_set_adaptive_threads(config, 2), SKIFF_ERROR_INVALID_ARGUMENT);
  EXPECT_NE(std::string(skiff_last_error()).find("2 is not 0 (off) or 1 (on)"), std::string::npos)
      << skiff_last_error();
  EXPECT_EQ(skiff_config_set_adaptive_threads(nullptr, 1), SKIFF_ERROR_INVALID_ARGUMENT);
  skiff_config_destroy(config);
}

TEST(CApiConfig, InputShapeFixesTheShapeRunsAccept) {
  skiff_config* config = relu_config();
  ASSERT_NE(config, nullptr);
  const int64_t bad[2] = {-1, 3};
  EXPECT_EQ(skiff_config_set_input_shape(config, "x", bad, 2), SKIFF_ERROR_INVALID_INPUT);
  EXPECT_NE(std::string(skiff_last_error()).find("dimensions must be >= 0"), std::string::npos)
      << skiff_last_error();
  EXPECT_EQ(skiff_config_set_input_shape(config, nullptr, bad, 2), SKIFF_ERROR_INVALID_ARGUMENT);
  EXPECT_EQ(skiff_config_set_input_shape(config, "x", nullptr, 2), SKIFF_ERROR_INVALID_ARGUMENT);
  const int64_t shape[2] = {2, 3};
  ASSERT_EQ(skiff_config_set_input_shape(config, "x", shape, 2), SKIFF_OK) << skiff_last_error();
  skiff_predictor* predictor = nullptr;
  ASSERT_EQ(skiff_predictor_create(config, &predictor), SKIFF_OK) << skiff_last_error();
  skiff_config_destroy(config);
  EXPECT_EQ(run_rows(predictor, 2), SKIFF_OK) << skiff_last_error();
  EXPECT_EQ(run_rows(predictor, 5), SKIFF_ERROR_INVALID_INPUT);
  EXPECT_NE(std::string(skiff_last_error()).find("[5,3]"), std::string::npos) << skiff_last_error();
  skiff_predictor_destroy(predictor);
}

TEST(CApiConfig, EnginesCacheCapacityAndDisabledPassesReachTheConfig) {
  skiff_config* config = relu_config();
  ASSERT_NE(config, nullptr);
  const char* bogus[1] = {"gpu"};
  ASSERT_EQ(skiff_config_set_engines(config, bogus, 1), SKIFF_OK);
  skiff_predictor* predictor = nullptr;
  EXPECT_EQ(skiff_predictor_create(config, &predictor), SKIFF_ERROR_INVALID_INPUT);
  EXPECT_NE(std::string(skiff_last_error()).find("gpu"), std::string::npos) << skiff_last_error();
  const char* with_null[2] = {"native", nullptr};
  EXPECT_EQ(skiff_config_set_engines(config, with_null, 2), SKIFF_ERROR_INVALID_ARGUMENT);
  EXPECT_EQ(skiff_config_set_engines(config, nullptr, 1), SKIFF_ERROR_INVALID_ARGUMENT);
  const char* native[1] = {"native"};
  ASSERT_EQ(skiff_config_set_engines(config, native, 1), SKIFF_OK);

  EXPECT_EQ(skiff_config_set_primitive_cache_capacity(config, 0), SKIFF_ERROR_INVALID_INPUT);
  EXPECT_NE(std::string(skiff_last_error()).find("at least 1"), std::string::npos) << skiff_last_error();
  EXPECT_EQ(skiff_config_set_primitive_cache_capacity(config, 8), SKIFF_OK);

  EXPECT_EQ(skiff_config_disable_pass(config, nullptr), SKIFF_ERROR_INVALID_ARGUMENT);
  ASSERT_EQ(skiff_config_disable_pass(config, "no_such_pass"), SKIFF_OK);
  EXPECT_EQ(skiff_predictor_create(config, &predictor), SKIFF_ERROR_INVALID_INPUT);
  EXPECT_NE(std::string(skiff_last_error()).find("no_such_pass"), std::string::npos) << skiff_last_error();
  skiff_config_destroy(config);

  config = relu_config();
  ASSERT_EQ(skiff_config_set_engines(config, native, 1), SKIFF_OK);
  ASSERT_EQ(skiff_config_disable_pass(config, "fuse_activation"), SKIFF_OK);
  ASSERT_EQ(skiff_predictor_create(config, &predictor), SKIFF_OK) << skiff_last_error();
  skiff_config_destroy(config);
  EXPECT_EQ(run_rows(predictor, 4), SKIFF_OK) << skiff_last_error();
  skiff_predictor_destroy(predictor);
}
