// Parallel loops on OpenMP, the runtime Debian's oneDNN uses, so that skiff
// and oneDNN share one thread pool. The thread count is OpenMP's per-thread
// setting, which the executor sets for each run.
//
// The body must not throw: an exception cannot leave an OpenMP region.
// Validate (and throw) before the loop.
#pragma once

#include <omp.h>

#include <cstdint>

namespace skiff {

inline int max_threads() { return omp_get_max_threads(); }

// Calls f(begin, end) on disjoint chunks covering [0, n). Runs inline when
// the work (n * cost_per_item, roughly in nanoseconds) is too small to pay
// for waking the other threads.
template <class F>
void parallel_for(int64_t n, int64_t cost_per_item, F&& f) {
  if (n <= 0) return;
  const int64_t work = n * (cost_per_item > 0 ? cost_per_item : 1);
  const int threads = max_threads();
  if (threads <= 1 || n == 1 || work < 20000) {
    f(int64_t{0}, n);
    return;
  }
#pragma omp parallel num_threads(threads)
  {
    const int64_t t = omp_get_thread_num();
    const int64_t nt = omp_get_num_threads();
    const int64_t chunk = (n + nt - 1) / nt;
    const int64_t begin = t * chunk;
    const int64_t end = begin + chunk < n ? begin + chunk : n;
    if (begin < end) f(begin, end);
  }
}

}  // namespace skiff
