// RandomUniform, RandomNormal, RandomUniformLike, RandomNormalLike, Bernoulli.
//
// With a `seed` attribute every run draws the same numbers (the generator is
// seeded from the seed's bits at the start of each compute, so the kernel
// stays stateless and thread-safe); without one each run draws fresh numbers
// from std::random_device. The streams are skiff's own (mt19937_64 and the
// standard library's distributions), so they never equal another runtime's
// numbers, only their distribution.
//
// Generation is sequential: one stream per tensor keeps a seeded result
// independent of the thread count.
#include <cstring>
#include <random>

#include "core/dispatch.h"
#include "engines/kernel.h"

namespace skiff {
namespace {

inline constexpr TypeList<float, double, Float16, BFloat16> kRandomTypes{};

// The generator for one run.
struct Seed {
  bool given = false;
  uint64_t value = 0;

  explicit Seed(const KernelInfo& info) : given(info.has_attr("seed")) {
    if (!given) return;
    const float f = info.attr_float("seed");
    uint32_t bits;
    std::memcpy(&bits, &f, sizeof(bits));
    value = bits;
  }
  std::mt19937_64 engine() const {
    if (given) return std::mt19937_64(value);
    std::random_device device;
    return std::mt19937_64((uint64_t{device()} << 32) | device());
  }
};

// The `dtype` attribute; `fallback` when absent (the *Like ops copy their
// input's type).
DataType dtype_attr(const KernelInfo& info, DataType fallback) {
  if (!info.has_attr("dtype")) return fallback;
  const int64_t code = info.attr_int("dtype");
  if (!dtype_is_valid(static_cast<int32_t>(code))) info.fail("dtype ", code, " is not valid");
  return static_cast<DataType>(code);
}

enum class Distribution { kUniform, kNormal };

// The four Random* ops: the distribution's two parameters are (low, high)
// or (mean, scale); the *Like ops take shape (and by default dtype) from
// their input, the others from attributes.
template <Distribution kDist, bool kLike>
class RandomKernel final : public Kernel {
 public:
  explicit RandomKernel(const KernelInfo& info)
      : a_(kDist == Distribution::kUniform ? info.attr_float("low", 0.0f)
                                           : info.attr_float("mean", 0.0f)),
        b_(kDist == Distribution::kUniform ? info.attr_float("high", 1.0f)
                                           : info.attr_float("scale", 1.0f)),
        dtype_(dtype_attr(info, kLike ? DataType::kUndefined : DataType::kFloat)),
        shape_(kLike ? Shape{} : Shape(info.attr_ints("shape"))),
        seed_(info) {
    if (!kLike && !info.has_attr("shape")) info.fail("required attribute 'shape' is missing");
    for (int64_t d : shape_)
      if (d < 0) info.fail("shape ", shape_str(shape_), " has a negative dim");
    if (kDist == Distribution::kUniform && !(a_ <= b_)) info.fail("low must not exceed high");
    if (kDist == Distribution::kNormal && !(b_ >= 0)) info.fail("scale must not be negative");
  }

  void prepare(KernelContext& ctx) const override {
    DataType dtype = dtype_;
    Shape shape = shape_;
    if (kLike) {
      if (dtype == DataType::kUndefined) dtype = ctx.input(0).dtype();
      shape = ctx.input(0).shape();
    }
    if (!dtype_is_float(dtype))
      ctx.fail("output type ", dtype_name(dtype), " must be a float type (set dtype)");
    ctx.set_output(0, dtype, shape);
  }

  void compute(KernelContext& ctx) const override {
    Tensor& y = ctx.output(0);
    std::mt19937_64 engine = seed_.engine();
    dispatch(kRandomTypes, y.dtype(), [&](auto tag) {
      using T = typename decltype(tag)::type;
      using A = std::conditional_t<std::is_same_v<T, double>, double, float>;
      T* out = y.data<T>();
      if constexpr (kDist == Distribution::kUniform) {
        std::uniform_real_distribution<A> d(static_cast<A>(a_), static_cast<A>(b_));
        for (int64_t i = 0; i < y.numel(); ++i) out[i] = static_cast<T>(d(engine));
      } else {
        std::normal_distribution<A> d(static_cast<A>(a_), static_cast<A>(b_));
        for (int64_t i = 0; i < y.numel(); ++i) out[i] = static_cast<T>(d(engine));
      }
    }, [&] { return ctx.prefix() + "output type"; });
  }

 private:
  float a_, b_;
  DataType dtype_;
  Shape shape_;
  Seed seed_;
};

using RandomUniformKernel = RandomKernel<Distribution::kUniform, false>;
using RandomNormalKernel = RandomKernel<Distribution::kNormal, false>;
using RandomUniformLikeKernel = RandomKernel<Distribution::kUniform, true>;
using RandomNormalLikeKernel = RandomKernel<Distribution::kNormal, true>;

// y[i] = 1 with probability input[i] (a uniform draw below it), else 0.
class BernoulliKernel final : public Kernel {
 public:
  explicit BernoulliKernel(const KernelInfo& info)
      : dtype_(dtype_attr(info, DataType::kUndefined)), seed_(info) {}

  void prepare(KernelContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    if (!dtype_is_float(x.dtype())) ctx.fail(ctx.input_label(0), " must be a float type");
    const DataType dtype = dtype_ == DataType::kUndefined ? x.dtype() : dtype_;
    if (dtype == DataType::kString) ctx.fail("output type string is not allowed");
    ctx.set_output(0, dtype, x.shape());
  }

  void compute(KernelContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    Tensor& y = ctx.output(0);
    std::mt19937_64 engine = seed_.engine();
    std::uniform_real_distribution<double> uniform(0.0, 1.0);
    dispatch(kFloatTypes, x.dtype(), [&](auto xtag) {
      using X = typename decltype(xtag)::type;
      const X* p = x.data<X>();
      dispatch(kPodTypes, y.dtype(), [&](auto ytag) {
        using Y = typename decltype(ytag)::type;
        Y* out = y.data<Y>();
        for (int64_t i = 0; i < y.numel(); ++i)
          out[i] = static_cast<Y>(uniform(engine) < static_cast<double>(p[i]) ? 1.0f : 0.0f);
      }, [&] { return ctx.prefix() + "output type"; });
    }, ctx.describe_input(0));
  }

 private:
  DataType dtype_;
  Seed seed_;
};

}  // namespace

// 1: introduced; unchanged through 21.
SKIFF_KERNEL(native, "RandomUniform", 1, kLatestOpset, RandomUniformKernel);
SKIFF_KERNEL_TYPES(native, "RandomUniform", 1, "floats");
SKIFF_KERNEL(native, "RandomNormal", 1, kLatestOpset, RandomNormalKernel);
SKIFF_KERNEL_TYPES(native, "RandomNormal", 1, "floats");
SKIFF_KERNEL(native, "RandomUniformLike", 1, kLatestOpset, RandomUniformLikeKernel);
SKIFF_KERNEL_TYPES(native, "RandomUniformLike", 1, "T1: all, complex64, complex128; T2: floats");
SKIFF_KERNEL(native, "RandomNormalLike", 1, kLatestOpset, RandomNormalLikeKernel);
SKIFF_KERNEL_TYPES(native, "RandomNormalLike", 1, "T1: all, complex64, complex128; T2: floats");
// 15: introduced; unchanged through 21.
SKIFF_KERNEL(native, "Bernoulli", 15, kLatestOpset, BernoulliKernel);
SKIFF_KERNEL_TYPES(native, "Bernoulli", 15, "T1: floats; T2: pod");

}  // namespace skiff
