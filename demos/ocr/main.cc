// skiff-ocr: PaddleOCR v4 end to end on skiff (detector, angle classifier,
// recognizer), using only the public API <skiff/skiff.h>.
//
//   skiff-ocr IMAGE [--json] [--draw OUT.png] [--timing] [--repeat N] [--threads N]
//             [--det M] [--cls M] [--rec M] [--keys FILE] [--no-cls] [--drop-score S]
//             [--unclip-ratio R] [--box-threshold T] [--limit-side N]
//             [--limit-type max|min] [--dilate]
//
// Models default to the cache scripts/fetch-models.sh fills
// ($SKIFF_DET_MODEL... or ${SKIFF_CACHE:-~/.cache/skiff}/npm/models.env).
#include <algorithm>
#include <cstdio>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include <skiff/skiff.h>

#include "common/demo_cli.h"
#include "detector.h"
#include "image.h"
#include "recognizer.h"

namespace skiff_ocr {
namespace {

using skiff_demo::Clock;
using skiff_demo::json_string;
using skiff_demo::ms_since;
using skiff_demo::UsageError;

constexpr const char* kUsage =
    "usage: skiff-ocr IMAGE [--json] [--draw OUT.png] [--timing] [--repeat N] [--threads N]\n"
    "                 [--det M] [--cls M] [--rec M] [--keys FILE] [--no-cls] [--drop-score S]\n"
    "                 [--unclip-ratio R] [--box-threshold T] [--limit-side N]\n"
    "                 [--limit-type max|min] [--dilate]\n"
    "Models default to the cache scripts/fetch-models.sh fills. See demos/ocr/README.md.\n";

struct Options {
  std::string image;
  std::string det, cls, rec, keys;
  std::string draw;
  bool json = false;
  bool timing = false;
  bool use_cls = true;
  int threads = 0;
  int repeat = 1;
  float drop_score = 0.5f;  // PaddleOCR drops lines recognised with less
  DetectorOptions detector;
};

struct Line {
  TextBox box;
  Recognition recognition;
};

struct Timing {
  double decode = 0, load = 0, crop = 0, classify = 0, recognize = 0;
  DetectorTiming detect;
  std::vector<skiff::Shape> classify_batches, recognize_batches;  // input shapes run
  double pipeline() const {
    return decode + detect.preprocess_ms + detect.inference_ms + detect.postprocess_ms + crop + classify +
           recognize;
  }
};

Options parse(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) throw UsageError(arg + " needs a value");
      return argv[++i];
    };
    if (arg == "--json") o.json = true;
    else if (arg == "--timing") o.timing = true;
    else if (arg == "--no-cls") o.use_cls = false;
    else if (arg == "--draw") o.draw = value();
    else if (arg == "--det") o.det = value();
    else if (arg == "--cls") o.cls = value();
    else if (arg == "--rec") o.rec = value();
    else if (arg == "--keys") o.keys = value();
    else if (arg == "--threads") o.threads = skiff_demo::parse_int(arg, value(), 0, 1024);
    else if (arg == "--repeat") o.repeat = skiff_demo::parse_int(arg, value(), 1, 1000000);
    else if (arg == "--limit-side") o.detector.limit_side_len = skiff_demo::parse_int(arg, value(), 32, 100000);
    else if (arg == "--drop-score") o.drop_score = static_cast<float>(skiff_demo::parse_number(arg, value(), 0, 1));
    else if (arg == "--unclip-ratio") o.detector.unclip_ratio = skiff_demo::parse_number(arg, value(), 0, 100);
    else if (arg == "--box-threshold") o.detector.box_threshold = static_cast<float>(skiff_demo::parse_number(arg, value(), 0, 1));
    else if (arg == "--dilate") o.detector.dilate = true;
    else if (arg == "--limit-type") {
      const std::string type = value();
      if (type != "min" && type != "max") throw UsageError("--limit-type is min or max");
      o.detector.limit_min = type == "min";
    }
    else if (arg == "-h" || arg == "--help") throw UsageError("PaddleOCR v4 on skiff", 0);
    else if (!arg.empty() && arg[0] == '-') throw UsageError("unknown option " + arg);
    else if (o.image.empty()) o.image = arg;
    else throw UsageError("one image at a time (got '" + o.image + "' and '" + arg + "')");
  }
  if (o.image.empty()) throw UsageError("no image given");
  return o;
}

void resolve(std::string& path, const char* key) {
  if (path.empty()) path = skiff_demo::cached_model_path(key);
  if (path.empty()) {
    throw std::runtime_error(std::string("no path for ") + key +
                             ": run scripts/fetch-models.sh (or pass it on the command line)");
  }
}

std::string box_text(const Quad& q, bool json) {
  std::string out = json ? "[" : "";
  for (size_t i = 0; i < 4; ++i) {
    char buf[64];
    std::snprintf(buf, sizeof buf, json ? "%s[%d,%d]" : "%s%d,%d", i ? (json ? "," : " ") : "",
                  static_cast<int>(q[i].x), static_cast<int>(q[i].y));
    out += buf;
  }
  return out + (json ? "]" : "");
}

void print_text(const Options& o, const Image& image, const std::vector<Line>& lines) {
  std::printf("%s: %dx%d, %zu text lines\n", o.image.c_str(), image.width, image.height, lines.size());
  for (const Line& line : lines) {
    std::printf("  %.3f  [%s]  %s\n", line.recognition.confidence, box_text(line.box.quad, false).c_str(),
                line.recognition.text.c_str());
  }
}

void print_json(const Options& o, const Image& image, const std::vector<Line>& lines, const Timing& t) {
  std::printf("{\"image\": %s, \"width\": %d, \"height\": %d, \"lines\": [", json_string(o.image).c_str(),
              image.width, image.height);
  for (size_t i = 0; i < lines.size(); ++i) {
    const Line& line = lines[i];
    std::printf("%s\n  {\"text\": %s, \"confidence\": %.4f, \"box_score\": %.4f, \"box\": %s}", i ? "," : "",
                json_string(line.recognition.text).c_str(), line.recognition.confidence, line.box.score,
                box_text(line.box.quad, true).c_str());
  }
  std::printf("%s]", lines.empty() ? "" : "\n");
  if (o.timing) {
    std::printf(",\n \"timing_ms\": {\"decode\": %.2f, \"load_models\": %.2f, \"det_preprocess\": %.2f, "
                "\"det_inference\": %.2f, \"det_postprocess\": %.2f, \"crop\": %.2f, \"classify\": %.2f, "
                "\"recognize\": %.2f, \"total\": %.2f}",
                t.decode, t.load, t.detect.preprocess_ms, t.detect.inference_ms, t.detect.postprocess_ms, t.crop,
                t.classify, t.recognize, t.pipeline());
  }
  std::printf("}\n");
}

std::string shapes_text(const std::vector<skiff::Shape>& shapes) {
  std::string out;
  for (const skiff::Shape& shape : shapes) {
    out += out.empty() ? "" : " ";
    for (size_t i = 0; i < shape.size(); ++i) {
      if (i) out += 'x';
      out += std::to_string(shape[i]);
    }
  }
  return out.empty() ? "none" : out;
}

void print_timing(const Options& o, const Timing& t) {
  std::printf("timing (ms%s):\n", o.repeat > 1 ? ", fastest of the repeats" : "");
  std::printf("  decode image     %8.2f\n", t.decode);
  std::printf("  load models      %8.2f  (once per process, not in the total)\n", t.load);
  std::printf("  det preprocess   %8.2f\n", t.detect.preprocess_ms);
  std::printf("  det inference    %8.2f  (input 1x3x%dx%d)\n", t.detect.inference_ms, t.detect.input_height,
              t.detect.input_width);
  std::printf("  det postprocess  %8.2f\n", t.detect.postprocess_ms);
  std::printf("  crop lines       %8.2f\n", t.crop);
  std::printf("  classify angle   %8.2f  (inputs %s)\n", t.classify, shapes_text(t.classify_batches).c_str());
  std::printf("  recognize        %8.2f  (inputs %s)\n", t.recognize, shapes_text(t.recognize_batches).c_str());
  std::printf("  total            %8.2f  (image file to text)\n", t.pipeline());
}

// One pass from the decoded image to recognised lines.
std::vector<Line> read_text(const Image& image, const Detector& detector, const AngleClassifier* classifier,
                            const Recognizer& recognizer, float drop_score, Timing& t) {
  std::vector<TextBox> boxes = detector.detect(image, &t.detect);
  auto start = Clock::now();
  std::vector<Image> crops;
  crops.reserve(boxes.size());
  for (const TextBox& box : boxes) crops.push_back(crop_text_line(image, box.quad));
  t.crop = ms_since(start);
  start = Clock::now();
  if (classifier) classifier->correct(crops, &t.classify_batches);
  t.classify = ms_since(start);
  start = Clock::now();
  std::vector<Recognition> texts = recognizer.recognize(crops, &t.recognize_batches);
  t.recognize = ms_since(start);
  std::vector<Line> lines;
  for (size_t i = 0; i < boxes.size(); ++i) {
    if (texts[i].confidence >= drop_score) lines.push_back({boxes[i], texts[i]});
  }
  return lines;
}

int run(const Options& o_in) {
  Options o = o_in;
  resolve(o.det, "SKIFF_DET_MODEL");
  resolve(o.rec, "SKIFF_REC_MODEL");
  resolve(o.keys, "SKIFF_OCR_KEYS");
  if (o.use_cls) resolve(o.cls, "SKIFF_CLS_MODEL");

  Timing best;
  auto start = Clock::now();
  Detector detector(skiff::Config(o.det).threads(o.threads), o.detector);
  std::unique_ptr<AngleClassifier> classifier;
  if (o.use_cls) classifier = std::make_unique<AngleClassifier>(skiff::Config(o.cls).threads(o.threads));
  Recognizer recognizer(skiff::Config(o.rec).threads(o.threads), o.keys);
  const double load_ms = ms_since(start);

  Image image;
  std::vector<Line> lines;
  for (int r = 0; r < o.repeat; ++r) {
    Timing t;
    start = Clock::now();
    image = load_image(o.image);
    t.decode = ms_since(start);
    lines = read_text(image, detector, classifier.get(), recognizer, o.drop_score, t);
    if (r == 0 || t.pipeline() < best.pipeline()) best = t;
  }
  best.load = load_ms;

  if (o.json) print_json(o, image, lines, best);
  else print_text(o, image, lines);
  if (o.timing && !o.json) print_timing(o, best);
  if (!o.draw.empty()) {
    Image canvas = image;
    const uint8_t red[3] = {230, 30, 30};
    const int thickness = std::max(2, std::max(image.width, image.height) / 400);
    for (const Line& line : lines) draw_polygon(canvas, line.box.quad, red, thickness);
    save_png(canvas, o.draw);
  }
  return 0;
}

}  // namespace
}  // namespace skiff_ocr

int main(int argc, char** argv) {
  return skiff_demo::demo_main("skiff-ocr", skiff_ocr::kUsage, argc, argv, skiff_ocr::parse, skiff_ocr::run);
}
