// fold_constants (basic): a node whose inputs are all initializers is run
// once, now, with the native kernels, and its outputs become initializers.
// Random ops are left alone, and so are results larger than
// PassOptions::fold_limit_bytes (folding an Expand or a ConstantOfShape
// would trade a tiny node for a large weight).
#include <cmath>
#include <set>

#include "passes/graph_util.h"
#include "passes/pass_list.h"

namespace skiff::passes {
namespace {

bool is_random(const ir::Node& node) {
  static const std::set<std::string> kRandom = {"RandomNormal", "RandomUniform", "RandomNormalLike",
                                                "RandomUniformLike", "Multinomial", "Bernoulli"};
  return is_onnx(node) && kRandom.count(node.op_type);
}

int64_t product(const std::vector<double>& v) {
  double p = 1;
  for (double x : v) p *= std::max(0.0, x);
  return p > 9e15 ? INT64_MAX : static_cast<int64_t>(p);
}

// Elements of the result of ops whose output can dwarf their inputs, from
// their constant inputs; -1 when not such an op.
int64_t generated_elements(const ir::Node& node, const std::vector<Tensor>& in) {
  auto values = [&](size_t i) { return i < in.size() && in[i].defined() ? to_doubles(in[i]) : std::vector<double>{}; };
  if (node.op_type == "ConstantOfShape") return product(values(0));
  if (node.op_type == "Tile" && in.size() > 1) return in[0].numel() * std::max<int64_t>(1, product(values(1)));
  if (node.op_type == "Expand" && in.size() > 1) return std::max(in[0].numel(), product(values(1)));
  if (node.op_type == "Range" && in.size() > 2) {
    const auto s = values(0), l = values(1), d = values(2);
    if (s.size() != 1 || l.size() != 1 || d.size() != 1 || d[0] == 0) return INT64_MAX;
    return static_cast<int64_t>(std::max(0.0, std::ceil((l[0] - s[0]) / d[0])));
  }
  return -1;
}

// Elements of the node's outputs when shape inference knows them all
// (Resize, Pad, ... whose size follows from their constant inputs), else 0.
int64_t inferred_elements(const ir::Graph& graph, PassContext& ctx, const ir::Node& node) {
  int64_t total = 0;
  for (const auto& out : node.outputs) {
    const ShapeInfo* s = out.empty() ? nullptr : ctx.shape_of(graph, out);
    if (!s || !s->fully_known()) continue;
    double n = 1;
    for (int64_t d : s->shape()) n *= static_cast<double>(d);
    total += n > 9e15 ? INT64_MAX / 2 : static_cast<int64_t>(n);
  }
  return total;
}

class FoldConstants final : public Pass {
 public:
  const char* name() const override { return "fold_constants"; }
  OptLevel level() const override { return OptLevel::kBasic; }

  bool run(ir::Graph& graph, PassContext& ctx) override {
    bool changed = false;
    const int64_t limit = ctx.options().fold_limit_bytes;
    for (auto& node : graph.nodes) {
      if (is_dead(node) || is_random(node) || has_subgraph(node) || node.outputs.empty()) continue;
      std::vector<Tensor> inputs;
      bool constant = true;
      for (size_t i = 0; i < node.inputs.size() && constant; ++i) {
        if (node.inputs[i].empty()) {
          inputs.emplace_back();
          continue;
        }
        const Tensor* t = graph.initializer(node.inputs[i]);
        constant = t != nullptr;
        if (t) inputs.push_back(*t);
      }
      if (!constant) continue;
      const int64_t generated = generated_elements(node, inputs);
      if (generated > limit / 8) continue;  // worst case 8-byte elements
      if (inferred_elements(graph, ctx, node) > limit / 8) continue;
      auto outputs = ctx.evaluate(node, inputs);
      if (!outputs) continue;
      int64_t bytes = 0;
      for (const auto& t : *outputs) bytes += static_cast<int64_t>(t.nbytes());
      if (bytes > limit) continue;
      size_t k = 0;
      std::string what;
      for (const auto& out : node.outputs) {
        if (out.empty()) continue;
        what += str_cat(what.empty() ? "" : ", ", out, " = ", (*outputs)[k].str());
        graph.initializers[out] = std::move((*outputs)[k++]);
      }
      ctx.note(str_cat(node.label(), " folded: ", what));
      kill_node(node);
      changed = true;
    }
    erase_dead_nodes(graph);
    return changed;
  }
};

}  // namespace

std::unique_ptr<Pass> make_fold_constants() { return std::make_unique<FoldConstants>(); }

}  // namespace skiff::passes
