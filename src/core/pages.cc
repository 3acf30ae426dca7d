#include "core/pages.h"

#include <sys/mman.h>

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <mutex>

#include "core/error.h"

namespace skiff {

namespace {

constexpr size_t kPage = 4096;
// allocate_packed carves chunks of 4 huge pages; buffers over one huge page
// get their own mapping. A buffer that does not fit the chunk's rest starts
// a new chunk; the old rest stays unused (address space, and at most the
// unused part of one huge page already faulted in).
constexpr size_t kChunk = 4 * kHugePage;

// SKIFF_HUGE_PAGES=0 turns the advice off (to measure what it brings).
bool huge_pages_wanted() {
  const char* v = std::getenv("SKIFF_HUGE_PAGES");
  return !v || std::strcmp(v, "0") != 0;
}

}  // namespace

std::shared_ptr<void> allocate_mapped(size_t bytes) {
  const size_t size = (std::max<size_t>(bytes, 1) + kPage - 1) / kPage * kPage;
  // Over-map by one huge page and trim both ends, so that the range starts
  // on a 2 MiB boundary: only whole aligned 2 MiB spans get huge pages.
  const size_t span = size + kHugePage;
  void* raw = mmap(nullptr, span, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (raw == MAP_FAILED) fail(ErrorCode::kRuntime, "out of memory mapping ", bytes, " bytes");
  char* begin = static_cast<char*>(raw);
  char* aligned = reinterpret_cast<char*>((reinterpret_cast<uintptr_t>(begin) + kHugePage - 1) & ~(kHugePage - 1));
  if (aligned > begin) munmap(begin, static_cast<size_t>(aligned - begin));
  if (begin + span > aligned + size) munmap(aligned + size, static_cast<size_t>(begin + span - (aligned + size)));
#ifdef MADV_HUGEPAGE
  // Advice only: without THP the mapping works all the same.
  if (huge_pages_wanted()) madvise(aligned, size, MADV_HUGEPAGE);
#endif
  return std::shared_ptr<void>(aligned, [size](void* p) { munmap(p, size); });
}

std::shared_ptr<void> allocate_packed(size_t bytes) {
  bytes = (std::max<size_t>(bytes, 1) + 63) / 64 * 64;
  if (bytes > kHugePage) return allocate_mapped(bytes);
  static std::mutex mutex;
  static std::shared_ptr<void> chunk;  // the chunk being filled
  static size_t used = kChunk;
  std::lock_guard<std::mutex> lock(mutex);
  if (used + bytes > kChunk) {
    chunk = allocate_mapped(kChunk);
    used = 0;
  }
  char* p = static_cast<char*>(chunk.get()) + used;
  used += bytes;
  return std::shared_ptr<void>(chunk, p);  // shares the chunk's ownership
}

}  // namespace skiff
