// Parts of `skiff bench` shared by its files (cmd_bench.cc, bench_sweep.cc).
#pragma once

#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "skiff/skiff.h"

namespace skiff::cli {

// Seeded random values: uniform in [-1, 1) for floats, 0..9 for integers.
Tensor random_tensor(DataType dtype, const Shape& shape, std::mt19937_64& rng);

// A field of /proc/self/status in bytes ("VmHWM:" peak, "VmRSS:" current);
// 0 when unknown.
int64_t status_bytes(const char* field);

double median_of(std::vector<double> values);

// --sweep NAME:AXIS:FROM:TO:COUNT (and --sweep-rounds).
struct SweepSpec {
  std::string input;
  int64_t axis = -1, from = 0, to = 0, count = 0, rounds = 5;
};

// Feeds COUNT sizes of one input axis in a row and compares each size's
// latency, once its primitives are built, with that size's fixed-shape
// latency. Prints a table (text mode) and returns the JSON member
// `"sweep": {...}` for --json.
std::string run_sweep(const Predictor& predictor, NamedTensors inputs, const SweepSpec& spec,
                      size_t cache_capacity, bool json, std::mt19937_64& rng);

}  // namespace skiff::cli
