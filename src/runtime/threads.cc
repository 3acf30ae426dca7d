#include "runtime/threads.h"

#include <fcntl.h>
#include <omp.h>
#include <strings.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <limits>

namespace skiff::runtime {

namespace {

// The default thread count, read before any run changes the calling
// thread's setting.
const int kDefaultThreads = omp_get_max_threads();

// Spin counts up to this (GOMP_SPINCOUNT; ~1-10 us here) put idle threads
// to sleep right after a run, like the passive policy, while still handing
// consecutive parallel regions over without a futex wake-up: MobileNetV2 at
// 2 threads on the idle 2-core VM, 1.80 ms with 1000 spins, 4.3 ms passive
// (1 thread: 3.5 ms).
constexpr long kShortSpinCount = 10000;

bool spin_from_environment() {
  const char* policy = std::getenv("OMP_WAIT_POLICY");
  if (policy && strcasecmp(policy, "passive") == 0) return false;
  const char* spin = std::getenv("GOMP_SPINCOUNT");
  if (!spin || (policy && strcasecmp(policy, "active") == 0)) return true;
  char* end = nullptr;
  const long count = std::strtol(spin, &end, 10);
  return !(end != spin && *end == '\0' && count >= 0 && count <= kShortSpinCount);
}

// Runnable threads in the whole system, this one included (the fourth field
// of /proc/loadavg, "running/total"); 0 when unknown.
int runnable_threads() {
  const int fd = ::open("/proc/loadavg", O_RDONLY | O_CLOEXEC);
  if (fd < 0) return 0;
  char text[128];
  const ssize_t n = ::read(fd, text, sizeof text - 1);
  ::close(fd);
  if (n <= 0) return 0;
  text[n] = '\0';
  const char* p = text;
  for (int field = 0; field < 3 && p; ++field) {
    while (*p && *p != ' ') ++p;
    while (*p == ' ') ++p;
  }
  return static_cast<int>(std::strtol(p, nullptr, 10));
}

// runnable_threads(), read at most once a millisecond: a read costs 6-8 us,
// 2% of the PaddleOCR classifier's run.
int recent_runnable_threads() {
  static std::atomic<int64_t> read_at{0};
  static std::atomic<int> runnable{0};
  const int64_t now = std::chrono::duration_cast<std::chrono::microseconds>(
                          std::chrono::steady_clock::now().time_since_epoch()).count();
  if (now - read_at.load(std::memory_order_relaxed) < 1000) return runnable.load(std::memory_order_relaxed);
  const int value = runnable_threads();
  runnable.store(value, std::memory_order_relaxed);
  read_at.store(now, std::memory_order_relaxed);
  return value;
}

}  // namespace

bool openmp_threads_spin() {
  static const bool spin = spin_from_environment();
  return spin;
}

int threads_for_run(int requested, bool adaptive) {
  int threads = requested > 0 ? requested : kDefaultThreads;
  if (threads <= 1 || !adaptive || !openmp_threads_spin()) return threads;
  const int others = recent_runnable_threads() - 1;
  const int idle = static_cast<int>(sysconf(_SC_NPROCESSORS_ONLN)) - (others > 0 ? others : 0);
  if (idle < threads) threads = idle > 1 ? idle : 1;
  return threads;
}

int ThreadChooser::pick(uint64_t signature, int threads) {
  if (threads <= 1) return 1;
  std::lock_guard<std::mutex> lock(mutex_);
  // Bounded like the caches: a model fed endless shapes starts over.
  if (stats_.size() > 1024) stats_.clear();
  Stats& s = stats_[signature];
  const int64_t run = s.runs++;
  // N threads, then one, until each has two measured runs (three in a row:
  // the first builds).
  if (s.many.recorded() < 2) return threads;
  if (s.one.recorded() < 2) return 1;
  // More threads must win clearly: a tie (a model too small to share, whose
  // steps all run on one thread anyway) goes to one thread, which pays no
  // thread hand-over and leaves the other core to other work.
  const bool many_faster = s.many.median_us() < s.one.median_us() * kManyMargin;
  const int choice = many_faster ? threads : 1;
  bool explore = s.burst_left > 0;
  if (explore) {
    --s.burst_left;
  } else if (run >= s.next_explore) {
    explore = true;
    s.burst_left = kBurst - 1;
    s.interval = choice == s.choice ? std::min(s.interval * 2, kExploreMax) : kExplore;
    s.choice = choice;
    s.next_explore = run + s.interval;
  }
  return many_faster != explore ? threads : 1;
}

void ThreadChooser::record(uint64_t signature, int threads_used, double us) {
  std::lock_guard<std::mutex> lock(mutex_);
  auto it = stats_.find(signature);
  if (it == stats_.end()) return;
  Stats& s = it->second;
  Arm& arm = threads_used > 1 ? s.many : s.one;
  const bool after_switch = s.last_threads != threads_used;
  s.last_threads = threads_used;
  // The first run of a count always follows a switch (or no run at all), so
  // the run that builds its state is never measured either. The newest run
  // replaces the oldest: a change in load shows after three measured runs of
  // a count, and one or two outliers move nothing.
  if (after_switch) return;
  arm.recent_us[arm.measured++ % kRecent] = us;
  // An explored run faster than the chosen count: explore often again.
  const Arm& chosen = s.choice > 1 ? s.many : s.one;
  const double margin = threads_used > 1 ? kManyMargin : 1 / kManyMargin;
  if (s.choice != 0 && (threads_used > 1) != (s.choice > 1) && us < chosen.median_us() * margin) {
    s.interval = kExplore;
    s.next_explore = std::min(s.next_explore, s.runs + kExplore);
  }
}

double ThreadChooser::Arm::median_us() const {
  // Unfilled slots sort last as +inf, so the median of the n filled ones
  // is at n / 2 (a fixed-size sort: GCC 12 misreads a variable bound).
  std::array<double, kRecent> sorted;
  sorted.fill(std::numeric_limits<double>::infinity());
  const int n = recorded();
  std::copy_n(recent_us, n, sorted.begin());
  std::sort(sorted.begin(), sorted.end());
  return n == 0 ? 0 : sorted[static_cast<size_t>(n / 2)];
}

RunThreads::RunThreads(int threads) : saved_(omp_get_max_threads()), threads_(threads) {
  omp_set_num_threads(threads);
}

RunThreads::~RunThreads() {
  omp_set_num_threads(saved_);
  // Ends this thread's pool (not other callers'); the next parallel region
  // starts new threads. A no-op inside an enclosing parallel region.
  if (threads_ > 1 && openmp_threads_spin()) omp_pause_resource_all(omp_pause_soft);
}

}  // namespace skiff::runtime
