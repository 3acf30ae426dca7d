// Many threads on one predictor, and on clones: every result must be
// bit-identical to a single-threaded run. Built normally and under
// ThreadSanitizer (make tsan). Uses only the public API.
//
// usage: skiff_thread_stress MODEL INPUT=D0,D1,... [THREADS] [RUNS_PER_THREAD]
#include <skiff/skiff.h>

#include "input_spec.h"

#include <atomic>
#include <unistd.h>

#include <cstring>
#include <fstream>
#include <iostream>
#include <random>
#include <thread>
#include <vector>

// Resident memory of this process, from /proc/self/statm.
long rss_bytes() {
  std::ifstream statm("/proc/self/statm");
  long pages = 0, resident = 0;
  statm >> pages >> resident;
  return resident * sysconf(_SC_PAGESIZE);
}

int main(int argc, char** argv) {
  if (argc < 3) {
    std::cerr << "usage: skiff_thread_stress MODEL INPUT=D0,D1,... [THREADS] [RUNS]\n";
    return 64;
  }
  const InputSpec input = parse_input_spec(argv[2]);
  const std::string& name = input.name;
  const skiff::Shape& shape = input.shape;
  const int threads = argc > 3 ? std::atoi(argv[3]) : 8;
  const int runs = argc > 4 ? std::atoi(argv[4]) : 500;

  // One OpenMP thread per run: the concurrency under test is the callers'.
  const long before_create = rss_bytes();
  auto predictor = skiff::Predictor::create(skiff::Config(argv[1]).threads(1));
  const long predictor_bytes = rss_bytes() - before_create;
  skiff::Tensor x(skiff::DataType::kFloat, shape);
  std::mt19937 rng(1);
  std::uniform_real_distribution<float> dist(-1, 1);
  for (int64_t i = 0; i < x.numel(); ++i) x.data<float>()[i] = dist(rng);
  const std::vector<skiff::Tensor> expected = predictor->run({{name, x}});

  const long before_clones = rss_bytes();
  std::vector<std::unique_ptr<skiff::Predictor>> clones;
  for (int t = 0; t < threads; ++t) clones.push_back(predictor->clone());
  const long clone_bytes = (rss_bytes() - before_clones) / threads;
  // A clone shares weights and compiled kernels: it must add less than 10%
  // of what loading the model took (weights, packed weights, plans).
  std::cout << "predictor: " << predictor_bytes / 1024 << " KiB resident; one clone adds "
            << clone_bytes / 1024 << " KiB before its first run\n";
  if (clone_bytes * 10 > predictor_bytes) {
    std::cerr << "a clone costs more than 10% of the predictor\n";
    return 1;
  }
  std::atomic<int> mismatches{0}, errors{0};
  for (bool shared : {true, false}) {
    std::vector<std::thread> pool;
    for (int t = 0; t < threads; ++t)
      pool.emplace_back([&, t] {
        const skiff::Predictor& p = shared ? *predictor : *clones[t];
        for (int r = 0; r < runs; ++r) {
          try {
            const auto out = p.run({{name, x}});
            for (size_t k = 0; k < out.size(); ++k)
              if (out[k].shape() != expected[k].shape() ||
                  std::memcmp(out[k].raw(), expected[k].raw(), expected[k].nbytes()) != 0)
                ++mismatches;
          } catch (const skiff::Error& e) {
            if (errors++ == 0) std::cerr << "run failed: " << e.what() << "\n";
          }
        }
      });
    for (auto& th : pool) th.join();
    std::cout << (shared ? "one shared predictor" : "one clone per thread") << ": " << threads
              << " threads x " << runs << " runs, " << mismatches << " mismatches, " << errors
              << " errors\n";
  }
  return mismatches == 0 && errors == 0 ? 0 : 1;
}
