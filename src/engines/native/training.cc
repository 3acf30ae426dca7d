// Optimizer steps from the ai.onnx.preview.training domain (opset 1):
// Adagrad, Adam and Momentum (standard and Nesterov). Each takes a scalar
// learning rate R, a scalar update count T, then its state tensors grouped by
// kind for n optimized tensors (X1..Xn, G1..Gn, then V/H groups), and returns
// the new states grouped the same way (X_new1..n, then V/H groups).
//
// The step is element-wise. The scalar factors (decayed learning rate, bias
// correction) are computed once in double; each element is updated in double
// and rounded once when stored, so float and double tensors share one path.
//
// Gradient (same domain) needs automatic differentiation of a graph and is
// not implemented.
#include <cmath>
#include <string>

#include "core/dispatch.h"
#include "core/parallel.h"
#include "engines/kernel.h"

namespace skiff {
namespace {

// Shared input layout and checks. `groups` is the number of per-tensor
// inputs (X, G and the states), `states` how many of them are outputs.
// Derived::update<T>(rate, t, n, in, out) steps n elements, with
// in = {X, G, state...} and out = {X_new, state_new...}.
template <class Derived>
class OptimizerKernel : public Kernel {
 public:
  OptimizerKernel(const KernelInfo& info, int64_t groups, int64_t states)
      : groups_(groups), states_(states) {
    const int64_t tensors = static_cast<int64_t>(info.num_inputs()) - 2;
    if (tensors <= 0 || tensors % groups != 0)
      info.fail("has ", info.num_inputs(), " inputs; expected R, T and ", groups,
                " inputs per optimized tensor");
    count_ = tensors / groups;
    if (static_cast<int64_t>(info.num_outputs()) != count_ * states)
      info.fail("has ", info.num_outputs(), " outputs; expected ", count_ * states, " (", states,
                " per optimized tensor)");
  }

  void prepare(KernelContext& ctx) const override {
    for (size_t i : {size_t{0}, size_t{1}})
      if (ctx.input(i).numel() != 1) ctx.fail(ctx.input_label(i), " must be a scalar");
    if (ctx.input(0).dtype() != DataType::kFloat && ctx.input(0).dtype() != DataType::kDouble)
      ctx.fail(ctx.input_label(0), " must be float or double");
    if (ctx.input(1).dtype() != DataType::kInt64) ctx.fail(ctx.input_label(1), " must be int64");
    for (int64_t k = 0; k < count_; ++k) {
      const Tensor& x = ctx.input(tensor_input(0, k));
      if (x.dtype() != DataType::kFloat && x.dtype() != DataType::kDouble)
        ctx.fail(ctx.input_label(tensor_input(0, k)), " must be float or double");
      for (int64_t g = 1; g < groups_; ++g) {
        const size_t i = tensor_input(g, k);
        if (ctx.input(i).dtype() != x.dtype() || ctx.input(i).shape() != x.shape())
          ctx.fail(ctx.input_label(i), " must match ", ctx.input_label(tensor_input(0, k)));
      }
      for (int64_t s = 0; s < states_; ++s)
        ctx.set_output(static_cast<size_t>(s * count_ + k), x.dtype(), x.shape());
    }
  }

  void compute(KernelContext& ctx) const override {
    const Tensor& r = ctx.input(0);
    const double rate = r.dtype() == DataType::kFloat ? double{*r.data<float>()} : *r.data<double>();
    const int64_t t = *ctx.input(1).data<int64_t>();
    for (int64_t k = 0; k < count_; ++k) {
      const Tensor& x = ctx.input(tensor_input(0, k));
      dispatch(TypeList<float, double>{}, x.dtype(), [&](auto tag) {
        using T = typename decltype(tag)::type;
        const T* in[4] = {};
        T* out[3] = {};
        for (int64_t g = 0; g < groups_; ++g) in[g] = ctx.input(tensor_input(g, k)).template data<T>();
        for (int64_t s = 0; s < states_; ++s)
          out[s] = ctx.output(static_cast<size_t>(s * count_ + k)).template data<T>();
        static_cast<const Derived*>(this)->update(rate, t, x.numel(), in, out);
      }, ctx.describe_input(tensor_input(0, k)));
    }
  }

 private:
  size_t tensor_input(int64_t group, int64_t k) const { return static_cast<size_t>(2 + group * count_ + k); }

  int64_t groups_, states_, count_ = 0;
};

class AdagradKernel final : public OptimizerKernel<AdagradKernel> {
 public:
  explicit AdagradKernel(const KernelInfo& info)
      : OptimizerKernel<AdagradKernel>(info, 3, 2),
        norm_coefficient_(info.attr_float("norm_coefficient", 0.0f)),
        epsilon_(info.attr_float("epsilon", 1e-6f)),
        decay_factor_(info.attr_float("decay_factor", 0.0f)) {}

  // Called by OptimizerKernel::compute.
  template <class T>
  void update(double rate, int64_t t, int64_t n, const T* const* in, T* const* out) const {
    const double r = rate / (1 + static_cast<double>(t) * decay_factor_);
    const T *x = in[0], *g = in[1], *h = in[2];
    T *x_new = out[0], *h_new = out[1];
    parallel_for(n, 10, [&](int64_t b, int64_t e) {
      for (int64_t i = b; i < e; ++i) {
        const double g_regularized = norm_coefficient_ * double{x[i]} + double{g[i]};
        const double h_next = double{h[i]} + g_regularized * g_regularized;
        h_new[i] = static_cast<T>(h_next);
        x_new[i] = static_cast<T>(double{x[i]} - r * g_regularized / (std::sqrt(h_next) + epsilon_));
      }
    });
  }

 private:
  double norm_coefficient_, epsilon_, decay_factor_;
};

class AdamKernel final : public OptimizerKernel<AdamKernel> {
 public:
  explicit AdamKernel(const KernelInfo& info)
      : OptimizerKernel<AdamKernel>(info, 4, 3),
        alpha_(info.attr_float("alpha", 0.9f)),
        beta_(info.attr_float("beta", 0.999f)),
        epsilon_(info.attr_float("epsilon", 1e-6f)),
        norm_coefficient_(info.attr_float("norm_coefficient", 0.0f)),
        norm_coefficient_post_(info.attr_float("norm_coefficient_post", 0.0f)) {}

  // Called by OptimizerKernel::compute.
  template <class T>
  void update(double rate, int64_t t, int64_t n, const T* const* in, T* const* out) const {
    // Bias correction of both moving averages, from the second update on.
    const double tt = static_cast<double>(t);
    const double r = t > 0 ? rate * std::sqrt(1 - std::pow(beta_, tt)) / (1 - std::pow(alpha_, tt)) : rate;
    const T *x = in[0], *g = in[1], *v = in[2], *h = in[3];
    T *x_new = out[0], *v_new = out[1], *h_new = out[2];
    parallel_for(n, 20, [&](int64_t b, int64_t e) {
      for (int64_t i = b; i < e; ++i) {
        const double g_regularized = norm_coefficient_ * double{x[i]} + double{g[i]};
        const double v_next = alpha_ * double{v[i]} + (1 - alpha_) * g_regularized;
        const double h_next = beta_ * double{h[i]} + (1 - beta_) * g_regularized * g_regularized;
        v_new[i] = static_cast<T>(v_next);
        h_new[i] = static_cast<T>(h_next);
        const double x_next = double{x[i]} - r * v_next / (std::sqrt(h_next) + epsilon_);
        x_new[i] = static_cast<T>((1 - norm_coefficient_post_) * x_next);
      }
    });
  }

 private:
  double alpha_, beta_, epsilon_, norm_coefficient_, norm_coefficient_post_;
};

class MomentumKernel final : public OptimizerKernel<MomentumKernel> {
 public:
  explicit MomentumKernel(const KernelInfo& info)
      : OptimizerKernel<MomentumKernel>(info, 3, 2),
        alpha_(info.attr_float("alpha")),
        beta_(info.attr_float("beta")),
        norm_coefficient_(info.attr_float("norm_coefficient")) {
    const std::string mode = info.attr_string("mode");
    if (mode != "standard" && mode != "nesterov")
      info.fail("attribute 'mode' is '", mode, "', expected 'standard' or 'nesterov'");
    nesterov_ = mode == "nesterov";
  }

  // Called by OptimizerKernel::compute.
  template <class T>
  void update(double rate, int64_t t, int64_t n, const T* const* in, T* const* out) const {
    // The first update (T == 0) takes the whole gradient.
    const double beta = t > 0 ? beta_ : 1.0;
    const T *x = in[0], *g = in[1], *v = in[2];
    T *x_new = out[0], *v_new = out[1];
    parallel_for(n, 10, [&](int64_t b, int64_t e) {
      for (int64_t i = b; i < e; ++i) {
        const double g_regularized = norm_coefficient_ * double{x[i]} + double{g[i]};
        const double v_next = alpha_ * double{v[i]} + beta * g_regularized;
        v_new[i] = static_cast<T>(v_next);
        const double direction = nesterov_ ? g_regularized + alpha_ * v_next : v_next;
        x_new[i] = static_cast<T>(double{x[i]} - rate * direction);
      }
    });
  }

 private:
  double alpha_, beta_, norm_coefficient_;
  bool nesterov_ = false;
};

}  // namespace

// 1: introduced (preview domain; no later versions).
SKIFF_KERNEL_DOMAIN(native, "ai.onnx.preview.training", "Adagrad", 1, 1, AdagradKernel);
SKIFF_KERNEL_DOMAIN_TYPES(native, "ai.onnx.preview.training", "Adagrad", 1, "T1: float, double; T2: int64; T3: float, double");
SKIFF_KERNEL_DOMAIN(native, "ai.onnx.preview.training", "Adam", 1, 1, AdamKernel);
SKIFF_KERNEL_DOMAIN_TYPES(native, "ai.onnx.preview.training", "Adam", 1, "T1: float, double; T2: int64; T3: float, double");
SKIFF_KERNEL_DOMAIN(native, "ai.onnx.preview.training", "Momentum", 1, 1, MomentumKernel);
SKIFF_KERNEL_DOMAIN_TYPES(native, "ai.onnx.preview.training", "Momentum", 1, "T1: float, double; T2: int64; T3: float, double");

}  // namespace skiff
