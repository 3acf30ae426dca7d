#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

#include "onnx/onnx.h"
#include "onnx/onnx.pb.h"
#include "support/onnx_model.h"

namespace skiff::onnx {

namespace {

namespace fs = std::filesystem;

// y = Relu(x + w), with w an initializer, at opset 13.
::onnx::ModelProto small_model() {
  ::onnx::ModelProto m = testing::model_with_float_input(13, "x", 3);
  m.mutable_opset_import(0)->set_domain("");
  auto* g = m.mutable_graph();
  g->set_name("small");
  testing::add_float_initializer(g, "w", {1.f, 2.f, 3.f});
  testing::add_node(g, "Add", {"x", "w"}, "s")->set_name("add");
  testing::add_node(g, "Relu", {"s"}, "y");
  g->add_output()->set_name("y");
  return m;
}

ir::Model load(const ::onnx::ModelProto& m, const std::string& dir = "") {
  const std::string bytes = m.SerializeAsString();
  return load_model_from_bytes(bytes.data(), bytes.size(), dir, "test.onnx");
}

std::string load_error(const ::onnx::ModelProto& m, ErrorCode expected = ErrorCode::kInvalidModel) {
  try {
    load(m);
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), expected) << e.what();
    return e.what();
  }
  ADD_FAILURE() << "model loaded";
  return "";
}

}  // namespace

TEST(Import, LoadsGraphTypesSymbolicDimsAndInitializers) {
  const ir::Model model = load(small_model());
  EXPECT_EQ(model.opset(""), 13);
  ASSERT_EQ(model.graph.inputs.size(), 1u);
  EXPECT_EQ(model.graph.inputs[0].type.str(), "float[batch,3]");
  ASSERT_NE(model.graph.initializer("w"), nullptr);
  EXPECT_EQ(model.graph.initializer("w")->data<float>()[2], 3.f);
  EXPECT_EQ(model.graph.nodes.size(), 2u);
}

TEST(Import, ConstantNodesBecomeInitializers) {
  auto m = small_model();
  auto* g = m.mutable_graph();
  g->mutable_initializer()->Clear();
  auto* c = g->add_node();
  c->set_op_type("Constant");
  c->add_output("w");
  auto* attr = c->add_attribute();
  attr->set_name("value_floats");
  attr->set_type(::onnx::AttributeProto::FLOATS);
  for (float v : {4.f, 5.f, 6.f}) attr->add_floats(v);
  const ir::Model model = load(m);
  EXPECT_EQ(model.graph.nodes.size(), 2u);
  ASSERT_NE(model.graph.initializer("w"), nullptr);
  EXPECT_EQ(model.graph.initializer("w")->data<float>()[0], 4.f);
}

TEST(Import, RejectsTruncatedAndNonOnnxBytes) {
  const std::string bytes = small_model().SerializeAsString();
  EXPECT_THROW(load_model_from_bytes(bytes.data(), bytes.size() / 2, "", "t"), Error);
  const std::string text = "hello, I am not a model\n";
  try {
    load_model_from_bytes(text.data(), text.size(), "", "notes.txt");
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kInvalidModel);
    EXPECT_NE(std::string(e.what()).find("notes.txt"), std::string::npos);
  }
}

TEST(Import, DanglingInputIsNamed) {
  auto m = small_model();
  m.mutable_graph()->mutable_node(0)->set_input(1, "missing_w");
  const std::string msg = load_error(m);
  EXPECT_NE(msg.find("'missing_w'"), std::string::npos) << msg;
  EXPECT_NE(msg.find("Add node 'add'"), std::string::npos) << msg;
}

TEST(Import, DuplicateValueNamesAreRejected) {
  auto m = small_model();
  m.mutable_graph()->mutable_node(1)->set_output(0, "s");
  EXPECT_NE(load_error(m).find("defined twice"), std::string::npos);
}

TEST(Import, CyclesAreRejected) {
  auto m = small_model();
  m.mutable_graph()->mutable_node(0)->set_input(0, "y");
  EXPECT_NE(load_error(m).find("cycle"), std::string::npos);
}

TEST(Import, UnknownOpNamesOpDomainAndOpset) {
  auto m = small_model();
  m.mutable_graph()->mutable_node(1)->set_op_type("NoSuchOp");
  const std::string msg = load_error(m);
  EXPECT_NE(msg.find("unknown op 'NoSuchOp' in domain 'ai.onnx' (opset 13)"), std::string::npos) << msg;
}

TEST(Import, OpFromALaterOpsetIsRejected) {
  auto m = small_model();
  m.mutable_graph()->mutable_node(1)->set_op_type("LayerNormalization");  // opset 17
  EXPECT_NE(load_error(m).find("later opset"), std::string::npos);
}

TEST(Import, InitializerSizeMismatchIsNamed) {
  auto m = small_model();
  auto* w = m.mutable_graph()->mutable_initializer(0);
  w->clear_float_data();
  w->set_raw_data(std::string(8, '\0'));
  const std::string msg = load_error(m);
  EXPECT_NE(msg.find("initializer 'w'"), std::string::npos) << msg;
  EXPECT_NE(msg.find("12"), std::string::npos) << msg;
}

TEST(Import, NegativeDimIsRejected) {
  auto m = small_model();
  m.mutable_graph()->mutable_input(0)->mutable_type()->mutable_tensor_type()->mutable_shape()->mutable_dim(1)->set_dim_value(-3);
  EXPECT_NE(load_error(m).find("negative"), std::string::npos);
}

TEST(Import, ExternalDataIsMappedFromTheModelFolderOnly) {
  const fs::path dir = fs::temp_directory_path() / "skiff_external_test";
  fs::create_directories(dir);
  {
    std::ofstream out(dir / "weights.bin", std::ios::binary);
    const float values[4] = {0, 7, 8, 9};
    out.write(reinterpret_cast<const char*>(values), sizeof values);
  }
  auto m = small_model();
  auto* w = m.mutable_graph()->mutable_initializer(0);
  w->clear_float_data();
  w->set_data_location(::onnx::TensorProto::EXTERNAL);
  auto add_kv = [&](const char* k, const char* v) {
    auto* kv = w->add_external_data();
    kv->set_key(k);
    kv->set_value(v);
  };
  add_kv("location", "weights.bin");
  add_kv("offset", "4");
  add_kv("length", "12");
  const ir::Model model = load(m, dir.string());
  EXPECT_EQ(model.graph.initializer("w")->data<float>()[0], 7.f);
  EXPECT_EQ(model.graph.initializer("w")->data<float>()[2], 9.f);

  w->mutable_external_data(0)->set_value("../skiff_external_test/../etc/passwd");
  try {
    load(m, dir.string());
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("escapes"), std::string::npos) << e.what();
  }
  w->mutable_external_data(0)->set_value("weights.bin");
  w->mutable_external_data(2)->set_value("16");  // longer than the file allows
  EXPECT_THROW(load(m, dir.string()), Error);
  fs::remove_all(dir);
}

TEST(Import, LegacyIrWithoutOpsetImportMeansOpset1) {
  auto m = small_model();
  m.set_ir_version(2);
  m.clear_opset_import();
  m.mutable_graph()->mutable_node(1)->set_op_type("Relu");
  EXPECT_EQ(load(m).opset(""), 1);
}

TEST(Import, ModelsLargerThan64MBLoad) {
  // protobuf's old default limit was 64 MB; real models exceed it.
  auto m = small_model();
  auto* big = m.mutable_graph()->add_initializer();
  big->set_name("big");
  big->set_data_type(1);
  big->add_dims(20 * 1024 * 1024);  // 80 MB of float
  big->set_raw_data(std::string(size_t{80} * 1024 * 1024, '\0'));
  const ir::Model model = load(m);
  EXPECT_EQ(model.graph.initializer("big")->numel(), 20 * 1024 * 1024);
}

TEST(ValueFile, TensorRoundTrip) {
  const fs::path file = fs::temp_directory_path() / "skiff_value_test.pb";
  Tensor t(DataType::kInt64, {2, 2});
  for (int i = 0; i < 4; ++i) t.data<int64_t>()[i] = i * 10;
  write_value_file(file.string(), Value(t), "t");
  const Value back = read_value_file(file.string());
  ASSERT_TRUE(back.is_tensor());
  EXPECT_EQ(back.tensor.shape(), (Shape{2, 2}));
  EXPECT_EQ(back.tensor.data<int64_t>()[3], 30);
  fs::remove(file);
}

}  // namespace skiff::onnx
