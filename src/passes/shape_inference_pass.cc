// shape_inference (basic): replaces values that shape inference knows
// exactly (Shape of a value with known dims, and the Gather/Slice/Concat/Cast
// of such shapes) with initializers, and gives Reshape a constant target
// when the computed one only restates the input's dims. With fixed input
// shapes this folds whole Shape -> Gather -> Concat -> Reshape chains; with
// dynamic ones it still removes those whose answer does not depend on them.
#include "passes/graph_util.h"
#include "passes/pass_list.h"
#include "passes/shape_inference.h"

namespace skiff::passes {
namespace {

bool is_literal(const ir::Dim& e) { return e.param.empty(); }

Tensor int_tensor(DataType dtype, const std::vector<ir::Dim>& dims, const std::vector<int64_t>& values) {
  Shape shape;
  for (const auto& d : dims) shape.push_back(d.value);
  Tensor t(dtype, shape);
  for (size_t i = 0; i < values.size(); ++i) {
    if (dtype == DataType::kInt64) t.data<int64_t>()[i] = values[i];
    else t.data<int32_t>()[i] = static_cast<int32_t>(values[i]);
  }
  return t;
}

// The node's only output as a constant, when inference knows every element.
std::optional<Tensor> known_value(const ir::Node& node, const ShapeInfo* s) {
  if (node.outputs.size() != 1 || !s || !s->value || !s->fully_known()) return std::nullopt;
  if (s->dtype != DataType::kInt64 && s->dtype != DataType::kInt32) return std::nullopt;
  std::vector<int64_t> values;
  for (const auto& e : *s->value) {
    if (!is_literal(e)) return std::nullopt;
    values.push_back(e.value);
  }
  int64_t count = 1;
  for (const auto& d : *s->dims) count *= d.value;
  if (count != static_cast<int64_t>(values.size())) return std::nullopt;
  return int_tensor(s->dtype, *s->dims, values);
}

// A constant target for Reshape: entries that restate the input dim at the
// same index become 0 (copy); one entry left unknown becomes -1 when the
// other entries are surely non-zero (a -1 next to a zero is an error).
std::optional<std::vector<int64_t>> reshape_target(const ShapeInfo* target, const ShapeInfo* data) {
  if (!target || !target->value || !data || !data->dims) return std::nullopt;
  const auto& x = *data->dims;
  std::vector<int64_t> out;
  int unresolved = -1;
  bool nonzero = true, has_minus_one = false;
  for (size_t i = 0; i < target->value->size(); ++i) {
    const ir::Dim& e = (*target->value)[i];
    if (is_literal(e)) {
      out.push_back(e.value);
      has_minus_one = has_minus_one || e.value == -1;
      if (e.value == 0) nonzero = nonzero && i < x.size() && x[i].known() && x[i].value > 0;
      else nonzero = nonzero && e.value != 0;
      continue;
    }
    if (e.param != "?" && i < x.size() && same_dim(e, x[i])) {
      out.push_back(0);
      nonzero = false;  // a symbolic dim may be 0 at run time
      continue;
    }
    if (unresolved >= 0) return std::nullopt;
    unresolved = static_cast<int>(i);
    out.push_back(-1);
  }
  if (unresolved >= 0 && (has_minus_one || !nonzero)) return std::nullopt;
  return out;
}

class ShapeInference final : public Pass {
 public:
  const char* name() const override { return "shape_inference"; }
  OptLevel level() const override { return OptLevel::kBasic; }

  bool run(ir::Graph& graph, PassContext& ctx) override {
    const auto& shapes = ctx.shapes(graph);
    auto info = [&](const std::string& v) { return find_shape(shapes, v); };
    std::vector<std::pair<size_t, Tensor>> folds;
    std::vector<std::pair<size_t, std::vector<int64_t>>> targets;
    for (size_t i = 0; i < graph.nodes.size(); ++i) {
      const ir::Node& node = graph.nodes[i];
      if (!is_onnx(node) || has_subgraph(node) || node.outputs.empty()) continue;
      if (auto t = known_value(node, info(node.outputs[0]))) {
        folds.emplace_back(i, std::move(*t));
      } else if (node.op_type == "Reshape" && ctx.opset() >= 5 && node.has_input(1) &&
                 !graph.is_initializer(node.inputs[1]) && attr_int(node, "allowzero", 0) == 0) {
        if (auto target = reshape_target(info(node.inputs[1]), info(node.inputs[0])))
          targets.emplace_back(i, std::move(*target));
      }
    }
    for (auto& [i, t] : folds) {
      ir::Node& node = graph.nodes[i];
      ctx.note(str_cat(node.label(), ": '", node.outputs[0], "' is ", t.str(), " known from shapes"));
      graph.initializers[node.outputs[0]] = std::move(t);
      kill_node(node);
    }
    for (auto& [i, target] : targets) {
      ir::Node& node = graph.nodes[i];
      Tensor t(DataType::kInt64, {static_cast<int64_t>(target.size())});
      std::copy(target.begin(), target.end(), t.data<int64_t>());
      ctx.note(str_cat(node.label(), ": target shape is the constant ", shape_str(target)));
      node.inputs[1] = add_initializer(graph, ctx, node.inputs[1], std::move(t));
    }
    erase_dead_nodes(graph);
    return !folds.empty() || !targets.empty();
  }
};

}  // namespace

std::unique_ptr<Pass> make_shape_inference() { return std::make_unique<ShapeInference>(); }

}  // namespace skiff::passes
