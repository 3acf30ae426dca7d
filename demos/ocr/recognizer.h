// PaddleOCR's text-line stages: the angle classifier (0° or 180°) and the
// CRNN-style recognizer with CTC greedy decoding over ppocr_keys_v1.txt.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include <skiff/skiff.h>

#include "image.h"

namespace skiff_ocr {

// The crop under `quad`, straightened to a horizontal rectangle as
// get_rotate_crop_image does; crops at least 1.5x taller than wide are
// turned 90° counter-clockwise (vertical text read sideways).
Image crop_text_line(const Image& image, const Quad& quad);

class AngleClassifier {
 public:
  AngleClassifier(const skiff::Config& config, float threshold = 0.9f, int batch = 6);
  // Turns by 180° every line classified "180" with a mean score above the
  // threshold (long lines are classified in 4:1 windows, see
  // angle_windows); returns how many were turned.
  // `batches`, when given, receives the input shape of every run.
  int correct(std::vector<Image>& lines, std::vector<skiff::Shape>* batches = nullptr) const;

 private:
  std::unique_ptr<skiff::Predictor> predictor_;
  std::string input_name_;
  float threshold_;
  int batch_;
};

struct Recognition {
  std::string text;        // UTF-8
  float confidence = 0;    // mean of the kept characters' probabilities
};

// CTC greedy decoding of one [steps x classes] probability matrix: best class
// per step, repeats merged, blanks (class 0) dropped. `characters[k]` is the
// UTF-8 text of class k (k = 0 is the blank).
Recognition ctc_greedy_decode(const float* probabilities, int steps, int classes,
                              const std::vector<std::string>& characters);

class Recognizer {
 public:
  // `dictionary`: one character per line (ppocr_keys_v1.txt).
  Recognizer(const skiff::Config& config, const std::string& dictionary, int batch = 6);
  // `batches`, when given, receives the input shape of every run.
  std::vector<Recognition> recognize(const std::vector<Image>& lines,
                                     std::vector<skiff::Shape>* batches = nullptr) const;

 private:
  std::unique_ptr<skiff::Predictor> predictor_;
  std::string input_name_;
  std::vector<std::string> characters_;
  int batch_;
};

}  // namespace skiff_ocr
