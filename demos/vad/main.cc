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
#include <cstdio>
#include <stdexcept>
#include <string>

#include <skiff/skiff.h>

#include "common/demo_cli.h"
#include "vad.h"
#include "wav.h"

namespace skiff_vad {
namespace {

using skiff_demo::Clock;
using skiff_demo::json_string;
using skiff_demo::ms_since;
using skiff_demo::UsageError;

constexpr const char* kUsage =
    "usage: skiff-vad AUDIO.wav [--json] [--timing] [--model M] [--threads N]\n"
    "                 [--threshold P] [--neg-threshold P] [--min-speech-ms N]\n"
    "                 [--min-silence-ms N] [--speech-pad-ms N] [--probabilities]\n"
    "The model defaults to the cache scripts/fetch-models.sh fills. See demos/vad/README.md.\n";

struct Options {
  std::string audio;
  std::string model;
  bool json = false;
  bool timing = false;
  bool print_probabilities = false;
  int threads = 1;  // one 576-sample window is too small to share between cores
  SegmentOptions segments;
};

Options parse(int argc, char** argv) {
  Options o;
  bool neg_given = false;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) throw UsageError(arg + " needs a value");
      return argv[++i];
    };
    auto probability = [&]() { return static_cast<float>(skiff_demo::parse_number(arg, value(), 0, 1)); };
    auto ms = [&]() { return skiff_demo::parse_int(arg, value(), 0, 3600000); };
    if (arg == "--json") o.json = true;
    else if (arg == "--timing") o.timing = true;
    else if (arg == "--probabilities") o.print_probabilities = true;
    else if (arg == "--model") o.model = value();
    else if (arg == "--threads") o.threads = skiff_demo::parse_int(arg, value(), 0, 1024);
    else if (arg == "--threshold") o.segments.threshold = probability();
    else if (arg == "--neg-threshold") {
      o.segments.neg_threshold = probability();
      neg_given = true;
    } else if (arg == "--min-speech-ms") o.segments.min_speech_ms = ms();
    else if (arg == "--min-silence-ms") o.segments.min_silence_ms = ms();
    else if (arg == "--speech-pad-ms") o.segments.speech_pad_ms = ms();
    else if (arg == "-h" || arg == "--help") throw UsageError("Silero VAD v5 on skiff", 0);
    else if (!arg.empty() && arg[0] == '-') throw UsageError("unknown option " + arg);
    else if (o.audio.empty()) o.audio = arg;
    else throw UsageError("one audio file at a time");
  }
  if (o.audio.empty()) throw UsageError("no audio file given");
  // silero-vad's default: the end threshold follows the start threshold.
  if (!neg_given) o.segments.neg_threshold = std::max(0.01f, o.segments.threshold - 0.15f);
  return o;
}

std::string model_path(const std::string& given) {
  if (!given.empty()) return given;
  std::string path = skiff_demo::cached_model_path("SKIFF_VAD_MODEL");
  if (path.empty()) throw std::runtime_error("no Silero VAD model: run scripts/fetch-models.sh (or pass --model)");
  return path;
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
  return skiff_demo::demo_main("skiff-vad", skiff_vad::kUsage, argc, argv, skiff_vad::parse, skiff_vad::run);
}
