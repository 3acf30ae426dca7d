// Multinomial (opset 7): sample_size class indices per batch row, drawn from
// the categorical distribution whose unnormalized log-probabilities are the
// row.
//
// Each row becomes a cumulative distribution of exp(x - max(x)) (shifting by
// the row maximum keeps exp from overflowing); a draw is uniform in
// [0, total) and picks the first class whose cumulative sum exceeds it.
// Seeding follows the Random* kernels: with `seed` every run draws the same
// indices (the generator is seeded from the seed's bits at each compute, so
// the kernel stays stateless); without one each run draws fresh indices.
// One sequential stream keeps seeded results independent of the thread
// count. The stream is skiff's own, so indices match other runtimes only in
// distribution.
#include <algorithm>
#include <cmath>
#include <cstring>
#include <random>
#include <vector>

#include "core/dispatch.h"
#include "engines/kernel.h"

namespace skiff {
namespace {

class MultinomialKernel final : public Kernel {
 public:
  explicit MultinomialKernel(const KernelInfo& info)
      : sample_size_(info.attr_int("sample_size", 1)), has_seed_(info.has_attr("seed")) {
    const int64_t dtype = info.attr_int("dtype", static_cast<int64_t>(DataType::kInt32));
    if (dtype == static_cast<int64_t>(DataType::kInt32)) dtype_ = DataType::kInt32;
    else if (dtype == static_cast<int64_t>(DataType::kInt64)) dtype_ = DataType::kInt64;
    else info.fail("attribute 'dtype' is ", dtype, ", expected int32 (6) or int64 (7)");
    if (sample_size_ < 0) info.fail("attribute 'sample_size' is ", sample_size_, ", expected >= 0");
    if (has_seed_) {
      const float seed = info.attr_float("seed");
      uint32_t bits;
      std::memcpy(&bits, &seed, sizeof(bits));
      seed_ = bits;
    }
  }

  void prepare(KernelContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    if (x.rank() != 2) ctx.fail(ctx.input_label(0), " must be 2-D [batch_size, class_size]");
    if (x.dim(1) == 0 && x.dim(0) > 0 && sample_size_ > 0)
      ctx.fail(ctx.input_label(0), " has no classes to sample from");
    ctx.set_output(0, dtype_, {x.dim(0), sample_size_});
  }

  void compute(KernelContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    Tensor& y = ctx.output(0);
    dispatch(TypeList<float, double, Float16>{}, x.dtype(), [&](auto tag) {
      using T = typename decltype(tag)::type;
      if (dtype_ == DataType::kInt32) sample(ctx, x.data<T>(), y.data<int32_t>());
      else sample(ctx, x.data<T>(), y.data<int64_t>());
    }, ctx.describe_input(0));
  }

 private:
  template <class T, class Index>
  void sample(const KernelContext& ctx, const T* logits, Index* out) const {
    const Tensor& x = ctx.input(0);
    const int64_t batch_size = x.dim(0), class_size = x.dim(1);
    std::mt19937_64 engine = make_engine();
    std::vector<double> cdf(static_cast<size_t>(class_size));
    for (int64_t b = 0; b < batch_size; ++b) {
      const T* row = logits + b * class_size;
      double max = -INFINITY;
      for (int64_t c = 0; c < class_size; ++c) {
        const double v = double{row[c]};
        if (std::isnan(v) || v == INFINITY)
          ctx.fail_runtime(ctx.input_label(0), " row ", b, " holds ", v, " at class ", c);
        max = std::max(max, v);
      }
      if (max == -INFINITY && sample_size_ > 0)
        ctx.fail_runtime(ctx.input_label(0), " row ", b, " gives every class probability 0");
      double total = 0;
      int64_t last_possible = 0;  // a draw rounding up to `total` lands here
      for (int64_t c = 0; c < class_size; ++c) {
        const double p = std::exp(double{row[c]} - max);
        if (p > 0) last_possible = c;
        total += p;
        cdf[static_cast<size_t>(c)] = total;
      }
      std::uniform_real_distribution<double> uniform(0.0, total);
      for (int64_t s = 0; s < sample_size_; ++s) {
        const double u = uniform(engine);
        const int64_t c = std::upper_bound(cdf.begin(), cdf.end(), u) - cdf.begin();
        out[b * sample_size_ + s] = static_cast<Index>(std::min(c, last_possible));
      }
    }
  }

  std::mt19937_64 make_engine() const {
    if (has_seed_) return std::mt19937_64(seed_);
    std::random_device device;
    return std::mt19937_64((uint64_t{device()} << 32) | device());
  }

  int64_t sample_size_;
  bool has_seed_;
  uint64_t seed_ = 0;
  DataType dtype_ = DataType::kInt32;
};

}  // namespace

// 7: introduced; unchanged through 21.
SKIFF_KERNEL(native, "Multinomial", 7, kLatestOpset, MultinomialKernel);
SKIFF_KERNEL_TYPES(native, "Multinomial", 7, "T1: float, double, float16; T2: int32, int64");

}  // namespace skiff
