#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "support/op_test.h"

namespace skiff {
namespace {

using testing::make;
using testing::OpSpec;
using testing::run_op;
using testing::values;

constexpr const char* kDomain = "ai.onnx.preview.training";

OpSpec optimizer(const char* op, size_t outputs) { return OpSpec(op, kDomain).opset(1).outputs(outputs); }

Tensor rate(float r) { return Tensor::scalar<float>(r); }
Tensor step(int64_t t) { return Tensor::scalar<int64_t>(t); }

TEST(Adagrad, MatchesSpecPseudoCodeForTwoTensors) {
  const double norm = 0.001, eps = 1e-5, decay = 0.1, r = 0.1;
  const int64_t t = 3;
  auto out = run_op(optimizer("Adagrad", 4)
                        .attr("norm_coefficient", static_cast<float>(norm))
                        .attr("epsilon", static_cast<float>(eps))
                        .attr("decay_factor", static_cast<float>(decay)),
                    {rate(0.1f), step(t), make<float>({1}, {1}), make<float>({2}, {1, 2}),
                     make<float>({1}, {-1}), make<float>({2}, {-1, -3}), make<float>({1}, {2}),
                     make<float>({2}, {4, 1})});
  const std::vector<double> x = {1, 1, 2}, g = {-1, -1, -3}, h = {2, 4, 1};
  const double r_t = static_cast<float>(r) / (1 + t * static_cast<float>(decay));
  for (size_t i = 0; i < 3; ++i) {
    const double gr = static_cast<float>(norm) * x[i] + g[i];
    const double h_new = h[i] + gr * gr;
    const double x_new = x[i] - r_t * gr / (std::sqrt(h_new) + static_cast<float>(eps));
    const Tensor& xo = out[i == 0 ? 0 : 1];
    const Tensor& ho = out[i == 0 ? 2 : 3];
    const size_t k = i == 0 ? 0 : i - 1;
    EXPECT_NEAR(xo.data<float>()[k], x_new, 1e-6);
    EXPECT_NEAR(ho.data<float>()[k], h_new, 1e-5);
  }
}

TEST(Adam, BiasCorrectionFromTheSecondStepAndPostRegularization) {
  const double alpha = 0.95, beta = 0.85, eps = 1e-2, norm = 0.001, post = 0.1;
  for (int64_t t : {0, 4}) {
    auto out = run_op(optimizer("Adam", 3)
                          .attr("alpha", static_cast<float>(alpha))
                          .attr("beta", static_cast<float>(beta))
                          .attr("epsilon", static_cast<float>(eps))
                          .attr("norm_coefficient", static_cast<float>(norm))
                          .attr("norm_coefficient_post", static_cast<float>(post)),
                      {rate(0.1f), step(t), make<double>({2}, {1, 2}), make<double>({2}, {-1, -3}),
                       make<double>({2}, {4, 1}), make<double>({2}, {1, 10})});
    const std::vector<double> x = {1, 2}, g = {-1, -3}, v = {4, 1}, h = {1, 10};
    const double a = static_cast<float>(alpha), b = static_cast<float>(beta);
    const double r = t > 0 ? 0.1f * std::sqrt(1 - std::pow(b, t)) / (1 - std::pow(a, t)) : 0.1f;
    for (size_t i = 0; i < 2; ++i) {
      const double gr = static_cast<float>(norm) * x[i] + g[i];
      const double v_new = a * v[i] + (1 - a) * gr;
      const double h_new = b * h[i] + (1 - b) * gr * gr;
      const double x_new = (1 - double{static_cast<float>(post)}) *
                           (x[i] - r * v_new / (std::sqrt(h_new) + static_cast<float>(eps)));
      EXPECT_DOUBLE_EQ(out[0].data<double>()[i], x_new) << "t=" << t;
      EXPECT_DOUBLE_EQ(out[1].data<double>()[i], v_new);
      EXPECT_DOUBLE_EQ(out[2].data<double>()[i], h_new);
    }
  }
}

std::vector<Tensor> momentum(const char* mode, int64_t t) {
  return run_op(optimizer("Momentum", 2)
                    .attr("alpha", 0.95f)
                    .attr("beta", 0.1f)
                    .attr("norm_coefficient", 0.001f)
                    .attr("mode", mode),
                {rate(0.1f), step(t), make<float>({2}, {1.2f, 2.8f}), make<float>({2}, {-0.94f, -2.5f}),
                 make<float>({2}, {1.7f, 3.6f})});
}

TEST(Momentum, StandardAndNesterovFollowTheSpec) {
  const double alpha = 0.95f, norm = 0.001f, r = 0.1f;
  const std::vector<double> x = {1.2f, 2.8f}, g = {-0.94f, -2.5f}, v = {1.7f, 3.6f};
  for (int64_t t : {0, 1}) {
    const double beta = t > 0 ? double{0.1f} : 1.0;
    auto standard = momentum("standard", t);
    auto nesterov = momentum("nesterov", t);
    for (size_t i = 0; i < 2; ++i) {
      const double gr = norm * x[i] + g[i];
      const double v_new = alpha * v[i] + beta * gr;
      EXPECT_NEAR(standard[1].data<float>()[i], v_new, 1e-6);
      EXPECT_NEAR(standard[0].data<float>()[i], x[i] - r * v_new, 1e-6);
      EXPECT_NEAR(nesterov[1].data<float>()[i], v_new, 1e-6);
      EXPECT_NEAR(nesterov[0].data<float>()[i], x[i] - r * (gr + alpha * v_new), 1e-6);
    }
  }
}

TEST(Momentum, EmptyTensorsAreUntouched) {
  auto out = run_op(optimizer("Momentum", 2)
                        .attr("alpha", 0.9f)
                        .attr("beta", 1.0f)
                        .attr("norm_coefficient", 0.0f)
                        .attr("mode", "standard"),
                    {rate(0.1f), step(0), Tensor(DataType::kFloat, {0, 3}), Tensor(DataType::kFloat, {0, 3}),
                     Tensor(DataType::kFloat, {0, 3})});
  EXPECT_EQ(out[0].shape(), (Shape{0, 3}));
  EXPECT_EQ(out[1].shape(), (Shape{0, 3}));
}

ErrorCode code_of(const OpSpec& spec, const std::vector<Tensor>& inputs) {
  try {
    run_op(spec, inputs);
  } catch (const Error& e) {
    return e.code();
  }
  return ErrorCode::kInternal;
}

TEST(Optimizers, RejectBadLayoutsAndInputs) {
  const Tensor x = make<float>({2}, {1, 2});
  auto adagrad = [] { return optimizer("Adagrad", 2); };
  // Wrong input count for three per-tensor groups, wrong output count.
  EXPECT_EQ(code_of(adagrad(), {rate(0.1f), step(0), x, x}), ErrorCode::kInvalidModel);
  EXPECT_EQ(code_of(optimizer("Adagrad", 3), {rate(0.1f), step(0), x, x, x}), ErrorCode::kInvalidModel);
  EXPECT_EQ(code_of(optimizer("Momentum", 2).attr("alpha", 0.9f).attr("beta", 0.1f)
                        .attr("norm_coefficient", 0.0f).attr("mode", "heavy"),
                    {rate(0.1f), step(0), x, x, x}),
            ErrorCode::kInvalidModel);
  // Shape and type mismatches, non-scalar R, float T.
  EXPECT_EQ(code_of(adagrad(), {rate(0.1f), step(0), x, make<float>({3}, {1, 2, 3}), x}),
            ErrorCode::kInvalidInput);
  EXPECT_EQ(code_of(adagrad(), {rate(0.1f), step(0), x, make<double>({2}, {1, 2}), x}),
            ErrorCode::kInvalidInput);
  EXPECT_EQ(code_of(adagrad(), {x, step(0), x, x, x}), ErrorCode::kInvalidInput);
  EXPECT_EQ(code_of(adagrad(), {rate(0.1f), rate(0), x, x, x}), ErrorCode::kInvalidInput);
  EXPECT_EQ(code_of(adagrad(), {rate(0.1f), step(0), make<int32_t>({1}, {1}), make<int32_t>({1}, {1}),
                                make<int32_t>({1}, {1})}),
            ErrorCode::kInvalidInput);
}

}  // namespace
}  // namespace skiff
