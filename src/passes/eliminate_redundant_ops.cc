// eliminate_redundant_ops (basic): shape and type ops that do nothing or
// undo each other.
//   - Cast to the type the input already has; Cast(Cast(x)) through a type
//     that holds every value of x's type reads x directly.
//   - Reshape, Flatten, Squeeze, Unsqueeze, Expand whose output shape equals
//     the input's; Transpose with the identity permutation.
//   - Reshape of a Reshape/Flatten/Squeeze/Unsqueeze reshapes the original
//     (when its target has no 0, which would copy a dim of the middle value).
//   - Transpose of a Transpose becomes one Transpose (the composed perm).
#include <algorithm>
#include <set>

#include "passes/graph_util.h"
#include "passes/pass_list.h"
#include "passes/shape_inference.h"

namespace skiff::passes {
namespace {

// True when every value of type `from` converts to `to` and back exactly.
bool lossless(DataType from, DataType to) {
  using D = DataType;
  if (from == to) return true;
  static const std::set<std::pair<D, D>> kWidening = {
      {D::kBool, D::kInt8},      {D::kBool, D::kInt16},     {D::kBool, D::kInt32},   {D::kBool, D::kInt64},
      {D::kBool, D::kFloat},     {D::kBool, D::kDouble},    {D::kInt8, D::kInt16},   {D::kInt8, D::kInt32},
      {D::kInt8, D::kInt64},     {D::kInt8, D::kFloat},     {D::kInt8, D::kDouble},  {D::kUInt8, D::kInt16},
      {D::kUInt8, D::kInt32},    {D::kUInt8, D::kInt64},    {D::kUInt8, D::kFloat},  {D::kUInt8, D::kDouble},
      {D::kInt16, D::kInt32},    {D::kInt16, D::kInt64},    {D::kInt16, D::kFloat},  {D::kInt16, D::kDouble},
      {D::kUInt16, D::kInt32},   {D::kUInt16, D::kInt64},   {D::kUInt16, D::kFloat}, {D::kUInt16, D::kDouble},
      {D::kInt32, D::kInt64},    {D::kInt32, D::kDouble},   {D::kUInt32, D::kInt64}, {D::kUInt32, D::kDouble},
      {D::kFloat16, D::kFloat},  {D::kFloat16, D::kDouble}, {D::kBFloat16, D::kFloat},
      {D::kBFloat16, D::kDouble}, {D::kFloat, D::kDouble}};
  return kWidening.count({from, to}) != 0;
}

bool is_reshape_like(const ir::Node& node) {
  return is_op(node, "Reshape") || is_op(node, "Flatten") || is_op(node, "Squeeze") || is_op(node, "Unsqueeze");
}

std::vector<int64_t> perm_of(const ir::Node& node, const ShapeInfo* in) {
  std::vector<int64_t> perm = attr_ints(node, "perm");
  if (perm.empty() && in && in->dims)
    for (size_t i = in->dims->size(); i-- > 0;) perm.push_back(static_cast<int64_t>(i));
  return perm;
}

class EliminateRedundantOps final : public Pass {
 public:
  const char* name() const override { return "eliminate_redundant_ops"; }
  OptLevel level() const override { return OptLevel::kBasic; }

  bool run(ir::Graph& graph, PassContext& ctx) override {
    const auto& shapes = ctx.shapes(graph);
    auto info = [&](const std::string& v) { return find_shape(shapes, v); };
    bool changed = false;
    LazyUses lazy(graph);
    for (size_t i = 0; i < graph.nodes.size(); ++i) {
      ir::Node& node = graph.nodes[i];
      if (is_dead(node) || !is_onnx(node) || !node.has_input(0) || node.outputs.size() != 1) continue;
      const Uses& uses = lazy.get();
      const int p = uses.producer(node.inputs[0]);
      const ir::Node* prev = p >= 0 ? &graph.nodes[static_cast<size_t>(p)] : nullptr;
      const ShapeInfo* in = info(node.inputs[0]);
      const ShapeInfo* out = info(node.outputs[0]);
      const std::string label = node.label();
      // Rewire to read further up the chain; the middle node may die.
      if (prev && is_op(node, "Cast") && is_op(*prev, "Cast") && prev->has_input(0)) {
        const ShapeInfo* src = info(prev->inputs[0]);
        const auto mid = static_cast<DataType>(attr_int(*prev, "to", 0));
        if (src && src->dtype != DataType::kUndefined && lossless(src->dtype, mid)) {
          node.inputs[0] = prev->inputs[0];
          ctx.note(label + " reads the input of " + prev->label() + " (a lossless round trip)");
          changed = true;
          lazy.changed();
          continue;
        }
      }
      if (prev && is_op(node, "Reshape") && is_reshape_like(*prev) && prev->has_input(0) && ctx.opset() >= 5) {
        const Tensor* target = constant_input(graph, node, 1);
        const auto values = target ? to_doubles(*target) : std::vector<double>{};
        if (target && std::find(values.begin(), values.end(), 0.0) == values.end()) {
          node.inputs[0] = prev->inputs[0];
          ctx.note(label + " reshapes the input of " + prev->label());
          changed = true;
          lazy.changed();
          continue;
        }
      }
      if (prev && is_op(node, "Transpose") && is_op(*prev, "Transpose") && prev->has_input(0)) {
        const auto outer = perm_of(node, in), inner = perm_of(*prev, info(prev->inputs[0]));
        if (!outer.empty() && outer.size() == inner.size()) {
          std::vector<int64_t> perm;
          for (int64_t k : outer) perm.push_back(inner[static_cast<size_t>(k)]);
          node.inputs[0] = prev->inputs[0];
          set_attr(node, make_attr("perm", perm));
          ctx.note(label + " and " + prev->label() + " compose into perm " + shape_str(perm));
          changed = true;
          lazy.changed();
          continue;
        }
      }
      if (does_nothing(node, in, out) && bypass_node(graph, uses, i)) {
        ctx.note(label + " does nothing; removed");
        changed = true;
        lazy.changed();
      }
    }
    erase_dead_nodes(graph);
    if (changed) ctx.invalidate_shapes();
    return changed;
  }

 private:
  static bool does_nothing(const ir::Node& node, const ShapeInfo* in, const ShapeInfo* out) {
    if (!in || !out || in->dtype != out->dtype || in->dtype == DataType::kUndefined) return false;
    if (is_op(node, "Cast")) return true;
    if (is_op(node, "Transpose")) {
      const auto perm = perm_of(node, in);
      for (size_t k = 0; k < perm.size(); ++k)
        if (perm[k] != static_cast<int64_t>(k)) return false;
      return !perm.empty();
    }
    if (!(is_reshape_like(node) || is_op(node, "Expand"))) return false;
    return in->dims && out->dims && same_dims(*in->dims, *out->dims);
  }
};

}  // namespace

std::unique_ptr<Pass> make_eliminate_redundant_ops() { return std::make_unique<EliminateRedundantOps>(); }

}  // namespace skiff::passes
