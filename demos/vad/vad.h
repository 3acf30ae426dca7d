// Silero VAD v5: speech probability per window, and the segmentation of
// silero-vad's get_speech_timestamps (hysteresis thresholds, minimum speech
// and silence durations, padding).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include <skiff/skiff.h>

namespace skiff_vad {

class SileroVad {
 public:
  // sample_rate 16000 (512-sample windows) or 8000 (256).
  SileroVad(const skiff::Config& config, int sample_rate);
  int window() const { return window_; }
  // One probability per window of `samples` (the last one zero-padded).
  // Each window is fed with the `context` samples before it (v5 was trained
  // on that; without it phrases split), and the LSTM state output by one
  // window is the state input of the next.
  std::vector<float> probabilities(const std::vector<float>& samples) const;

 private:
  std::unique_ptr<skiff::Predictor> predictor_;
  int sample_rate_;
  int window_;
  int context_;
};

struct SegmentOptions {
  float threshold = 0.5f;           // speech starts at or above this
  float neg_threshold = 0.35f;      // and ends below this (threshold - 0.15)
  int min_speech_ms = 250;          // shorter bursts are dropped
  int min_silence_ms = 100;         // shorter pauses do not end a segment
  int speech_pad_ms = 30;           // added on both sides
};

struct Segment {
  double start = 0;  // seconds
  double end = 0;
};

// get_speech_timestamps on per-window probabilities; `total_samples` is the
// audio length (the last segment may run to it).
std::vector<Segment> speech_segments(const std::vector<float>& probabilities, int window, int sample_rate,
                                     size_t total_samples, const SegmentOptions& options);

}  // namespace skiff_vad
