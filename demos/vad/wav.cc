#include "wav.h"

#include <cstdint>
#include <algorithm>
#include <cstring>
#include <fstream>
#include <iterator>
#include <stdexcept>

namespace skiff_vad {
namespace {

constexpr uint16_t kFormatPcm = 1;
constexpr uint16_t kFormatFloat = 3;
constexpr uint16_t kFormatExtensible = 0xFFFE;

uint32_t u32(const uint8_t* p) { return p[0] | p[1] << 8 | p[2] << 16 | static_cast<uint32_t>(p[3]) << 24; }
uint16_t u16(const uint8_t* p) { return static_cast<uint16_t>(p[0] | p[1] << 8); }

struct Format {
  uint16_t tag = 0;
  int channels = 0;
  int sample_rate = 0;
  int bits = 0;
};

// One sample of `bits` at `p`, scaled to [-1, 1].
float decode(const uint8_t* p, const Format& f) {
  if (f.tag == kFormatFloat) {
    if (f.bits == 32) {
      float v;
      std::memcpy(&v, p, 4);
      return v;
    }
    double v;
    std::memcpy(&v, p, 8);
    return static_cast<float>(v);
  }
  switch (f.bits) {
    case 8: return (p[0] - 128) / 128.0f;  // 8-bit WAV is unsigned
    case 16: return static_cast<int16_t>(u16(p)) / 32768.0f;
    case 24: return static_cast<int32_t>(static_cast<uint32_t>(p[0]) << 8 | static_cast<uint32_t>(p[1]) << 16 |
                                         static_cast<uint32_t>(p[2]) << 24) / 2147483648.0f;
    default: return static_cast<int32_t>(u32(p)) / 2147483648.0f;
  }
}

Format parse_format(const uint8_t* p, uint32_t size, const std::string& path) {
  if (size < 16) throw std::runtime_error(path + ": fmt chunk too short");
  Format f;
  f.tag = u16(p);
  f.channels = u16(p + 2);
  f.sample_rate = static_cast<int>(u32(p + 4));
  f.bits = u16(p + 14);
  if (f.tag == kFormatExtensible) {
    // The real format is the first two bytes of the SubFormat GUID.
    if (size < 26) throw std::runtime_error(path + ": WAVE_FORMAT_EXTENSIBLE fmt chunk too short");
    f.tag = u16(p + 24);
  }
  const bool pcm = f.tag == kFormatPcm && (f.bits == 8 || f.bits == 16 || f.bits == 24 || f.bits == 32);
  const bool flt = f.tag == kFormatFloat && (f.bits == 32 || f.bits == 64);
  if (!pcm && !flt) {
    throw std::runtime_error(path + ": unsupported WAV encoding (format " + std::to_string(f.tag) + ", " +
                             std::to_string(f.bits) + " bits); expected PCM 8/16/24/32 or float 32/64");
  }
  if (f.channels < 1 || f.sample_rate < 1) throw std::runtime_error(path + ": bad channel count or sample rate");
  return f;
}

}  // namespace

Audio read_wav(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot open '" + path + "'");
  const std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (bytes.size() < 12 || std::memcmp(bytes.data(), "RIFF", 4) != 0 || std::memcmp(bytes.data() + 8, "WAVE", 4) != 0) {
    throw std::runtime_error(path + ": not a RIFF/WAVE file");
  }
  Format format;
  bool have_format = false;
  for (size_t at = 12; at + 8 <= bytes.size();) {
    const uint8_t* chunk = bytes.data() + at;
    // Streaming writers leave sizes at 0 or 0xFFFFFFFF: clamp to the file.
    const size_t size = std::min<size_t>(u32(chunk + 4), bytes.size() - at - 8);
    if (std::memcmp(chunk, "fmt ", 4) == 0) {
      format = parse_format(chunk + 8, static_cast<uint32_t>(size), path);
      have_format = true;
    } else if (std::memcmp(chunk, "data", 4) == 0) {
      if (!have_format) throw std::runtime_error(path + ": data chunk before the fmt chunk");
      const size_t frame = static_cast<size_t>(format.bits / 8) * format.channels;
      Audio audio;
      audio.sample_rate = format.sample_rate;
      audio.channels = format.channels;
      audio.samples.resize(size / frame);
      for (size_t i = 0; i < audio.samples.size(); ++i) {
        float sum = 0;
        for (int c = 0; c < format.channels; ++c) {
          sum += decode(chunk + 8 + i * frame + static_cast<size_t>(c) * (format.bits / 8), format);
        }
        audio.samples[i] = sum / format.channels;
      }
      return audio;
    }
    at += 8 + size + (size & 1);  // chunks are padded to even sizes
  }
  throw std::runtime_error(path + ": no data chunk");
}

}  // namespace skiff_vad
