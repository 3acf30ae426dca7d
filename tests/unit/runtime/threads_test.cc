#include "runtime/threads.h"

#include <gtest/gtest.h>
#include <omp.h>
#include <unistd.h>

#include <thread>

namespace skiff::runtime {

namespace {

TEST(Threads, FixedCountIsTheRequestedOne) {
  EXPECT_EQ(threads_for_run(1, false), 1);
  EXPECT_EQ(threads_for_run(3, false), 3);
  EXPECT_EQ(threads_for_run(1, true), 1);
}

TEST(Threads, AdaptiveCountStaysBetweenOneAndTheRequest) {
  const int cores = static_cast<int>(sysconf(_SC_NPROCESSORS_ONLN));
  for (int asked : {2, 4, 64}) {
    const int t = threads_for_run(asked, true);
    EXPECT_GE(t, 1);
    EXPECT_LE(t, std::min(asked, cores)) << "asked " << asked;
  }
}

TEST(Threads, DefaultIsOpenMPsDefaultNotTheCallersLastSetting) {
  // A fresh thread sees OpenMP's initial setting.
  int initial = 0;
  std::thread([&] { initial = omp_get_max_threads(); }).join();
  omp_set_num_threads(1);
  EXPECT_EQ(threads_for_run(0, false), initial);
  omp_set_num_threads(initial);
}

TEST(Threads, RunThreadsRestoresTheCallersSetting) {
  omp_set_num_threads(3);
  {
    const RunThreads run(1);
    EXPECT_EQ(omp_get_max_threads(), 1);
  }
  EXPECT_EQ(omp_get_max_threads(), 3);
  {
    const RunThreads run(2);
    int seen = 0;
#pragma omp parallel
#pragma omp single
    seen = omp_get_num_threads();
    EXPECT_EQ(seen, 2);
  }
  EXPECT_EQ(omp_get_max_threads(), 3);
  // A parallel region after the workers were ended starts them again.
  int seen = 0;
  omp_set_num_threads(2);
#pragma omp parallel
#pragma omp single
  seen = omp_get_num_threads();
  EXPECT_EQ(seen, 2);
}

}  // namespace

}  // namespace skiff::runtime
