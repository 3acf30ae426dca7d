// im2col and its adjoint col2im for N-d windows, the glue that turns Conv and
// ConvTranspose into gemm.
//
// The column matrix has one row per (channel, kernel offset) and one column
// per output position: col[(c * kernel_size + k), o] = x[c, o * stride - pad +
// k * dilation], zero where that lands in the padding.
#pragma once

#include <algorithm>

#include "core/parallel.h"
#include "engines/native/window.h"

namespace skiff {
namespace im2col_detail {

inline int64_t floor_div(int64_t a, int64_t b) { return a >= 0 ? a / b : -((-a + b - 1) / b); }

// Calls f(col_offset, in_offset, lo, hi, valid) for every run of output
// positions along the last spatial dim that share one row of the
// higher-dimensional output index: positions [lo, hi) of the run read the
// input at in_offset + o * stride_last (valid rows only); the rest are
// padding. `offsets` are the kernel offsets of this column row.
template <class F>
void for_each_run(const Window& w, const int64_t* offsets, F&& f) {
  const size_t rank = w.rank();
  const size_t last = rank - 1;
  const int64_t out_last = w.out[last];
  const int64_t start_last = offsets[last] * w.dilations[last] - w.pad_begin[last];
  // Output positions whose input coordinate is inside [0, in_last).
  const int64_t lo = std::clamp<int64_t>(
      floor_div(-start_last + w.strides[last] - 1, w.strides[last]), 0, out_last);
  const int64_t hi = std::clamp<int64_t>(
      floor_div(w.in[last] - 1 - start_last, w.strides[last]) + 1, lo, out_last);
  int64_t outer = 1;
  for (size_t d = 0; d < last; ++d) outer *= w.out[d];
  int64_t idx[kMaxWindowRank] = {};
  for (int64_t row = 0; row < outer; ++row) {
    bool valid = true;
    int64_t in_offset = 0;
    for (size_t d = 0; d < last; ++d) {
      const int64_t coord = idx[d] * w.strides[d] + offsets[d] * w.dilations[d] - w.pad_begin[d];
      valid = valid && coord >= 0 && coord < w.in[d];
      in_offset = in_offset * w.in[d] + coord;
    }
    in_offset = in_offset * w.in[last] + start_last;
    f(row * out_last, in_offset, lo, hi, valid);
    for (size_t d = last; d-- > 0;) {
      if (++idx[d] < w.out[d]) break;
      idx[d] = 0;
    }
  }
}

// Kernel offsets of flattened kernel index k.
inline void kernel_offsets(const Window& w, int64_t k, int64_t* offsets) {
  for (size_t d = w.rank(); d-- > 0;) {
    offsets[d] = k % w.kernel[d];
    k /= w.kernel[d];
  }
}

}  // namespace im2col_detail

// x: [channels, in...]; col: [channels * kernel_size, out_size].
template <class T>
void im2col(const Window& w, int64_t channels, const T* x, T* col, bool threaded = true) {
  const int64_t ksize = w.kernel_size(), in_size = w.in_size(), out_size = w.out_size();
  const int64_t stride = w.strides.back();
  auto rows = [&](int64_t r0, int64_t r1) {
    int64_t offsets[kMaxWindowRank];
    for (int64_t r = r0; r < r1; ++r) {
      im2col_detail::kernel_offsets(w, r % ksize, offsets);
      const T* image = x + (r / ksize) * in_size;
      T* dst_row = col + r * out_size;
      im2col_detail::for_each_run(w, offsets, [&](int64_t o, int64_t in, int64_t lo, int64_t hi,
                                                  bool valid) {
        T* dst = dst_row + o;
        const int64_t out_last = w.out.back();
        if (!valid) {
          std::fill(dst, dst + out_last, T(0));
          return;
        }
        std::fill(dst, dst + lo, T(0));
        const T* src = image + (in + lo * stride);  // first in-bounds input
        if (stride == 1) {
          std::copy(src, src + (hi - lo), dst + lo);
        } else {
          for (int64_t i = lo; i < hi; ++i) dst[i] = src[(i - lo) * stride];
        }
        std::fill(dst + hi, dst + out_last, T(0));
      });
    }
  };
  if (threaded)
    parallel_for(channels * ksize, out_size, rows);
  else
    rows(0, channels * ksize);
}

// The adjoint: x[c, ...] += col rows that im2col would have read from it.
// x: [channels, in...] (accumulated into); col: [channels * kernel_size, out_size].
template <class T>
void col2im(const Window& w, int64_t channels, const T* col, T* x, bool threaded = true) {
  const int64_t ksize = w.kernel_size(), in_size = w.in_size(), out_size = w.out_size();
  const int64_t stride = w.strides.back();
  // Parallel over channels: the rows of one channel all write its image.
  auto chans = [&](int64_t c0, int64_t c1) {
    int64_t offsets[kMaxWindowRank];
    for (int64_t c = c0; c < c1; ++c) {
      T* image = x + c * in_size;
      for (int64_t k = 0; k < ksize; ++k) {
        im2col_detail::kernel_offsets(w, k, offsets);
        const T* src_row = col + (c * ksize + k) * out_size;
        im2col_detail::for_each_run(w, offsets, [&](int64_t o, int64_t in, int64_t lo,
                                                    int64_t hi, bool valid) {
          if (!valid) return;
          const T* src = src_row + o;
          T* dst = image + (in + lo * stride);  // first in-bounds position
          for (int64_t i = lo; i < hi; ++i) {
            T& d = dst[(i - lo) * stride];
            d = d + src[i];
          }
        });
      }
    }
  };
  if (threaded)
    parallel_for(channels, ksize * out_size, chans);
  else
    chans(0, channels);
}

}  // namespace skiff
