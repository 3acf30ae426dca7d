// Transpose, and DepthToSpace / SpaceToDepth, which are transposes of a
// reshaped view. All three are one strided copy (manip::strided_copy, which
// tiles the 2-D inner case).
#include <numeric>

#include "engines/kernel.h"
#include "engines/native/manip_util.h"

namespace skiff {
namespace {

// Copies `x`, viewed with shape `view`, into `y` with the view's dims
// permuted by `perm` (y's dim d is the view's dim perm[d]).
void permute_copy(const Tensor& x, const Shape& view, const std::vector<int64_t>& perm, Tensor& y) {
  const std::vector<int64_t> view_strides = shape_strides(view);
  Shape shape(perm.size());
  std::vector<int64_t> strides(perm.size());
  for (size_t d = 0; d < perm.size(); ++d) {
    shape[d] = view[static_cast<size_t>(perm[d])];
    strides[d] = view_strides[static_cast<size_t>(perm[d])];
  }
  manip::strided_copy(x.dtype(), x.raw(), 0, shape, strides, y.raw());
}

class TransposeKernel final : public Kernel {
 public:
  explicit TransposeKernel(const KernelInfo& info)
      : has_perm_(info.has_attr("perm")), perm_(info.attr_ints("perm")) {}
  void prepare(KernelContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    const std::vector<int64_t> perm = permutation(ctx, x.rank());
    Shape shape(perm.size());
    for (size_t d = 0; d < perm.size(); ++d) shape[d] = x.dim(perm[d]);
    ctx.set_output(0, x.dtype(), shape);
  }
  void compute(KernelContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    permute_copy(x, x.shape(), permutation(ctx, x.rank()), ctx.output(0));
  }

 private:
  // Default: reverse the dims.
  std::vector<int64_t> permutation(const KernelContext& ctx, int64_t rank) const {
    if (!has_perm_) {
      std::vector<int64_t> perm(static_cast<size_t>(rank));
      std::iota(perm.rbegin(), perm.rend(), 0);
      return perm;
    }
    if (static_cast<int64_t>(perm_.size()) != rank)
      ctx.fail("perm ", shape_str(perm_), " has ", perm_.size(), " entries but ", ctx.input_label(0),
               " has rank ", rank);
    std::vector<bool> seen(static_cast<size_t>(rank), false);
    for (int64_t p : perm_) {
      if (p < 0 || p >= rank || seen[static_cast<size_t>(p)])
        ctx.fail("perm ", shape_str(perm_), " is not a permutation of the ", rank, " dims");
      seen[static_cast<size_t>(p)] = true;
    }
    return perm_;
  }

  bool has_perm_;
  std::vector<int64_t> perm_;
};
// 13: bfloat16; 21: more types.
SKIFF_KERNEL(native, "Transpose", 1, kLatestOpset, TransposeKernel);
SKIFF_KERNEL_TYPES(native, "Transpose", 1, "all, complex64, complex128");

class DepthToSpaceKernel final : public Kernel {
 public:
  explicit DepthToSpaceKernel(const KernelInfo& info)
      : blocksize_(info.attr_int("blocksize")),
        crd_(info.opset() >= 11 && info.attr_string("mode", "DCR") == "CRD") {
    const std::string mode = info.opset() >= 11 ? info.attr_string("mode", "DCR") : "DCR";
    if (mode != "DCR" && mode != "CRD") info.fail("mode '", mode, "' is not DCR or CRD");
    if (blocksize_ <= 0) info.fail("blocksize ", blocksize_, " must be positive");
  }
  void prepare(KernelContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    check(ctx, x);
    const int64_t b = blocksize_;
    ctx.set_output(0, x.dtype(), {x.dim(0), x.dim(1) / (b * b), x.dim(2) * b, x.dim(3) * b});
  }
  // DCR: view [N, b, b, C/b², H, W], output dims (N, C/b², H, b, W, b).
  // CRD: view [N, C/b², b, b, H, W], same output order.
  void compute(KernelContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    const int64_t b = blocksize_, n = x.dim(0), c = x.dim(1) / (b * b), h = x.dim(2), w = x.dim(3);
    if (crd_)
      permute_copy(x, {n, c, b, b, h, w}, {0, 1, 4, 2, 5, 3}, ctx.output(0));
    else
      permute_copy(x, {n, b, b, c, h, w}, {0, 3, 4, 1, 5, 2}, ctx.output(0));
  }

 private:
  void check(const KernelContext& ctx, const Tensor& x) const {
    if (x.rank() != 4) ctx.fail(ctx.input_label(0), " must have rank 4");
    if (x.dim(1) % (blocksize_ * blocksize_) != 0)
      ctx.fail(ctx.input_label(0), ": channels are not divisible by blocksize² = ",
               blocksize_ * blocksize_);
  }

  int64_t blocksize_;
  bool crd_;
};
// 11: mode (DCR/CRD); 13: bfloat16.
SKIFF_KERNEL(native, "DepthToSpace", 1, kLatestOpset, DepthToSpaceKernel);
SKIFF_KERNEL_TYPES(native, "DepthToSpace", 1, "all, complex64, complex128");

class SpaceToDepthKernel final : public Kernel {
 public:
  explicit SpaceToDepthKernel(const KernelInfo& info) : blocksize_(info.attr_int("blocksize")) {
    if (blocksize_ <= 0) info.fail("blocksize ", blocksize_, " must be positive");
  }
  void prepare(KernelContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    const int64_t b = blocksize_;
    if (x.rank() != 4) ctx.fail(ctx.input_label(0), " must have rank 4");
    if (x.dim(2) % b != 0 || x.dim(3) % b != 0)
      ctx.fail(ctx.input_label(0), ": height and width are not divisible by blocksize ", b);
    ctx.set_output(0, x.dtype(), {x.dim(0), x.dim(1) * b * b, x.dim(2) / b, x.dim(3) / b});
  }
  // View [N, C, H/b, b, W/b, b], output dims (N, b, b, C, H/b, W/b).
  void compute(KernelContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    const int64_t b = blocksize_, n = x.dim(0), c = x.dim(1), h = x.dim(2) / b, w = x.dim(3) / b;
    permute_copy(x, {n, c, h, b, w, b}, {0, 3, 5, 1, 2, 4}, ctx.output(0));
  }

 private:
  int64_t blocksize_;
};
// 13: bfloat16.
SKIFF_KERNEL(native, "SpaceToDepth", 1, kLatestOpset, SpaceToDepthKernel);
SKIFF_KERNEL_TYPES(native, "SpaceToDepth", 1, "all, complex64, complex128");

}  // namespace
}  // namespace skiff
