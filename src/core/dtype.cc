#include "core/dtype.h"

#include <array>
#include <cmath>

namespace skiff {

uint16_t Float16::from_float(float f) {
  uint32_t x;
  std::memcpy(&x, &f, 4);
  const uint32_t sign = (x >> 16) & 0x8000u;
  const uint32_t abs = x & 0x7fffffffu;
  if (abs > 0x7f800000u) return static_cast<uint16_t>(sign | 0x7e00u);  // NaN
  if (abs >= 0x477ff000u) return static_cast<uint16_t>(sign | 0x7c00u);  // overflow to inf
  if (abs < 0x38800000u) {
    // Subnormal half (or zero): shift the mantissa with the implicit bit,
    // rounding to nearest even.
    if (abs < 0x33000000u) return static_cast<uint16_t>(sign);
    const uint32_t exp = abs >> 23;
    const uint32_t mant = (abs & 0x7fffffu) | 0x800000u;
    const uint32_t shift = 126 - exp;  // 14..24
    uint32_t h = mant >> shift;
    const uint32_t rem = mant & ((1u << shift) - 1);
    const uint32_t half = 1u << (shift - 1);
    if (rem > half || (rem == half && (h & 1u))) ++h;
    return static_cast<uint16_t>(sign | h);
  }
  uint32_t h = ((abs - 0x38000000u) >> 13);
  const uint32_t rem = abs & 0x1fffu;
  if (rem > 0x1000u || (rem == 0x1000u && (h & 1u))) ++h;
  return static_cast<uint16_t>(sign | h);
}

float Float16::to_float(uint16_t h) {
  const uint32_t sign = static_cast<uint32_t>(h & 0x8000u) << 16;
  const uint32_t exp = (h >> 10) & 0x1fu;
  uint32_t mant = h & 0x3ffu;
  uint32_t x;
  if (exp == 0) {
    if (mant == 0) {
      x = sign;
    } else {
      int e = -1;
      do {
        ++e;
        mant <<= 1;
      } while ((mant & 0x400u) == 0);
      x = sign | static_cast<uint32_t>(127 - 15 - e) << 23 | (mant & 0x3ffu) << 13;
    }
  } else if (exp == 31) {
    x = sign | 0x7f800000u | mant << 13;
  } else {
    x = sign | (exp + 112) << 23 | mant << 13;
  }
  float f;
  std::memcpy(&f, &x, 4);
  return f;
}

namespace {
struct DtypeEntry {
  DataType dt;
  std::string_view name;
  size_t size;
};
constexpr std::array<DtypeEntry, 17> kDtypes{{
    {DataType::kUndefined, "undefined", 0},
    {DataType::kFloat, "float", 4},
    {DataType::kUInt8, "uint8", 1},
    {DataType::kInt8, "int8", 1},
    {DataType::kUInt16, "uint16", 2},
    {DataType::kInt16, "int16", 2},
    {DataType::kInt32, "int32", 4},
    {DataType::kInt64, "int64", 8},
    {DataType::kString, "string", sizeof(std::string)},
    {DataType::kBool, "bool", 1},
    {DataType::kFloat16, "float16", 2},
    {DataType::kDouble, "double", 8},
    {DataType::kUInt32, "uint32", 4},
    {DataType::kUInt64, "uint64", 8},
    {DataType::kComplex64, "complex64", 8},
    {DataType::kComplex128, "complex128", 16},
    {DataType::kBFloat16, "bfloat16", 2},
}};
}  // namespace

bool dtype_is_valid(int32_t code) { return code >= 1 && code <= 16; }

size_t dtype_size(DataType dt) {
  const auto i = static_cast<size_t>(dt);
  return i < kDtypes.size() ? kDtypes[i].size : 0;
}

std::string_view dtype_name(DataType dt) {
  const auto i = static_cast<size_t>(dt);
  return i < kDtypes.size() ? kDtypes[i].name : std::string_view("invalid");
}

DataType dtype_from_name(std::string_view name) {
  for (const auto& e : kDtypes)
    if (e.name == name) return e.dt;
  return DataType::kUndefined;
}

bool dtype_is_float(DataType dt) {
  return dt == DataType::kFloat || dt == DataType::kDouble || dt == DataType::kFloat16 ||
         dt == DataType::kBFloat16;
}

bool dtype_is_integer(DataType dt) {
  switch (dt) {
    case DataType::kInt8: case DataType::kInt16: case DataType::kInt32: case DataType::kInt64:
    case DataType::kUInt8: case DataType::kUInt16: case DataType::kUInt32: case DataType::kUInt64:
      return true;
    default:
      return false;
  }
}

}  // namespace skiff
