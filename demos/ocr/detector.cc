#include "detector.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <utility>

namespace skiff_ocr {
namespace {

using Clock = std::chrono::steady_clock;

double ms_since(Clock::time_point start) {
  return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

// DetResizeForTest, limit_type "max": scale so the longer side is at most
// the limit, then round each side to a multiple of 32 (Python's round: half
// to even), at least 32.
int det_side(int side, double ratio) {
  double scaled = static_cast<int>(side * ratio);
  return std::max(static_cast<int>(std::nearbyint(scaled / 32)) * 32, 32);
}

// One connected region (8-connectivity) of the binarised map, kept as the
// leftmost and rightmost pixel of each of its rows: their convex hull is the
// region's.
struct Region {
  std::vector<Point> extremes;
  int last_row = -1;
};

std::vector<Region> connected_regions(const std::vector<uint8_t>& mask, int height, int width) {
  std::vector<int32_t> label(mask.size(), 0);
  std::vector<int32_t> stack;
  int32_t count = 0;
  for (size_t start = 0; start < mask.size(); ++start) {
    if (!mask[start] || label[start]) continue;
    label[start] = ++count;
    stack.push_back(static_cast<int32_t>(start));
    while (!stack.empty()) {
      const int32_t p = stack.back();
      stack.pop_back();
      const int y = p / width, x = p % width;
      for (int dy = -1; dy <= 1; ++dy) {
        for (int dx = -1; dx <= 1; ++dx) {
          const int ny = y + dy, nx = x + dx;
          if (ny < 0 || nx < 0 || ny >= height || nx >= width) continue;
          const size_t q = static_cast<size_t>(ny) * width + nx;
          if (mask[q] && !label[q]) {
            label[q] = count;
            stack.push_back(static_cast<int32_t>(q));
          }
        }
      }
    }
  }
  std::vector<Region> regions(static_cast<size_t>(count));
  for (int y = 0; y < height; ++y) {
    for (int x = 0; x < width; ++x) {
      const int32_t l = label[static_cast<size_t>(y) * width + x];
      if (!l) continue;
      Region& r = regions[static_cast<size_t>(l - 1)];
      if (r.last_row != y) {
        r.extremes.push_back({static_cast<double>(x), static_cast<double>(y)});
        r.extremes.push_back({static_cast<double>(x), static_cast<double>(y)});
        r.last_row = y;
      } else {
        r.extremes.back().x = x;
      }
    }
  }
  return regions;
}

// DB's box_score_fast: mean probability over the pixels the quadrilateral
// covers (pixel centres inside, or within half a pixel of an edge, which
// approximates cv2.fillPoly's inclusive rasterisation).
float box_score(const float* probability, int height, int width, const Quad& quad) {
  double min_x = quad[0].x, max_x = quad[0].x, min_y = quad[0].y, max_y = quad[0].y;
  for (const Point& p : quad) {
    min_x = std::min(min_x, p.x), max_x = std::max(max_x, p.x);
    min_y = std::min(min_y, p.y), max_y = std::max(max_y, p.y);
  }
  const int x0 = std::clamp(static_cast<int>(std::floor(min_x)), 0, width - 1);
  const int x1 = std::clamp(static_cast<int>(std::ceil(max_x)), 0, width - 1);
  const int y0 = std::clamp(static_cast<int>(std::floor(min_y)), 0, height - 1);
  const int y1 = std::clamp(static_cast<int>(std::ceil(max_y)), 0, height - 1);
  // The corners are clockwise in image coordinates, so inside is where every
  // edge's cross product is non-negative; dividing by the edge length turns
  // it into a distance.
  double sum = 0;
  int64_t n = 0;
  for (int y = y0; y <= y1; ++y) {
    for (int x = x0; x <= x1; ++x) {
      bool inside = true;
      for (size_t i = 0; i < 4 && inside; ++i) {
        const Point& a = quad[i];
        const Point& b = quad[(i + 1) % 4];
        const double length = distance(a, b);
        const double c = (b.x - a.x) * (y - a.y) - (b.y - a.y) * (x - a.x);
        inside = length == 0 || c / length >= -0.5;
      }
      if (inside) sum += probability[static_cast<size_t>(y) * width + x], ++n;
    }
  }
  return n ? static_cast<float>(sum / n) : 0.0f;
}

// cv2.dilate with a 2x2 kernel anchored at its centre (1, 1): a pixel is set
// when it or its left, upper or upper-left neighbour is.
void dilate_2x2(std::vector<uint8_t>& mask, int height, int width) {
  for (int y = height - 1; y >= 0; --y) {
    for (int x = width - 1; x >= 0; --x) {
      uint8_t& m = mask[static_cast<size_t>(y) * width + x];
      if (x > 0) m |= mask[static_cast<size_t>(y) * width + x - 1];
      if (y > 0) m |= mask[static_cast<size_t>(y - 1) * width + x];
      if (x > 0 && y > 0) m |= mask[static_cast<size_t>(y - 1) * width + x - 1];
    }
  }
}

}  // namespace

std::vector<TextBox> boxes_from_probability_map(const float* probability, int height, int width,
                                                int image_w, int image_h, const DetectorOptions& options) {
  constexpr double kMinSize = 3;  // DBPostProcess's min_size, in map pixels
  std::vector<uint8_t> mask(static_cast<size_t>(height) * width);
  for (size_t i = 0; i < mask.size(); ++i) mask[i] = probability[i] > options.threshold;
  if (options.dilate) dilate_2x2(mask, height, width);
  std::vector<Region> regions = connected_regions(mask, height, width);
  if (regions.size() > static_cast<size_t>(options.max_candidates)) regions.resize(options.max_candidates);

  const double sx = static_cast<double>(image_w) / width, sy = static_cast<double>(image_h) / height;
  std::vector<TextBox> boxes;
  for (const Region& region : regions) {
    const RotatedRect rect = min_area_rect(convex_hull(region.extremes));
    if (rect.short_side() < kMinSize) continue;
    const Quad kernel = ordered_corners(rect);
    const float score = box_score(probability, height, width, kernel);
    if (score < options.box_threshold) continue;
    const RotatedRect grown = unclip(rect, options.unclip_ratio);
    if (grown.short_side() < kMinSize + 2) continue;
    TextBox box;
    box.quad = ordered_corners(grown);
    box.score = score;
    // Scale to the source image, round and clip as DBPostProcess does, then
    // clip to the last pixel as filter_tag_det_res does.
    for (Point& p : box.quad) {
      p.x = std::clamp(std::nearbyint(p.x * sx), 0.0, static_cast<double>(image_w - 1));
      p.y = std::clamp(std::nearbyint(p.y * sy), 0.0, static_cast<double>(image_h - 1));
    }
    if (static_cast<int>(distance(box.quad[0], box.quad[1])) <= 3 ||
        static_cast<int>(distance(box.quad[0], box.quad[3])) <= 3) {
      continue;
    }
    boxes.push_back(box);
  }
  return boxes;
}

void sort_reading_order(std::vector<TextBox>& boxes) {
  std::stable_sort(boxes.begin(), boxes.end(), [](const TextBox& a, const TextBox& b) {
    const Point &p = a.quad[0], &q = b.quad[0];
    return p.y < q.y || (p.y == q.y && p.x < q.x);
  });
  for (size_t i = 0; i + 1 < boxes.size(); ++i) {
    for (size_t j = i + 1; j-- > 0;) {
      const Point &upper = boxes[j].quad[0], &lower = boxes[j + 1].quad[0];
      if (std::fabs(lower.y - upper.y) < 10 && lower.x < upper.x) {
        std::swap(boxes[j], boxes[j + 1]);
      } else {
        break;
      }
    }
  }
}

Detector::Detector(const skiff::Config& config, DetectorOptions options)
    : predictor_(skiff::Predictor::create(config)), options_(options) {
  input_name_ = predictor_->inputs().at(0).name;
}

std::vector<TextBox> Detector::detect(const Image& image, DetectorTiming* timing) const {
  auto start = Clock::now();
  double ratio = 1.0;
  if (options_.limit_min) {
    const int shorter = std::min(image.width, image.height);
    if (shorter < options_.limit_side_len) ratio = static_cast<double>(options_.limit_side_len) / shorter;
  } else {
    const int longer = std::max(image.width, image.height);
    if (longer > options_.limit_side_len) ratio = static_cast<double>(options_.limit_side_len) / longer;
  }
  const int w = det_side(image.width, ratio), h = det_side(image.height, ratio);
  // PaddleOCR reads images with OpenCV (BGR) and normalises them with the
  // ImageNet mean/std listed in RGB order, channel by channel: the first
  // tensor channel is blue with the "red" statistics. The models are trained
  // that way, so it is copied exactly.
  const Normalization norm = {{2, 1, 0}, {0.485f, 0.456f, 0.406f}, {0.229f, 0.224f, 0.225f}};
  skiff::Tensor input(skiff::DataType::kFloat, {1, 3, h, w});
  resize_normalize(image, w, h, w, norm, input.data<float>());
  if (timing) timing->preprocess_ms = ms_since(start), timing->input_width = w, timing->input_height = h;

  start = Clock::now();
  std::vector<skiff::Tensor> outputs = predictor_->run({{input_name_, input}});
  if (timing) timing->inference_ms = ms_since(start);

  start = Clock::now();
  const skiff::Tensor& map = outputs.at(0);
  if (map.rank() != 4 || map.dim(0) != 1 || map.dim(1) != 1 || map.dim(2) != h || map.dim(3) != w) {
    throw std::runtime_error("detector output is " + map.str() + ", expected float[1,1," +
                             std::to_string(h) + "," + std::to_string(w) + "]");
  }
  std::vector<TextBox> boxes =
      boxes_from_probability_map(map.data<float>(), h, w, image.width, image.height, options_);
  sort_reading_order(boxes);
  if (timing) timing->postprocess_ms = ms_since(start);
  return boxes;
}

}  // namespace skiff_ocr
