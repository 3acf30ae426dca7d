#include "core/tensor.h"

#include <cstdlib>
#include <cstring>
#include <new>

namespace skiff {

namespace {

constexpr size_t kAlignment = 64;

std::shared_ptr<void> allocate_storage(DataType dtype, int64_t numel, void** data) {
  const size_t count = static_cast<size_t>(numel);
  if (dtype == DataType::kString) {
    auto strings = std::shared_ptr<std::string[]>(new std::string[count ? count : 1]);
    *data = strings.get();
    return strings;
  }
  size_t bytes = count * dtype_size(dtype);
  bytes = (bytes + kAlignment - 1) / kAlignment * kAlignment;
  if (bytes == 0) bytes = kAlignment;
  void* p = std::aligned_alloc(kAlignment, bytes);
  if (!p)
    fail(ErrorCode::kRuntime, "out of memory allocating ", bytes, " bytes for a ",
         dtype_name(dtype), " tensor");
  *data = p;
  return std::shared_ptr<void>(p, [](void* q) { std::free(q); });
}

}  // namespace

Tensor::Tensor(DataType dtype, Shape shape)
    : dtype_(dtype), shape_(std::move(shape)), numel_(shape_numel(shape_)) {
  if (dtype_size(dtype) == 0)
    fail(ErrorCode::kUnsupported, "cannot allocate a tensor of type ", dtype_name(dtype));
  owner_ = allocate_storage(dtype_, numel_, &data_);
}

Tensor Tensor::zeros(DataType dtype, Shape shape) {
  Tensor t(dtype, std::move(shape));
  if (dtype != DataType::kString) std::memset(t.data_, 0, t.nbytes());
  return t;
}

Tensor Tensor::view(DataType dtype, Shape shape, void* data) {
  return wrap(dtype, std::move(shape), data, nullptr);
}

Tensor Tensor::wrap(DataType dtype, Shape shape, void* data, std::shared_ptr<void> owner) {
  Tensor t;
  t.dtype_ = dtype;
  t.shape_ = std::move(shape);
  t.numel_ = shape_numel(t.shape_);
  t.data_ = data;
  t.owner_ = std::move(owner);
  return t;
}

Tensor Tensor::clone() const {
  if (!defined()) return {};
  Tensor t(dtype_, shape_);
  if (dtype_ == DataType::kString) {
    const auto* src = static_cast<const std::string*>(data_);
    auto* dst = static_cast<std::string*>(t.data_);
    for (int64_t i = 0; i < numel_; ++i) dst[i] = src[i];
  } else if (numel_ > 0) {
    std::memcpy(t.data_, data_, nbytes());
  }
  return t;
}

Tensor Tensor::reshaped(Shape shape) const {
  const int64_t n = shape_numel(shape);
  if (n != numel_)
    fail(ErrorCode::kInvalidInput, "cannot reshape ", str(), " to ", shape_str(shape));
  Tensor t = *this;
  t.shape_ = std::move(shape);
  return t;
}

std::string Tensor::str() const {
  return std::string(dtype_name(dtype_)) + shape_str(shape_);
}

void Tensor::check_type(DataType requested) const {
  if (requested != dtype_)
    fail(ErrorCode::kInternal, "tensor of type ", dtype_name(dtype_), " accessed as ",
         dtype_name(requested));
}

}  // namespace skiff
