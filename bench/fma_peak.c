/* Single-thread FMA peak of this CPU, for bench/race.py's "% of peak".
 *
 *   cc -O2 -mavx2 -mfma -mavx512f bench/fma_peak.c -o fma_peak && ./fma_peak
 *
 * Prints GFLOP/s (2 flops per lane per FMA) for 256-bit (AVX2) and, when the
 * CPU has it, 512-bit (AVX-512) FMAs: 12 independent accumulators hide the
 * FMA latency; the best of several 0.2 s trials is reported. */
#include <immintrin.h>
#include <stdio.h>
#include <time.h>

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec + t.tv_nsec * 1e-9;
}

#define REPEAT12(X) X(0) X(1) X(2) X(3) X(4) X(5) X(6) X(7) X(8) X(9) X(10) X(11)

__attribute__((target("avx2,fma"))) static double avx2_trial(long iterations) {
  __m256 a = _mm256_set1_ps(0.999f), b = _mm256_set1_ps(1e-6f);
#define DECL(i) __m256 acc##i = _mm256_set1_ps((float)i);
  REPEAT12(DECL)
#undef DECL
  double start = now();
  for (long n = 0; n < iterations; ++n) {
#define STEP(i) acc##i = _mm256_fmadd_ps(acc##i, a, b);
    REPEAT12(STEP)
#undef STEP
  }
  double seconds = now() - start;
  float sink = 0;
#define SUM(i) sink += _mm256_cvtss_f32(acc##i);
  REPEAT12(SUM)
#undef SUM
  if (sink == 12345.f) puts("");
  return 12.0 * 8 * 2 * iterations / seconds / 1e9;
}

__attribute__((target("avx512f"))) static double avx512_trial(long iterations) {
  __m512 a = _mm512_set1_ps(0.999f), b = _mm512_set1_ps(1e-6f);
#define DECL(i) __m512 acc##i = _mm512_set1_ps((float)i);
  REPEAT12(DECL)
#undef DECL
  double start = now();
  for (long n = 0; n < iterations; ++n) {
#define STEP(i) acc##i = _mm512_fmadd_ps(acc##i, a, b);
    REPEAT12(STEP)
#undef STEP
  }
  double seconds = now() - start;
  float sink = 0;
#define SUM(i) sink += _mm512_reduce_add_ps(acc##i);
  REPEAT12(SUM)
#undef SUM
  if (sink == 12345.f) puts("");
  return 12.0 * 16 * 2 * iterations / seconds / 1e9;
}

int main(void) {
  double avx2 = 0, avx512 = 0;
  for (int trial = 0; trial < 10; ++trial) {
    double g = avx2_trial(20000000);
    if (g > avx2) avx2 = g;
  }
  __builtin_cpu_init();
  if (__builtin_cpu_supports("avx512f"))
    for (int trial = 0; trial < 10; ++trial) {
      double g = avx512_trial(10000000);
      if (g > avx512) avx512 = g;
    }
  printf("{\"avx2_gflops\": %.1f, \"avx512_gflops\": %.1f}\n", avx2, avx512);
  return 0;
}
