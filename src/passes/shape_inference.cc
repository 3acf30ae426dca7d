#include "passes/shape_inference.h"

#include <algorithm>
#include <cmath>
#include <functional>
#include <unordered_map>
#include <unordered_set>

#include "passes/graph_util.h"

namespace skiff::passes {

ir::Dim known_dim(int64_t value) {
  ir::Dim d;
  d.value = value;
  return d;
}

bool same_dim(const ir::Dim& a, const ir::Dim& b) {
  if (a.known() || b.known()) return a.known() && b.known() && a.value == b.value;
  return !a.param.empty() && a.param == b.param;
}

bool same_dims(const std::vector<ir::Dim>& a, const std::vector<ir::Dim>& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (!same_dim(a[i], b[i])) return false;
  return true;
}

namespace {

using Dims = std::vector<ir::Dim>;

ir::Dim symbol(std::string text) {
  ir::Dim d;
  d.param = std::move(text);
  return d;
}

// An unknown dim with no symbol: equal to nothing, not even itself.
ir::Dim unknown() { return ir::Dim{}; }

// Elements of shape values (ShapeInfo::value): a literal integer (any sign)
// has no param; a symbolic element has its symbol; an unknown one has "?".
bool is_literal(const ir::Dim& e) { return e.param.empty(); }
ir::Dim literal(int64_t v) {
  ir::Dim e;
  e.value = v;
  return e;
}
ir::Dim dim_to_elem(const ir::Dim& d) {
  if (d.known()) return literal(d.value);
  return symbol(d.param.empty() ? "?" : d.param);
}
ir::Dim elem_to_dim(const ir::Dim& e) {
  if (is_literal(e)) return e.value >= 0 ? known_dim(e.value) : unknown();
  return e.param == "?" ? unknown() : e;
}

// a * b as a dim; symbolic when either is a symbol.
ir::Dim mul_dim(const ir::Dim& a, const ir::Dim& b) {
  if (a.known() && b.known()) return known_dim(a.value * b.value);
  if ((a.known() && a.value == 1)) return b;
  if ((b.known() && b.value == 1)) return a;
  if ((a.known() || !a.param.empty()) && (b.known() || !b.param.empty()))
    return symbol(str_cat("(", a.str(), "*", b.str(), ")"));
  return unknown();
}

ir::Dim add_dim(const ir::Dim& a, const ir::Dim& b) {
  if (a.known() && b.known()) return known_dim(a.value + b.value);
  if (a.known() && a.value == 0) return b;
  if (b.known() && b.value == 0) return a;
  if ((a.known() || !a.param.empty()) && (b.known() || !b.param.empty()))
    return symbol(str_cat("(", a.str(), "+", b.str(), ")"));
  return unknown();
}

// Numpy broadcasting of two dims, assuming the model is valid.
ir::Dim broadcast_dim(const ir::Dim& a, const ir::Dim& b) {
  if (a.known() && a.value == 1) return b;
  if (b.known() && b.value == 1) return a;
  if (same_dim(a, b)) return a;
  if (a.known()) return a;
  if (b.known()) return b;
  return unknown();
}

// Output size of a sliding window: floor((in + pads - extent) / stride) + 1,
// or ceil when ceil_mode; symbolic inputs keep a symbol, and the common
// "same size" case (stride 1, pads == extent - 1) keeps the input's symbol.
ir::Dim window_dim(const ir::Dim& in, int64_t pads, int64_t extent, int64_t stride, bool ceil_mode) {
  if (in.known()) {
    const int64_t span = in.value + pads - extent;
    if (span < 0 || stride <= 0) return unknown();
    return known_dim((ceil_mode ? (span + stride - 1) / stride : span / stride) + 1);
  }
  if (in.param.empty()) return unknown();
  if (stride == 1 && pads == extent - 1) return in;
  return symbol(str_cat("win(", in.param, ",", pads - extent, ",", stride, ceil_mode ? ",c)" : ")"));
}

struct Node {
  const ir::Node& node;
  int64_t opset;
  const ir::Graph& graph;
  std::map<std::string, ShapeInfo>& known;

  const ShapeInfo* in(size_t i) const {
    if (!node.has_input(i)) return nullptr;
    auto it = known.find(node.inputs[i]);
    return it == known.end() ? nullptr : &it->second;
  }
  const Dims* dims(size_t i) const {
    const ShapeInfo* s = in(i);
    return s && s->dims ? &*s->dims : nullptr;
  }
  DataType dtype(size_t i) const {
    const ShapeInfo* s = in(i);
    return s ? s->dtype : DataType::kUndefined;
  }
  const Tensor* constant(size_t i) const { return constant_input(graph, node, i); }
  // Integer elements of input i when they are all known.
  std::optional<std::vector<int64_t>> ints(size_t i) const {
    const ShapeInfo* s = in(i);
    if (!s || !s->value) return std::nullopt;
    std::vector<int64_t> v;
    for (const auto& e : *s->value) {
      if (!is_literal(e)) return std::nullopt;
      v.push_back(e.value);
    }
    return v;
  }
  void set(size_t i, DataType dtype, std::optional<Dims> dims,
           std::optional<Dims> value = std::nullopt) {
    if (i >= node.outputs.size() || node.outputs[i].empty()) return;
    ShapeInfo& s = known[node.outputs[i]];
    s.dtype = dtype;
    s.dims = std::move(dims);
    s.value = std::move(value);
  }
  void same_as_input(size_t out, size_t input, DataType dtype = DataType::kUndefined) {
    const ShapeInfo* s = in(input);
    if (!s) return;
    set(out, dtype == DataType::kUndefined ? s->dtype : dtype, s->dims);
  }
};

// Small integer tensors carry their elements as dims (negative numbers are
// kept as plain values: they are never sizes).
std::optional<Dims> tensor_value(const Tensor& t) {
  if ((t.dtype() != DataType::kInt64 && t.dtype() != DataType::kInt32) || t.rank() > 1 || t.numel() > 64)
    return std::nullopt;
  Dims v;
  for (double x : to_doubles(t)) v.push_back(literal(static_cast<int64_t>(x)));
  return v;
}

ShapeInfo from_type(const ir::TypeInfo& type) {
  ShapeInfo s;
  if (type.kind != ir::TypeInfo::Kind::kTensor) return s;
  s.dtype = type.dtype;
  if (type.shape) s.dims = *type.shape;
  return s;
}

ShapeInfo from_tensor(const Tensor& t) {
  ShapeInfo s;
  s.dtype = t.dtype();
  Dims dims;
  for (int64_t d : t.shape()) dims.push_back(known_dim(d));
  s.dims = dims;
  s.value = tensor_value(t);
  return s;
}

int64_t norm_axis(int64_t axis, size_t rank) { return axis < 0 ? axis + static_cast<int64_t>(rank) : axis; }

// Axes from an attribute (before `input_since`) or from input `index`.
std::optional<std::vector<int64_t>> axes_of(const Node& n, int64_t input_since, size_t index) {
  if (n.opset < input_since) {
    if (!n.node.attr("axes")) return std::vector<int64_t>{};
    return attr_ints(n.node, "axes");
  }
  if (!n.node.has_input(index)) return std::vector<int64_t>{};
  return n.ints(index);
}

void infer_broadcast(Node& n, DataType dtype) {
  std::optional<Dims> out = Dims{};
  for (size_t i = 0; i < n.node.inputs.size(); ++i) {
    const Dims* d = n.dims(i);
    if (!d) {
      out.reset();
      break;
    }
    Dims a = *out, b = *d;
    if (a.size() < b.size()) std::swap(a, b);
    const size_t off = a.size() - b.size();
    for (size_t k = 0; k < b.size(); ++k) a[off + k] = broadcast_dim(a[off + k], b[k]);
    out = a;
  }
  n.set(0, dtype, out);
}

void infer_conv(Node& n, bool pool) {
  const Dims* x = n.dims(0);
  if (!x || x->size() < 3) return;
  const size_t rank = x->size() - 2;
  std::vector<int64_t> kernel = attr_ints(n.node, "kernel_shape");
  ir::Dim channels = (*x)[1];
  if (!pool) {
    const Dims* w = n.dims(1);
    if (!w || w->size() != x->size()) return;
    channels = (*w)[0];
    if (kernel.empty())
      for (size_t i = 2; i < w->size(); ++i) {
        if (!(*w)[i].known()) return;
        kernel.push_back((*w)[i].value);
      }
  }
  if (kernel.size() != rank) return;
  std::vector<int64_t> strides = attr_ints(n.node, "strides"), dilations = attr_ints(n.node, "dilations"),
                       pads = attr_ints(n.node, "pads");
  strides.resize(rank, 1);
  if (strides.size() != rank) return;
  if (dilations.empty()) dilations.assign(rank, 1);
  if (pads.empty()) pads.assign(2 * rank, 0);
  if (dilations.size() != rank || pads.size() != 2 * rank) return;
  const std::string auto_pad = attr_string(n.node, "auto_pad", "NOTSET");
  const bool ceil_mode = attr_int(n.node, "ceil_mode", 0) != 0;
  Dims out = {(*x)[0], channels};
  for (size_t i = 0; i < rank; ++i) {
    const ir::Dim& in = (*x)[i + 2];
    const int64_t extent = dilations[i] * (kernel[i] - 1) + 1;
    if (auto_pad == "SAME_UPPER" || auto_pad == "SAME_LOWER")
      out.push_back(window_dim(in, strides[i] - 1, 1, strides[i], true));  // ceil(in / stride)
    else if (auto_pad == "VALID")
      out.push_back(window_dim(in, 0, extent, strides[i], false));
    else
      out.push_back(window_dim(in, pads[i] + pads[i + rank], extent, strides[i], ceil_mode));
  }
  n.set(0, n.dtype(0), out);
}

void infer_matmul(Node& n) {
  const Dims* a = n.dims(0);
  const Dims* b = n.dims(1);
  if (!a || !b || a->empty() || b->empty()) return;
  Dims x = *a, y = *b;
  const bool vec_a = x.size() == 1, vec_b = y.size() == 1;
  if (vec_a) x.insert(x.begin(), known_dim(1));
  if (vec_b) y.push_back(known_dim(1));
  Dims batch_a(x.begin(), x.end() - 2), batch_b(y.begin(), y.end() - 2);
  if (batch_a.size() < batch_b.size()) std::swap(batch_a, batch_b);
  const size_t off = batch_a.size() - batch_b.size();
  for (size_t k = 0; k < batch_b.size(); ++k) batch_a[off + k] = broadcast_dim(batch_a[off + k], batch_b[k]);
  Dims out = batch_a;
  if (!vec_a) out.push_back(x[x.size() - 2]);
  if (!vec_b) out.push_back(y.back());
  n.set(0, n.dtype(0), out);
}

void infer_gemm(Node& n, bool fused) {
  const Dims* a = n.dims(0);
  const Dims* b = n.dims(1);
  if (!a || !b || b->size() != 2) return;
  const bool ta = attr_int(n.node, "transA", 0) != 0, tb = attr_int(n.node, "transB", 0) != 0;
  if (fused && a->size() > 2 && !ta) {  // FusedGemm's batched form
    Dims out(a->begin(), a->end() - 1);
    out.push_back(tb ? (*b)[0] : (*b)[1]);
    return n.set(0, n.dtype(0), out);
  }
  if (a->size() != 2) return;
  n.set(0, n.dtype(0), Dims{ta ? (*a)[1] : (*a)[0], tb ? (*b)[0] : (*b)[1]});
}

// The size of Reshape's -1 dim: cancel the output dims that match input
// dims (same number or symbol); what is left of the input is the answer
// when it is one dim, or a number when everything left is known.
ir::Dim inferred_dim(const Dims& in, const Dims& out, int minus_one) {
  std::vector<ir::Dim> left;
  for (const auto& d : in)
    if (!(d.known() && d.value == 1)) left.push_back(d);
  std::vector<ir::Dim> rest;
  for (size_t i = 0; i < out.size(); ++i) {
    if (static_cast<int>(i) == minus_one || (out[i].known() && out[i].value == 1)) continue;
    auto it = std::find_if(left.begin(), left.end(), [&](const ir::Dim& d) { return same_dim(d, out[i]); });
    if (it != left.end()) left.erase(it);
    else rest.push_back(out[i]);
  }
  const auto all_known = [](const std::vector<ir::Dim>& v) {
    return std::all_of(v.begin(), v.end(), [](const ir::Dim& d) { return d.known(); });
  };
  if (rest.empty() && left.size() == 1) return left[0];
  if (!all_known(rest) || !all_known(left)) return unknown();
  int64_t numerator = 1, denominator = 1;
  for (const auto& d : left) numerator *= d.value;
  for (const auto& d : rest) denominator *= d.value;
  if (denominator <= 0 || numerator % denominator != 0) return unknown();
  return known_dim(numerator / denominator);
}

void infer_reshape(Node& n) {
  const Dims* x = n.dims(0);
  const ShapeInfo* target = n.in(1);
  std::vector<int64_t> requested;
  Dims out;
  if (n.opset < 5) {
    requested = attr_ints(n.node, "shape");
    for (int64_t v : requested) out.push_back(known_dim(v));
  } else {
    if (!target || !target->value) return;
    out = *target->value;
  }
  const bool allowzero = attr_int(n.node, "allowzero", 0) != 0;
  int minus_one = -1;
  for (size_t i = 0; i < out.size(); ++i) {
    const ir::Dim e = out[i];
    if (!is_literal(e)) {
      out[i] = elem_to_dim(e);
    } else if (e.value == 0 && !allowzero) {
      if (!x || i >= x->size()) return;
      out[i] = (*x)[i];
    } else if (e.value == -1) {
      if (minus_one >= 0) return;
      minus_one = static_cast<int>(i);
    } else if (e.value < -1) {
      return;
    }
  }
  if (minus_one >= 0) out[static_cast<size_t>(minus_one)] = x ? inferred_dim(*x, out, minus_one) : unknown();
  n.set(0, n.dtype(0), out);
}

void infer_transpose(Node& n) {
  const Dims* x = n.dims(0);
  if (!x) return;
  std::vector<int64_t> perm = attr_ints(n.node, "perm");
  if (perm.empty())
    for (size_t i = x->size(); i-- > 0;) perm.push_back(static_cast<int64_t>(i));
  if (perm.size() != x->size()) return;
  Dims out;
  for (int64_t p : perm) {
    if (p < 0 || p >= static_cast<int64_t>(x->size())) return;
    out.push_back((*x)[static_cast<size_t>(p)]);
  }
  n.set(0, n.dtype(0), out);
}

void infer_squeeze(Node& n, bool unsqueeze) {
  const ShapeInfo* s = n.in(0);
  const auto axes = axes_of(n, 13, 1);
  if (!s || !s->dims || !axes) return;
  Dims out;
  const Dims& x = *s->dims;
  if (unsqueeze) {
    const size_t rank = x.size() + axes->size();
    std::vector<bool> inserted(rank, false);
    for (int64_t a : *axes) {
      const int64_t k = norm_axis(a, rank);
      if (k < 0 || k >= static_cast<int64_t>(rank)) return;
      inserted[static_cast<size_t>(k)] = true;
    }
    size_t j = 0;
    for (size_t i = 0; i < rank; ++i) out.push_back(inserted[i] ? known_dim(1) : x[j++]);
  } else {
    std::vector<bool> removed(x.size(), false);
    for (int64_t a : *axes) {
      const int64_t k = norm_axis(a, x.size());
      if (k < 0 || k >= static_cast<int64_t>(x.size())) return;
      removed[static_cast<size_t>(k)] = true;
    }
    for (size_t i = 0; i < x.size(); ++i) {
      if (axes->empty() && !x[i].known()) return;  // which dims are 1 is unknown
      if (!(axes->empty() ? x[i].value == 1 : removed[i])) out.push_back(x[i]);
    }
  }
  // Reshaping a value keeps its elements.
  n.set(0, s->dtype, out, s->value);
}

void infer_concat(Node& n) {
  std::optional<Dims> out;
  std::optional<Dims> value = Dims{};
  int64_t axis = attr_int(n.node, "axis", 0);
  for (size_t i = 0; i < n.node.inputs.size(); ++i) {
    const ShapeInfo* s = n.in(i);
    if (!s || !s->dims) return;
    const Dims& d = *s->dims;
    if (value && s->value && d.size() == 1) value->insert(value->end(), s->value->begin(), s->value->end());
    else value.reset();
    const int64_t k = norm_axis(axis, d.size());
    if (k < 0 || k >= static_cast<int64_t>(d.size())) return;
    if (!out) {
      out = d;
      continue;
    }
    if (out->size() != d.size()) return;
    for (size_t j = 0; j < d.size(); ++j)
      (*out)[j] = static_cast<int64_t>(j) == k ? add_dim((*out)[j], d[j]) : broadcast_dim((*out)[j], d[j]);
  }
  n.set(0, n.dtype(0), out, value);
}

// Slice along axis 0 of a 1-D value, or shapes when starts/ends are known.
void infer_slice(Node& n) {
  const ShapeInfo* s = n.in(0);
  if (!s || !s->dims) return;
  std::optional<std::vector<int64_t>> starts, ends, axes, steps;
  if (n.opset < 10) {
    starts = attr_ints(n.node, "starts");
    ends = attr_ints(n.node, "ends");
    axes = attr_ints(n.node, "axes");
  } else {
    starts = n.ints(1);
    ends = n.ints(2);
    axes = n.node.has_input(3) ? n.ints(3) : std::vector<int64_t>{};
    steps = n.node.has_input(4) ? n.ints(4) : std::vector<int64_t>{};
  }
  if (!starts || !ends || !axes || (n.opset >= 10 && !steps) || starts->size() != ends->size()) return;
  Dims out = *s->dims;
  std::optional<Dims> value = s->value;
  for (size_t i = 0; i < starts->size(); ++i) {
    const int64_t axis = norm_axis(axes->empty() ? static_cast<int64_t>(i) : (*axes)[i], out.size());
    const int64_t step = steps && !steps->empty() ? (*steps)[i] : 1;
    if (axis < 0 || axis >= static_cast<int64_t>(out.size()) || step == 0) return;
    ir::Dim& d = out[static_cast<size_t>(axis)];
    if (!d.known()) {
      d = unknown();
      value.reset();
      continue;
    }
    const int64_t size = d.value;
    auto clampi = [&](int64_t v, int64_t lo, int64_t hi) { return std::clamp(v < 0 ? v + size : v, lo, hi); };
    const int64_t b = step > 0 ? clampi((*starts)[i], 0, size) : clampi((*starts)[i], -1, size - 1);
    const int64_t e = step > 0 ? clampi((*ends)[i], 0, size) : clampi((*ends)[i], -1, size - 1);
    const int64_t count = step > 0 ? std::max<int64_t>(0, (e - b + step - 1) / step)
                                   : std::max<int64_t>(0, (b - e + (-step) - 1) / (-step));
    if (value && out.size() == 1) {
      Dims picked;
      for (int64_t k = 0; k < count; ++k) picked.push_back((*value)[static_cast<size_t>(b + k * step)]);
      value = picked;
    }
    d = known_dim(count);
  }
  n.set(0, s->dtype, out, value);
}

void infer_gather(Node& n) {
  const ShapeInfo* data = n.in(0);
  const ShapeInfo* idx = n.in(1);
  if (!data || !data->dims || !idx || !idx->dims) return;
  const int64_t axis = norm_axis(attr_int(n.node, "axis", 0), data->dims->size());
  if (axis < 0 || axis >= static_cast<int64_t>(data->dims->size())) return;
  Dims out(data->dims->begin(), data->dims->begin() + axis);
  out.insert(out.end(), idx->dims->begin(), idx->dims->end());
  out.insert(out.end(), data->dims->begin() + axis + 1, data->dims->end());
  std::optional<Dims> value;
  const auto indices = n.ints(1);
  if (data->value && data->dims->size() == 1 && indices && idx->dims->size() <= 1) {
    value = Dims{};
    const int64_t size = static_cast<int64_t>(data->value->size());
    for (int64_t i : *indices) {
      const int64_t k = i < 0 ? i + size : i;
      if (k < 0 || k >= size) return;
      value->push_back((*data->value)[static_cast<size_t>(k)]);
    }
  }
  n.set(0, data->dtype, out, value);
}

void infer_shape_op(Node& n) {
  const Dims* x = n.dims(0);
  if (!x) return n.set(0, DataType::kInt64, Dims{unknown()});
  int64_t start = 0, end = static_cast<int64_t>(x->size());
  if (n.opset >= 15) {
    const int64_t rank = static_cast<int64_t>(x->size());
    auto clampi = [&](int64_t v) { return std::clamp(v < 0 ? v + rank : v, int64_t{0}, rank); };
    start = clampi(attr_int(n.node, "start", 0));
    end = clampi(attr_int(n.node, "end", rank));
  }
  Dims value;
  for (int64_t i = start; i < end; ++i) value.push_back(dim_to_elem((*x)[static_cast<size_t>(i)]));
  n.set(0, DataType::kInt64, Dims{known_dim(static_cast<int64_t>(value.size()))}, value);
}

void infer_reduce(Node& n, bool arg) {
  const Dims* x = n.dims(0);
  if (!x) return;
  const bool keepdims = attr_int(n.node, "keepdims", 1) != 0;
  std::vector<int64_t> axes;
  if (arg) {
    axes = {attr_int(n.node, "axis", 0)};
  } else {
    const int64_t input_since = n.node.op_type == "ReduceSum" ? 13 : 18;
    auto a = axes_of(n, input_since, 1);
    if (!a) return;
    axes = *a;
    if (axes.empty() && attr_int(n.node, "noop_with_empty_axes", 0)) return n.same_as_input(0, 0);
  }
  std::vector<bool> reduced(x->size(), axes.empty());
  for (int64_t a : axes) {
    const int64_t k = norm_axis(a, x->size());
    if (k < 0 || k >= static_cast<int64_t>(x->size())) return;
    reduced[static_cast<size_t>(k)] = true;
  }
  Dims out;
  for (size_t i = 0; i < x->size(); ++i) {
    if (!reduced[i]) out.push_back((*x)[i]);
    else if (keepdims) out.push_back(known_dim(1));
  }
  n.set(0, arg ? DataType::kInt64 : n.dtype(0), out);
}

// Resize / Upsample: dims scaled by constant scales (floor), or set by
// constant sizes; otherwise the rank is kept with unknown dims.
void infer_resize(Node& n) {
  const Dims* x = n.dims(0);
  if (!x) return;
  std::vector<double> scales;
  std::optional<std::vector<int64_t>> sizes;
  const bool upsample = n.node.op_type == "Upsample";
  if (upsample && n.opset < 9) {
    for (float f : n.node.attr("scales") ? n.node.attr("scales")->floats : std::vector<float>{}) scales.push_back(f);
  } else {
    const size_t scales_input = (upsample || n.opset < 11) ? 1 : 2;
    if (const Tensor* t = n.constant(scales_input)) scales = to_doubles(*t);
    if (!upsample && n.opset >= 11 && n.node.has_input(3)) sizes = n.ints(3);
  }
  if (!attr_ints(n.node, "axes").empty()) return n.set(0, n.dtype(0), Dims(x->size(), unknown()));
  Dims out;
  for (size_t i = 0; i < x->size(); ++i) {
    const ir::Dim& d = (*x)[i];
    if (sizes && sizes->size() == x->size()) {
      out.push_back(known_dim((*sizes)[i]));
    } else if (scales.size() == x->size()) {
      const double f = scales[i];
      if (f == 1.0) out.push_back(d);
      else if (d.known()) out.push_back(known_dim(static_cast<int64_t>(std::floor(static_cast<double>(d.value) * f))));
      else out.push_back(d.param.empty() ? unknown() : symbol(str_cat("(", d.param, "*", f, ")")));
    } else {
      out.push_back(unknown());
    }
  }
  n.set(0, n.dtype(0), out);
}

void infer_conv_transpose(Node& n) {
  const Dims* x = n.dims(0);
  const Dims* w = n.dims(1);
  if (!x || !w || x->size() < 3 || w->size() != x->size()) return;
  const size_t rank = x->size() - 2;
  const int64_t group = attr_int(n.node, "group", 1);
  ir::Dim channels = (*w)[1].known() ? known_dim((*w)[1].value * group) : unknown();
  Dims out = {(*x)[0], channels};
  const auto output_shape = attr_ints(n.node, "output_shape");
  std::vector<int64_t> kernel = attr_ints(n.node, "kernel_shape"), strides = attr_ints(n.node, "strides"),
                       dilations = attr_ints(n.node, "dilations"), pads = attr_ints(n.node, "pads"),
                       output_padding = attr_ints(n.node, "output_padding");
  if (kernel.empty())
    for (size_t i = 2; i < w->size(); ++i) kernel.push_back((*w)[i].known() ? (*w)[i].value : -1);
  strides.resize(rank, 1);
  dilations.resize(rank, 1);
  output_padding.resize(rank, 0);
  pads.resize(2 * rank, 0);
  const std::string auto_pad = attr_string(n.node, "auto_pad", "NOTSET");
  for (size_t i = 0; i < rank; ++i) {
    const ir::Dim& in = (*x)[i + 2];
    if (output_shape.size() == rank) {
      out.push_back(known_dim(output_shape[i]));
    } else if (kernel[i] < 0 || auto_pad != "NOTSET") {
      out.push_back(unknown());
    } else {
      // (in - 1) * stride + extent + output_padding - pads
      const int64_t add = (dilations[i] * (kernel[i] - 1) + 1) + output_padding[i] - pads[i] - pads[i + rank] - strides[i];
      if (in.known()) out.push_back(known_dim(in.value * strides[i] + add));
      else out.push_back(in.param.empty() ? unknown() : symbol(str_cat("(", in.param, "*", strides[i], "+", add, ")")));
    }
  }
  n.set(0, n.dtype(0), out);
}

using Rule = std::function<void(Node&)>;

const std::unordered_map<std::string, Rule>& rules() {
  static const auto* table = [] {
    auto* t = new std::unordered_map<std::string, Rule>();
    for (const char* op : {"Relu", "Sigmoid", "Tanh", "Exp", "Log", "Abs", "Neg", "Sqrt", "Reciprocal", "Floor",
                           "Ceil", "Round", "Sign", "Erf", "LeakyRelu", "Elu", "Selu", "Celu", "HardSigmoid",
                           "HardSwish", "Softplus", "Softsign", "Clip", "Identity", "Softmax", "LogSoftmax",
                           "Hardmax", "BatchNormalization", "InstanceNormalization", "LRN", "Cos", "Sin", "Mish",
                           "Gelu", "ThresholdedRelu", "Shrink", "Dropout", "LayerNormalization", "Atan", "Tan",
                           "Asin", "Acos", "CumSum", "MeanVarianceNormalization", "LpNormalization"})
      (*t)[op] = [](Node& n) { n.same_as_input(0, 0); };
    for (const char* op : {"IsNaN", "IsInf", "Not"})
      (*t)[op] = [](Node& n) { n.same_as_input(0, 0, DataType::kBool); };
    (*t)["Cast"] = [](Node& n) {
      n.same_as_input(0, 0, static_cast<DataType>(attr_int(n.node, "to", 0)));
      // Casting a shape value between int32 and int64 keeps its elements.
      const ShapeInfo* s = n.in(0);
      const auto to = static_cast<DataType>(attr_int(n.node, "to", 0));
      if (s && s->value && (to == DataType::kInt64 || to == DataType::kInt32))
        n.known[n.node.outputs[0]].value = s->value;
    };
    (*t)["CastLike"] = [](Node& n) { n.same_as_input(0, 0, n.dtype(1)); };
    for (const char* op : {"Add", "Sub", "Mul", "Div", "Pow", "Max", "Min", "Sum", "Mean", "Mod", "PRelu", "BitShift"})
      (*t)[op] = [](Node& n) { infer_broadcast(n, n.dtype(0)); };
    for (const char* op : {"And", "Or", "Xor", "Equal", "Less", "Greater", "LessOrEqual", "GreaterOrEqual"})
      (*t)[op] = [](Node& n) { infer_broadcast(n, DataType::kBool); };
    (*t)["Where"] = [](Node& n) { infer_broadcast(n, n.dtype(1)); };
    for (const char* op : {"Conv", "FusedConv"}) (*t)[op] = [](Node& n) { infer_conv(n, false); };
    for (const char* op : {"MaxPool", "AveragePool", "LpPool"}) (*t)[op] = [](Node& n) { infer_conv(n, true); };
    for (const char* op : {"GlobalAveragePool", "GlobalMaxPool", "GlobalLpPool"})
      (*t)[op] = [](Node& n) {
        const Dims* x = n.dims(0);
        if (!x || x->size() < 2) return;
        Dims out(x->begin(), x->begin() + 2);
        out.resize(x->size(), known_dim(1));
        n.set(0, n.dtype(0), out);
      };
    (*t)["MatMul"] = infer_matmul;
    (*t)["Resize"] = infer_resize;
    (*t)["Upsample"] = infer_resize;
    (*t)["ConvTranspose"] = infer_conv_transpose;
    // Type only: the shape depends on values the rules do not track.
    for (const char* op : {"Pad", "Tile", "Expand", "Split", "TopK", "GatherElements", "GatherND", "ScatterND",
                           "ScatterElements", "Einsum", "DepthToSpace", "SpaceToDepth", "ReverseSequence"})
      (*t)[op] = [](Node& n) {
        for (size_t i = 0; i < n.node.outputs.size(); ++i) n.set(i, n.dtype(0), std::nullopt);
      };
    (*t)["TopK"] = [](Node& n) {
      n.set(0, n.dtype(0), std::nullopt);
      n.set(1, DataType::kInt64, std::nullopt);
    };
    (*t)["Gemm"] = [](Node& n) { infer_gemm(n, false); };
    (*t)["FusedGemm"] = [](Node& n) { infer_gemm(n, true); };
    (*t)["Attention"] = [](Node& n) {
      const Dims* q = n.dims(0);
      const Dims* v = n.dims(2);
      if (!q || !v || q->size() < 2 || v->empty()) return;
      Dims out = *q;
      out.back() = v->back();
      n.set(0, n.dtype(0), out);
    };
    (*t)["Reshape"] = infer_reshape;
    (*t)["Transpose"] = infer_transpose;
    (*t)["Squeeze"] = [](Node& n) { infer_squeeze(n, false); };
    (*t)["Unsqueeze"] = [](Node& n) { infer_squeeze(n, true); };
    (*t)["Flatten"] = [](Node& n) {
      const Dims* x = n.dims(0);
      if (!x) return;
      const int64_t axis = norm_axis(attr_int(n.node, "axis", 1), x->size());
      if (axis < 0 || axis > static_cast<int64_t>(x->size())) return;
      ir::Dim a = known_dim(1), b = known_dim(1);
      for (int64_t i = 0; i < static_cast<int64_t>(x->size()); ++i)
        (i < axis ? a : b) = mul_dim(i < axis ? a : b, (*x)[static_cast<size_t>(i)]);
      n.set(0, n.dtype(0), Dims{a, b});
    };
    (*t)["Concat"] = infer_concat;
    (*t)["Slice"] = infer_slice;
    (*t)["Gather"] = infer_gather;
    (*t)["Shape"] = infer_shape_op;
    (*t)["Size"] = [](Node& n) {
      const ShapeInfo* s = n.in(0);
      ir::Dim total = known_dim(1);
      if (s && s->dims)
        for (const auto& d : *s->dims) total = mul_dim(total, d);
      else
        total = unknown();
      n.set(0, DataType::kInt64, Dims{}, Dims{dim_to_elem(total)});
    };
    for (const char* op : {"ReduceMean", "ReduceSum", "ReduceMax", "ReduceMin", "ReduceProd", "ReduceL1",
                           "ReduceL2", "ReduceLogSum", "ReduceLogSumExp", "ReduceSumSquare"})
      (*t)[op] = [](Node& n) { infer_reduce(n, false); };
    for (const char* op : {"ArgMax", "ArgMin"}) (*t)[op] = [](Node& n) { infer_reduce(n, true); };
    return t;
  }();
  return *table;
}

}  // namespace

std::map<std::string, ShapeInfo> infer_shapes(const ir::Graph& graph,
                                              const std::map<std::string, int64_t>& opsets) {
  std::map<std::string, ShapeInfo> known;
  for (const auto& vi : graph.inputs) known[vi.name] = from_type(vi.type);
  for (const auto& [name, t] : graph.initializers) known[name] = from_tensor(t);
  // Declarations are a fallback for values the rules cannot reason about.
  std::unordered_map<std::string, const ir::TypeInfo*> declared;
  for (const auto& vi : graph.value_info) declared[vi.name] = &vi.type;
  for (const auto& vi : graph.outputs) declared[vi.name] = &vi.type;
  for (size_t index : graph.topological_order()) {
    const ir::Node& node = graph.nodes[index];
    const std::string domain = node.domain == "ai.onnx" ? "" : node.domain;
    auto opset = opsets.find(domain);
    if (opset != opsets.end() && (domain.empty() || domain == kSkiffDomain)) {
      auto rule = rules().find(node.op_type);
      if (rule != rules().end()) {
        Node n{node, opset->second, graph, known};
        rule->second(n);
      }
    }
    for (const auto& out : node.outputs) {
      if (out.empty() || known.count(out)) continue;
      auto it = declared.find(out);
      if (it != declared.end()) known[out] = from_type(*it->second);
    }
  }
  return known;
}

}  // namespace skiff::passes
