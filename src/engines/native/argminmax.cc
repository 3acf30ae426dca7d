// ArgMax, ArgMin: the index (int64) of the extreme value along one axis.
//
// The input is viewed as [outer, n, inner]; for each outer block a row of
// `inner` running extremes is updated one contiguous row at a time, so the
// inner loop is unit-stride even when the axis is not the last one.
#include <cstdint>
#include <type_traits>
#include <vector>

#include "core/dispatch.h"
#include "core/parallel.h"
#include "engines/kernel.h"

namespace skiff {
namespace {

template <class T>
bool is_nan(T v) {
  if constexpr (std::is_integral_v<T>) return false;
  else return v != v;
}

// NaN counts as the extreme, as in numpy's argmax/argmin (the ONNX reference):
// the first NaN wins, or the last one with select_last_index.
template <bool kMax, bool kLast, class A>
inline bool better(A v, A best) {
  if constexpr (std::is_integral_v<A>) {
    if constexpr (kLast) return kMax ? v >= best : v <= best;
    else return kMax ? v > best : v < best;
  } else {
    if (is_nan(best)) return kLast && is_nan(v);
    if (is_nan(v)) return true;
    if constexpr (kLast) return kMax ? v >= best : v <= best;
    else return kMax ? v > best : v < best;
  }
}

template <bool kMax, bool kLast, class T>
void arg_extreme(const T* in, int64_t* out, int64_t outer, int64_t n, int64_t inner) {
  using A = std::conditional_t<std::is_same_v<T, Float16> || std::is_same_v<T, BFloat16>, float, T>;
  parallel_for(outer, n * inner, [&](int64_t begin, int64_t end) {
    std::vector<A> best(static_cast<size_t>(inner));
    for (int64_t o = begin; o < end; ++o) {
      const T* block = in + o * n * inner;
      int64_t* idx = out + o * inner;
      for (int64_t k = 0; k < inner; ++k) {
        best[k] = static_cast<A>(block[k]);
        idx[k] = 0;
      }
      for (int64_t j = 1; j < n; ++j) {
        const T* row = block + j * inner;
        for (int64_t k = 0; k < inner; ++k) {
          const A v = static_cast<A>(row[k]);
          if (better<kMax, kLast>(v, best[k])) {
            best[k] = v;
            idx[k] = j;
          }
        }
      }
    }
  });
}

template <bool kMax>
class ArgKernel final : public Kernel {
 public:
  explicit ArgKernel(const KernelInfo& info)
      : axis_(info.attr_int("axis", 0)),
        keepdims_(info.attr_int("keepdims", 1) != 0),
        select_last_index_(info.attr_int("select_last_index", 0) != 0) {}

  void prepare(KernelContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    const int64_t axis = checked_axis(ctx);
    if (x.dim(axis) == 0)
      ctx.fail("cannot take the arg", kMax ? "max" : "min", " of an empty axis ", axis, " of ",
               ctx.input_label(0));
    Shape out_shape;
    for (int64_t i = 0; i < x.rank(); ++i) {
      if (i != axis) out_shape.push_back(x.dim(i));
      else if (keepdims_) out_shape.push_back(1);
    }
    ctx.set_output(0, DataType::kInt64, out_shape);
  }

  void compute(KernelContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    const int64_t axis = checked_axis(ctx);
    int64_t outer = 1, inner = 1;
    for (int64_t i = 0; i < axis; ++i) outer *= x.dim(i);
    for (int64_t i = axis + 1; i < x.rank(); ++i) inner *= x.dim(i);
    const int64_t n = x.dim(axis);
    int64_t* out = ctx.output(0).data<int64_t>();
    dispatch(kNumericTypes, x.dtype(), [&](auto tag) {
      using T = typename decltype(tag)::type;
      if (select_last_index_) arg_extreme<kMax, true>(x.data<T>(), out, outer, n, inner);
      else arg_extreme<kMax, false>(x.data<T>(), out, outer, n, inner);
    }, ctx.describe_input(0));
  }

 private:
  int64_t checked_axis(const KernelContext& ctx) const {
    const Tensor& x = ctx.input(0);
    // A rank-0 input has no axis to reduce.
    if (axis_ < -x.rank() || axis_ >= x.rank())
      ctx.fail("axis ", axis_, " is out of range for ", ctx.input_label(0));
    return axis_ < 0 ? axis_ + x.rank() : axis_;
  }

  int64_t axis_;
  bool keepdims_;
  bool select_last_index_;
};

using ArgMaxKernel = ArgKernel<true>;
using ArgMinKernel = ArgKernel<false>;

}  // namespace

// 11: negative axis; 12: select_last_index; 13: bfloat16.
SKIFF_KERNEL(native, "ArgMax", 1, kLatestOpset, ArgMaxKernel);
SKIFF_KERNEL_TYPES(native, "ArgMax", 1, "T: numeric; output: int64");
SKIFF_KERNEL(native, "ArgMin", 1, kLatestOpset, ArgMinKernel);
SKIFF_KERNEL_TYPES(native, "ArgMin", 1, "T: numeric; output: int64");

}  // namespace skiff
