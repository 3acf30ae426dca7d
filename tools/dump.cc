// skiff run --dump: every intermediate value of one run, for finding the
// first node whose output diverges between two runs (scripts/compare_dumps.py).
#include <filesystem>
#include <fstream>
#include <unordered_set>

#include "cli.h"
#include "onnx/onnx.h"

namespace skiff::cli {

void dump_intermediates(const ir::Model& model, const std::vector<Value>& inputs, const std::string& dir) {
  // The same graph with every node output as a graph output: the executor
  // keeps them all alive and returns them.
  ir::Graph g = model.graph;
  std::unordered_set<std::string> is_output;
  for (const auto& vi : g.outputs) is_output.insert(vi.name);
  struct Entry {
    int64_t step;
    std::string value, node, op;
  };
  std::vector<Entry> entries;
  int64_t step = 0;
  for (size_t i : g.topological_order()) {
    const ir::Node& node = g.nodes[i];
    for (const auto& out : node.outputs) {
      if (out.empty()) continue;
      entries.push_back({step, out, node.name, node.domain.empty() ? node.op_type : node.domain + "::" + node.op_type});
      if (is_output.insert(out).second) {
        ir::ValueInfo vi;
        vi.name = out;
        g.outputs.push_back(vi);
      }
    }
    ++step;
  }
  auto plan = runtime::Plan::compile(g, model.opsets, runtime::PlanOptions{});
  std::vector<Value> values = plan->run(inputs);
  std::map<std::string, const Value*> by_name;
  for (size_t k = 0; k < values.size(); ++k) by_name[g.outputs[k].name] = &values[k];

  std::filesystem::create_directories(dir);
  std::ofstream index(dir + "/index.tsv");
  if (!index) fail(ErrorCode::kIO, "cannot write '", dir, "/index.tsv'");
  index << "step\tvalue\tfile\tnode\top\n";
  int64_t file_number = 0;
  auto write = [&](int64_t s, const std::string& name, const Value& v, const std::string& node, const std::string& op) {
    const std::string file = str_cat(file_number++, ".pb");
    onnx::write_value_file(dir + "/" + file, v, name);
    index << s << "\t" << name << "\t" << file << "\t" << node << "\t" << op << "\n";
  };
  for (size_t k = 0; k < inputs.size() && k < model.graph.inputs.size(); ++k)
    write(-1, model.graph.inputs[k].name, inputs[k], "", "input");
  for (const auto& e : entries) write(e.step, e.value, *by_name.at(e.value), e.node, e.op);
}

}  // namespace skiff::cli
