// Plain <-> channels-last reorders of own_reorder.h: per image, a transpose
// of a rows x cols matrix, in 16 x 16 tiles so that both sides are read and
// written a cache line at a time.
#include "engines/dnnl/own_reorder.h"

#include <algorithm>

#include "core/parallel.h"

namespace skiff::dnnl_engine {

namespace {

class TransposeStep final : public OwnStep {
 public:
  TransposeStep(int64_t images, int64_t rows, int64_t cols) : images_(images), rows_(rows), cols_(cols) {}
  void run(void* const* data) const override {
    const float* src = static_cast<const float*>(data[0]);
    float* dst = static_cast<float*>(data[1]);
    constexpr int64_t kTile = 16;
    const int64_t row_tiles = (rows_ + kTile - 1) / kTile;
    // ~1 ns an element.
    parallel_for(images_ * row_tiles, kTile * cols_, [&](int64_t begin, int64_t end) {
      for (int64_t t = begin; t < end; ++t) {
        const int64_t image = t / row_tiles, r0 = (t % row_tiles) * kTile;
        const int64_t r1 = std::min(rows_, r0 + kTile);
        const float* s = src + image * rows_ * cols_;
        float* d = dst + image * rows_ * cols_;
        for (int64_t c0 = 0; c0 < cols_; c0 += kTile) {
          const int64_t c1 = std::min(cols_, c0 + kTile);
          for (int64_t c = c0; c < c1; ++c)
            for (int64_t r = r0; r < r1; ++r) d[c * rows_ + r] = s[r * cols_ + c];
        }
      }
    });
  }

 private:
  int64_t images_, rows_, cols_;
};

}  // namespace

std::shared_ptr<const OwnStep> own_reorder_step(const md& from, const md& to) {
  const dims d = from.dims();
  if (d.size() != 4 || to.dims() != d || from.data_type() != dt::f32 || to.data_type() != dt::f32) return nullptr;
  const tag a = layout_tag(from), b = layout_tag(to);
  const int64_t pixels = d[2] * d[3];
  // NCHW -> NHWC: each image's [C][HW] transposed; NHWC -> NCHW the reverse.
  if (a == tag::abcd && b == tag::acdb) return std::make_shared<TransposeStep>(d[0], d[1], pixels);
  if (a == tag::acdb && b == tag::abcd) return std::make_shared<TransposeStep>(d[0], pixels, d[1]);
  return nullptr;
}

}  // namespace skiff::dnnl_engine
