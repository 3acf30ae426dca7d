// 8-bit RGB images for the OCR demo: decoding (stb_image: PNG, JPEG, BMP,
// ...), PNG writing, the resampling PaddleOCR does with OpenCV (bilinear
// resize, perspective warp), rotations, and outlines for --draw.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "geometry.h"

namespace skiff_ocr {

struct Image {
  int width = 0;
  int height = 0;
  std::vector<uint8_t> rgb;  // row-major, 3 bytes per pixel

  Image() = default;
  Image(int w, int h) : width(w), height(h), rgb(static_cast<size_t>(w) * h * 3, 0) {}
  uint8_t* at(int x, int y) { return &rgb[(static_cast<size_t>(y) * width + x) * 3]; }
  const uint8_t* at(int x, int y) const { return &rgb[(static_cast<size_t>(y) * width + x) * 3]; }
};

// Throws std::runtime_error naming the file and stb's reason.
Image load_image(const std::string& path);
void save_png(const Image& image, const std::string& path);

// Bilinear resize with OpenCV's INTER_LINEAR sampling (pixel centres
// aligned, edges clamped), written as float planes in the channel order and
// normalisation the caller gives: out[c][y][x] = (rgb[channel_of[c]] / 255 -
// mean[c]) / std[c]. `out` points at a 3 x out_h x out_stride block; columns
// from out_w to out_stride are left as they are (zero padding).
struct Normalization {
  int channel_of[3];  // which RGB byte feeds tensor channel c (2,1,0 = BGR)
  float mean[3];
  float std[3];
};
void resize_normalize(const Image& image, int out_w, int out_h, int out_stride,
                      const Normalization& norm, float* out);

// The quadrilateral `quad` (corners TL, TR, BR, BL) mapped onto a
// width x height rectangle, sampling bilinearly with edges replicated (as
// PaddleOCR's get_rotate_crop_image does with cv2.warpPerspective).
Image warp_quad(const Image& image, const Quad& quad, int width, int height);

Image rotate90_counterclockwise(const Image& image);  // numpy's rot90
Image rotate180(const Image& image);

// Closed polygon outline, `thickness` pixels wide, clipped to the image.
void draw_polygon(Image& image, const Quad& quad, const uint8_t color[3], int thickness);

}  // namespace skiff_ocr
