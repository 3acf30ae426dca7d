// The memory plan: the first run with a given input-shape signature records
// every output allocation and how long it lives; the plan then gives each one
// an offset in a single arena so that allocations whose lifetimes do not
// overlap share memory. Later runs with that signature take one arena from a
// pool instead of hundreds of heap allocations (and the page faults of fresh
// large buffers). Graph outputs never live in the arena: the caller owns them.
#pragma once

#include <cstddef>
#include <cstdint>
#include <list>
#include <map>
#include <memory>
#include <mutex>
#include <unordered_map>
#include <vector>

namespace skiff::runtime {

struct Allocation {
  int step;      // the step that allocated it
  int output;    // which output of that step
  size_t bytes;  // rounded up to the arena alignment
  int first;     // live from this step...
  int last;      // ...through this one (inclusive)
};

struct MemoryPattern {
  std::vector<Allocation> allocations;
  std::vector<size_t> offsets;              // per allocation
  std::vector<std::vector<int>> overlaps;   // allocations sharing address range with each
  std::unordered_map<int64_t, int> index;   // key(step, output) -> allocation
  size_t arena_bytes = 0;

  static int64_t key(int step, int output) { return (static_cast<int64_t>(step) << 16) | output; }
  // Greedy best-offset placement, largest first: an allocation goes at the
  // lowest offset where it overlaps no placed allocation that is live at the
  // same time.
  static std::shared_ptr<const MemoryPattern> plan(std::vector<Allocation> allocations);
};

// Buffers reused across runs: arenas, and the large heap allocations of a
// run (graph outputs above all). A buffer returns to the pool when the last
// tensor using it is gone, even after the pool itself (then it is freed).
// Thread-safe.
class ArenaPool {
 public:
  // 8 idle buffers: the recognizer's outputs for widths 64 to 1024 span 8
  // size classes; with 4, every round of such a stream evicted some and
  // faulted them in again (~40 faults on a call after another width).
  explicit ArenaPool(size_t max_idle = 8) : max_idle_(max_idle) {}
  // At least `bytes`, 64-byte aligned: the smallest idle buffer that is big
  // enough and at most `most` bytes, else a new one of capacity_for(bytes)
  // (capped at `most`). Idle buffers beyond max_idle: the least recently
  // returned is freed.
  std::shared_ptr<char> acquire(size_t bytes, size_t most = SIZE_MAX);
  // The size class a new buffer gets: 2^k or 1.5 * 2^k, the smallest that
  // holds `bytes` (rounded to 64).
  static size_t capacity_for(size_t bytes);

 private:
  struct Shared {
    std::mutex mutex;
    std::vector<std::pair<size_t, std::shared_ptr<void>>> idle;  // bytes, storage
    size_t max_idle;
  };
  size_t max_idle_;
  std::shared_ptr<Shared> shared_ = std::make_shared<Shared>();
};

// Patterns by input-shape signature, least recently used dropped first.
class PatternCache {
 public:
  explicit PatternCache(size_t capacity) : capacity_(capacity) {}
  std::shared_ptr<const MemoryPattern> find(const std::vector<int64_t>& signature);
  void insert(const std::vector<int64_t>& signature, std::shared_ptr<const MemoryPattern> pattern);
  size_t size() const;

 private:
  mutable std::mutex mutex_;
  size_t capacity_;
  std::list<std::vector<int64_t>> order_;  // most recent first
  std::map<std::vector<int64_t>, std::pair<std::shared_ptr<const MemoryPattern>,
                                           std::list<std::vector<int64_t>>::iterator>>
      entries_;
};

}  // namespace skiff::runtime
