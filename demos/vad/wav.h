// A small WAV reader: RIFF/WAVE with PCM (8-, 16-, 24-, 32-bit) or IEEE
// float (32-, 64-bit) samples, plain or WAVE_FORMAT_EXTENSIBLE. Channels are
// averaged to mono.
#pragma once

#include <string>
#include <vector>

namespace skiff_vad {

struct Audio {
  int sample_rate = 0;
  int channels = 0;              // in the file; `samples` is always mono
  std::vector<float> samples;    // in [-1, 1]
  double seconds() const { return sample_rate ? static_cast<double>(samples.size()) / sample_rate : 0.0; }
};

// Throws std::runtime_error naming the file and what is wrong with it.
Audio read_wav(const std::string& path);

}  // namespace skiff_vad
