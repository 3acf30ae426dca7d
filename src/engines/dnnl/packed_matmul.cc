#include "engines/dnnl/packed_matmul.h"

#include <omp.h>

#include <cstdint>
#include <unordered_map>
#include <vector>

#include "core/error.h"
#include "engines/dnnl/common.h"

namespace skiff::dnnl_engine {

struct PackedMatmul::Impl {
  md weights_desc;  // the packed layout every primitive is created for
  dnnl::memory weights, bias;
};

struct PackedMatmul::Entry {
  dnnl::matmul primitive;
  size_t scratch_bytes = 0;
};

namespace {

dnnl::matmul::primitive_desc matmul_pd(int64_t m, int64_t n, int64_t k, const md& weights) {
  dnnl::primitive_attr attr;
  attr.set_scratchpad_mode(dnnl::scratchpad_mode::user);
  const dnnl::matmul::desc desc(md({m, k}, dt::f32, tag::ab), weights, md({1, n}, dt::f32, tag::ab),
                                md({m, n}, dt::f32, tag::ab));
  return dnnl::matmul::primitive_desc(desc, attr, cpu_engine());
}

}  // namespace

PackedMatmul::PackedMatmul(const float* w, int64_t n, int64_t k, const float* bias)
    : n_(n), k_(k), impl_(std::make_unique<Impl>()) {
  // oneDNN picks the same weights layout for every M (checked for M from 1
  // to 5000 and the RNN shapes), so one packed copy serves every primitive.
  impl_->weights_desc = matmul_pd(1, n, k, md({k, n}, dt::f32, tag::any)).weights_desc();
  impl_->weights = dnnl::memory(impl_->weights_desc, cpu_engine());
  // W [N, K] row-major is the [K, N] matrix in `ba` order.
  dnnl::memory source(md({k, n}, dt::f32, tag::ba), cpu_engine(), const_cast<float*>(w));
  dnnl::stream stream(cpu_engine());
  dnnl::reorder(source, impl_->weights).execute(stream, source, impl_->weights);
  stream.wait();
  impl_->bias = dnnl::memory(md({1, n}, dt::f32, tag::ab), cpu_engine());
  float* b = static_cast<float*>(impl_->bias.get_data_handle());
  for (int64_t j = 0; j < n; ++j) b[j] = bias ? bias[j] : 0.0f;
}

PackedMatmul::~PackedMatmul() = default;

std::shared_ptr<const PackedMatmul::Entry> PackedMatmul::entry(int64_t m, int threads) const {
  const std::pair<int64_t, int> key{m, threads};
  {
    std::lock_guard<std::mutex> lock(mutex_);
    for (auto it = lru_.begin(); it != lru_.end(); ++it)
      if (it->first == key) {
        lru_.splice(lru_.begin(), lru_, it);
        return it->second;
      }
  }
  // Built outside the lock: creation takes a while and two threads racing
  // for the same key only build it twice.
  auto made = std::make_shared<Entry>();
  try {
    const dnnl::matmul::primitive_desc pd = matmul_pd(m, n_, k_, impl_->weights_desc);
    made->primitive = dnnl::matmul(pd);
    made->scratch_bytes = pd.scratchpad_desc().get_size();
  } catch (const dnnl::error& e) {
    fail(ErrorCode::kRuntime, "oneDNN matmul [", m, ", ", k_, "] x [", k_, ", ", n_, "]: ", e.what());
  }
  std::lock_guard<std::mutex> lock(mutex_);
  lru_.emplace_front(key, made);
  while (lru_.size() > kCapacity) lru_.pop_back();
  return made;
}

void PackedMatmul::run(const float* x, int64_t m, float* y) const {
  if (m <= 0) return;
  const std::shared_ptr<const Entry> e = entry(m, omp_get_max_threads());
  // oneDNN wants its scratchpad 64-byte aligned.
  std::vector<char> scratch(e->scratch_bytes + 64);
  void* aligned = scratch.data() + (64 - reinterpret_cast<uintptr_t>(scratch.data()) % 64) % 64;
  dnnl::memory src(md({m, k_}, dt::f32, tag::ab), cpu_engine(), const_cast<float*>(x));
  dnnl::memory dst(md({m, n_}, dt::f32, tag::ab), cpu_engine(), y);
  std::unordered_map<int, dnnl::memory> args{{DNNL_ARG_SRC, src},
                                              {DNNL_ARG_WEIGHTS, impl_->weights},
                                              {DNNL_ARG_BIAS, impl_->bias},
                                              {DNNL_ARG_DST, dst}};
  if (e->scratch_bytes > 0)
    args.emplace(DNNL_ARG_SCRATCHPAD,
                 dnnl::memory(md({static_cast<int64_t>(e->scratch_bytes)}, dt::u8, tag::a), cpu_engine(), aligned));
  dnnl::stream stream(cpu_engine());
  e->primitive.execute(stream, args);
  stream.wait();
}

}  // namespace skiff::dnnl_engine
