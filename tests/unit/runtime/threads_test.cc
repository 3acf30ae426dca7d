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

namespace skiff::runtime {

namespace {

// Feeds the chooser a fixed latency per thread count and counts its picks.
int picks_of_many(ThreadChooser& chooser, uint64_t signature, double one_us, double many_us, int runs) {
  int many = 0;
  for (int r = 0; r < runs; ++r) {
    const int t = chooser.pick(signature, 2);
    many += t > 1;
    chooser.record(signature, t, t > 1 ? many_us : one_us);
  }
  return many;
}

// Runs at the count not chosen, over `runs` runs after the first six.
constexpr int explored(int runs) { return (runs / static_cast<int>(ThreadChooser::kExplore) + 1) * ThreadChooser::kBurst; }

TEST(ThreadChooser, PicksTheFasterCountAndStillTriesTheOther) {
  ThreadChooser chooser;
  // The first six runs: three with 2 threads, three with 1 (the first of
  // each builds); then bursts of kBurst runs go to the slower count.
  const int many = picks_of_many(chooser, 1, 100, 60, 166);
  EXPECT_GE(many, 3 + 160 - explored(160));
  EXPECT_LT(many, 3 + 160);
  const int many_when_slow = picks_of_many(chooser, 2, 60, 100, 166);
  EXPECT_LE(many_when_slow, 3 + explored(160));
  EXPECT_GT(many_when_slow, 3);
}

TEST(ThreadChooser, FollowsAChangeOfLoad) {
  ThreadChooser chooser;
  picks_of_many(chooser, 7, 100, 60, 100);  // 2 threads faster
  picks_of_many(chooser, 7, 100, 300, 100);  // then 3x slower: measured at once
  EXPECT_LE(picks_of_many(chooser, 7, 100, 300, 64), explored(64));
  picks_of_many(chooser, 7, 100, 60, 200);  // then faster again: exploration notices
  EXPECT_GE(picks_of_many(chooser, 7, 100, 60, 64), 64 - explored(64));
}

TEST(ThreadChooser, ARunAfterASwitchOfCountIsNotMeasured) {
  // 2 threads take 60 us in a row but 150 us right after a 1-thread run
  // (their primitives and the worker's caches gone cold); 1 thread 100 us.
  // Judged by the runs that follow a switch, 2 threads would lose.
  ThreadChooser chooser;
  int many = 0, last = 0;
  for (int r = 0; r < 166; ++r) {
    const int t = chooser.pick(11, 2);
    many += t > 1;
    chooser.record(11, t, t == 1 ? 100 : last == 2 ? 60 : 150);
    last = t;
  }
  EXPECT_GE(many, 3 + 160 - explored(160));
}

TEST(ThreadChooser, TwoStalledRunsDoNotFlipTheChoice) {
  // 2 threads 10% faster; then two 2-thread runs stall (the other core was
  // taken for a moment): the choice stays on 2 threads.
  ThreadChooser chooser;
  picks_of_many(chooser, 9, 100, 90, 40);
  for (int stalled = 0; stalled < 2; ++stalled) {
    ASSERT_EQ(chooser.pick(9, 2), 2);
    chooser.record(9, 2, 1000);
  }
  EXPECT_GE(picks_of_many(chooser, 9, 100, 90, 15), 14);
}

TEST(ThreadChooser, ExplorationBacksOffWhileTheChoiceHolds) {
  // 2 threads always faster: bursts of 1-thread runs at runs 32, 96, 224,
  // 480, 736 and 992 (the interval doubling to kExploreMax), not every 32
  // runs (31 bursts).
  ThreadChooser chooser;
  const int many = picks_of_many(chooser, 13, 100, 60, 1000);
  EXPECT_GE(many, 1000 - 3 - 7 * ThreadChooser::kBurst);
  EXPECT_LT(many, 1000 - 3);
}

TEST(ThreadChooser, ATieGoesToOneThread) {
  ThreadChooser chooser;
  EXPECT_LE(picks_of_many(chooser, 5, 100, 99, 166), 3 + explored(160));
}

TEST(ThreadChooser, OneThreadAskedIsOneThread) {
  ThreadChooser chooser;
  for (int r = 0; r < 10; ++r) EXPECT_EQ(chooser.pick(3, 1), 1);
}

}  // namespace

}  // namespace skiff::runtime
