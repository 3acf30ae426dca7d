// skiff inspect MODEL: what a model declares and what skiff can run of it.
#include <iostream>
#include <map>
#include <set>

#include "cli.h"
#include "engines/kernel.h"
#include "engines/partition.h"
#include "onnx/onnx.h"
#include "passes/pass_manager.h"

namespace skiff::cli {

namespace {

constexpr const char* kHelp = R"(usage: skiff inspect MODEL [--partition [--engine NAME]] [options]

Shows the model's producer, opset imports, inputs and outputs with types and
shapes (symbolic dims by name), weights, an op histogram, and the ops skiff
has no kernel for (which `skiff run` would reject with exit status 4).
The model is shown as loaded unless --opt-level names a level.

  --partition    instead, show how the engines split the graph: each region
                 (a connected group one engine runs as a unit, layouts
                 converted only at its boundary) with its nodes, inputs and
                 outputs, and the nodes left to single-node kernels
  --engine NAME  engines to partition for: dnnl (default) or native
                 (--partition optimizes like `skiff run`: --opt-level extended
                 unless given)
)";

int show_partition(const ir::Model& model, const std::vector<std::string>& engines) {
  const Partition p = partition_graph(model.graph, model.opsets, engines);
  size_t in_regions = 0;
  for (const auto& r : p.regions) in_regions += r.members.size();
  std::cout << "nodes:    " << model.graph.nodes.size() << "\nregions:  " << p.regions.size() << " ("
            << in_regions << " nodes)\nsingle:  ";
  for (const auto& [engine, count] : p.single_nodes) std::cout << " " << engine << "=" << count;
  std::cout << "\n";
  for (const auto& r : p.regions) {
    std::map<std::string, int> ops;
    for (const auto& m : r.members) ++ops[m.substr(0, m.find(' '))];
    std::cout << "\n" << r.node_name << " [" << r.engine << "] " << r.members.size() << " nodes:";
    for (const auto& [op, count] : ops) std::cout << " " << op << "x" << count;
    std::cout << "\n  inputs: ";
    for (const auto& v : r.inputs) std::cout << " " << v;
    std::cout << "\n  outputs:";
    for (const auto& v : r.outputs) std::cout << " " << v;
    std::cout << "\n";
  }
  return kExitOk;
}

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
  bool partition = false, level_given = false;
  std::vector<std::string> engines = default_engines();
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "--help" || a == "-h") {
      std::cout << kHelp << kPassOptionsHelp;
      return kExitOk;
    }
    if (parse_pass_option(args, i, options)) {
      level_given = level_given || a == "--opt-level";
      continue;
    }
    if (a == "--partition") {
      partition = true;
      continue;
    }
    if (a == "--engine") {
      engines = engines_for_choice(option_value(args, i));
      continue;
    }
    if (!a.empty() && a[0] == '-') throw UsageError("unknown option " + a);
    if (!path.empty()) throw UsageError("more than one MODEL given");
    path = a;
  }
  if (path.empty()) throw UsageError("inspect needs a MODEL");
  // The partition is shown for the graph that runs: optimized as `skiff run`
  // optimizes it, unless --opt-level says otherwise.
  if (partition && !level_given) options.level = passes::OptLevel::kExtended;
  ir::Model model;
  try {
    model = onnx::load_model(path);
    passes::optimize(model, options);
  } catch (const Error& e) {
    std::cerr << "skiff: " << e.what() << "\n";
    return exit_status(e, true);
  }
  // --partition shows the graph the engines would get: after the passes
  // (--opt-level) when a level is given.
  if (partition) return show_partition(model, engines);
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
