// skiff run MODEL: feeds test-data files or seeded random inputs, writes or
// summarizes the outputs.
#include <omp.h>

#include <chrono>
#include <filesystem>
#include <iostream>
#include <map>
#include <random>

#include "cli.h"
#include "core/dispatch.h"
#include "engines/engine.h"
#include "onnx/onnx.h"

namespace skiff::cli {

namespace {

constexpr const char* kHelp = R"(usage: skiff run MODEL [options]

Runs MODEL once. Inputs come from --inputs DIR (DIR/input_K.pb, ONNX
TensorProto/SequenceProto/OptionalProto, K = position among the graph's
inputs) or, without it, from seeded random data of the declared shapes.

Options:
  --inputs DIR         read input_K.pb files from DIR
  --outputs DIR        write output_K.pb files to DIR (created if missing)
  --shape NAME=D0,D1   shape for input NAME (needed for symbolic dims); repeatable
  --seed N             seed for random inputs (default 0)
  --threads N          threads (default: all cores)
  --dump DIR           write every intermediate value to DIR (one .pb per value,
                       index.tsv lists them in execution order with the node
                       that produced each); compare two dumps with
                       scripts/compare_dumps.py
  --engine NAME        native, or dnnl (oneDNN regions, native for the rest; default)
  --no-dnnl            same as --engine native
  -q, --quiet          do not print the output summary

Exit status: 0 ok, 2 the model cannot be loaded, 3 the run failed (bad input
included), 4 an operator is not supported.
)";

}  // namespace

int cmd_run(const std::vector<std::string>& args) {
  std::string model_path, inputs_dir, outputs_dir, dump_dir;
  passes::PassOptions pass_options;
  std::map<std::string, Shape> shapes;
  uint64_t seed = 0;
  int threads = 0;
  bool quiet = false;
  runtime::PlanOptions options;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    auto value = [&]() -> const std::string& {
      if (i + 1 >= args.size()) throw UsageError(a + " needs a value");
      return args[++i];
    };
    if (a == "--help" || a == "-h") {
      std::cout << kHelp << kPassOptionsHelp;
      return kExitOk;
    } else if (a == "--inputs") {
      inputs_dir = value();
    } else if (a == "--outputs") {
      outputs_dir = value();
    } else if (a == "--shape") {
      shapes.insert(parse_shape_option(value()));
    } else if (a == "--dump") {
      dump_dir = value();
    } else if (parse_pass_option(args, i, pass_options)) {
    } else if (a == "--seed") {
      seed = std::stoull(value());
    } else if (a == "--threads") {
      threads = std::stoi(value());
    } else if (a == "--engine") {
      options.engines = engines_for_choice(value());
    } else if (a == "--no-dnnl") {
      options.engines = {"native"};
    } else if (a == "-q" || a == "--quiet") {
      quiet = true;
    } else if (!a.empty() && a[0] == '-') {
      throw UsageError("unknown option " + a);
    } else if (model_path.empty()) {
      model_path = a;
    } else {
      throw UsageError("more than one MODEL given");
    }
  }
  if (model_path.empty()) throw UsageError("run needs a MODEL");
  if (threads > 0) omp_set_num_threads(threads);

  LoadedModel m;
  try {
    m = load_and_compile(model_path, pass_options, options);
  } catch (const Error& e) {
    std::cerr << "skiff: " << e.what() << "\n";
    return exit_status(e, true);
  }
  const ir::Graph& graph = m.model.graph;

  std::vector<Value> inputs = make_inputs(graph, inputs_dir, shapes, seed);

  if (!dump_dir.empty()) dump_intermediates(m.model, inputs, dump_dir);
  const auto start = std::chrono::steady_clock::now();
  std::vector<Value> outputs = m.plan->run(std::move(inputs));
  const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();

  if (!outputs_dir.empty()) {
    std::filesystem::create_directories(outputs_dir);
    for (size_t k = 0; k < outputs.size(); ++k)
      onnx::write_value_file(str_cat(outputs_dir, "/output_", k, ".pb"), outputs[k], graph.outputs[k].name);
  }
  if (!quiet) {
    for (size_t k = 0; k < outputs.size(); ++k)
      std::cout << "output " << k << " '" << graph.outputs[k].name << "': " << summarize(outputs[k]) << "\n";
    std::cout << "ran in " << ms << " ms\n";
  }
  return kExitOk;
}

}  // namespace skiff::cli
