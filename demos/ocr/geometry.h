// Plane geometry for the DB text detector's post-processing: convex hulls,
// minimum-area rotated rectangles, quadrilateral ordering, and the
// perspective transform that straightens a text line.
#pragma once

#include <array>
#include <vector>

namespace skiff_ocr {

struct Point {
  double x = 0;
  double y = 0;
};

// Four corners in PaddleOCR's order: top-left, top-right, bottom-right,
// bottom-left (clockwise in image coordinates, y down).
using Quad = std::array<Point, 4>;

// Convex hull (Andrew's monotone chain), counter-clockwise in a y-up frame,
// without collinear points. Fewer than three points come back unchanged
// (deduplicated).
std::vector<Point> convex_hull(std::vector<Point> points);

// The smallest-area rectangle enclosing a convex polygon. One of its sides
// lies on a hull edge, so trying every edge direction finds it.
struct RotatedRect {
  Point center;
  double width = 0;   // along `axis`
  double height = 0;  // across it
  Point axis{1, 0};   // unit vector
  double short_side() const { return width < height ? width : height; }
};
RotatedRect min_area_rect(const std::vector<Point>& hull);

// The rectangle's corners ordered as PaddleOCR's get_mini_boxes does: by x,
// then the upper of the two leftmost is top-left, the upper of the two
// rightmost is top-right.
Quad ordered_corners(const RotatedRect& rect);

// DB's "unclip": the text kernel the network predicts is shrunk during
// training by D = area * (1 - r^2) / perimeter; inference grows it back by
// area * ratio / perimeter. Offsetting a rectangle by d keeps it a rectangle
// (rounded corners stay inside the grown one), so its min-area box is simply
// d wider on every side.
RotatedRect unclip(const RotatedRect& rect, double ratio);

double distance(const Point& a, const Point& b);

// 3x3 homography, row-major, mapping (x, y, 1) to homogeneous coordinates.
using Homography = std::array<double, 9>;
// The homography taking src[i] to dst[i] (four point pairs, no three
// collinear). Returns false when the points are degenerate.
bool perspective_transform(const Quad& src, const Quad& dst, Homography& h);
Point apply(const Homography& h, const Point& p);

}  // namespace skiff_ocr
