#include <gtest/gtest.h>

#include "engines/kernel.h"
#include "engines/native/manip_test_util.h"

namespace skiff {
namespace {

using testing::error_code;
using testing::iota;
using testing::ints;
using testing::make;
using testing::OpSpec;
using testing::run_op;
using testing::values;

TEST(Reshape, ZeroCopiesDimAndMinusOneIsInferred) {
  Tensor x = iota<float>({2, 3, 4});
  Tensor y = run_op("Reshape", {x, ints({0, -1})})[0];
  EXPECT_EQ(y.shape(), (Shape{2, 12}));
  EXPECT_TRUE(y.same_storage(x));  // a view, no copy
  EXPECT_EQ(values<float>(y), values<float>(x));
}

TEST(Reshape, AllowZeroKeepsLiteralZero) {
  Tensor x(DataType::kFloat, {0, 3});
  Tensor y = run_op(OpSpec("Reshape").opset(14).attr("allowzero", 1), {x, ints({3, 0})})[0];
  EXPECT_EQ(y.shape(), (Shape{3, 0}));
  // Without allowzero the 0 copies input dim 1 (3): 3 * 3 != 0 elements.
  EXPECT_EQ(error_code([&] { run_op(OpSpec("Reshape").opset(14), {x, ints({3, 0})}); }),
            ErrorCode::kInvalidInput);
}

TEST(Reshape, ShapeAttributeBeforeOpset5) {
  Tensor y = run_op(OpSpec("Reshape").opset(1).attr("shape", std::vector<int64_t>{3, -1}),
                    {iota<float>({6})})[0];
  EXPECT_EQ(y.shape(), (Shape{3, 2}));
}

TEST(Reshape, Int32ShapeAndScalarTarget) {
  Tensor y = run_op("Reshape", {iota<float>({1, 1}), make<int32_t>({0}, {})})[0];
  EXPECT_EQ(y.shape(), (Shape{}));
}

TEST(Reshape, BadShapesAreInvalidInput) {
  Tensor x = iota<float>({2, 3});
  for (auto shape : {std::vector<int64_t>{-1, -1}, {4, -1}, {7}, {-2, 3}, {0, 0, 0}})
    EXPECT_EQ(error_code([&] { run_op("Reshape", {x, ints(shape)}); }), ErrorCode::kInvalidInput)
        << shape_str(shape);
  EXPECT_EQ(error_code([&] {
              run_op(OpSpec("Reshape").opset(14).attr("allowzero", 1),
                     {Tensor(DataType::kFloat, {0, 2}), ints({0, -1})});
            }),
            ErrorCode::kInvalidInput);
}

TEST(Flatten, AxisSplitsOuterAndInner) {
  Tensor x = iota<float>({2, 3, 4, 5});
  EXPECT_EQ(run_op(OpSpec("Flatten").attr("axis", 2), {x})[0].shape(), (Shape{6, 20}));
  EXPECT_EQ(run_op(OpSpec("Flatten").attr("axis", 0), {x})[0].shape(), (Shape{1, 120}));
  EXPECT_EQ(run_op(OpSpec("Flatten").attr("axis", 4), {x})[0].shape(), (Shape{120, 1}));
  EXPECT_EQ(run_op(OpSpec("Flatten").attr("axis", -1), {x})[0].shape(), (Shape{24, 5}));
  EXPECT_EQ(error_code([&] { run_op(OpSpec("Flatten").attr("axis", 5), {x}); }),
            ErrorCode::kInvalidInput);
}

TEST(Squeeze, AxesInputAttributeAndDefault) {
  Tensor x = iota<float>({1, 3, 1, 2});
  EXPECT_EQ(run_op(OpSpec("Squeeze").opset(13), {x, ints({-2})})[0].shape(), (Shape{1, 3, 2}));
  EXPECT_EQ(run_op(OpSpec("Squeeze").opset(11).attr("axes", std::vector<int64_t>{0}), {x})[0].shape(),
            (Shape{3, 1, 2}));
  EXPECT_EQ(run_op(OpSpec("Squeeze").opset(13), {x})[0].shape(), (Shape{3, 2}));
}

TEST(Squeeze, NonUnitOrDuplicateAxisFails) {
  Tensor x = iota<float>({1, 3});
  EXPECT_EQ(error_code([&] { run_op(OpSpec("Squeeze"), {x, ints({1})}); }), ErrorCode::kInvalidInput);
  EXPECT_EQ(error_code([&] { run_op(OpSpec("Squeeze"), {x, ints({0, -2})}); }),
            ErrorCode::kInvalidInput);
  EXPECT_EQ(error_code([&] { run_op(OpSpec("Squeeze"), {x, ints({2})}); }), ErrorCode::kInvalidInput);
}

TEST(Unsqueeze, AxesIndexTheOutput) {
  Tensor x = iota<float>({3, 4});
  EXPECT_EQ(run_op("Unsqueeze", {x, ints({0, 3})})[0].shape(), (Shape{1, 3, 4, 1}));
  EXPECT_EQ(run_op("Unsqueeze", {x, ints({-1, 1})})[0].shape(), (Shape{3, 1, 4, 1}));
  EXPECT_EQ(run_op(OpSpec("Unsqueeze").opset(11).attr("axes", std::vector<int64_t>{1}), {x})[0].shape(),
            (Shape{3, 1, 4}));
  EXPECT_EQ(run_op("Unsqueeze", {Tensor::scalar(5.0f), ints({0})})[0].shape(), (Shape{1}));
  EXPECT_EQ(error_code([&] { run_op("Unsqueeze", {x, ints({0, 0})}); }), ErrorCode::kInvalidInput);
  EXPECT_EQ(error_code([&] { run_op("Unsqueeze", {x, ints({3})}); }), ErrorCode::kInvalidInput);
}

TEST(Identity, ForwardsTensorsAndSequences) {
  Tensor x = iota<int64_t>({2});
  EXPECT_TRUE(run_op("Identity", {x})[0].same_storage(x));

  ir::Node node;
  node.op_type = "Identity";
  node.inputs = {"s"};
  node.outputs = {"t"};
  ir::Graph graph;
  KernelInfo info(node, 16, graph, nullptr);
  auto kernel = KernelRegistry::global().find("native", "", "Identity", 16)->factory(info);
  Value seq = Value::make_sequence({x, x}, DataType::kInt64);
  std::vector<Value> outputs(1);
  KernelContext ctx(node, 16, {&seq}, &outputs, {});
  kernel->prepare(ctx);
  kernel->compute(ctx);
  ASSERT_TRUE(outputs[0].is_sequence());
  EXPECT_EQ(outputs[0].sequence.size(), 2u);
}

TEST(Dropout, InferenceIsIdentityWithTrueMask) {
  Tensor x = make<float>({2, 2}, {1, 2, 3, 4});
  auto out = run_op(OpSpec("Dropout").opset(13).outputs(2), {x, Tensor::scalar(0.7f)});
  EXPECT_EQ(values<float>(out[0]), values<float>(x));
  EXPECT_EQ(out[1].dtype(), DataType::kBool);
  EXPECT_EQ(values<bool>(out[1]), (std::vector<bool>{true, true, true, true}));
  // Before opset 10 the mask has the data's type.
  auto old = run_op(OpSpec("Dropout").opset(7).outputs(2), {x});
  EXPECT_EQ(values<float>(old[1]), (std::vector<float>{1, 1, 1, 1}));
}

TEST(Dropout, TrainingModeNeedsZeroRatio) {
  Tensor x = make<float>({2}, {1, 2});
  Tensor on = Tensor::scalar(true);
  auto out = run_op(OpSpec("Dropout").opset(13), {x, Tensor::scalar(0.0f), on});
  EXPECT_EQ(values<float>(out[0]), values<float>(x));
  EXPECT_EQ(error_code([&] { run_op(OpSpec("Dropout").opset(13), {x, Tensor::scalar(0.5f), on}); }),
            ErrorCode::kUnsupported);
  EXPECT_EQ(error_code([&] { run_op(OpSpec("Dropout").opset(13), {x, Tensor(), on}); }),
            ErrorCode::kUnsupported);
}

TEST(Shape, StartAndEndClampLikeSlices) {
  Tensor x(DataType::kFloat, {2, 3, 4, 5});
  EXPECT_EQ(values<int64_t>(run_op("Shape", {x})[0]), (std::vector<int64_t>{2, 3, 4, 5}));
  auto shape = [&](int64_t start, int64_t end) {
    return values<int64_t>(run_op(OpSpec("Shape").opset(15).attr("start", start).attr("end", end), {x})[0]);
  };
  EXPECT_EQ(shape(1, -1), (std::vector<int64_t>{3, 4}));
  EXPECT_EQ(shape(-10, 10), (std::vector<int64_t>{2, 3, 4, 5}));
  EXPECT_EQ(shape(3, 1), (std::vector<int64_t>{}));
  EXPECT_EQ(run_op("Shape", {Tensor::scalar(1.0f)})[0].shape(), (Shape{0}));
}

TEST(Size, CountsElementsOfAnyType) {
  Tensor y = run_op("Size", {Tensor(DataType::kString, {3, 0})})[0];
  EXPECT_EQ(y.shape(), Shape{});
  EXPECT_EQ(values<int64_t>(y), (std::vector<int64_t>{0}));
  EXPECT_EQ(values<int64_t>(run_op("Size", {iota<uint8_t>({7, 9})})[0]), (std::vector<int64_t>{63}));
}

}  // namespace
}  // namespace skiff
