// PaddleOCR's DB text detector: preprocessing (DetResizeForTest with
// limit_type "max", NormalizeImage on BGR), the network, and DBPostProcess
// (threshold, connected regions, min-area boxes, box score, unclip), then
// PaddleOCR's reading-order sort.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include <skiff/skiff.h>

#include "geometry.h"
#include "image.h"

namespace skiff_ocr {

struct DetectorOptions {
  // DetResizeForTest: with limit_type "max" the longer side is scaled down
  // to limit_side_len; with "min" the shorter side is scaled up to it.
  int limit_side_len = 960;
  bool limit_min = false;
  bool dilate = false;          // use_dilation: grow the binary map by a 2x2 max
  float threshold = 0.3f;       // probability map binarisation
  float box_threshold = 0.6f;   // mean probability inside a box to keep it
  // PaddleOCR's default is 1.5. On this detector's sharp probability maps
  // 1.5 cuts ascenders, descenders and trailing punctuation off the boxes,
  // and the recognizer then drops spaces and misreads ("v4" as "y4");
  // 2.0 removed every non-space error in tests/demos/check_ocr.py
  // (--unclip-ratio 1.5 restores PaddleOCR's behaviour).
  double unclip_ratio = 2.0;
  int max_candidates = 1000;
};

struct TextBox {
  Quad quad;           // in source-image pixels, TL TR BR BL
  float score = 0;     // mean probability inside the unexpanded box
};

// Stage times in milliseconds, for --timing.
struct DetectorTiming {
  double preprocess_ms = 0;
  double inference_ms = 0;
  double postprocess_ms = 0;
  int input_width = 0;
  int input_height = 0;
};

class Detector {
 public:
  Detector(const skiff::Config& config, DetectorOptions options);
  // Text boxes in reading order (top to bottom, then left to right).
  std::vector<TextBox> detect(const Image& image, DetectorTiming* timing = nullptr) const;

 private:
  std::unique_ptr<skiff::Predictor> predictor_;
  std::string input_name_;
  DetectorOptions options_;
};

// DB post-processing on a height x width probability map; boxes are scaled
// from map to image coordinates (image_w x image_h). Exposed for tests.
std::vector<TextBox> boxes_from_probability_map(const float* probability, int height, int width,
                                                int image_w, int image_h, const DetectorOptions& options);

// PaddleOCR's sorted_boxes: by top-left y then x, then neighbours whose
// top-left y differ by less than 10 px are put left to right.
void sort_reading_order(std::vector<TextBox>& boxes);

}  // namespace skiff_ocr
