#include "passes/shape_inference.h"

#include <algorithm>
#include <cmath>
#include <functional>
#include <unordered_map>
#include <unordered_set>

#include "passes/shape_inference_internal.h"

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

using namespace shape_detail;

// Small integer tensors carry their elements (see ShapeInfo::value).
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

// Split along `axis`: sizes from the `split` input (opset 13+) or
// attribute, else equal parts.
void infer_split(Node& n) {
  const Dims* x = n.dims(0);
  const size_t parts = n.node.outputs.size();
  for (size_t i = 0; i < parts; ++i) n.set(i, n.dtype(0), std::nullopt);
  if (!x || parts == 0) return;
  const int64_t axis = norm_axis(attr_int(n.node, "axis", 0), x->size());
  if (axis < 0 || axis >= static_cast<int64_t>(x->size())) return;
  std::optional<std::vector<int64_t>> sizes;
  if (n.opset >= 13 && n.node.has_input(1)) sizes = n.ints(1);
  else if (n.opset < 13 && n.node.attr("split")) sizes = attr_ints(n.node, "split");
  const ir::Dim& d = (*x)[static_cast<size_t>(axis)];
  if (!sizes && d.known() && d.value % static_cast<int64_t>(parts) == 0)
    sizes = std::vector<int64_t>(parts, d.value / static_cast<int64_t>(parts));
  for (size_t i = 0; i < parts; ++i) {
    Dims out = *x;
    out[static_cast<size_t>(axis)] = sizes && sizes->size() == parts ? known_dim((*sizes)[i]) : unknown();
    n.set(i, n.dtype(0), out);
  }
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
    (*t)["Split"] = infer_split;
    for (const char* op : {"Pad", "Tile", "Expand", "TopK", "GatherElements", "GatherND", "ScatterND",
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
                                              const std::map<std::string, int64_t>& opsets,
                                              const std::map<std::string, ShapeInfo>* outer) {
  std::map<std::string, ShapeInfo> known;
  if (outer) {
    std::unordered_set<std::string> own;
    for (const auto& node : graph.nodes) own.insert(node.outputs.begin(), node.outputs.end());
    for (const auto& [name, info] : *outer)
      if (!own.count(name)) known[name] = info;
  }
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
        // Rules give up when input dims are unknown; most ops still keep
        // the type of their first input, which is what fusions check.
        static const std::unordered_set<std::string> kTypeChanging = {
            "Shape", "Size", "Cast", "CastLike", "ArgMax", "ArgMin", "IsNaN", "IsInf", "Not", "And", "Or", "Xor",
            "Equal", "Less", "Greater", "LessOrEqual", "GreaterOrEqual", "Where", "TopK"};
        if (!node.outputs.empty() && !node.outputs[0].empty() && !known.count(node.outputs[0]) &&
            !kTypeChanging.count(node.op_type) && n.dtype(0) != DataType::kUndefined)
          n.set(0, n.dtype(0), std::nullopt);
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
