// merge_duplicate_initializers (basic): initializers with the same type,
// shape and bytes become one (exporters often repeat the same scalar
// constant per layer), which also lets eliminate_common_subexpressions
// merge the nodes that read them.
#include <functional>
#include <string_view>
#include <unordered_map>

#include "passes/graph_util.h"
#include "passes/pass_list.h"

namespace skiff::passes {
namespace {

size_t content_hash(const Tensor& t) {
  size_t h = std::hash<std::string>()(str_cat(static_cast<int>(t.dtype()), shape_str(t.shape())));
  if (t.dtype() == DataType::kString) {
    for (int64_t i = 0; i < t.numel(); ++i) h = h * 31 + std::hash<std::string>()(t.data<std::string>()[i]);
    return h;
  }
  return h ^ std::hash<std::string_view>()(std::string_view(static_cast<const char*>(t.raw()), t.nbytes()));
}

class MergeDuplicateInitializers final : public Pass {
 public:
  const char* name() const override { return "merge_duplicate_initializers"; }
  OptLevel level() const override { return OptLevel::kBasic; }

  bool run(ir::Graph& graph, PassContext& ctx) override {
    Uses uses(graph);
    std::unordered_map<size_t, std::vector<std::string>> by_hash;
    std::vector<std::pair<std::string, std::string>> merges;  // duplicate -> kept
    for (const auto& [name, t] : graph.initializers) {
      if (uses.is_graph_output(name) || uses.captured(name)) continue;
      auto& group = by_hash[content_hash(t)];
      const std::string* twin = nullptr;
      for (const auto& other : group)
        if (same_tensor(*graph.initializer(other), t)) twin = &other;
      if (twin) merges.emplace_back(name, *twin);
      else group.push_back(name);
    }
    for (const auto& [dup, kept] : merges) {
      rename_uses(graph, dup, kept);
      graph.initializers.erase(dup);
    }
    if (!merges.empty()) ctx.note(str_cat("merged ", merges.size(), " initializers into equal ones"));
    return !merges.empty();
  }
};

}  // namespace

std::unique_ptr<Pass> make_merge_duplicate_initializers() {
  return std::make_unique<MergeDuplicateInitializers>();
}

}  // namespace skiff::passes
