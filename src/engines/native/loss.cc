// NegativeLogLikelihoodLoss and SoftmaxCrossEntropyLoss (opset 12/13): the
// two loss functions ONNX defines. Inputs are [N, C] or [N, C, d1, ...] with
// targets [N] or [N, d1, ...]; a target equal to ignore_index contributes
// nothing, not even to the mean's denominator.
#include <cmath>
#include <limits>

#include "core/dispatch.h"
#include "engines/kernel.h"

namespace skiff {

namespace {

// Stores a double result in T, rounding once.
template <class T>
T narrow(double v) {
  if constexpr (std::is_same_v<T, double>) return v;
  else return static_cast<T>(static_cast<float>(v));
}

enum class Reduction { kNone, kSum, kMean };

Reduction parse_reduction(const KernelInfo& info) {
  const std::string r = info.attr_string("reduction", "mean");
  if (r == "none") return Reduction::kNone;
  if (r == "sum") return Reduction::kSum;
  if (r == "mean") return Reduction::kMean;
  info.fail("reduction must be none, sum or mean, got '", r, "'");
}

struct LossAttrs {
  Reduction reduction;
  bool has_ignore;
  int64_t ignore_index;
};

// Validates input [N, C, ...] against target [N, ...] and weight [C]; returns
// (N, C, D) with D the product of the trailing dims.
std::tuple<int64_t, int64_t, int64_t> loss_geometry(const KernelContext& ctx, const Tensor& input,
                                                    const Tensor& target, const Tensor* weight) {
  if (input.rank() < 2) ctx.fail(ctx.input_label(0), " must be [N, C, ...]");
  Shape expected_target = input.shape();
  expected_target.erase(expected_target.begin() + 1);
  if (target.shape() != expected_target)
    ctx.fail(ctx.input_label(1), " must have shape ", shape_str(expected_target));
  if (target.dtype() != DataType::kInt32 && target.dtype() != DataType::kInt64)
    ctx.fail(ctx.input_label(1), " must be int32 or int64");
  if (weight && (weight->rank() != 1 || weight->dim(0) != input.dim(1) || weight->dtype() != input.dtype()))
    ctx.fail(ctx.input_label(2), " must be ", dtype_name(input.dtype()), "[", input.dim(1), "]");
  const int64_t n = input.dim(0), c = input.dim(1);
  return {n, c, c == 0 || n == 0 ? 0 : input.numel() / (n * c)};
}

// loss[n, d] = -weight[t] * logp[n, t, d] with t = target[n, d]; reduced as
// asked. `logp` is [N, C, D] in double.
Tensor nll(const KernelContext& ctx, const std::vector<double>& logp, const Tensor& target,
           const Tensor* weight, int64_t n, int64_t c, int64_t d, const LossAttrs& attrs,
           DataType dtype) {
  std::vector<int64_t> targets(static_cast<size_t>(n * d));
  for (int64_t i = 0; i < n * d; ++i)
    targets[i] = target.dtype() == DataType::kInt32 ? target.data<int32_t>()[i] : target.data<int64_t>()[i];
  std::vector<double> w(static_cast<size_t>(c), 1.0);
  if (weight)
    dispatch(kFloatTypes, weight->dtype(), [&](auto tag) {
      using T = typename decltype(tag)::type;
      for (int64_t k = 0; k < c; ++k) w[k] = static_cast<double>(weight->data<T>()[k]);
    });
  std::vector<double> loss(static_cast<size_t>(n * d), 0.0);
  double weight_sum = 0;
  for (int64_t i = 0; i < n; ++i)
    for (int64_t j = 0; j < d; ++j) {
      const int64_t t = targets[i * d + j];
      if (attrs.has_ignore && t == attrs.ignore_index) continue;
      if (t < 0 || t >= c)
        ctx.fail_runtime("target ", t, " at position ", i * d + j, " is outside [0, ", c, ")");
      loss[i * d + j] = -w[t] * logp[(i * c + t) * d + j];
      weight_sum += w[t];
    }
  Shape out_shape = target.shape();
  double total = 0;
  for (double v : loss) total += v;
  Tensor out;
  dispatch(kFloatTypes, dtype, [&](auto tag) {
    using T = typename decltype(tag)::type;
    if (attrs.reduction == Reduction::kNone) {
      out = Tensor(dtype, out_shape);
      for (size_t i = 0; i < loss.size(); ++i) out.data<T>()[i] = narrow<T>(loss[i]);
      return;
    }
    double r = total;
    if (attrs.reduction == Reduction::kMean) {
      // Without weights or ignored targets this is a plain mean; otherwise
      // the sum of weights of the targets that count.
      const bool weighted = weight || attrs.has_ignore;
      r = weighted ? total / weight_sum : total / static_cast<double>(n * d);
    }
    out = Tensor(dtype, {});
    out.data<T>()[0] = narrow<T>(r);
  });
  return out;
}

std::vector<double> to_double(const Tensor& t) {
  std::vector<double> v(static_cast<size_t>(t.numel()));
  dispatch(kFloatTypes, t.dtype(), [&](auto tag) {
    using T = typename decltype(tag)::type;
    for (int64_t i = 0; i < t.numel(); ++i) v[i] = static_cast<double>(t.data<T>()[i]);
  });
  return v;
}

class NllLossKernel final : public Kernel {
 public:
  explicit NllLossKernel(const KernelInfo& info)
      : attrs_{parse_reduction(info), info.has_attr("ignore_index"), info.attr_int("ignore_index", 0)} {}
  void compute(KernelContext& ctx) const override {
    const Tensor& input = ctx.input(0);
    const Tensor& target = ctx.input(1);
    const Tensor* weight = ctx.has_input(2) ? &ctx.input(2) : nullptr;
    if (!dtype_is_float(input.dtype())) ctx.fail(ctx.input_label(0), " must be a float type");
    auto [n, c, d] = loss_geometry(ctx, input, target, weight);
    ctx.set_output_tensor(0, nll(ctx, to_double(input), target, weight, n, c, d, attrs_, input.dtype()));
  }

 private:
  LossAttrs attrs_;
};

// 13: bfloat16.
SKIFF_KERNEL(native, "NegativeLogLikelihoodLoss", 12, kLatestOpset, NllLossKernel);
SKIFF_KERNEL_TYPES(native, "NegativeLogLikelihoodLoss", 12, "T: floats; Tind: int32, int64");

class SoftmaxCrossEntropyKernel final : public Kernel {
 public:
  explicit SoftmaxCrossEntropyKernel(const KernelInfo& info)
      : attrs_{parse_reduction(info), info.has_attr("ignore_index"), info.attr_int("ignore_index", 0)} {}
  void compute(KernelContext& ctx) const override {
    const Tensor& scores = ctx.input(0);
    const Tensor& labels = ctx.input(1);
    const Tensor* weight = ctx.has_input(2) ? &ctx.input(2) : nullptr;
    if (!dtype_is_float(scores.dtype())) ctx.fail(ctx.input_label(0), " must be a float type");
    auto [n, c, d] = loss_geometry(ctx, scores, labels, weight);
    // log_softmax over the class axis, in double, max-subtracted.
    std::vector<double> logp = to_double(scores);
    for (int64_t i = 0; i < n; ++i)
      for (int64_t j = 0; j < d; ++j) {
        double mx = -std::numeric_limits<double>::infinity();
        for (int64_t k = 0; k < c; ++k) mx = std::max(mx, logp[(i * c + k) * d + j]);
        double sum = 0;
        for (int64_t k = 0; k < c; ++k) sum += std::exp(logp[(i * c + k) * d + j] - mx);
        const double log_sum = std::log(sum) + mx;
        for (int64_t k = 0; k < c; ++k) logp[(i * c + k) * d + j] -= log_sum;
      }
    ctx.set_output_tensor(0, nll(ctx, logp, labels, weight, n, c, d, attrs_, scores.dtype()));
    if (ctx.output_wanted(1)) {
      Tensor& log_prob = ctx.allocate_output(1, scores.dtype(), scores.shape());
      dispatch(kFloatTypes, scores.dtype(), [&](auto tag) {
        using T = typename decltype(tag)::type;
        for (size_t i = 0; i < logp.size(); ++i) log_prob.data<T>()[i] = narrow<T>(logp[i]);
      });
    }
  }

 private:
  LossAttrs attrs_;
};

// 13: bfloat16.
SKIFF_KERNEL(native, "SoftmaxCrossEntropyLoss", 12, kLatestOpset, SoftmaxCrossEntropyKernel);
SKIFF_KERNEL_TYPES(native, "SoftmaxCrossEntropyLoss", 12, "T: floats; Tind: int32, int64");

}  // namespace

}  // namespace skiff
