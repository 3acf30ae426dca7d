// Ops that make tensors from attributes or a few scalars: Constant,
// ConstantOfShape, Range, EyeLike.
#include <algorithm>
#include <cmath>

#include "core/dispatch.h"
#include "core/parallel.h"
#include "engines/kernel.h"
#include "engines/native/manip_util.h"

namespace skiff {
namespace {

template <class T>
Tensor vector_tensor(const std::vector<T>& values) {
  Tensor t(dtype_of<T>(), {static_cast<int64_t>(values.size())});
  std::copy(values.begin(), values.end(), t.data<T>());
  return t;
}

// The loader folds Constant nodes into initializers; this kernel serves
// graphs that keep them (subgraphs, unoptimized runs).
class ConstantKernel final : public Kernel {
 public:
  explicit ConstantKernel(const KernelInfo& info) {
    int given = 0;
    for (const char* name : {"value", "sparse_value", "value_float", "value_floats", "value_int",
                             "value_ints", "value_string", "value_strings"})
      given += info.has_attr(name) ? 1 : 0;
    if (given != 1) info.fail("needs exactly one value attribute, has ", given);
    if (info.has_attr("sparse_value")) info.unsupported("sparse_value is not supported");
    if (const Tensor* t = info.attr_tensor("value")) value_ = *t;
    else if (info.has_attr("value_float")) value_ = Tensor::scalar(info.attr_float("value_float"));
    else if (info.has_attr("value_floats")) value_ = vector_tensor(info.attr_floats("value_floats"));
    else if (info.has_attr("value_int")) value_ = Tensor::scalar(info.attr_int("value_int"));
    else if (info.has_attr("value_ints")) value_ = vector_tensor(info.attr_ints("value_ints"));
    else if (info.has_attr("value_string")) value_ = Tensor::scalar(info.attr_string("value_string"));
    else value_ = vector_tensor(info.attr_strings("value_strings"));
  }
  // Shares the attribute's buffer; kernels never write their inputs.
  void compute(KernelContext& ctx) const override { ctx.set_output_tensor(0, value_); }

 private:
  Tensor value_;
};
// 9: more types; 11: sparse_value; 12: value_float(s), value_int(s),
// value_string(s); 13: bfloat16; 19, 21: more types.
SKIFF_KERNEL(native, "Constant", 1, kLatestOpset, ConstantKernel);
SKIFF_KERNEL_TYPES(native, "Constant", 1, "all, complex64, complex128");

class ConstantOfShapeKernel final : public Kernel {
 public:
  explicit ConstantOfShapeKernel(const KernelInfo& info) {
    if (const Tensor* t = info.attr_tensor("value")) {
      if (t->numel() != 1) info.fail("attribute 'value' must hold one element, has ", t->numel());
      value_ = *t;
    } else {
      value_ = Tensor::scalar(0.0f);
    }
  }
  void prepare(KernelContext& ctx) const override {
    const std::vector<int64_t> shape = manip::read_ints(ctx, 0);
    for (int64_t d : shape)
      if (d < 0) ctx.fail(ctx.input_label(0), " holds a negative dim: ", shape_str(shape));
    ctx.set_output(0, value_.dtype(), shape);
  }
  void compute(KernelContext& ctx) const override {
    Tensor& y = ctx.output(0);
    manip::dispatch_element(y.dtype(), [&](auto tag) {
      using T = typename decltype(tag)::type;
      const T value = *static_cast<const T*>(value_.raw());
      T* out = static_cast<T*>(y.raw());
      manip::parallel_for_elements<T>(y.numel(), 1, [&](int64_t begin, int64_t end) {
        std::fill(out + begin, out + end, value);
      });
    }, [&] { return ctx.prefix() + "attribute 'value'"; });
  }

 private:
  Tensor value_;
};
// 20, 21: more types.
SKIFF_KERNEL(native, "ConstantOfShape", 9, kLatestOpset, ConstantOfShapeKernel);
SKIFF_KERNEL_TYPES(native, "ConstantOfShape", 9, "T1: int32, int64; T2: all, complex64, complex128");

inline constexpr TypeList<float, double, int16_t, int32_t, int64_t> kRangeTypes{};

// Range: start + i * delta for i in [0, ceil((limit - start) / delta)).
class RangeKernel final : public Kernel {
 public:
  explicit RangeKernel(const KernelInfo&) {}
  void prepare(KernelContext& ctx) const override {
    for (size_t i = 0; i < 3; ++i) {
      if (ctx.input(i).numel() != 1) ctx.fail(ctx.input_label(i), " must be a scalar");
      if (ctx.input(i).dtype() != ctx.input(0).dtype())
        ctx.fail(ctx.input_label(i), " must have the type of ", ctx.input_label(0));
    }
    ctx.set_output(0, ctx.input(0).dtype(), {count(ctx)});
  }
  void compute(KernelContext& ctx) const override {
    Tensor& y = ctx.output(0);
    dispatch(kRangeTypes, y.dtype(), [&](auto tag) {
      using T = typename decltype(tag)::type;
      // Integers step in uint64 arithmetic: i * delta may overflow int64
      // on its way although start + i * delta lies in [start, limit).
      using Wide = std::conditional_t<std::is_floating_point_v<T>, double, uint64_t>;
      const auto start = static_cast<Wide>(ctx.input(0).data<T>()[0]);
      const auto delta = static_cast<Wide>(ctx.input(2).data<T>()[0]);
      T* out = y.data<T>();
      for (int64_t i = 0; i < y.numel(); ++i) out[i] = static_cast<T>(start + static_cast<Wide>(i) * delta);
    }, ctx.describe_input(0));
  }

 private:
  static int64_t count(const KernelContext& ctx) {
    int64_t n = 0;
    dispatch(kRangeTypes, ctx.input(0).dtype(), [&](auto tag) {
      using T = typename decltype(tag)::type;
      const T start = ctx.input(0).data<T>()[0];
      const T limit = ctx.input(1).data<T>()[0];
      const T delta = ctx.input(2).data<T>()[0];
      if (delta == T(0)) ctx.fail(ctx.input_label(2), " (delta) is 0");
      if constexpr (std::is_floating_point_v<T>) {
        // limit - start in T, then divided in double, as ONNX Runtime does.
        const double steps = std::ceil(static_cast<double>(static_cast<T>(limit - start)) / delta);
        if (std::isnan(steps)) ctx.fail("start, limit and delta must be finite");
        if (steps > static_cast<double>(int64_t{1} << 48))
          ctx.fail("the range holds too many elements (", steps, ")");
        n = steps > 0 ? static_cast<int64_t>(steps) : 0;
      } else {
        // 128-bit so that limit - start cannot overflow.
        const __int128 span = static_cast<__int128>(limit) - start;
        const __int128 d = delta;
        const __int128 steps = span / d + ((span % d != 0) && ((span > 0) == (d > 0)) ? 1 : 0);
        if (steps > (__int128{1} << 48))
          ctx.fail("the range from ", static_cast<int64_t>(start), " to ", static_cast<int64_t>(limit),
                   " by ", static_cast<int64_t>(delta), " holds too many elements");
        n = steps > 0 ? static_cast<int64_t>(steps) : 0;
      }
    }, ctx.describe_input(0));
    return n;
  }
};
// Unchanged since 11.
SKIFF_KERNEL(native, "Range", 11, kLatestOpset, RangeKernel);
SKIFF_KERNEL_TYPES(native, "Range", 11, "float, double, int16, int32, int64");

// EyeLike: zeros with ones on the diagonal shifted by k (k > 0: above).
class EyeLikeKernel final : public Kernel {
 public:
  explicit EyeLikeKernel(const KernelInfo& info)
      : dtype_(static_cast<DataType>(info.attr_int("dtype", 0))), k_(info.attr_int("k", 0)) {
    if (info.has_attr("dtype") && !dtype_is_valid(static_cast<int32_t>(dtype_)))
      info.fail("dtype ", static_cast<int>(dtype_), " is not a valid type");
  }
  void prepare(KernelContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    if (x.rank() != 2) ctx.fail(ctx.input_label(0), " must have rank 2");
    ctx.set_output(0, dtype_ == DataType::kUndefined ? x.dtype() : dtype_, x.shape());
  }
  void compute(KernelContext& ctx) const override {
    Tensor& y = ctx.output(0);
    dispatch(kPodTypes, y.dtype(), [&](auto tag) {
      using T = typename decltype(tag)::type;
      T* out = y.data<T>();
      const int64_t rows = y.dim(0), cols = y.dim(1);
      std::fill_n(out, y.numel(), T(0));
      // Row i has its one at column i + k, when that column exists (the
      // range test first, so that no sum overflows for extreme k).
      if (k_ >= cols || k_ <= -rows) return;
      for (int64_t i = std::max<int64_t>(0, -k_); i < rows && i + k_ < cols; ++i)
        out[i * cols + i + k_] = T(1);
    }, [&] { return ctx.prefix() + "output"; });
  }

 private:
  DataType dtype_;
  int64_t k_;
};
// Unchanged through 21 (22 adds types skiff lacks).
SKIFF_KERNEL(native, "EyeLike", 9, kLatestOpset, EyeLikeKernel);
SKIFF_KERNEL_TYPES(native, "EyeLike", 9, "T1: all, complex64, complex128; T2: pod");

}  // namespace
}  // namespace skiff
