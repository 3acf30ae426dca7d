#include "geometry.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace skiff_ocr {
namespace {

double cross(const Point& o, const Point& a, const Point& b) {
  return (a.x - o.x) * (b.y - o.y) - (a.y - o.y) * (b.x - o.x);
}

// Solves the n x n system a * x = b in place (Gaussian elimination with
// partial pivoting). False when the matrix is singular.
template <size_t N>
bool solve(std::array<std::array<double, N + 1>, N>& m, std::array<double, N>& x) {
  for (size_t col = 0; col < N; ++col) {
    size_t pivot = col;
    for (size_t r = col + 1; r < N; ++r) {
      if (std::fabs(m[r][col]) > std::fabs(m[pivot][col])) pivot = r;
    }
    if (std::fabs(m[pivot][col]) < 1e-12) return false;
    std::swap(m[col], m[pivot]);
    for (size_t r = 0; r < N; ++r) {
      if (r == col) continue;
      double f = m[r][col] / m[col][col];
      for (size_t c = col; c <= N; ++c) m[r][c] -= f * m[col][c];
    }
  }
  for (size_t r = 0; r < N; ++r) x[r] = m[r][N] / m[r][r];
  return true;
}

}  // namespace

double distance(const Point& a, const Point& b) { return std::hypot(a.x - b.x, a.y - b.y); }

std::vector<Point> convex_hull(std::vector<Point> points) {
  std::sort(points.begin(), points.end(),
            [](const Point& a, const Point& b) { return a.x < b.x || (a.x == b.x && a.y < b.y); });
  points.erase(std::unique(points.begin(), points.end(),
                           [](const Point& a, const Point& b) { return a.x == b.x && a.y == b.y; }),
               points.end());
  if (points.size() < 3) return points;
  std::vector<Point> hull(2 * points.size());
  size_t k = 0;
  for (const Point& p : points) {  // lower chain
    while (k >= 2 && cross(hull[k - 2], hull[k - 1], p) <= 0) --k;
    hull[k++] = p;
  }
  for (size_t i = points.size() - 1, lower = k + 1; i-- > 0;) {  // upper chain
    while (k >= lower && cross(hull[k - 2], hull[k - 1], points[i]) <= 0) --k;
    hull[k++] = points[i];
  }
  hull.resize(k - 1);  // the last point repeats the first
  return hull;
}

RotatedRect min_area_rect(const std::vector<Point>& hull) {
  RotatedRect best;
  if (hull.empty()) return best;
  if (hull.size() == 1) {
    best.center = hull[0];
    return best;
  }
  double best_area = std::numeric_limits<double>::infinity();
  const size_t n = hull.size();
  for (size_t i = 0; i < n; ++i) {
    const Point& a = hull[i];
    const Point& b = hull[(i + 1) % n];
    double length = distance(a, b);
    if (length == 0) continue;
    Point u{(b.x - a.x) / length, (b.y - a.y) / length};
    Point v{-u.y, u.x};
    double min_u = 0, max_u = 0, min_v = 0, max_v = 0;
    for (const Point& p : hull) {
      double pu = (p.x - a.x) * u.x + (p.y - a.y) * u.y;
      double pv = (p.x - a.x) * v.x + (p.y - a.y) * v.y;
      min_u = std::min(min_u, pu), max_u = std::max(max_u, pu);
      min_v = std::min(min_v, pv), max_v = std::max(max_v, pv);
    }
    double area = (max_u - min_u) * (max_v - min_v);
    if (area < best_area) {
      best_area = area;
      double cu = (min_u + max_u) / 2, cv = (min_v + max_v) / 2;
      best.center = {a.x + u.x * cu + v.x * cv, a.y + u.y * cu + v.y * cv};
      best.width = max_u - min_u;
      best.height = max_v - min_v;
      best.axis = u;
    }
  }
  return best;
}

Quad ordered_corners(const RotatedRect& rect) {
  const Point u{rect.axis.x * rect.width / 2, rect.axis.y * rect.width / 2};
  const Point v{-rect.axis.y * rect.height / 2, rect.axis.x * rect.height / 2};
  const Point& c = rect.center;
  std::array<Point, 4> p = {Point{c.x - u.x - v.x, c.y - u.y - v.y}, Point{c.x + u.x - v.x, c.y + u.y - v.y},
                            Point{c.x + u.x + v.x, c.y + u.y + v.y}, Point{c.x - u.x + v.x, c.y - u.y + v.y}};
  std::stable_sort(p.begin(), p.end(), [](const Point& a, const Point& b) { return a.x < b.x; });
  const bool left_first_is_top = p[1].y > p[0].y;
  const bool right_first_is_top = p[3].y > p[2].y;
  return {left_first_is_top ? p[0] : p[1], right_first_is_top ? p[2] : p[3],
          right_first_is_top ? p[3] : p[2], left_first_is_top ? p[1] : p[0]};
}

RotatedRect unclip(const RotatedRect& rect, double ratio) {
  const double area = rect.width * rect.height;
  const double perimeter = 2 * (rect.width + rect.height);
  if (perimeter == 0) return rect;
  const double d = area * ratio / perimeter;
  RotatedRect grown = rect;
  grown.width += 2 * d;
  grown.height += 2 * d;
  return grown;
}

bool perspective_transform(const Quad& src, const Quad& dst, Homography& h) {
  // Eight unknowns (h22 = 1); each pair gives two equations.
  std::array<std::array<double, 9>, 8> m{};
  for (size_t i = 0; i < 4; ++i) {
    const double x = src[i].x, y = src[i].y, X = dst[i].x, Y = dst[i].y;
    m[2 * i] = {x, y, 1, 0, 0, 0, -x * X, -y * X, X};
    m[2 * i + 1] = {0, 0, 0, x, y, 1, -x * Y, -y * Y, Y};
  }
  std::array<double, 8> solution{};
  if (!solve<8>(m, solution)) return false;
  for (size_t i = 0; i < 8; ++i) h[i] = solution[i];
  h[8] = 1;
  return true;
}

Point apply(const Homography& h, const Point& p) {
  const double w = h[6] * p.x + h[7] * p.y + h[8];
  return {(h[0] * p.x + h[1] * p.y + h[2]) / w, (h[3] * p.x + h[4] * p.y + h[5]) / w};
}

}  // namespace skiff_ocr
