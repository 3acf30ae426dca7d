// After run() returns, no thread may spin: the process uses (almost) no CPU
// while the caller sleeps. CTest runs this under each OpenMP wait policy
// (unset: libgomp spins ~3 ms after each parallel region; active: minutes;
// passive: never). Measures CPU time, not wall time, so a busy machine does
// not make it flaky. Uses only the public API.
//
// usage: skiff_idle_cpu MODEL INPUT=D0,D1,... [MAX_IDLE_MS]
#include <skiff/skiff.h>

#include "input_spec.h"
#include <sys/resource.h>

#include <chrono>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <thread>

namespace {

double cpu_ms() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  auto ms = [](const timeval& t) { return static_cast<double>(t.tv_sec) * 1e3 + static_cast<double>(t.tv_usec) / 1e3; };
  return ms(usage.ru_utime) + ms(usage.ru_stime);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::cerr << "usage: skiff_idle_cpu MODEL INPUT=D0,D1,... [MAX_IDLE_MS]\n";
    return 64;
  }
  const InputSpec input = parse_input_spec(argv[2]);
  const std::string& name = input.name;
  const skiff::Shape& shape = input.shape;
  const double max_idle_ms = argc > 3 ? std::atof(argv[3]) : 1.0;

  // Two threads on every run, whatever the machine's load: the workers
  // must exist for the test to mean anything.
  auto predictor = skiff::Predictor::create(skiff::Config(argv[1]).threads(2).adaptive_threads(false));
  skiff::Tensor x(skiff::DataType::kFloat, shape);
  for (int64_t i = 0; i < x.numel(); ++i) x.data<float>()[i] = static_cast<float>(i % 17) / 17.f - 0.5f;
  const auto expected = predictor->run({{name, x}});
  int failures = 0;
  for (int round = 0; round < 3; ++round) {
    for (int r = 0; r < 5; ++r) predictor->run({{name, x}});
    const double before = cpu_ms();
    std::this_thread::sleep_for(std::chrono::seconds(1));
    const double idle = cpu_ms() - before;
    std::cout << "round " << round << ": " << idle << " ms of CPU time in the 1 s after run() returned (limit "
              << max_idle_ms << ")\n";
    if (idle > max_idle_ms) ++failures;
    // The run after the sleep (new worker threads, if they were ended)
    // computes the same.
    const auto out = predictor->run({{name, x}});
    for (size_t k = 0; k < out.size(); ++k)
      if (std::memcmp(out[k].raw(), expected[k].raw(), expected[k].nbytes()) != 0) {
        std::cerr << "output " << k << " changed after the idle period\n";
        return 1;
      }
  }
  const char* policy = std::getenv("OMP_WAIT_POLICY");
  std::cout << "OMP_WAIT_POLICY=" << (policy ? policy : "(unset)") << ": " << failures << " of 3 rounds over the limit\n";
  return failures == 0 ? 0 : 1;
}
