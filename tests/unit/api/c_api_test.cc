#include "skiff/skiff_c.h"

#include <gtest/gtest.h>

#include <string>

#include "onnx/onnx.pb.h"

namespace {

// y = Relu(x) with x: float[batch, 3], opset 13.
std::string relu_model() {
  ::onnx::ModelProto m;
  m.set_ir_version(8);
  m.add_opset_import()->set_version(13);
  auto* g = m.mutable_graph();
  auto* x = g->add_input();
  x->set_name("x");
  auto* tt = x->mutable_type()->mutable_tensor_type();
  tt->set_elem_type(1);
  tt->mutable_shape()->add_dim()->set_dim_param("batch");
  tt->mutable_shape()->add_dim()->set_dim_value(3);
  auto* n = g->add_node();
  n->set_op_type("Relu");
  n->add_input("x");
  n->add_output("y");
  g->add_output()->set_name("y");
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

}  // namespace
