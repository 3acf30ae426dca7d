// skiff inspect MODEL: what a model declares and what skiff can run of it.
#include <iostream>
#include <map>
#include <set>

#include "cli.h"
#include "engines/kernel.h"
#include "onnx/onnx.h"
#include "passes/pass_manager.h"

namespace skiff::cli {

namespace {

constexpr const char* kHelp = R"(usage: skiff inspect MODEL [options]

Shows the model's producer, opset imports, inputs and outputs with types and
shapes (symbolic dims by name), weights, an op histogram, and the ops skiff
has no kernel for (which `skiff run` would reject with exit status 4).
The model is shown as loaded unless --opt-level names a level.
)";

void count_ops(const ir::Graph& g, const std::map<std::string, int64_t>& opsets,
               std::map<std::pair<std::string, std::string>, int>* histogram, int64_t* nodes) {
  for (const auto& node : g.nodes) {
    ++(*histogram)[{node.domain, node.op_type}];
    ++*nodes;
    for (const auto& a : node.attributes) {
      if (a.g) count_ops(*a.g, opsets, histogram, nodes);
      for (const auto& sub : a.graphs) count_ops(*sub, opsets, histogram, nodes);
    }
  }
}

}  // namespace

int cmd_inspect(const std::vector<std::string>& args) {
  std::string path;
  passes::PassOptions options;
  options.level = passes::OptLevel::kNone;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "--help" || a == "-h") {
      std::cout << kHelp << kPassOptionsHelp;
      return kExitOk;
    }
    if (parse_pass_option(args, i, options)) continue;
    if (!a.empty() && a[0] == '-') throw UsageError("unknown option " + a);
    if (!path.empty()) throw UsageError("more than one MODEL given");
    path = a;
  }
  if (path.empty()) throw UsageError("inspect needs a MODEL");
  ir::Model model;
  try {
    model = onnx::load_model(path);
    passes::optimize(model, options);
  } catch (const Error& e) {
    std::cerr << "skiff: " << e.what() << "\n";
    return exit_status(e, true);
  }
  const ir::Graph& g = model.graph;
  std::cout << "model:     " << path << "\n"
            << "producer:  " << model.producer_name << " " << model.producer_version << "\n"
            << "ir:        " << model.ir_version << "\n"
            << "opsets:   ";
  for (const auto& [domain, version] : model.opsets)
    std::cout << " " << (domain.empty() ? "ai.onnx" : domain) << "=" << version;
  std::cout << "\n\ninputs:\n";
  for (const auto& vi : g.inputs) std::cout << "  " << vi.name << ": " << vi.type.str() << "\n";
  std::cout << "outputs:\n";
  for (const auto& vi : g.outputs) std::cout << "  " << vi.name << ": " << vi.type.str() << "\n";
  size_t weight_bytes = 0;
  for (const auto& [name, t] : g.initializers) weight_bytes += t.nbytes();
  std::cout << "weights:   " << g.initializers.size() << " tensors, " << weight_bytes << " bytes\n";

  std::map<std::pair<std::string, std::string>, int> histogram;
  int64_t nodes = 0;
  count_ops(g, model.opsets, &histogram, &nodes);
  std::cout << "\nnodes:     " << nodes << "\n";
  std::set<std::string> missing;
  for (const auto& [key, count] : histogram) {
    const auto& [domain, op] = key;
    const int64_t opset = model.opset(domain);
    const bool has_kernel = KernelRegistry::global().find(domain, op, opset) != nullptr;
    const std::string label = domain.empty() ? op : domain + "::" + op;
    std::cout << "  " << label << std::string(label.size() < 28 ? 28 - label.size() : 1, ' ') << count
              << (has_kernel ? "" : "   (no kernel)") << "\n";
    if (!has_kernel) missing.insert(str_cat(label, " (opset ", opset, ")"));
  }
  if (missing.empty()) {
    std::cout << "\nevery op has a kernel\n";
  } else {
    std::cout << "\nops without a kernel:";
    for (const auto& op : missing) std::cout << " " << op;
    std::cout << "\n";
  }
  return kExitOk;
}

}  // namespace skiff::cli
