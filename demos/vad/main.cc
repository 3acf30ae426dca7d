// skiff-vad: speech segments of a WAV file with Silero VAD v5 on skiff,
// using only the public API <skiff/skiff.h>.
//
//   skiff-vad AUDIO.wav [--json] [--timing] [--model M] [--threads N]
//             [--threshold P] [--neg-threshold P] [--min-speech-ms N]
//             [--min-silence-ms N] [--speech-pad-ms N] [--probabilities]
//
// The model defaults to the cache scripts/fetch-models.sh fills
// ($SKIFF_VAD_MODEL or ${SKIFF_CACHE:-~/.cache/skiff}/npm/models.env).
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <stdexcept>
#include <string>

#include <skiff/skiff.h>

#include "vad.h"
#include "wav.h"

namespace skiff_vad {
namespace {

using Clock = std::chrono::steady_clock;

double ms_since(Clock::time_point start) {
  return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

struct Options {
  std::string audio;
  std::string model;
  bool json = false;
  bool timing = false;
  bool print_probabilities = false;
  int threads = 1;  // one 576-sample window is too small to share between cores
  SegmentOptions segments;
};

[[noreturn]] void usage(const std::string& problem, int status = 64) {
  std::fprintf(status ? stderr : stdout,
               "skiff-vad: %s\n"
               "usage: skiff-vad AUDIO.wav [--json] [--timing] [--model M] [--threads N]\n"
               "                 [--threshold P] [--neg-threshold P] [--min-speech-ms N]\n"
               "                 [--min-silence-ms N] [--speech-pad-ms N] [--probabilities]\n"
               "The model defaults to the cache scripts/fetch-models.sh fills. See demos/vad/README.md.\n",
               problem.c_str());
  std::exit(status);
}

double parse_number(const std::string& flag, const std::string& value, double min, double max) {
  char* end = nullptr;
  const double v = std::strtod(value.c_str(), &end);
  if (value.empty() || *end != '\0' || !(v >= min && v <= max)) {
    usage(flag + " wants a number in [" + std::to_string(min) + ", " + std::to_string(max) + "]");
  }
  return v;
}

Options parse(int argc, char** argv) {
  Options o;
  bool neg_given = false;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) usage(arg + " needs a value");
      return argv[++i];
    };
    auto ms = [&]() { return static_cast<int>(parse_number(arg, value(), 0, 3600000)); };
    if (arg == "--json") o.json = true;
    else if (arg == "--timing") o.timing = true;
    else if (arg == "--probabilities") o.print_probabilities = true;
    else if (arg == "--model") o.model = value();
    else if (arg == "--threads") o.threads = static_cast<int>(parse_number(arg, value(), 0, 1024));
    else if (arg == "--threshold") o.segments.threshold = static_cast<float>(parse_number(arg, value(), 0, 1));
    else if (arg == "--neg-threshold") {
      o.segments.neg_threshold = static_cast<float>(parse_number(arg, value(), 0, 1));
      neg_given = true;
    } else if (arg == "--min-speech-ms") o.segments.min_speech_ms = ms();
    else if (arg == "--min-silence-ms") o.segments.min_silence_ms = ms();
    else if (arg == "--speech-pad-ms") o.segments.speech_pad_ms = ms();
    else if (arg == "-h" || arg == "--help") usage("Silero VAD v5 on skiff", 0);
    else if (!arg.empty() && arg[0] == '-') usage("unknown option " + arg);
    else if (o.audio.empty()) o.audio = arg;
    else usage("one audio file at a time");
  }
  if (o.audio.empty()) usage("no audio file given");
  // silero-vad's default: the end threshold follows the start threshold.
  if (!neg_given) o.segments.neg_threshold = std::max(0.01f, o.segments.threshold - 0.15f);
  return o;
}

std::string json_string(const std::string& s) {
  std::string out = "\"";
  for (unsigned char c : s) {
    if (c == '"' || c == '\\') out += '\\', out += static_cast<char>(c);
    else if (c < 0x20) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04x", c);
      out += buf;
    } else out += static_cast<char>(c);
  }
  return out + "\"";
}

std::string model_path(const std::string& given) {
  if (!given.empty()) return given;
  if (const char* env = std::getenv("SKIFF_VAD_MODEL")) return env;
  std::string root;
  if (const char* cache = std::getenv("SKIFF_CACHE")) root = cache;
  else if (const char* home = std::getenv("HOME")) root = std::string(home) + "/.cache/skiff";
  std::ifstream in(root + "/npm/models.env");
  std::string line;
  const std::string key = "SKIFF_VAD_MODEL=";
  while (std::getline(in, line)) {
    if (line.rfind(key, 0) == 0) return line.substr(key.size());
  }
  throw std::runtime_error("no Silero VAD model: run scripts/fetch-models.sh (or pass --model)");
}

int run(const Options& o) {
  auto start = Clock::now();
  const Audio audio = read_wav(o.audio);
  const double decode_ms = ms_since(start);

  start = Clock::now();
  SileroVad vad(skiff::Config(model_path(o.model)).threads(o.threads), audio.sample_rate);
  const double load_ms = ms_since(start);

  start = Clock::now();
  const std::vector<float> probabilities = vad.probabilities(audio.samples);
  const double inference_ms = ms_since(start);
  const std::vector<Segment> segments =
      speech_segments(probabilities, vad.window(), audio.sample_rate, audio.samples.size(), o.segments);

  const double window_ms = probabilities.empty() ? 0 : inference_ms / static_cast<double>(probabilities.size());
  const double realtime = inference_ms > 0 ? audio.seconds() * 1000 / inference_ms : 0;
  if (o.json) {
    std::printf("{\"audio\": %s, \"sample_rate\": %d, \"seconds\": %.3f, \"segments\": [", json_string(o.audio).c_str(),
                audio.sample_rate, audio.seconds());
    for (size_t i = 0; i < segments.size(); ++i) {
      std::printf("%s{\"start\": %.3f, \"end\": %.3f}", i ? ", " : "", segments[i].start, segments[i].end);
    }
    std::printf("]");
    if (o.print_probabilities) {
      std::printf(", \"window\": %d, \"probabilities\": [", vad.window());
      for (size_t i = 0; i < probabilities.size(); ++i) std::printf("%s%.4f", i ? ", " : "", probabilities[i]);
      std::printf("]");
    }
    if (o.timing) {
      std::printf(", \"timing_ms\": {\"decode\": %.2f, \"load_model\": %.2f, \"inference\": %.2f, "
                  "\"per_window\": %.3f}",
                  decode_ms, load_ms, inference_ms, window_ms);
    }
    std::printf("}\n");
    return 0;
  }
  std::printf("%s: %.2f s at %d Hz, %zu speech segments\n", o.audio.c_str(), audio.seconds(), audio.sample_rate,
              segments.size());
  for (const Segment& s : segments) std::printf("  %8.3f - %8.3f s\n", s.start, s.end);
  if (o.print_probabilities) {
    for (size_t i = 0; i < probabilities.size(); ++i) {
      std::printf("  %8.3f s  %.4f\n", static_cast<double>(i) * vad.window() / audio.sample_rate, probabilities[i]);
    }
  }
  if (o.timing) {
    std::printf("timing (ms): decode %.2f, load model %.2f, inference %.2f for %zu windows (%.3f per window, "
                "%.0fx real time)\n",
                decode_ms, load_ms, inference_ms, probabilities.size(), window_ms, realtime);
  }
  return 0;
}

}  // namespace
}  // namespace skiff_vad

int main(int argc, char** argv) {
  const skiff_vad::Options options = skiff_vad::parse(argc, argv);
  try {
    return skiff_vad::run(options);
  } catch (const skiff::Error& e) {
    std::fprintf(stderr, "skiff-vad: %s: %s\n", skiff::error_code_name(e.code()), e.what());
    return e.code() == skiff::ErrorCode::kUnsupported ? 4 : 3;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "skiff-vad: %s\n", e.what());
    return 1;
  }
}
