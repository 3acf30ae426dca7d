// Y[M,N] = X[M,K]·W^T + bias with a constant W packed once, for kernels
// outside the region builder that need one big oneDNN product (the input
// projection of the fast LSTM/GRU path, engines/native/rnn_fast.h).
//
// W is reordered into the layout oneDNN's matmul prefers when the object is
// made and shared by every call and thread. Primitives depend on M and on
// the thread count, so they are cached per (M, threads) in a small LRU
// (kCapacity entries) under a mutex: dynamic sequence lengths neither rebuild
// a primitive on every call nor grow memory without bound. Measured with
// oneDNN 2.6 at 1 thread (M=128, N=1024, K=128): a fixed-M brgemm primitive
// runs at 1.8x the speed of one primitive with a runtime M (jit gemm).
#pragma once

#include <cstdint>
#include <list>
#include <memory>
#include <mutex>
#include <utility>

namespace skiff::dnnl_engine {

class PackedMatmul {
 public:
  static constexpr size_t kCapacity = 8;

  // w: [N, K] row-major; bias: N values or nullptr. Both are copied.
  PackedMatmul(const float* w, int64_t n, int64_t k, const float* bias);
  ~PackedMatmul();
  PackedMatmul(const PackedMatmul&) = delete;
  PackedMatmul& operator=(const PackedMatmul&) = delete;

  int64_t n() const { return n_; }
  int64_t k() const { return k_; }
  // y[M, N] (row stride N) = x[M, K] (row stride K)·W^T + bias. Thread-safe.
  void run(const float* x, int64_t m, float* y) const;

 private:
  struct Impl;
  struct Entry;
  std::shared_ptr<const Entry> entry(int64_t m, int threads) const;

  int64_t n_, k_;
  std::unique_ptr<Impl> impl_;
  mutable std::mutex mutex_;
  mutable std::list<std::pair<std::pair<int64_t, int>, std::shared_ptr<const Entry>>> lru_;
};

}  // namespace skiff::dnnl_engine
