// The thread policy of one run: how many OpenMP threads it uses, and that
// no thread spins after it returns.
//
// libgomp's idle threads spin (~3 ms here) before they sleep, unless
// OMP_WAIT_POLICY=passive was in the environment when it loaded; a library
// cannot change that afterwards. Spinning makes consecutive parallel regions
// cheap on an idle machine, but on a busy one a spinning thread takes the
// core a working one needs (MobileNetV3 at 2 threads, 9 runnable processes
// on 2 cores: 4.5 ms passive, 1256 ms spinning). So when the threads spin,
// a run uses only the cores other processes leave idle, and afterwards ends
// its worker threads (omp_pause_resource) instead of letting them spin.
//
// Whether N threads beat one depends on the model and on the machine's load
// in ways no rule predicts (2-core VM shared with builds: under ~4 runnable
// processes MobileNetV3 took 5.6 ms on 2 threads, 3.5 ms on 1; under ~9,
// ResNet-50 took 35 ms on 2 threads, 68 ms on 1, the second thread doubling
// the process's share of the CPUs). So a ThreadChooser measures both.
#pragma once

#include <algorithm>
#include <cstdint>
#include <mutex>
#include <unordered_map>

namespace skiff::runtime {

// True when libgomp's idle threads spin before sleeping (the environment
// at load asked neither for OMP_WAIT_POLICY=passive nor for a short
// GOMP_SPINCOUNT, <= 10000: threads then sleep microseconds after a run).
bool openmp_threads_spin();

// Threads for a run asked for `requested` (0: the process default).
// With `adaptive` and spinning threads, capped by the cores not taken by
// other runnable threads (/proc/loadavg) right now; at least 1.
int threads_for_run(int requested, bool adaptive);

// Picks 1 or N threads for each run of one input-shape signature by the
// latencies it measured: mostly the faster; now and then kBurst runs in a
// row with the other, so a change in load is noticed: kExplore runs apart
// at first, twice as far each time the choice held (up to kExploreMax),
// and kExplore again once an explored run beats the choice. Each burst
// costs (the runs at the slower count, and the first run back, which finds
// its caches cold): with a burst every 32 runs the PaddleOCR classifier at
// --threads 2 ran 3-8% slower than at 1 thread, both counts being equally
// fast. Only a run that
// follows a run with the same count is measured: the first after a switch
// finds that count's primitives and the worker's caches cold, and measuring
// it made the count explored once in a while look slower than it is
// (MobileNetV3 at --threads 2 settled on 1 thread, 3.16 ms, where 2 threads
// in a row take 2.65 ms). The first run of each count (it builds shape- and
// thread-specific state) is never measured. Thread-safe.
class ThreadChooser {
 public:
  static constexpr int64_t kExplore = 32;
  static constexpr int64_t kExploreMax = 256;
  static constexpr int kBurst = 2;
  // N threads are chosen only when at least 3% faster than one.
  static constexpr double kManyMargin = 0.97;

  // Thread count for the next run of `signature`, given at most `threads`.
  int pick(uint64_t signature, int threads);
  void record(uint64_t signature, int threads_used, double us);

 private:
  // The latencies each count is judged by: the median of its last
  // kRecent measured runs. A mean let one stalled run (the other core taken
  // by another process for a moment) flip the choice against a 3% margin.
  static constexpr int kRecent = 5;
  struct Arm {
    int64_t measured = 0;  // runs measured, the latest kRecent in recent_us
    double recent_us[kRecent] = {};
    int recorded() const { return static_cast<int>(std::min<int64_t>(measured, kRecent)); }
    double median_us() const;
  };
  struct Stats {
    Arm one, many;
    int64_t runs = 0;
    int last_threads = 0;  // the count of the last recorded run (0: none yet)
    int burst_left = 0;    // runs left in the current exploration
    int64_t interval = kExplore, next_explore = kExplore;  // runs between bursts; the next one's run
    int choice = 0;        // the count chosen at the last burst (0: none yet)
  };
  std::mutex mutex_;
  std::unordered_map<uint64_t, Stats> stats_;
};

// Sets the calling thread's OpenMP thread count for one run and, on
// destruction, restores it and ends the worker threads if they would spin.
class RunThreads {
 public:
  explicit RunThreads(int threads);
  ~RunThreads();
  RunThreads(const RunThreads&) = delete;
  RunThreads& operator=(const RunThreads&) = delete;

 private:
  int saved_, threads_;
};

}  // namespace skiff::runtime
