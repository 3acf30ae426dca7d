// Runs an op on the dnnl engine and on the native reference and compares.
#pragma once

#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "support/op_test.h"

namespace skiff::testing {

inline Tensor random_tensor(Shape shape, uint64_t seed, float low = -1.f, float high = 1.f) {
  Tensor t(DataType::kFloat, std::move(shape));
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<float> dist(low, high);
  for (int64_t i = 0; i < t.numel(); ++i) t.data<float>()[i] = dist(rng);
  return t;
}

// n values uniform in [-1, 1): the data of the kernel tests.
inline std::vector<float> random_floats(size_t n, uint64_t seed) {
  const Tensor t = random_tensor({static_cast<int64_t>(n)}, seed);
  return std::vector<float>(t.data<float>(), t.data<float>() + n);
}

// Every output of `spec` on dnnl matches native within atol + rtol * |ref|.
inline void expect_dnnl_matches_native(OpSpec spec, const std::vector<Tensor>& inputs, float atol = 1e-4f,
                                       float rtol = 1e-4f) {
  OpSpec native = spec;
  native.engine("native");
  spec.engine("dnnl");
  const auto expected = run_op(native, inputs);
  const auto actual = run_op(spec, inputs);
  ASSERT_EQ(expected.size(), actual.size());
  for (size_t o = 0; o < expected.size(); ++o) {
    if (!expected[o].defined()) continue;
    ASSERT_EQ(expected[o].shape(), actual[o].shape()) << "output " << o;
    const float* e = expected[o].data<float>();
    const float* a = actual[o].data<float>();
    int reported = 0;
    for (int64_t i = 0; i < expected[o].numel() && reported < 5; ++i)
      if (!(std::fabs(e[i] - a[i]) <= atol + rtol * std::fabs(e[i]))) {
        ADD_FAILURE() << spec.node.op_type << " output " << o << " element " << i << ": dnnl " << a[i]
                      << " native " << e[i];
        ++reported;
      }
  }
}

}  // namespace skiff::testing
