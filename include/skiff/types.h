// skiff's public value types: element types, errors and tensors. Everything
// here is plain C++ with standard-library members, so an application sees no
// internal or third-party type. Include <skiff/skiff.h>, which includes this.
#pragma once

#include <cstdint>
#include <cstring>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#if defined(_WIN32)
#define SKIFF_API
#else
#define SKIFF_API __attribute__((visibility("default")))
#endif

namespace skiff {

// ---------------------------------------------------------------- types ----
// Element types, numbered as ONNX's TensorProto.DataType.
enum class DataType : int32_t {
  kUndefined = 0,
  kFloat = 1,
  kUInt8 = 2,
  kInt8 = 3,
  kUInt16 = 4,
  kInt16 = 5,
  kInt32 = 6,
  kInt64 = 7,
  kString = 8,
  kBool = 9,
  kFloat16 = 10,
  kDouble = 11,
  kUInt32 = 12,
  kUInt64 = 13,
  kComplex64 = 14,
  kComplex128 = 15,
  kBFloat16 = 16,
};

// IEEE 754 binary16. Converts implicitly to and from float so that generic
// kernels written for `T` compute in float and round once on store.
struct SKIFF_API Float16 {
  uint16_t bits = 0;
  Float16() = default;
  Float16(float f) : bits(from_float(f)) {}  // NOLINT(google-explicit-constructor)
  operator float() const { return to_float(bits); }  // NOLINT
  static Float16 from_bits(uint16_t b) { Float16 h; h.bits = b; return h; }
  static uint16_t from_float(float f);
  static float to_float(uint16_t h);
};

// bfloat16: the upper half of a float32, rounded to nearest even.
struct SKIFF_API BFloat16 {
  uint16_t bits = 0;
  BFloat16() = default;
  BFloat16(float f) : bits(from_float(f)) {}  // NOLINT
  operator float() const { return to_float(bits); }  // NOLINT
  static BFloat16 from_bits(uint16_t b) { BFloat16 h; h.bits = b; return h; }
  static uint16_t from_float(float f) {
    uint32_t u;
    std::memcpy(&u, &f, 4);
    if ((u & 0x7fffffffu) > 0x7f800000u) return static_cast<uint16_t>((u >> 16) | 0x40);  // quiet NaN
    u += 0x7fffu + ((u >> 16) & 1u);
    return static_cast<uint16_t>(u >> 16);
  }
  static float to_float(uint16_t b) {
    uint32_t u = static_cast<uint32_t>(b) << 16;
    float f;
    std::memcpy(&f, &u, 4);
    return f;
  }
};

// Size in bytes of one element; 0 for kUndefined. Strings are stored as
// std::string objects, so their size is sizeof(std::string).
SKIFF_API size_t dtype_size(DataType dt);
// ONNX spelling: "float", "int64", "float16", "bool", "string", ...
SKIFF_API std::string_view dtype_name(DataType dt);
// Parses dtype_name's spelling; kUndefined when unknown.
SKIFF_API DataType dtype_from_name(std::string_view name);
SKIFF_API bool dtype_is_valid(int32_t code);
SKIFF_API bool dtype_is_float(DataType dt);    // float16, bfloat16, float, double
SKIFF_API bool dtype_is_integer(DataType dt);  // signed and unsigned, not bool

template <class T> constexpr DataType dtype_of();
template <> constexpr DataType dtype_of<float>() { return DataType::kFloat; }
template <> constexpr DataType dtype_of<double>() { return DataType::kDouble; }
template <> constexpr DataType dtype_of<Float16>() { return DataType::kFloat16; }
template <> constexpr DataType dtype_of<BFloat16>() { return DataType::kBFloat16; }
template <> constexpr DataType dtype_of<int8_t>() { return DataType::kInt8; }
template <> constexpr DataType dtype_of<int16_t>() { return DataType::kInt16; }
template <> constexpr DataType dtype_of<int32_t>() { return DataType::kInt32; }
template <> constexpr DataType dtype_of<int64_t>() { return DataType::kInt64; }
template <> constexpr DataType dtype_of<uint8_t>() { return DataType::kUInt8; }
template <> constexpr DataType dtype_of<uint16_t>() { return DataType::kUInt16; }
template <> constexpr DataType dtype_of<uint32_t>() { return DataType::kUInt32; }
template <> constexpr DataType dtype_of<uint64_t>() { return DataType::kUInt64; }
template <> constexpr DataType dtype_of<bool>() { return DataType::kBool; }
template <> constexpr DataType dtype_of<std::string>() { return DataType::kString; }


// --------------------------------------------------------------- errors ----
// The one exception type skiff throws. code() says what kind of failure it is;
// what() names the model, node, op, input and shapes involved, so that the
// problem can be fixed without a debugger.
enum class ErrorCode : int {
  kInvalidModel = 1,  // the model file is unreadable, malformed or inconsistent
  kUnsupported = 2,   // a valid model uses an op, type or feature skiff lacks
  kInvalidInput = 3,  // the caller's inputs do not fit the model
  kRuntime = 4,       // a kernel failed on valid-looking data (bad index, ...)
  kIO = 5,            // a file could not be read or written
  kInternal = 6,      // a broken invariant: a bug in skiff
};

SKIFF_API const char* error_code_name(ErrorCode code);

class SKIFF_API Error : public std::runtime_error {
 public:
  Error(ErrorCode code, const std::string& message) : std::runtime_error(message), code_(code) {}
  ErrorCode code() const noexcept { return code_; }

 private:
  ErrorCode code_;
};


// --------------------------------------------------------------- tensors ---
using Shape = std::vector<int64_t>;

// A dtype, a shape and a reference-counted buffer. Owned buffers are 64-byte
// aligned; views wrap memory someone else owns (the caller's buffers,
// memory-mapped weights). Copying a Tensor shares the buffer; clone() copies
// the data. A Tensor is not synchronised: share it read-only between threads.
class SKIFF_API Tensor {
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
