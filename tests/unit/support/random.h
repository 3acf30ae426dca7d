// Seeded random inputs for the reference-comparison op tests.
#pragma once

#include <cstdint>

#include "core/tensor.h"

namespace skiff::testing {

// A float tensor of `shape`, uniform in [low, high), drawn from
// std::mt19937(seed): the same seed gives the same tensor in every test.
Tensor random_tensor(const Shape& shape, uint32_t seed, float low = -1.0f, float high = 1.0f);

}  // namespace skiff::testing
