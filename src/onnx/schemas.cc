// ONNX operator schemas (names and since-versions), generated at build time
// from Debian's python3-onnx by scripts/gen_onnx_schemas.py.
#include <algorithm>
#include <map>
#include <string>
#include <vector>

#include "onnx/onnx.h"

namespace skiff::onnx {

namespace {

struct SchemaRow {
  const char* domain;
  const char* op;
  int since;
  int deprecated;
};

#define SKIFF_SCHEMA(domain, op, since, deprecated) {domain, op, since, deprecated},
constexpr SchemaRow kSchemas[] = {
#include "onnx_schemas.inc"
};
#undef SKIFF_SCHEMA

using SchemaMap = std::map<std::pair<std::string, std::string>, std::vector<int>>;

const SchemaMap& schema_map() {
  static const SchemaMap map = [] {
    SchemaMap m;
    for (const auto& row : kSchemas) m[{row.domain, row.op}].push_back(row.since);
    for (auto& [key, versions] : m) std::sort(versions.begin(), versions.end());
    return m;
  }();
  return map;
}

}  // namespace

bool is_standard_domain(const std::string& domain) {
  return domain.empty() || domain == "ai.onnx" || domain == "ai.onnx.ml" ||
         domain == "ai.onnx.preview.training";
}

int schema_since_version(const std::string& domain, const std::string& op, int64_t opset) {
  const std::string d = domain == "ai.onnx" ? "" : domain;
  auto it = schema_map().find({d, op});
  if (it == schema_map().end()) return -1;
  int best = 0;
  for (int v : it->second)
    if (v <= opset) best = v;
  return best;
}

std::vector<std::string> schema_ops(const std::string& domain) {
  std::vector<std::string> names;
  for (const auto& row : kSchemas)
    if (domain == row.domain && !row.deprecated &&
        (names.empty() || names.back() != row.op))
      names.push_back(row.op);
  return names;
}

const char* schema_onnx_version() { return SKIFF_ONNX_VERSION; }
int schema_max_opset() { return SKIFF_ONNX_MAX_OPSET; }

}  // namespace skiff::onnx
