// Unit tests of the demos' own code (no model needed): geometry and DB
// post-processing, CTC decoding, the WAV reader, VAD segmentation.
#include <cmath>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <stdexcept>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "ocr/detector.h"
#include "ocr/geometry.h"
#include "ocr/recognizer.h"
#include "vad/vad.h"
#include "vad/wav.h"

namespace {

using skiff_ocr::Point;
using skiff_ocr::Quad;

TEST(OcrGeometry, ConvexHullDropsInteriorAndCollinearPoints) {
  std::vector<Point> points = {{0, 0}, {2, 0}, {4, 0}, {4, 3}, {0, 3}, {2, 1}, {1, 2}, {4, 0}};
  std::vector<Point> hull = skiff_ocr::convex_hull(points);
  EXPECT_EQ(hull.size(), 4u);
}

TEST(OcrGeometry, MinAreaRectRecoversARotatedRectangle) {
  const double angle = 0.5, w = 100, h = 20;
  const Point u{std::cos(angle), std::sin(angle)}, v{-std::sin(angle), std::cos(angle)};
  std::vector<Point> points;
  for (int i = 0; i <= 10; ++i) {
    for (int j = 0; j <= 4; ++j) {
      const double a = w * i / 10, b = h * j / 4;
      points.push_back({50 + u.x * a + v.x * b, 60 + u.y * a + v.y * b});
    }
  }
  const skiff_ocr::RotatedRect rect = skiff_ocr::min_area_rect(skiff_ocr::convex_hull(points));
  EXPECT_NEAR(std::max(rect.width, rect.height), w, 1e-6);
  EXPECT_NEAR(rect.short_side(), h, 1e-6);
  EXPECT_NEAR(rect.center.x, 50 + u.x * w / 2 + v.x * h / 2, 1e-6);
  EXPECT_NEAR(rect.center.y, 60 + u.y * w / 2 + v.y * h / 2, 1e-6);
}

TEST(OcrGeometry, OrderedCornersAreTopLeftTopRightBottomRightBottomLeft) {
  skiff_ocr::RotatedRect rect;
  rect.center = {50, 20};
  rect.width = 10;   // along axis (0, 1): vertical
  rect.height = 80;  // across it: horizontal
  rect.axis = {0, 1};
  const Quad q = skiff_ocr::ordered_corners(rect);
  EXPECT_DOUBLE_EQ(q[0].x, 10);
  EXPECT_DOUBLE_EQ(q[0].y, 15);
  EXPECT_DOUBLE_EQ(q[1].x, 90);
  EXPECT_DOUBLE_EQ(q[1].y, 15);
  EXPECT_DOUBLE_EQ(q[2].x, 90);
  EXPECT_DOUBLE_EQ(q[2].y, 25);
  EXPECT_DOUBLE_EQ(q[3].x, 10);
  EXPECT_DOUBLE_EQ(q[3].y, 25);
}

TEST(OcrGeometry, UnclipGrowsEachSideByAreaTimesRatioOverPerimeter) {
  skiff_ocr::RotatedRect rect;
  rect.width = 90;
  rect.height = 10;
  const skiff_ocr::RotatedRect grown = skiff_ocr::unclip(rect, 1.5);
  const double d = 900 * 1.5 / 200;
  EXPECT_DOUBLE_EQ(grown.width, 90 + 2 * d);
  EXPECT_DOUBLE_EQ(grown.height, 10 + 2 * d);
}

TEST(OcrGeometry, PerspectiveTransformMapsTheCorners) {
  const Quad src = {Point{0, 0}, Point{100, 0}, Point{100, 20}, Point{0, 20}};
  const Quad dst = {Point{10, 5}, Point{120, 15}, Point{118, 40}, Point{8, 30}};
  skiff_ocr::Homography h;
  ASSERT_TRUE(skiff_ocr::perspective_transform(src, dst, h));
  for (size_t i = 0; i < 4; ++i) {
    const Point p = skiff_ocr::apply(h, src[i]);
    EXPECT_NEAR(p.x, dst[i].x, 1e-9);
    EXPECT_NEAR(p.y, dst[i].y, 1e-9);
  }
  const Quad degenerate = {Point{0, 0}, Point{1, 1}, Point{2, 2}, Point{3, 3}};
  EXPECT_FALSE(skiff_ocr::perspective_transform(degenerate, dst, h));
}

// A probability map with filled rectangles [x0, x1) x [y0, y1) at `value`.
struct Map {
  int width, height;
  std::vector<float> p;
  Map(int w, int h) : width(w), height(h), p(static_cast<size_t>(w) * h, 0.0f) {}
  void fill(int x0, int y0, int x1, int y1, float value) {
    for (int y = y0; y < y1; ++y)
      for (int x = x0; x < x1; ++x) p[static_cast<size_t>(y) * width + x] = value;
  }
};

TEST(OcrDetector, OneRegionBecomesOneUnclippedBoxScaledToTheImage) {
  Map map(200, 100);
  map.fill(20, 40, 121, 51, 0.9f);  // pixel centres 20..120 x 40..50: a 100 x 10 rectangle
  skiff_ocr::DetectorOptions options;
  options.unclip_ratio = 1.5;
  const auto boxes = skiff_ocr::boxes_from_probability_map(map.p.data(), 100, 200, 400, 200, options);
  ASSERT_EQ(boxes.size(), 1u);
  EXPECT_NEAR(boxes[0].score, 0.9f, 1e-5);
  const double d = 100.0 * 10 * 1.5 / 220;  // area * ratio / perimeter
  const Quad& q = boxes[0].quad;
  EXPECT_NEAR(q[0].x, std::nearbyint((20 - d) * 2), 1.0);
  EXPECT_NEAR(q[0].y, std::nearbyint((40 - d) * 2), 1.0);
  EXPECT_NEAR(q[2].x, std::nearbyint((120 + d) * 2), 1.0);
  EXPECT_NEAR(q[2].y, std::nearbyint((50 + d) * 2), 1.0);
}

TEST(OcrDetector, WeakAndTinyRegionsAreDropped) {
  Map map(200, 100);
  map.fill(10, 10, 100, 20, 0.5f);   // above the 0.3 threshold, below the 0.6 box score
  map.fill(150, 50, 152, 90, 0.9f);  // 2 pixels wide: shorter side under 3
  skiff_ocr::DetectorOptions options;
  EXPECT_TRUE(skiff_ocr::boxes_from_probability_map(map.p.data(), 100, 200, 200, 100, options).empty());
}

TEST(OcrDetector, ReadingOrderIsRowsThenLeftToRight) {
  Map map(300, 100);
  map.fill(160, 8, 260, 18, 0.9f);   // right, 2 px higher than the left one
  map.fill(10, 10, 110, 20, 0.9f);   // left
  map.fill(10, 60, 110, 70, 0.9f);   // second row
  skiff_ocr::DetectorOptions options;
  auto boxes = skiff_ocr::boxes_from_probability_map(map.p.data(), 100, 300, 300, 100, options);
  skiff_ocr::sort_reading_order(boxes);
  ASSERT_EQ(boxes.size(), 3u);
  EXPECT_LT(boxes[0].quad[0].x, 50);
  EXPECT_GT(boxes[1].quad[0].x, 150);
  EXPECT_GT(boxes[2].quad[0].y, 40);
}

TEST(OcrRecognizer, CtcGreedyMergesRepeatsAndDropsBlanks) {
  const std::vector<std::string> characters = {"", "a", "b", " "};
  // Best classes per step: a a blank a b b space.
  const int best[] = {1, 1, 0, 1, 2, 2, 3};
  std::vector<float> p(7 * 4, 0.0f);
  for (int t = 0; t < 7; ++t) p[t * 4 + best[t]] = 0.5f + 0.05f * t;
  const skiff_ocr::Recognition r = skiff_ocr::ctc_greedy_decode(p.data(), 7, 4, characters);
  EXPECT_EQ(r.text, "aab ");
  EXPECT_NEAR(r.confidence, (0.5f + 0.65f + 0.70f + 0.80f) / 4, 1e-6);
  const std::vector<float> blank = {1, 0, 0, 0};
  EXPECT_EQ(skiff_ocr::ctc_greedy_decode(blank.data(), 1, 4, characters).text, "");
}

// Writes a WAV file with one fmt chunk (and an odd-sized chunk before the
// data, which must be skipped with its pad byte).
std::string write_wav(const std::string& name, uint16_t format, int channels, int rate, int bits,
                      const std::vector<uint8_t>& data) {
  const std::string path = ::testing::TempDir() + name;
  std::vector<uint8_t> b;
  auto put32 = [&](uint32_t v) { for (int i = 0; i < 4; ++i) b.push_back(static_cast<uint8_t>(v >> (8 * i))); };
  auto put16 = [&](uint16_t v) { b.push_back(static_cast<uint8_t>(v)), b.push_back(static_cast<uint8_t>(v >> 8)); };
  auto tag = [&](const char* t) { b.insert(b.end(), t, t + 4); };
  tag("RIFF"), put32(0), tag("WAVE");
  tag("fmt "), put32(16), put16(format), put16(static_cast<uint16_t>(channels)), put32(static_cast<uint32_t>(rate));
  put32(static_cast<uint32_t>(rate * channels * bits / 8)), put16(static_cast<uint16_t>(channels * bits / 8));
  put16(static_cast<uint16_t>(bits));
  tag("LIST"), put32(3), b.push_back('x'), b.push_back('y'), b.push_back('z'), b.push_back(0);
  tag("data"), put32(static_cast<uint32_t>(data.size()));
  b.insert(b.end(), data.begin(), data.end());
  std::ofstream(path, std::ios::binary).write(reinterpret_cast<const char*>(b.data()), static_cast<std::streamsize>(b.size()));
  return path;
}

TEST(VadWav, Pcm16StereoIsAveragedToMono) {
  // Frames (L, R): (16384, 0), (-32768, -32768).
  const std::vector<uint8_t> data = {0x00, 0x40, 0x00, 0x00, 0x00, 0x80, 0x00, 0x80};
  const skiff_vad::Audio audio = skiff_vad::read_wav(write_wav("stereo16.wav", 1, 2, 16000, 16, data));
  EXPECT_EQ(audio.sample_rate, 16000);
  EXPECT_EQ(audio.channels, 2);
  ASSERT_EQ(audio.samples.size(), 2u);
  EXPECT_FLOAT_EQ(audio.samples[0], 0.25f);
  EXPECT_FLOAT_EQ(audio.samples[1], -1.0f);
}

TEST(VadWav, Pcm24AndFloat32AreDecoded) {
  const std::vector<uint8_t> pcm24 = {0x00, 0x00, 0xC0};  // -0.5
  EXPECT_FLOAT_EQ(skiff_vad::read_wav(write_wav("mono24.wav", 1, 1, 8000, 24, pcm24)).samples.at(0), -0.5f);
  float v = 0.125f;
  std::vector<uint8_t> f32(4);
  std::memcpy(f32.data(), &v, 4);
  EXPECT_FLOAT_EQ(skiff_vad::read_wav(write_wav("mono32f.wav", 3, 1, 16000, 32, f32)).samples.at(0), 0.125f);
}

TEST(VadWav, NonWavAndUnsupportedEncodingsAreRefused) {
  const std::string text = ::testing::TempDir() + "not.wav";
  std::ofstream(text) << "hello, this is not audio";
  EXPECT_THROW(skiff_vad::read_wav(text), std::runtime_error);
  EXPECT_THROW(skiff_vad::read_wav(write_wav("alaw.wav", 6, 1, 8000, 8, {0, 1})), std::runtime_error);
  EXPECT_THROW(skiff_vad::read_wav(::testing::TempDir() + "missing.wav"), std::runtime_error);
}

// Probabilities of 512-sample windows at 16 kHz (32 ms each).
std::vector<skiff_vad::Segment> segments_of(const std::vector<float>& p, const skiff_vad::SegmentOptions& o) {
  return skiff_vad::speech_segments(p, 512, 16000, p.size() * 512, o);
}

TEST(VadSegments, HysteresisShortPausesAndPadding) {
  std::vector<float> p(60, 0.0f);
  for (int i = 10; i < 20; ++i) p[i] = 0.9f;
  p[20] = 0.4f;                                // between the thresholds: still speech
  for (int i = 21; i < 23; ++i) p[i] = 0.1f;   // 64 ms pause < 100 ms: does not end it
  for (int i = 23; i < 30; ++i) p[i] = 0.9f;
  for (int i = 45; i < 48; ++i) p[i] = 0.9f;   // 96 ms burst < 250 ms: dropped
  skiff_vad::SegmentOptions o;
  const auto s = segments_of(p, o);
  ASSERT_EQ(s.size(), 1u);
  EXPECT_NEAR(s[0].start, 10 * 0.032 - 0.030, 1e-9);
  EXPECT_NEAR(s[0].end, 30 * 0.032 + 0.030, 1e-9);
}

TEST(VadSegments, SpeechToTheEndAndCloseSegmentsShareTheirPause) {
  std::vector<float> p(40, 0.0f);
  for (int i = 0; i < 10; ++i) p[i] = 0.9f;
  for (int i = 15; i < 40; ++i) p[i] = 0.9f;  // 160 ms pause between them, speech to the end
  skiff_vad::SegmentOptions o;
  o.speech_pad_ms = 100;                       // pause < two pads: split in the middle
  const auto s = segments_of(p, o);
  ASSERT_EQ(s.size(), 2u);
  EXPECT_DOUBLE_EQ(s[0].start, 0.0);
  EXPECT_NEAR(s[0].end, s[1].start, 1e-9);
  EXPECT_NEAR(s[0].end, 12.5 * 0.032, 1e-9);
  EXPECT_NEAR(s[1].end, 40 * 0.032, 1e-9);
}

}  // namespace
