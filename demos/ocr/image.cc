#include "image.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include <stb_image.h>
#include <stb_image_write.h>

namespace skiff_ocr {
namespace {

// One axis of OpenCV's INTER_LINEAR: the source coordinate of destination
// index i is (i + 0.5) * scale - 0.5, clamped to the image.
struct Tap {
  int lo, hi;
  float w_hi;
};

std::vector<Tap> linear_taps(int src_size, int dst_size) {
  std::vector<Tap> taps(static_cast<size_t>(dst_size));
  const double scale = static_cast<double>(src_size) / dst_size;
  for (int i = 0; i < dst_size; ++i) {
    double s = (i + 0.5) * scale - 0.5;
    s = std::clamp(s, 0.0, static_cast<double>(src_size - 1));
    int lo = static_cast<int>(std::floor(s));
    int hi = std::min(lo + 1, src_size - 1);
    taps[static_cast<size_t>(i)] = {lo, hi, static_cast<float>(s - lo)};
  }
  return taps;
}

void sample_bilinear(const Image& image, double x, double y, uint8_t out[3]) {
  x = std::clamp(x, 0.0, static_cast<double>(image.width - 1));
  y = std::clamp(y, 0.0, static_cast<double>(image.height - 1));
  const int x0 = static_cast<int>(std::floor(x)), y0 = static_cast<int>(std::floor(y));
  const int x1 = std::min(x0 + 1, image.width - 1), y1 = std::min(y0 + 1, image.height - 1);
  const double fx = x - x0, fy = y - y0;
  const uint8_t *a = image.at(x0, y0), *b = image.at(x1, y0), *c = image.at(x0, y1), *d = image.at(x1, y1);
  for (int k = 0; k < 3; ++k) {
    double top = a[k] + (b[k] - a[k]) * fx;
    double bottom = c[k] + (d[k] - c[k]) * fx;
    out[k] = static_cast<uint8_t>(std::lround(std::clamp(top + (bottom - top) * fy, 0.0, 255.0)));
  }
}

void put_disc(Image& image, int cx, int cy, int radius, const uint8_t color[3]) {
  for (int y = cy - radius; y <= cy + radius; ++y) {
    for (int x = cx - radius; x <= cx + radius; ++x) {
      if (x < 0 || y < 0 || x >= image.width || y >= image.height) continue;
      uint8_t* p = image.at(x, y);
      p[0] = color[0], p[1] = color[1], p[2] = color[2];
    }
  }
}

}  // namespace

Image load_image(const std::string& path) {
  int w = 0, h = 0, channels = 0;
  unsigned char* pixels = stbi_load(path.c_str(), &w, &h, &channels, 3);
  if (pixels == nullptr) {
    const char* reason = stbi_failure_reason();
    throw std::runtime_error("cannot read image '" + path + "': " + (reason ? reason : "unknown error"));
  }
  Image image(w, h);
  std::copy(pixels, pixels + image.rgb.size(), image.rgb.begin());
  stbi_image_free(pixels);
  return image;
}

void save_png(const Image& image, const std::string& path) {
  if (!stbi_write_png(path.c_str(), image.width, image.height, 3, image.rgb.data(), image.width * 3)) {
    throw std::runtime_error("cannot write PNG '" + path + "'");
  }
}

void resize_normalize(const Image& image, int out_w, int out_h, int out_stride,
                      const Normalization& norm, float* out) {
  const std::vector<Tap> xs = linear_taps(image.width, out_w);
  const std::vector<Tap> ys = linear_taps(image.height, out_h);
  const size_t plane = static_cast<size_t>(out_h) * out_stride;
  float scale[3], shift[3];
  for (int c = 0; c < 3; ++c) {
    scale[c] = 1.0f / (255.0f * norm.std[c]);
    shift[c] = -norm.mean[c] / norm.std[c];
  }
  for (int y = 0; y < out_h; ++y) {
    const Tap& ty = ys[static_cast<size_t>(y)];
    for (int x = 0; x < out_w; ++x) {
      const Tap& tx = xs[static_cast<size_t>(x)];
      const uint8_t *a = image.at(tx.lo, ty.lo), *b = image.at(tx.hi, ty.lo);
      const uint8_t *c = image.at(tx.lo, ty.hi), *d = image.at(tx.hi, ty.hi);
      for (int ch = 0; ch < 3; ++ch) {
        const int k = norm.channel_of[ch];
        float top = a[k] + (b[k] - a[k]) * tx.w_hi;
        float bottom = c[k] + (d[k] - c[k]) * tx.w_hi;
        float v = top + (bottom - top) * ty.w_hi;
        out[ch * plane + static_cast<size_t>(y) * out_stride + x] = v * scale[ch] + shift[ch];
      }
    }
  }
}

Image warp_quad(const Image& image, const Quad& quad, int width, int height) {
  const Quad target = {Point{0, 0}, Point{static_cast<double>(width), 0},
                       Point{static_cast<double>(width), static_cast<double>(height)},
                       Point{0, static_cast<double>(height)}};
  Homography back;  // output pixel -> source position
  Image crop(width, height);
  if (!perspective_transform(target, quad, back)) return crop;
  for (int y = 0; y < height; ++y) {
    for (int x = 0; x < width; ++x) {
      Point s = apply(back, Point{static_cast<double>(x), static_cast<double>(y)});
      sample_bilinear(image, s.x, s.y, crop.at(x, y));
    }
  }
  return crop;
}

Image rotate90_counterclockwise(const Image& image) {
  Image out(image.height, image.width);
  for (int y = 0; y < out.height; ++y) {
    for (int x = 0; x < out.width; ++x) {
      const uint8_t* p = image.at(image.width - 1 - y, x);
      std::copy(p, p + 3, out.at(x, y));
    }
  }
  return out;
}

Image rotate180(const Image& image) {
  Image out(image.width, image.height);
  for (int y = 0; y < out.height; ++y) {
    for (int x = 0; x < out.width; ++x) {
      const uint8_t* p = image.at(image.width - 1 - x, image.height - 1 - y);
      std::copy(p, p + 3, out.at(x, y));
    }
  }
  return out;
}

void draw_polygon(Image& image, const Quad& quad, const uint8_t color[3], int thickness) {
  const int radius = std::max(0, thickness / 2);
  for (size_t i = 0; i < 4; ++i) {
    const Point& a = quad[i];
    const Point& b = quad[(i + 1) % 4];
    const int steps = std::max(1, static_cast<int>(std::ceil(distance(a, b))));
    for (int s = 0; s <= steps; ++s) {
      double t = static_cast<double>(s) / steps;
      put_disc(image, static_cast<int>(std::lround(a.x + (b.x - a.x) * t)),
               static_cast<int>(std::lround(a.y + (b.y - a.y) * t)), radius, color);
    }
  }
}

}  // namespace skiff_ocr
