// skiff inside an application that runs its own OpenMP regions and its own
// BLAS at the same time: the results must equal a plain single-threaded
// computation of the same model, y = Relu(x W + b).
// Usage: embed_openmp_blas MODEL WEIGHTS.bin  (W: 64x32 floats, then b: 32)
#include <omp.h>
#include <skiff/skiff.h>

#include <cmath>
#include <fstream>
#include <iostream>
#include <vector>

extern "C" void cblas_sgemm(int order, int trans_a, int trans_b, int m, int n, int k, float alpha,
                            const float* a, int lda, const float* b, int ldb, float beta, float* c,
                            int ldc);

int main(int argc, char** argv) {
  if (argc != 3) {
    std::cerr << "usage: embed_openmp_blas MODEL WEIGHTS.bin\n";
    return 64;
  }
  constexpr int kIn = 64, kOut = 32, kBatch = 16;
  std::vector<float> w(kIn * kOut), b(kOut);
  std::ifstream weights(argv[2], std::ios::binary);
  weights.read(reinterpret_cast<char*>(w.data()), static_cast<std::streamsize>(w.size() * 4));
  weights.read(reinterpret_cast<char*>(b.data()), static_cast<std::streamsize>(b.size() * 4));
  if (!weights) {
    std::cerr << "cannot read " << argv[2] << "\n";
    return 1;
  }
  std::vector<float> x(kBatch * kIn);
  for (size_t i = 0; i < x.size(); ++i) x[i] = std::sin(static_cast<float>(i));

  // Reference with the application's BLAS.
  std::vector<float> want(kBatch * kOut);
  cblas_sgemm(101 /*row major*/, 111, 111, kBatch, kOut, kIn, 1.0f, x.data(), kIn, w.data(), kOut,
              0.0f, want.data(), kOut);
  for (int i = 0; i < kBatch; ++i)
    for (int j = 0; j < kOut; ++j) want[i * kOut + j] = std::max(0.0f, want[i * kOut + j] + b[j]);

  auto predictor = skiff::Predictor::create(skiff::Config(argv[1]).threads(2));
  int failures = 0;
  // The application's own parallel region calls skiff (nested under its
  // threads) and OpenBLAS at once.
#pragma omp parallel num_threads(4) reduction(+ : failures)
  {
    for (int round = 0; round < 20; ++round) {
      auto out = predictor->run({{"x", skiff::Tensor::view(skiff::DataType::kFloat, {kBatch, kIn}, x.data())}});
      std::vector<float> mine(kBatch * kOut);
      cblas_sgemm(101, 111, 111, kBatch, kOut, kIn, 1.0f, x.data(), kIn, w.data(), kOut, 0.0f,
                  mine.data(), kOut);
      const float* y = out[0].data<float>();
      for (int i = 0; i < kBatch * kOut; ++i)
        if (std::fabs(y[i] - want[i]) > 1e-4f * (1.0f + std::fabs(want[i]))) ++failures;
    }
  }
  std::cout << "threads " << omp_get_max_threads() << ", mismatches " << failures << "\n";
  return failures == 0 ? 0 : 1;
}
