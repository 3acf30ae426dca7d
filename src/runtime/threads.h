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
#pragma once

namespace skiff::runtime {

// True when libgomp's idle threads spin before sleeping (the environment
// at load did not ask for OMP_WAIT_POLICY=passive or GOMP_SPINCOUNT=0).
bool openmp_threads_spin();

// Threads for a run asked for `requested` (0: the process default).
// With `adaptive` and spinning threads, capped by the cores not taken by
// other runnable threads (/proc/loadavg) right now; at least 1.
int threads_for_run(int requested, bool adaptive);

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
