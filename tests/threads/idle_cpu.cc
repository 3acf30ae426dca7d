// After run() returns, no thread may spin: skiff's threads use (almost) no
// CPU while the caller sleeps. CTest runs this under each OpenMP wait policy
// (unset: libgomp spins ~3 ms after each parallel region; active: minutes;
// passive: never). Measures CPU time, not wall time, so a busy machine does
// not make it flaky. Uses only the public API.
//
// The judged number is the CPU time of skiff's threads (all but this, the
// caller's) alive at the end of the window, each read from its own CPU clock:
// a spinning thread stays alive and is counted in full; the caller's own
// reading of /proc (~0.1-0.3 ms) is not. Threads that ended during the
// window are not counted: under OMP_WAIT_POLICY=active each run() ends its workers, and an
// ending worker's own cleanup (unmapping its stack, ~0.1 ms idle, ~1 ms on a
// loaded machine) is not a spin. The whole process's CPU time (getrusage),
// which includes that cleanup, is printed beside it.
//
// usage: skiff_idle_cpu MODEL INPUT=D0,D1,... [MAX_IDLE_MS]
#include <skiff/skiff.h>

#include "input_spec.h"
#include <dirent.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <map>
#include <string>
#include <thread>

namespace {

double cpu_ms() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  auto ms = [](const timeval& t) { return static_cast<double>(t.tv_sec) * 1e3 + static_cast<double>(t.tv_usec) / 1e3; };
  return ms(usage.ru_utime) + ms(usage.ru_stime);
}

// CPU time of each live thread of this process but the calling one, in ms,
// keyed by thread id. A thread's CPU clock id is the kernel's encoding of its
// tid (what pthread_getcpuclockid returns), so OpenMP's workers need no
// handle.
std::map<long, double> thread_cpu_ms() {
  std::map<long, double> times;
  DIR* dir = opendir("/proc/self/task");
  if (dir == nullptr) {
    std::cerr << "cannot list this process's threads (/proc/self/task)\n";
    std::exit(1);
  }
  const long self = static_cast<long>(gettid());
  while (const dirent* entry = readdir(dir)) {
    if (entry->d_name[0] == '.') continue;
    const long tid = std::strtol(entry->d_name, nullptr, 10);
    if (tid == self) continue;
    // ~tid << 3, per-thread (4) scheduler (2) clock.
    const auto clock = static_cast<clockid_t>((~static_cast<unsigned long>(tid) << 3) | 6);
    timespec t{};
    if (clock_gettime(clock, &t) == 0)
      times[tid] = static_cast<double>(t.tv_sec) * 1e3 + static_cast<double>(t.tv_nsec) / 1e6;
  }
  closedir(dir);
  return times;
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
    const std::map<long, double> threads_before = thread_cpu_ms();
    std::this_thread::sleep_for(std::chrono::seconds(1));
    const std::map<long, double> threads_after = thread_cpu_ms();
    const double process = cpu_ms() - before;
    double idle = 0;
    for (const auto& [tid, ms] : threads_after) {
      const auto was = threads_before.find(tid);
      idle += ms - (was == threads_before.end() ? 0.0 : was->second);
    }
    std::cout << "round " << round << ": " << idle << " ms of CPU time in the " << threads_after.size()
              << " live worker thread(s) in the 1 s after run() returned (limit " << max_idle_ms << "); whole process "
              << process << " ms; workers " << threads_before.size() << " -> " << threads_after.size() << "\n";
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
  std::cout << "OMP_WAIT_POLICY=" << (policy ? policy : "(unset)") << ": " << failures
            << " of 3 rounds over the limit\n";
  return failures == 0 ? 0 : 1;
}
