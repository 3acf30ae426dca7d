// Small helpers for the tensor-manipulation kernel tests.
#pragma once

#include <gtest/gtest.h>

#include <numeric>

#include "core/error.h"
#include "support/op_test.h"

namespace skiff::testing {

// The code of the skiff::Error that f throws; ErrorCode{} when it does not.
template <class F>
ErrorCode error_code(F&& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.code();
  }
  return ErrorCode{};
}

// 0, 1, 2, ... in the given shape.
template <class T>
Tensor iota(Shape shape) {
  Tensor t(dtype_of<T>(), std::move(shape));
  for (int64_t i = 0; i < t.numel(); ++i) t.data<T>()[i] = static_cast<T>(i);
  return t;
}

inline Tensor ints(std::vector<int64_t> v) {
  const auto n = static_cast<int64_t>(v.size());
  return make<int64_t>({n}, v);
}

// Row-major flat index of `idx` in `shape`.
inline int64_t flat_index(const Shape& shape, const std::vector<int64_t>& idx) {
  int64_t f = 0;
  for (size_t d = 0; d < shape.size(); ++d) f = f * shape[d] + idx[d];
  return f;
}

// Calls f(idx) for every index of `shape` in row-major order.
template <class F>
void for_each_index(const Shape& shape, F&& f) {
  const int64_t n = shape_numel(shape);
  std::vector<int64_t> idx(shape.size(), 0);
  for (int64_t i = 0; i < n; ++i) {
    f(idx);
    for (int64_t d = static_cast<int64_t>(shape.size()) - 1; d >= 0; --d) {
      if (++idx[static_cast<size_t>(d)] < shape[static_cast<size_t>(d)]) break;
      idx[static_cast<size_t>(d)] = 0;
    }
  }
}

}  // namespace skiff::testing
