#include "core/pages.h"

#include <gtest/gtest.h>
#include <sys/mman.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <string>
#include <vector>

namespace skiff {
namespace {

bool mapped(const void* p) {
  const uintptr_t page = reinterpret_cast<uintptr_t>(p) & ~uintptr_t{4095};
  return msync(reinterpret_cast<void*>(page), 4096, MS_ASYNC) == 0 || errno != ENOMEM;
}

// The VmFlags of the mapping holding `p` ("hg": MADV_HUGEPAGE applied).
std::string vm_flags(const void* p) {
  std::ifstream smaps("/proc/self/smaps");
  const uintptr_t a = reinterpret_cast<uintptr_t>(p);
  bool inside = false;
  for (std::string line; std::getline(smaps, line);) {
    uintptr_t begin = 0, end = 0;
    if (std::sscanf(line.c_str(), "%lx-%lx ", &begin, &end) == 2) {  // a mapping's first line
      inside = begin <= a && a < end;
    } else if (inside && line.rfind("VmFlags:", 0) == 0) {
      return line;
    }
  }
  return "";
}

TEST(Pages, MappedMemoryIsHugePageAlignedZeroedAndReleased) {
  const size_t bytes = 5 * kHugePage + 123;
  void* raw = nullptr;
  {
    std::shared_ptr<void> a = allocate_mapped(bytes);
    raw = a.get();
    EXPECT_EQ(reinterpret_cast<uintptr_t>(raw) % kHugePage, 0u);
    const auto* c = static_cast<const unsigned char*>(raw);
    for (size_t i = 0; i < bytes; i += 4096) ASSERT_EQ(c[i], 0) << i;
    std::memset(raw, 0xab, bytes);  // all of it is writable
    EXPECT_EQ(c[bytes - 1], 0xab);
    EXPECT_TRUE(mapped(raw));
    // Kernels built with THP take the advice whatever their current setting.
    const bool thp = std::ifstream("/sys/kernel/mm/transparent_hugepage/enabled").good();
    EXPECT_EQ(vm_flags(raw).find(" hg") != std::string::npos, thp) << vm_flags(raw);
  }
  EXPECT_FALSE(mapped(raw)) << "unmapped with its last owner";
}

TEST(Pages, HugePageAdviceCanBeTurnedOff) {
  ::setenv("SKIFF_HUGE_PAGES", "0", 1);
  std::shared_ptr<void> a = allocate_mapped(3 * kHugePage);
  ::unsetenv("SKIFF_HUGE_PAGES");
  const std::string flags = vm_flags(a.get());
  ASSERT_FALSE(flags.empty());
  EXPECT_EQ(flags.find(" hg"), std::string::npos) << flags;
}

TEST(Pages, PackedBuffersShareChunksWithoutOverlapping) {
  std::vector<std::shared_ptr<void>> buffers;
  std::vector<size_t> sizes;
  for (int i = 0; i < 200; ++i) {
    sizes.push_back(1 + (i * 7919) % 100000);
    buffers.push_back(allocate_packed(sizes.back()));
    ASSERT_EQ(reinterpret_cast<uintptr_t>(buffers.back().get()) % 64, 0u);
    std::memset(buffers.back().get(), i & 0xff, sizes.back());
  }
  for (int i = 0; i < 200; ++i) {
    const auto* c = static_cast<const unsigned char*>(buffers[i].get());
    ASSERT_EQ(c[0], i & 0xff) << i;
    ASSERT_EQ(c[sizes[i] - 1], i & 0xff) << i << ": overwritten by a later buffer";
  }
  // ~10 MB of small buffers: a few chunks, not one mapping each.
  std::vector<uintptr_t> chunks;
  for (const auto& b : buffers) {
    const uintptr_t chunk = reinterpret_cast<uintptr_t>(b.get()) & ~(kHugePage - 1);
    if (std::find(chunks.begin(), chunks.end(), chunk) == chunks.end()) chunks.push_back(chunk);
  }
  EXPECT_LE(chunks.size(), 12u);
}

TEST(Pages, ChunkIsUnmappedWhenItsBuffersAreGoneAndBigBuffersMapAlone) {
  // Fill whole chunks so that the one under test is no longer the current one.
  std::vector<std::shared_ptr<void>> first;
  for (int i = 0; i < 4; ++i) first.push_back(allocate_packed(kHugePage));
  void* p = first[0].get();
  std::vector<std::shared_ptr<void>> filler;
  for (int i = 0; i < 8; ++i) filler.push_back(allocate_packed(kHugePage));
  EXPECT_TRUE(mapped(p));
  first.clear();
  EXPECT_FALSE(mapped(p));

  std::shared_ptr<void> big = allocate_packed(kHugePage + 1);
  EXPECT_EQ(reinterpret_cast<uintptr_t>(big.get()) % kHugePage, 0u);
  void* q = big.get();
  big.reset();
  EXPECT_FALSE(mapped(q));
}

}  // namespace
}  // namespace skiff
