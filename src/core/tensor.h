// Tensor: a dtype, a shape and a reference-counted buffer. Owned buffers are
// 64-byte aligned; views wrap memory that someone else owns (user buffers,
// memory-mapped weights). Copying a Tensor shares the buffer; clone() copies
// the data.
#pragma once

#include <memory>
#include <string>

#include "core/dtype.h"
#include "core/error.h"
#include "core/shape.h"

namespace skiff {

class Tensor {
 public:
  Tensor() = default;
  // Allocates uninitialised storage (strings are default-constructed).
  Tensor(DataType dtype, Shape shape);
  // Allocates and zero-fills (strings empty).
  static Tensor zeros(DataType dtype, Shape shape);
  // Non-owning view of `data`; the caller keeps it alive while the tensor
  // (and every copy of it) lives.
  static Tensor view(DataType dtype, Shape shape, void* data);
  // View that keeps `owner` alive (a memory mapping, a parent buffer...).
  static Tensor wrap(DataType dtype, Shape shape, void* data, std::shared_ptr<void> owner);
  // A rank-0 or rank-1 tensor holding `values`.
  template <class T>
  static Tensor scalar(T value) {
    Tensor t(dtype_of<T>(), {});
    *t.data<T>() = value;
    return t;
  }

  bool defined() const { return dtype_ != DataType::kUndefined; }
  DataType dtype() const { return dtype_; }
  const Shape& shape() const { return shape_; }
  int64_t rank() const { return static_cast<int64_t>(shape_.size()); }
  int64_t dim(int64_t i) const { return shape_[static_cast<size_t>(i < 0 ? i + rank() : i)]; }
  int64_t numel() const { return numel_; }
  size_t nbytes() const { return static_cast<size_t>(numel_) * dtype_size(dtype_); }
  bool empty() const { return numel_ == 0; }

  void* raw() { return data_; }
  const void* raw() const { return data_; }
  template <class T>
  T* data() {
    check_type(dtype_of<T>());
    return static_cast<T*>(data_);
  }
  template <class T>
  const T* data() const {
    check_type(dtype_of<T>());
    return static_cast<const T*>(data_);
  }

  // Deep copy into fresh aligned storage.
  Tensor clone() const;
  // Same storage, new shape with the same element count.
  Tensor reshaped(Shape shape) const;
  // True when both share the same buffer start (used for in-place checks).
  bool same_storage(const Tensor& other) const { return data_ == other.data_; }
  std::string str() const;  // "float[1,3,224,224]"

 private:
  void check_type(DataType requested) const;

  DataType dtype_ = DataType::kUndefined;
  Shape shape_;
  int64_t numel_ = 0;
  void* data_ = nullptr;
  std::shared_ptr<void> owner_;
};

}  // namespace skiff
