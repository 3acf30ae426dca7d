// Shapes and the arithmetic on them that must not overflow.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "skiff/types.h"

namespace skiff {

// "[1,3,224,224]"
std::string shape_str(const Shape& shape);
// Number of elements; throws kInvalidModel/kInvalidInput-agnostic kRuntime
// error if a dim is negative or the product overflows int64 or 2^48 elements.
int64_t shape_numel(const Shape& shape);
// Row-major strides in elements.
std::vector<int64_t> shape_strides(const Shape& shape);
// Normalizes an axis in [-rank, rank) to [0, rank); throws naming `what`.
int64_t normalize_axis(int64_t axis, int64_t rank, const char* what = "axis");
// Numpy-style broadcast of two shapes; throws kInvalidInput when they do not
// broadcast.
Shape broadcast_shapes(const Shape& a, const Shape& b);
// a * b with an overflow check (throws kRuntime).
int64_t checked_mul(int64_t a, int64_t b);

}  // namespace skiff
