#include "engines/native/broadcast.h"

#include <string>

namespace skiff {

namespace {

// Dimension `i` (counted over `rank` right-aligned dims) of `shape`, 1 where
// the shape has fewer dimensions.
int64_t aligned_dim(const Shape& shape, size_t rank, size_t i) {
  const size_t pad = rank - shape.size();
  return i < pad ? 1 : shape[i - pad];
}

size_t max_rank(const std::vector<Shape>& shapes) {
  size_t rank = 0;
  for (const Shape& s : shapes) rank = std::max(rank, s.size());
  return rank;
}

std::string shapes_str(const std::vector<Shape>& shapes) {
  std::string s;
  for (size_t k = 0; k < shapes.size(); ++k) s += (k ? ", " : "") + shape_str(shapes[k]);
  return s;
}

}  // namespace

bool try_broadcast_shapes(const std::vector<Shape>& shapes, Shape* out) {
  const size_t rank = max_rank(shapes);
  out->assign(rank, 1);
  for (size_t i = 0; i < rank; ++i) {
    // Numpy: the non-1 sizes must agree (0 is a size like any other).
    for (const Shape& s : shapes) {
      const int64_t d = aligned_dim(s, rank, i);
      if (d == 1) continue;
      if ((*out)[i] != 1 && (*out)[i] != d) return false;
      (*out)[i] = d;
    }
  }
  return true;
}

Shape broadcast_input_shapes(const KernelContext& ctx, const std::vector<size_t>& inputs) {
  std::vector<Shape> shapes;
  for (size_t i : inputs) shapes.push_back(ctx.input(i).shape());
  Shape out;
  if (try_broadcast_shapes(shapes, &out)) return out;
  std::string labels;
  for (size_t i : inputs) labels += (labels.empty() ? "" : ", ") + ctx.input_label(i);
  ctx.fail("inputs cannot be broadcast together (numpy rules): ", labels);
}

bool broadcastable_to(const Shape& from, const Shape& to) {
  if (from.size() > to.size()) return false;
  const size_t pad = to.size() - from.size();
  for (size_t i = 0; i < from.size(); ++i)
    if (from[i] != 1 && from[i] != to[i + pad]) return false;
  return true;
}

Shape legacy_broadcast_shape(const Shape& a, const Shape& b, std::optional<int64_t> axis) {
  const int64_t rank_a = static_cast<int64_t>(a.size());
  const int64_t rank_b = static_cast<int64_t>(b.size());
  const int64_t start = axis ? (*axis < 0 ? *axis + rank_a : *axis) : rank_a - rank_b;
  bool fits = rank_b <= rank_a && start >= 0 && start + rank_b <= rank_a;
  for (int64_t i = 0; fits && i < rank_b; ++i) fits = b[i] == 1 || b[i] == a[start + i];
  if (!fits)
    fail(ErrorCode::kInvalidInput, "legacy broadcast: B ", shape_str(b),
         " does not match a run of A ", shape_str(a),
         axis ? str_cat(" starting at axis ", *axis) : std::string(" ending at its last axis"));
  Shape padded(a.size(), 1);
  for (int64_t i = 0; i < rank_b; ++i) padded[start + i] = b[i];
  return padded;
}

BroadcastPlan::BroadcastPlan(const std::vector<Shape>& inputs) {
  if (!try_broadcast_shapes(inputs, &output_shape_))
    fail(ErrorCode::kInvalidInput, "shapes ", shapes_str(inputs), " cannot be broadcast together");
  plan(inputs);
}

BroadcastPlan::BroadcastPlan(const std::vector<Shape>& inputs, const Shape& output)
    : output_shape_(output) {
  for (const Shape& s : inputs)
    if (!broadcastable_to(s, output))
      fail(ErrorCode::kInvalidInput, "shape ", shape_str(s), " cannot be broadcast to ",
           shape_str(output));
  plan(inputs);
}

void BroadcastPlan::plan(const std::vector<Shape>& inputs) {
  numel_ = shape_numel(output_shape_);
  const size_t rank = output_shape_.size();
  const size_t n = inputs.size();
  // Walk the output dims, skipping size 1, and merge a dim into the previous
  // merged one when every input has the same kind (spans / broadcasts) in both.
  std::vector<std::vector<bool>> spans(n);  // [input][merged dim]
  for (size_t i = 0; i < rank; ++i) {
    const int64_t d = output_shape_[i];
    if (d == 1) continue;
    bool same_kind = !dims_.empty();
    for (size_t k = 0; k < n && same_kind; ++k)
      same_kind = spans[k].back() == (aligned_dim(inputs[k], rank, i) != 1);
    if (same_kind) {
      dims_.back() *= d;
      continue;
    }
    dims_.push_back(d);
    for (size_t k = 0; k < n; ++k) spans[k].push_back(aligned_dim(inputs[k], rank, i) != 1);
  }
  if (dims_.empty()) {  // a single element (or rank 0): one run of length 1
    dims_.push_back(1);
    for (size_t k = 0; k < n; ++k) spans[k].push_back(false);
  }
  strides_.assign(n, std::vector<int64_t>(dims_.size(), 0));
  for (size_t k = 0; k < n; ++k) {
    int64_t stride = 1;
    for (size_t d = dims_.size(); d-- > 0;) {
      if (!spans[k][d]) continue;
      strides_[k][d] = stride;
      stride *= dims_[d];
    }
  }
}

}  // namespace skiff
