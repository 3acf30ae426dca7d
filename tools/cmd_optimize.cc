// skiff optimize MODEL -o OUT.onnx: runs the graph passes (and optionally
// prunes to chosen outputs) and writes the result as an ONNX model.
#include <iostream>

#include "cli.h"
#include "engines/engine.h"
#include "onnx/export.h"
#include "onnx/onnx.h"
#include "passes/pass_manager.h"

namespace skiff::cli {

namespace {

constexpr const char* kHelp = R"(usage: skiff optimize MODEL -o OUT.onnx [options]

Optimizes MODEL with skiff's graph passes and writes it as ONNX. The result
computes the same outputs (up to float rounding). Fused ops without a
standard ONNX form are written in the com.skiff domain (docs/skiff_ops.md);
with --portable only passes whose output is standard ONNX run, so any ONNX
runtime can load the result.

Options:
  -o, --output FILE      where to write the model (required)
                         (node counts printed include If/Loop/Scan bodies)
  --outputs A,B          keep only what these values need and make them the
                         outputs (any value of the graph; default: the
                         graph's outputs)
  --shape NAME=D0,D1     fix the shape of input NAME (shape computations fold
                         away; the model then only accepts that shape)
  --portable             standard ONNX ops only
  --engine NAME          the engines the result is for: dnnl (default; fusions
                         oneDNN cannot run are skipped) or native (all fusions)
  --report               print every change each pass made
  --list-passes          list the passes with their levels and exit
)";

std::vector<std::string> split(const std::string& text) {
  std::vector<std::string> items;
  size_t pos = 0;
  while (pos <= text.size()) {
    const size_t comma = text.find(',', pos);
    const std::string item = text.substr(pos, comma == std::string::npos ? std::string::npos : comma - pos);
    if (!item.empty()) items.push_back(item);
    if (comma == std::string::npos) break;
    pos = comma + 1;
  }
  return items;
}

bool uses_domain(const ir::Graph& graph, const std::string& domain) {
  for (const auto& node : graph.nodes) {
    if (node.domain == domain) return true;
    for (const auto& a : node.attributes) {
      if (a.g && uses_domain(*a.g, domain)) return true;
      for (const auto& g : a.graphs)
        if (uses_domain(*g, domain)) return true;
    }
  }
  return false;
}

void list_passes() {
  std::cout << "pass                              level     output\n";
  for (const auto& p : passes::list_passes()) {
    std::string name = p.name;
    name.resize(std::max<size_t>(name.size() + 1, 34), ' ');
    std::string level = passes::opt_level_name(p.level);
    level.resize(10, ' ');
    std::cout << name << level << (p.emits_skiff_ops ? "com.skiff ops" : "standard ONNX") << "\n";
  }
}

}  // namespace

int cmd_optimize(const std::vector<std::string>& args) {
  std::string model_path, out_path;
  std::vector<std::string> outputs;
  passes::PassOptions options;
  bool report = false;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    auto value = [&]() -> const std::string& {
      if (i + 1 >= args.size()) throw UsageError(a + " needs a value");
      return args[++i];
    };
    if (a == "--help" || a == "-h") {
      std::cout << kHelp << kPassOptionsHelp;
      return kExitOk;
    } else if (a == "--list-passes") {
      list_passes();
      return kExitOk;
    } else if (a == "-o" || a == "--output") {
      out_path = value();
    } else if (a == "--outputs") {
      outputs = split(value());
      if (outputs.empty()) throw UsageError("--outputs needs at least one name");
    } else if (a == "--shape") {
      options.input_shapes.insert(parse_shape_option(value()));
    } else if (a == "--engine") {
      options.engines = engines_for_choice(value());
    } else if (a == "--portable") {
      options.portable = true;
    } else if (a == "--report") {
      report = true;
    } else if (parse_pass_option(args, i, options)) {
    } else if (!a.empty() && a[0] == '-') {
      throw UsageError("unknown option " + a);
    } else if (model_path.empty()) {
      model_path = a;
    } else {
      throw UsageError("more than one MODEL given");
    }
  }
  if (model_path.empty()) throw UsageError("optimize needs a MODEL");
  if (out_path.empty()) throw UsageError("optimize needs -o OUT.onnx");

  ir::Model model;
  try {
    model = onnx::load_model(model_path);
  } catch (const Error& e) {
    std::cerr << "skiff: " << e.what() << "\n";
    return exit_status(e, true);
  }
  const int64_t nodes_before = passes::total_node_count(model.graph);
  if (!outputs.empty()) passes::prune_to_outputs(model, outputs);
  const int64_t nodes_pruned = passes::total_node_count(model.graph);
  // The written model is tuned for skiff's default engines.
  if (options.engines.empty()) options.engines = default_engines();
  const auto records = passes::optimize(model, options);
  const bool uses_skiff = uses_domain(model.graph, passes::kSkiffDomain);
  if (!uses_skiff) model.opsets.erase(passes::kSkiffDomain);
  if (options.portable && uses_skiff)
    throw Error(ErrorCode::kUnsupported, str_cat("--portable: '", model_path,
                                                 "' already holds com.skiff ops, which have no standard ONNX form"));
  // Compile once: a model skiff cannot run is not written.
  runtime::Plan::compile(model.graph, model.opsets, runtime::PlanOptions{});
  onnx::save_model(model, out_path);

  if (report)
    for (const auto& r : records) {
      std::cout << r.pass << ": " << r.nodes_before << " -> " << r.nodes_after << " nodes\n";
      for (const auto& change : r.changes) std::cout << "  " << change << "\n";
    }
  std::cout << "nodes: " << nodes_before;
  if (!outputs.empty()) std::cout << " -> " << nodes_pruned << " (pruned)";
  std::cout << " -> " << passes::total_node_count(model.graph) << " (" << passes::opt_level_name(options.level)
            << (options.portable ? ", portable" : "") << ")\nwrote " << out_path << "\n";
  return kExitOk;
}

}  // namespace skiff::cli
