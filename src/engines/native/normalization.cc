// Normalizations: BatchNormalization (inference, and training statistics from
// opset 14), InstanceNormalization, LayerNormalization, LRN,
// MeanVarianceNormalization (LpNormalization is in misc_math.cc). Statistics
// accumulate in double with two passes (mean, then squared deviations) so
// that large offsets do not cancel.
#include <algorithm>
#include <cmath>
#include <vector>

#include "core/dispatch.h"
#include "core/parallel.h"
#include "engines/kernel.h"

namespace skiff {
namespace {

inline constexpr TypeList<float, double, Float16, BFloat16> kNormTypes{};

// Any float tensor's values as doubles (scale, bias, mean, var inputs may
// have their own type from BatchNormalization 15 on).
template <class What>
std::vector<double> to_doubles(const Tensor& t, const What& what) {
  std::vector<double> out(static_cast<size_t>(t.numel()));
  dispatch(kNormTypes, t.dtype(), [&](auto tag) {
    using T = typename decltype(tag)::type;
    const T* p = t.data<T>();
    for (size_t i = 0; i < out.size(); ++i) out[i] = static_cast<double>(p[i]);
  }, what);
  return out;
}

void from_doubles(const std::vector<double>& v, Tensor& t) {
  dispatch(kNormTypes, t.dtype(), [&](auto tag) {
    using U = typename decltype(tag)::type;
    U* p = t.data<U>();
    for (size_t i = 0; i < v.size(); ++i) p[i] = static_cast<U>(v[i]);
  });
}

// Mean and (population) variance of each of `groups` runs that are laid
// out as [outer, groups, inner]: the statistics of group g cover
// x[o, g, i] for all o and i.
void group_stats(const Tensor& x, int64_t outer, int64_t groups, int64_t inner,
                 std::vector<double>& mean, std::vector<double>& var) {
  mean.assign(static_cast<size_t>(groups), 0.0);
  var.assign(static_cast<size_t>(groups), 0.0);
  dispatch(kNormTypes, x.dtype(), [&](auto tag) {
    using T = typename decltype(tag)::type;
    const T* p = x.data<T>();
    parallel_for(groups, outer * inner * 2, [&](int64_t g0, int64_t g1) {
      for (int64_t g = g0; g < g1; ++g) {
        double sum = 0, sq = 0;
        for (int64_t o = 0; o < outer; ++o) {
          const T* run = p + (o * groups + g) * inner;
          for (int64_t i = 0; i < inner; ++i) sum += static_cast<double>(run[i]);
        }
        const double count = static_cast<double>(outer * inner);
        const double m = count > 0 ? sum / count : 0.0;
        for (int64_t o = 0; o < outer; ++o) {
          const T* run = p + (o * groups + g) * inner;
          for (int64_t i = 0; i < inner; ++i) {
            const double d = static_cast<double>(run[i]) - m;
            sq += d * d;
          }
        }
        mean[g] = m;
        var[g] = count > 0 ? sq / count : 0.0;
      }
    });
  });
}

// y[o, g, i] = x[o, g, i] * a[g] + b[g], the affine form every
// normalization reduces to once its statistics are known.
void affine(const Tensor& x, int64_t outer, int64_t groups, int64_t inner,
            const std::vector<double>& a, const std::vector<double>& b, Tensor& y) {
  dispatch(kNormTypes, x.dtype(), [&](auto tag) {
    using T = typename decltype(tag)::type;
    using Acc = std::conditional_t<std::is_same_v<T, double>, double, float>;
    const T* in = x.data<T>();
    T* out = y.data<T>();
    parallel_for(outer * groups, inner, [&](int64_t r0, int64_t r1) {
      for (int64_t r = r0; r < r1; ++r) {
        const Acc scale = static_cast<Acc>(a[r % groups]), shift = static_cast<Acc>(b[r % groups]);
        const T* src = in + r * inner;
        T* dst = out + r * inner;
        for (int64_t i = 0; i < inner; ++i) dst[i] = static_cast<T>(static_cast<Acc>(src[i]) * scale + shift);
      }
    });
  });
}

class BatchNormKernel final : public Kernel {
 public:
  explicit BatchNormKernel(const KernelInfo& info)
      : epsilon_(info.attr_float("epsilon", 1e-5f)),
        momentum_(info.attr_float("momentum", 0.9f)),
        spatial_(info.opset() < 9 ? info.attr_int("spatial", 1) != 0 : true),
        training_(info.opset() >= 14 && info.attr_int("training_mode", 0) != 0) {
    // Before opset 14 the extra outputs are training statistics, which
    // inference never produces.
    if (info.opset() < 14)
      for (size_t i = 1; i < info.num_outputs(); ++i)
        if (info.has_output(i))
          info.unsupported("training outputs (mean, var, saved_mean, saved_var) before opset 14");
  }

  void prepare(KernelContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    if (x.rank() < 2) ctx.fail(ctx.input_label(0), " must have rank >= 2 ([N, C, ...])");
    const int64_t params = param_count(x);
    for (size_t i = 1; i <= 4; ++i) {
      const Tensor& p = ctx.input(i);
      if (p.numel() != params || p.rank() < 1)
        ctx.fail(ctx.input_label(i), " must hold ", params, " values (one per ",
                 spatial_ ? "channel" : "element of a sample", ")");
    }
    ctx.set_output(0, x.dtype(), x.shape());
    for (size_t i = 1; i < 3 && training_; ++i)
      if (ctx.output_wanted(i)) ctx.set_output(i, ctx.input(i + 2).dtype(), ctx.input(i + 2).shape());
  }

  void compute(KernelContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    const int64_t groups = param_count(x);
    const int64_t outer = x.dim(0), inner = groups == 0 ? 0 : x.numel() / std::max<int64_t>(1, outer * groups);
    const auto scale = to_doubles(ctx.input(1), ctx.describe_input(1));
    const auto bias = to_doubles(ctx.input(2), ctx.describe_input(2));
    auto mean = to_doubles(ctx.input(3), ctx.describe_input(3));
    auto var = to_doubles(ctx.input(4), ctx.describe_input(4));
    if (training_) {
      std::vector<double> batch_mean, batch_var;
      group_stats(x, outer, groups, inner, batch_mean, batch_var);
      // Running statistics move toward the batch's by (1 - momentum).
      for (size_t c = 0; c < mean.size(); ++c) {
        const double running_mean = mean[c] * momentum_ + batch_mean[c] * (1 - momentum_);
        const double running_var = var[c] * momentum_ + batch_var[c] * (1 - momentum_);
        mean[c] = batch_mean[c];
        var[c] = batch_var[c];
        batch_mean[c] = running_mean;
        batch_var[c] = running_var;
      }
      if (ctx.output_wanted(1)) from_doubles(batch_mean, ctx.output(1));
      if (ctx.output_wanted(2)) from_doubles(batch_var, ctx.output(2));
    }
    std::vector<double> a(scale.size()), b(scale.size());
    for (size_t c = 0; c < a.size(); ++c) {
      a[c] = scale[c] / std::sqrt(var[c] + epsilon_);
      b[c] = bias[c] - mean[c] * a[c];
    }
    affine(x, outer, groups, inner, a, b, ctx.output(0));
  }

 private:
  // Per channel normally; with spatial = 0 (opsets 1-8) one value per element
  // of a sample, i.e. the channel and spatial dims flattened.
  int64_t param_count(const Tensor& x) const {
    return spatial_ ? x.dim(1) : (x.dim(0) == 0 ? 0 : x.numel() / x.dim(0));
  }

  float epsilon_, momentum_;
  bool spatial_, training_;
};

// 6: consumed_inputs dropped; 7: is_test dropped; 9: spatial dropped;
// 14: training_mode with running_mean/var outputs; 15: scale/bias and
// mean/var types may differ from X. Unchanged through 21.
SKIFF_KERNEL(native, "BatchNormalization", 1, kLatestOpset, BatchNormKernel);
SKIFF_KERNEL_TYPES(native, "BatchNormalization", 1, "T: floats; T1: floats; T2: floats");

class InstanceNormKernel final : public Kernel {
 public:
  explicit InstanceNormKernel(const KernelInfo& info) : epsilon_(info.attr_float("epsilon", 1e-5f)) {}

  void prepare(KernelContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    if (x.rank() < 3) ctx.fail(ctx.input_label(0), " must have rank >= 3 ([N, C, spatial...])");
    for (size_t i = 1; i <= 2; ++i)
      if (ctx.input(i).rank() != 1 || ctx.input(i).dim(0) != x.dim(1))
        ctx.fail(ctx.input_label(i), " must be 1-D with ", x.dim(1), " values (one per channel)");
    ctx.set_output(0, x.dtype(), x.shape());
  }

  void compute(KernelContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    const int64_t n = x.dim(0), c = x.dim(1), planes = n * c;
    const int64_t inner = planes == 0 ? 0 : x.numel() / planes;
    const auto scale = to_doubles(ctx.input(1), ctx.describe_input(1));
    const auto bias = to_doubles(ctx.input(2), ctx.describe_input(2));
    std::vector<double> mean, var;
    group_stats(x, 1, planes, inner, mean, var);  // one group per (n, c) plane
    std::vector<double> a(static_cast<size_t>(planes)), b(static_cast<size_t>(planes));
    for (int64_t p = 0; p < planes; ++p) {
      a[p] = scale[p % c] / std::sqrt(var[p] + epsilon_);
      b[p] = bias[p % c] - mean[p] * a[p];
    }
    affine(x, 1, planes, inner, a, b, ctx.output(0));
  }

 private:
  float epsilon_;
};

// 6: consumed_inputs dropped. Unchanged through 21.
SKIFF_KERNEL(native, "InstanceNormalization", 1, kLatestOpset, InstanceNormKernel);
SKIFF_KERNEL_TYPES(native, "InstanceNormalization", 1, "floats");

// Expands a Scale or B input of LayerNormalization, which broadcasts
// (right-aligned) to the normalized dims, to one value per normalized
// element.
std::vector<double> expand_to(const KernelContext& ctx, size_t input, const Shape& normalized) {
  const Tensor& t = ctx.input(input);
  const auto v = to_doubles(t, ctx.describe_input(input));
  const Shape& s = t.shape();
  if (s.size() > normalized.size())
    ctx.fail(ctx.input_label(input), " has more dims than the normalized shape ",
             shape_str(normalized));
  const size_t lead = normalized.size() - s.size();
  for (size_t d = 0; d < s.size(); ++d)
    if (s[d] != 1 && s[d] != normalized[lead + d])
      ctx.fail(ctx.input_label(input), " does not broadcast to the normalized shape ",
               shape_str(normalized));
  const int64_t inner = shape_numel(normalized);
  if (static_cast<int64_t>(v.size()) == inner) return v;
  std::vector<double> out(static_cast<size_t>(inner));
  const auto strides = shape_strides(s);
  for (int64_t i = 0; i < inner; ++i) {
    int64_t rest = i, src = 0;
    for (size_t d = normalized.size(); d-- > lead;) {
      const int64_t idx = rest % normalized[d];
      rest /= normalized[d];
      if (s[d - lead] != 1) src += idx * strides[d - lead];
    }
    out[static_cast<size_t>(i)] = v[static_cast<size_t>(src)];
  }
  return out;
}

class LayerNormKernel final : public Kernel {
 public:
  explicit LayerNormKernel(const KernelInfo& info)
      : axis_(info.attr_int("axis", -1)), epsilon_(info.attr_float("epsilon", 1e-5f)) {
    const int64_t stash = info.attr_int("stash_type", 1);
    stash_ = static_cast<DataType>(stash);
    if (stash_ != DataType::kFloat && stash_ != DataType::kBFloat16 && stash_ != DataType::kDouble)
      info.unsupported("stash_type ", stash, " (float, double or bfloat16 expected)");
  }

  void prepare(KernelContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    const int64_t axis = normalize_axis(ctx, x);
    const Shape normalized(x.shape().begin() + axis, x.shape().end());
    expand_to(ctx, 1, normalized);
    if (ctx.has_input(2)) expand_to(ctx, 2, normalized);
    ctx.set_output(0, x.dtype(), x.shape());
    Shape stats = x.shape();
    for (size_t d = static_cast<size_t>(axis); d < stats.size(); ++d) stats[d] = 1;
    for (size_t i = 1; i < 3; ++i)
      if (ctx.output_wanted(i)) ctx.set_output(i, stash_, stats);
  }

  void compute(KernelContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    const int64_t axis = normalize_axis(ctx, x);
    const Shape normalized(x.shape().begin() + axis, x.shape().end());
    const int64_t inner = shape_numel(normalized);
    const int64_t outer = inner == 0 ? 0 : x.numel() / inner;
    const auto scale = expand_to(ctx, 1, normalized);
    const auto bias = ctx.has_input(2) ? expand_to(ctx, 2, normalized) : std::vector<double>(scale.size(), 0.0);
    std::vector<double> mean(static_cast<size_t>(outer)), inv_std(static_cast<size_t>(outer));
    dispatch(kNormTypes, x.dtype(), [&](auto tag) {
      using T = typename decltype(tag)::type;
      const T* in = x.data<T>();
      T* out = ctx.output(0).data<T>();
      parallel_for(outer, inner * 3, [&](int64_t r0, int64_t r1) {
        for (int64_t r = r0; r < r1; ++r) {
          const T* row = in + r * inner;
          double sum = 0, sq = 0;
          for (int64_t i = 0; i < inner; ++i) sum += static_cast<double>(row[i]);
          const double m = sum / static_cast<double>(inner);
          for (int64_t i = 0; i < inner; ++i) {
            const double d = static_cast<double>(row[i]) - m;
            sq += d * d;
          }
          const double is = 1.0 / std::sqrt(sq / static_cast<double>(inner) + epsilon_);
          for (int64_t i = 0; i < inner; ++i)
            out[r * inner + i] = static_cast<T>((static_cast<double>(row[i]) - m) * is * scale[i] + bias[i]);
          mean[r] = m;
          inv_std[r] = is;
        }
      });
    }, ctx.describe_input(0));
    if (ctx.output_wanted(1)) from_doubles(mean, ctx.output(1));
    if (ctx.output_wanted(2)) from_doubles(inv_std, ctx.output(2));
  }

 private:
  int64_t normalize_axis(const KernelContext& ctx, const Tensor& x) const {
    if (axis_ < -x.rank() || axis_ >= x.rank())
      ctx.fail("axis ", axis_, " is out of range for ", ctx.input_label(0));
    return axis_ < 0 ? axis_ + x.rank() : axis_;
  }

  int64_t axis_;
  float epsilon_;
  DataType stash_;
};

// 17: first version (earlier models used a contrib op or decomposed it).
SKIFF_KERNEL(native, "LayerNormalization", 17, kLatestOpset, LayerNormKernel);
SKIFF_KERNEL_TYPES(native, "LayerNormalization", 17, "T: floats; U: float, double, bfloat16");

class LrnKernel final : public Kernel {
 public:
  explicit LrnKernel(const KernelInfo& info)
      : size_(info.attr_int("size")),
        alpha_(info.attr_float("alpha", 1e-4f)),
        beta_(info.attr_float("beta", 0.75f)),
        bias_(info.attr_float("bias", 1.0f)) {
    if (size_ <= 0) info.fail("size must be positive, got ", size_);
  }

  void prepare(KernelContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    if (x.rank() < 3) ctx.fail(ctx.input_label(0), " must have rank >= 3 ([N, C, spatial...])");
    ctx.set_output(0, x.dtype(), x.shape());
  }

  // Each output channel c sums squares over channels
  // [c - floor((size-1)/2), c + ceil((size-1)/2)], clipped to the input.
  void compute(KernelContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    const int64_t channels = x.dim(1), planes = x.dim(0) * channels;
    const int64_t inner = planes == 0 ? 0 : x.numel() / planes;
    const int64_t before = (size_ - 1) / 2, after = size_ - 1 - before;
    std::vector<double> sums(static_cast<size_t>(checked_mul(max_threads(), inner)));
    dispatch(kNormTypes, x.dtype(), [&](auto tag) {
      using T = typename decltype(tag)::type;
      const T* in = x.data<T>();
      T* out = ctx.output(0).data<T>();
      parallel_for(planes, inner * size_, [&](int64_t p0, int64_t p1) {
        double* sum = sums.data() + omp_get_thread_num() * inner;
        for (int64_t p = p0; p < p1; ++p) {
          const int64_t n = p / channels, c = p % channels;
          std::fill(sum, sum + inner, 0.0);
          const int64_t c0 = std::max<int64_t>(0, c - before), c1 = std::min(channels - 1, c + after);
          for (int64_t cc = c0; cc <= c1; ++cc) {
            const T* plane = in + (n * channels + cc) * inner;
            for (int64_t i = 0; i < inner; ++i) {
              const double v = static_cast<double>(plane[i]);
              sum[i] += v * v;
            }
          }
          const T* src = in + p * inner;
          T* dst = out + p * inner;
          for (int64_t i = 0; i < inner; ++i)
            dst[i] = static_cast<T>(static_cast<double>(src[i]) /
                                    std::pow(bias_ + alpha_ / size_ * sum[i], beta_));
        }
      });
    }, ctx.describe_input(0));
  }

 private:
  int64_t size_;
  double alpha_, beta_, bias_;
};

// 13: bfloat16. Unchanged through 21.
SKIFF_KERNEL(native, "LRN", 1, kLatestOpset, LrnKernel);
SKIFF_KERNEL_TYPES(native, "LRN", 1, "floats");

class MeanVarianceNormKernel final : public Kernel {
 public:
  explicit MeanVarianceNormKernel(const KernelInfo& info)
      : axes_(info.attr_ints("axes", {0, 2, 3})) {}

  void prepare(KernelContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    reduced(ctx, x);
    ctx.set_output(0, x.dtype(), x.shape());
  }

  // y = (x - mean) / (sqrt(var) + 1e-9) with the statistics over `axes`, as
  // the ONNX function body defines it.
  void compute(KernelContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    const std::vector<bool> is_reduced = reduced(ctx, x);
    // Group id of each element: its index over the kept dims.
    const size_t rank = static_cast<size_t>(x.rank());
    std::vector<int64_t> group_stride(rank, 0);
    int64_t groups = 1;
    for (size_t d = rank; d-- > 0;)
      if (!is_reduced[d]) {
        group_stride[d] = groups;
        groups *= x.shape()[d];
      }
    std::vector<int64_t> group(static_cast<size_t>(x.numel()));
    std::vector<int64_t> idx(rank, 0);
    for (int64_t i = 0; i < x.numel(); ++i) {
      int64_t g = 0;
      for (size_t d = 0; d < rank; ++d) g += idx[d] * group_stride[d];
      group[static_cast<size_t>(i)] = g;
      for (size_t d = rank; d-- > 0;) {
        if (++idx[d] < x.shape()[d]) break;
        idx[d] = 0;
      }
    }
    const auto v = to_doubles(x, ctx.describe_input(0));
    std::vector<double> sum(static_cast<size_t>(groups)), sq(static_cast<size_t>(groups));
    const double count = groups == 0 ? 1.0 : static_cast<double>(x.numel() / groups);
    for (size_t i = 0; i < v.size(); ++i) sum[group[i]] += v[i];
    for (auto& s : sum) s /= count;
    for (size_t i = 0; i < v.size(); ++i) sq[group[i]] += (v[i] - sum[group[i]]) * (v[i] - sum[group[i]]);
    std::vector<double> y(v.size());
    for (size_t i = 0; i < v.size(); ++i)
      y[i] = (v[i] - sum[group[i]]) / (std::sqrt(sq[group[i]] / count) + 1e-9);
    from_doubles(y, ctx.output(0));
  }

 private:
  std::vector<bool> reduced(const KernelContext& ctx, const Tensor& x) const {
    std::vector<bool> out(static_cast<size_t>(x.rank()), false);
    for (int64_t a : axes_) {
      if (a < -x.rank() || a >= x.rank())
        ctx.fail("axis ", a, " in axes is out of range for ", ctx.input_label(0));
      out[static_cast<size_t>(a < 0 ? a + x.rank() : a)] = true;
    }
    return out;
  }

  std::vector<int64_t> axes_;
};

// 13: bfloat16, negative axes. Unchanged through 21.
SKIFF_KERNEL(native, "MeanVarianceNormalization", 9, kLatestOpset, MeanVarianceNormKernel);
SKIFF_KERNEL_TYPES(native, "MeanVarianceNormalization", 9, "floats");

}  // namespace
}  // namespace skiff
