#include "recognizer.h"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <numeric>
#include <stdexcept>

namespace skiff_ocr {
namespace {

constexpr int kLineHeight = 48;      // both models' input height
constexpr int kClassifierWidth = 192;
constexpr int kRecognizerMinWidth = 320;

// rec and cls read BGR images normalised to [-1, 1].
constexpr Normalization kLineNorm = {{2, 1, 0}, {0.5f, 0.5f, 0.5f}, {0.5f, 0.5f, 0.5f}};

double aspect(const Image& line) { return static_cast<double>(line.width) / line.height; }

// resize_norm_img: height 48, width by aspect ratio up to `width`, padded
// on the right with zeros; `out` is the [3, 48, width] slot of one line.
void fill_line(const Image& line, int width, float* out) {
  const int resized = std::min(width, static_cast<int>(std::ceil(kLineHeight * aspect(line))));
  resize_normalize(line, std::max(resized, 1), kLineHeight, width, kLineNorm, out);
}

// Indices of `lines` by increasing aspect ratio, as PaddleOCR batches them
// (similar widths together waste less padding).
std::vector<size_t> by_aspect(const std::vector<Image>& lines) {
  std::vector<size_t> order(lines.size());
  std::iota(order.begin(), order.end(), size_t{0});
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return aspect(lines[a]) < aspect(lines[b]); });
  return order;
}

std::vector<std::string> load_characters(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read the dictionary '" + path + "'");
  std::vector<std::string> characters = {""};  // class 0: the CTC blank
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    characters.push_back(line);
  }
  characters.push_back(" ");  // PaddleOCR's use_space_char: the last class
  return characters;
}

}  // namespace

Image crop_text_line(const Image& image, const Quad& quad) {
  const int width = static_cast<int>(std::max(distance(quad[0], quad[1]), distance(quad[2], quad[3])));
  const int height = static_cast<int>(std::max(distance(quad[0], quad[3]), distance(quad[1], quad[2])));
  Image crop = warp_quad(image, quad, std::max(width, 1), std::max(height, 1));
  if (crop.height >= 1.5 * crop.width) crop = rotate90_counterclockwise(crop);
  return crop;
}

AngleClassifier::AngleClassifier(const skiff::Config& config, float threshold, int batch)
    : predictor_(skiff::Predictor::create(config)), threshold_(threshold), batch_(batch) {
  input_name_ = predictor_->inputs().at(0).name;
}

// Pieces of `line` the classifier sees. PaddleOCR squeezes a whole line
// into 192x48, which turns a long line into a smear that the classifier
// often calls upside down with high confidence (ONNX Runtime agrees: it is
// the model). Lines longer than the input's 4:1 are cut instead into
// windows of 4:1 (at most three: both ends and the middle), and their
// votes averaged.
std::vector<Image> angle_windows(const Image& line) {
  constexpr int kMaxWindows = 3;
  const int window = kClassifierWidth * line.height / kLineHeight;
  if (line.width <= window || window < 1) return {line};
  const int count = std::min(kMaxWindows, (line.width + window - 1) / window);
  std::vector<Image> windows;
  for (int i = 0; i < count; ++i) {
    const int x0 = static_cast<int>(static_cast<int64_t>(line.width - window) * i / std::max(1, count - 1));
    Image piece(window, line.height);
    for (int y = 0; y < line.height; ++y) std::copy(line.at(x0, y), line.at(x0, y) + 3 * window, piece.at(0, y));
    windows.push_back(std::move(piece));
  }
  return windows;
}

int AngleClassifier::correct(std::vector<Image>& lines, std::vector<skiff::Shape>* batches) const {
  std::vector<Image> windows;
  std::vector<size_t> owner;  // line of each window
  for (size_t i = 0; i < lines.size(); ++i) {
    for (Image& w : angle_windows(lines[i])) windows.push_back(std::move(w)), owner.push_back(i);
  }
  std::vector<double> upside_down(lines.size(), 0.0);
  std::vector<int> votes(lines.size(), 0);
  const std::vector<size_t> order = by_aspect(windows);
  const size_t slot = static_cast<size_t>(3) * kLineHeight * kClassifierWidth;
  for (size_t begin = 0; begin < order.size(); begin += static_cast<size_t>(batch_)) {
    const size_t n = std::min(order.size() - begin, static_cast<size_t>(batch_));
    skiff::Tensor input = skiff::Tensor::zeros(skiff::DataType::kFloat,
                                               {static_cast<int64_t>(n), 3, kLineHeight, kClassifierWidth});
    for (size_t i = 0; i < n; ++i) {
      fill_line(windows[order[begin + i]], kClassifierWidth, input.data<float>() + i * slot);
    }
    if (batches) batches->push_back(input.shape());
    const skiff::Tensor scores = predictor_->run({{input_name_, input}}).at(0);
    if (scores.rank() != 2 || scores.dim(0) != static_cast<int64_t>(n) || scores.dim(1) != 2) {
      throw std::runtime_error("angle classifier output is " + scores.str() + ", expected [N,2]");
    }
    for (size_t i = 0; i < n; ++i) {
      const size_t line = owner[order[begin + i]];
      upside_down[line] += scores.data<float>()[2 * i + 1];  // labels "0" and "180"
      ++votes[line];
    }
  }
  int turned = 0;
  for (size_t i = 0; i < lines.size(); ++i) {
    if (votes[i] && upside_down[i] / votes[i] > threshold_) {
      lines[i] = rotate180(lines[i]);
      ++turned;
    }
  }
  return turned;
}

Recognition ctc_greedy_decode(const float* probabilities, int steps, int classes,
                              const std::vector<std::string>& characters) {
  Recognition result;
  double confidence = 0;
  int kept = 0, previous = -1;
  for (int t = 0; t < steps; ++t) {
    const float* row = probabilities + static_cast<size_t>(t) * classes;
    const int best = static_cast<int>(std::max_element(row, row + classes) - row);
    if (best != 0 && best != previous) {
      result.text += characters[static_cast<size_t>(best)];
      confidence += row[best];
      ++kept;
    }
    previous = best;
  }
  result.confidence = kept ? static_cast<float>(confidence / kept) : 0.0f;
  return result;
}

Recognizer::Recognizer(const skiff::Config& config, const std::string& dictionary, int batch)
    : predictor_(skiff::Predictor::create(config)), characters_(load_characters(dictionary)), batch_(batch) {
  input_name_ = predictor_->inputs().at(0).name;
  const skiff::TensorInfo& output = predictor_->outputs().at(0);
  const int64_t classes = output.shape.size() == 3 ? output.shape[2] : -1;
  if (classes > 0 && classes != static_cast<int64_t>(characters_.size())) {
    throw std::runtime_error("the recognizer has " + std::to_string(classes) + " classes but the dictionary '" +
                             dictionary + "' gives " + std::to_string(characters_.size()) +
                             " (blank + lines + space)");
  }
}

std::vector<Recognition> Recognizer::recognize(const std::vector<Image>& lines,
                                               std::vector<skiff::Shape>* batches) const {
  std::vector<Recognition> results(lines.size());
  const std::vector<size_t> order = by_aspect(lines);
  for (size_t begin = 0; begin < order.size(); begin += static_cast<size_t>(batch_)) {
    const size_t n = std::min(order.size() - begin, static_cast<size_t>(batch_));
    // The batch is as wide as its widest line needs, at least 320.
    double widest = static_cast<double>(kRecognizerMinWidth) / kLineHeight;
    for (size_t i = 0; i < n; ++i) widest = std::max(widest, aspect(lines[order[begin + i]]));
    const int width = static_cast<int>(kLineHeight * widest);
    const size_t slot = static_cast<size_t>(3) * kLineHeight * width;
    skiff::Tensor input =
        skiff::Tensor::zeros(skiff::DataType::kFloat, {static_cast<int64_t>(n), 3, kLineHeight, width});
    for (size_t i = 0; i < n; ++i) fill_line(lines[order[begin + i]], width, input.data<float>() + i * slot);

    if (batches) batches->push_back(input.shape());
    const skiff::Tensor probabilities = predictor_->run({{input_name_, input}}).at(0);
    if (probabilities.rank() != 3 || probabilities.dim(0) != static_cast<int64_t>(n) ||
        probabilities.dim(2) != static_cast<int64_t>(characters_.size())) {
      throw std::runtime_error("recognizer output is " + probabilities.str() + ", expected [" +
                               std::to_string(n) + ",T," + std::to_string(characters_.size()) + "]");
    }
    const int steps = static_cast<int>(probabilities.dim(1));
    const int classes = static_cast<int>(probabilities.dim(2));
    for (size_t i = 0; i < n; ++i) {
      results[order[begin + i]] = ctc_greedy_decode(
          probabilities.data<float>() + i * static_cast<size_t>(steps) * classes, steps, classes, characters_);
    }
  }
  return results;
}

}  // namespace skiff_ocr
