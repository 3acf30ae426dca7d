#include "support/random.h"

#include <random>

namespace skiff::testing {

Tensor random_tensor(const Shape& shape, uint32_t seed, float low, float high) {
  Tensor t(DataType::kFloat, shape);
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> dist(low, high);
  for (int64_t i = 0; i < t.numel(); ++i) t.data<float>()[i] = dist(rng);
  return t;
}

}  // namespace skiff::testing
