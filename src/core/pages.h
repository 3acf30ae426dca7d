// Memory backed by transparent huge pages, for the buffers every run reads:
// repacked weights and the per-run arenas.
//
// Why: with 4 KiB pages the 10.7 MB of weights the PaddleOCR recognizer
// reads on every call span 2,600 pages, more than the TLB holds, and on a
// VM every TLB miss is a two-level page walk. Measured on the 2-core VM (1
// thread, SKIFF_HUGE_PAGES=0 against the default, interleaved runs):
// recognizer at width 64 3-6% faster both right after a width-1024 call
// and when warm, ResNet-50 ~4%, PaddleOCR det ~2%, MobileNetV2 ~1%.
//
// Where the kernel's THP setting is "madvise" the ranges
// are marked MADV_HUGEPAGE; with "always" they get huge pages anyway; with
// "never" this is plain anonymous memory. Either way the contents are the
// same: only the page size differs. SKIFF_HUGE_PAGES=0 in the environment
// leaves the advice out (to measure what it brings).
#pragma once

#include <cstddef>
#include <memory>

namespace skiff {

inline constexpr size_t kHugePage = size_t{2} << 20;

// A fresh mapping of at least `bytes` (zero-filled, 2 MiB-aligned, huge
// pages requested), released when the last owner is gone. For buffers of a
// few MiB and more; throws kRuntime when the system refuses.
std::shared_ptr<void> allocate_mapped(size_t bytes);

// Space for a long-lived buffer (a repacked weight), 64-byte aligned, carved
// from shared 8 MiB chunks of huge pages, so that the many small weights of
// a model share huge pages too. A chunk is unmapped once every buffer carved
// from it is gone. Buffers over 2 MiB get their own mapping. Thread-safe.
std::shared_ptr<void> allocate_packed(size_t bytes);

}  // namespace skiff
