#include "vad.h"

#include <algorithm>
#include <stdexcept>

namespace skiff_vad {

SileroVad::SileroVad(const skiff::Config& config, int sample_rate)
    : predictor_(skiff::Predictor::create(config)), sample_rate_(sample_rate) {
  if (sample_rate == 16000) window_ = 512, context_ = 64;
  else if (sample_rate == 8000) window_ = 256, context_ = 32;
  else throw std::runtime_error("Silero VAD needs 16000 or 8000 Hz audio, got " + std::to_string(sample_rate));
  for (const char* name : {"input", "state", "sr"}) {
    const auto& inputs = predictor_->inputs();
    if (std::none_of(inputs.begin(), inputs.end(), [&](const skiff::TensorInfo& i) { return i.name == name; })) {
      throw std::runtime_error(std::string("the model has no input '") + name + "': is it Silero VAD v5?");
    }
  }
}

std::vector<float> SileroVad::probabilities(const std::vector<float>& samples) const {
  const size_t window = static_cast<size_t>(window_), context = static_cast<size_t>(context_);
  std::vector<float> frame(context + window, 0.0f);  // [context | window], context starts silent
  skiff::Tensor state = skiff::Tensor::zeros(skiff::DataType::kFloat, {2, 1, 128});
  int64_t rate = sample_rate_;
  const skiff::Tensor sr = skiff::Tensor::view(skiff::DataType::kInt64, {}, &rate);
  const skiff::Tensor input =
      skiff::Tensor::view(skiff::DataType::kFloat, {1, static_cast<int64_t>(frame.size())}, frame.data());

  std::vector<float> result;
  result.reserve((samples.size() + window - 1) / window);
  for (size_t start = 0; start < samples.size(); start += window) {
    const size_t n = std::min(window, samples.size() - start);
    std::copy(samples.begin() + static_cast<std::ptrdiff_t>(start),
              samples.begin() + static_cast<std::ptrdiff_t>(start + n), frame.begin() + static_cast<std::ptrdiff_t>(context));
    std::fill(frame.begin() + static_cast<std::ptrdiff_t>(context + n), frame.end(), 0.0f);
    std::vector<skiff::Tensor> outputs = predictor_->run({{"input", input}, {"state", state}, {"sr", sr}});
    if (outputs.size() != 2 || outputs[0].numel() != 1 || outputs[1].numel() != state.numel()) {
      throw std::runtime_error("unexpected Silero VAD outputs: " + outputs.at(0).str());
    }
    result.push_back(outputs[0].data<float>()[0]);
    state = outputs[1];
    // The next window's context is the tail of this one.
    std::copy(frame.end() - static_cast<std::ptrdiff_t>(context), frame.end(), frame.begin());
  }
  return result;
}

std::vector<Segment> speech_segments(const std::vector<float>& probabilities, int window, int sample_rate,
                                     size_t total_samples, const SegmentOptions& o) {
  struct Span {
    int64_t start, end;
  };
  const int64_t min_speech = int64_t{sample_rate} * o.min_speech_ms / 1000;
  const int64_t min_silence = int64_t{sample_rate} * o.min_silence_ms / 1000;
  const int64_t pad = int64_t{sample_rate} * o.speech_pad_ms / 1000;
  const int64_t length = static_cast<int64_t>(total_samples);

  std::vector<Span> spans;
  bool triggered = false;
  int64_t start = 0, silence_start = 0;  // silence_start 0: not in a pause
  for (size_t i = 0; i < probabilities.size(); ++i) {
    const float p = probabilities[i];
    const int64_t at = static_cast<int64_t>(i) * window;
    if (p >= o.threshold && silence_start) silence_start = 0;  // the pause was too short
    if (p >= o.threshold && !triggered) {
      triggered = true;
      start = at;
      continue;
    }
    if (p < o.neg_threshold && triggered) {
      if (!silence_start) silence_start = at;
      if (at - silence_start < min_silence) continue;
      if (silence_start - start > min_speech) spans.push_back({start, silence_start});
      triggered = false;
      silence_start = 0;
    }
  }
  if (triggered && length - start > min_speech) spans.push_back({start, length});

  // Padding: pauses shorter than two pads are split between their neighbours.
  for (size_t i = 0; i < spans.size(); ++i) {
    if (i == 0) spans[i].start = std::max<int64_t>(0, spans[i].start - pad);
    if (i + 1 < spans.size()) {
      const int64_t gap = spans[i + 1].start - spans[i].end;
      if (gap < 2 * pad) {
        spans[i].end += gap / 2;
        spans[i + 1].start = std::max<int64_t>(0, spans[i + 1].start - gap / 2);
      } else {
        spans[i].end = std::min(length, spans[i].end + pad);
        spans[i + 1].start = std::max<int64_t>(0, spans[i + 1].start - pad);
      }
    } else {
      spans[i].end = std::min(length, spans[i].end + pad);
    }
  }
  std::vector<Segment> segments;
  for (const Span& s : spans) {
    segments.push_back({static_cast<double>(s.start) / sample_rate, static_cast<double>(s.end) / sample_rate});
  }
  return segments;
}

}  // namespace skiff_vad
