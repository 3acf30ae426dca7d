#include "runtime/memory_plan.h"

#include <algorithm>
#include <cstdlib>
#include <new>

#include "core/pages.h"

namespace skiff::runtime {

namespace {
constexpr size_t kAlign = 64;
constexpr size_t kMappedArena = size_t{1} << 20;
}

std::shared_ptr<const MemoryPattern> MemoryPattern::plan(std::vector<Allocation> allocations) {
  auto pattern = std::make_shared<MemoryPattern>();
  const size_t n = allocations.size();
  std::vector<size_t> order(n);
  for (size_t i = 0; i < n; ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return allocations[a].bytes > allocations[b].bytes; });
  std::vector<size_t> offsets(n, 0);
  std::vector<size_t> placed;
  size_t arena = 0;
  for (size_t i : order) {
    const Allocation& a = allocations[i];
    // Address ranges of placed allocations live at the same time, sorted.
    std::vector<std::pair<size_t, size_t>> busy;
    for (size_t j : placed) {
      const Allocation& b = allocations[j];
      if (a.first <= b.last && b.first <= a.last) busy.emplace_back(offsets[j], offsets[j] + b.bytes);
    }
    std::sort(busy.begin(), busy.end());
    size_t offset = 0;
    for (const auto& [begin, end] : busy) {
      if (offset + a.bytes <= begin) break;
      offset = std::max(offset, end);
    }
    offsets[i] = offset;
    arena = std::max(arena, offset + a.bytes);
    placed.push_back(i);
  }
  pattern->overlaps.resize(n);
  for (size_t i = 0; i < n; ++i)
    for (size_t j = 0; j < n; ++j)
      if (i != j && offsets[i] < offsets[j] + allocations[j].bytes &&
          offsets[j] < offsets[i] + allocations[i].bytes)
        pattern->overlaps[i].push_back(static_cast<int>(j));
  for (size_t i = 0; i < n; ++i)
    pattern->index[key(allocations[i].step, allocations[i].output)] = static_cast<int>(i);
  pattern->allocations = std::move(allocations);
  pattern->offsets = std::move(offsets);
  pattern->arena_bytes = arena;
  return pattern;
}

size_t ArenaPool::capacity_for(size_t bytes) {
  bytes = std::max<size_t>((bytes + kAlign - 1) / kAlign * kAlign, kAlign);
  // Size classes 2^k and 1.5 * 2^k: at most half again what was asked, and
  // every request finds a class within [bytes, 2 * bytes].
  size_t power = kAlign;
  while (power < bytes) power <<= 1;
  const size_t three_quarters = power / 4 * 3;
  return three_quarters >= bytes && three_quarters % kAlign == 0 ? three_quarters : power;
}

std::shared_ptr<char> ArenaPool::acquire(size_t bytes, size_t most) {
  bytes = std::max<size_t>((bytes + kAlign - 1) / kAlign * kAlign, kAlign);
  std::shared_ptr<void> storage;
  size_t size = 0;
  {
    std::lock_guard<std::mutex> lock(shared_->mutex);
    shared_->max_idle = max_idle_;
    auto& idle = shared_->idle;
    // The smallest idle buffer that is big enough.
    auto best = idle.end();
    for (auto it = idle.begin(); it != idle.end(); ++it)
      if (it->first >= bytes && it->first <= most && (best == idle.end() || it->first < best->first)) best = it;
    if (best != idle.end()) {
      size = best->first;
      storage = std::move(best->second);
      idle.erase(best);
    }
  }
  if (!storage) {
    // A new buffer gets its size class, so that a slightly larger request
    // later (the next width of a dynamic-shape stream) reuses it instead of
    // mapping fresh pages.
    size = std::min(capacity_for(bytes), std::max(most, bytes));
    // Buffers of a MiB and more are mapped on huge pages (core/pages.h).
    if (size >= kMappedArena) {
      storage = allocate_mapped(size);
    } else {
      void* p = std::aligned_alloc(kAlign, size);
      if (!p) throw std::bad_alloc();
      storage = std::shared_ptr<void>(p, [](void* q) { std::free(q); });
    }
  }
  char* buffer = static_cast<char*>(storage.get());
  std::weak_ptr<Shared> pool = shared_;
  return std::shared_ptr<char>(buffer, [pool, size, storage = std::move(storage)](char*) mutable {
    std::shared_ptr<void> evicted;  // freed after the lock is released
    if (auto shared = pool.lock()) {
      std::lock_guard<std::mutex> lock(shared->mutex);
      if (shared->max_idle == 0) return;
      // The least recently returned buffer makes room: the sizes a stream
      // uses now are the ones it will ask for next.
      if (shared->idle.size() >= shared->max_idle) {
        evicted = std::move(shared->idle.front().second);
        shared->idle.erase(shared->idle.begin());
      }
      shared->idle.emplace_back(size, std::move(storage));
    }
  });
}

std::shared_ptr<const MemoryPattern> PatternCache::find(const std::vector<int64_t>& signature) {
  std::lock_guard<std::mutex> lock(mutex_);
  auto it = entries_.find(signature);
  if (it == entries_.end()) return nullptr;
  order_.splice(order_.begin(), order_, it->second.second);
  return it->second.first;
}

void PatternCache::insert(const std::vector<int64_t>& signature,
                          std::shared_ptr<const MemoryPattern> pattern) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (capacity_ == 0 || entries_.count(signature)) return;
  while (entries_.size() >= capacity_) {
    entries_.erase(order_.back());
    order_.pop_back();
  }
  order_.push_front(signature);
  entries_[signature] = {std::move(pattern), order_.begin()};
}

size_t PatternCache::size() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return entries_.size();
}

}  // namespace skiff::runtime
