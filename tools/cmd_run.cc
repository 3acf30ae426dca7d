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
  --engine NAME        native, or dnnl (oneDNN regions, native for the rest; default)
  --no-dnnl            same as --engine native
  -q, --quiet          do not print the output summary

Exit status: 0 ok, 2 the model cannot be loaded, 3 the run failed (bad input
included), 4 an operator is not supported.
)";

Shape parse_dims(const std::string& text, const std::string& what) {
  Shape dims;
  size_t pos = 0;
  while (pos <= text.size() && !text.empty()) {
    const size_t comma = text.find(',', pos);
    const std::string item = text.substr(pos, comma == std::string::npos ? std::string::npos : comma - pos);
    try {
      size_t used = 0;
      const long long d = std::stoll(item, &used);
      if (used != item.size() || d < 0) throw std::invalid_argument(item);
      dims.push_back(d);
    } catch (const std::exception&) {
      throw UsageError(str_cat("bad dimension '", item, "' in ", what));
    }
    if (comma == std::string::npos) break;
    pos = comma + 1;
  }
  return dims;
}

Tensor random_tensor(DataType dtype, const Shape& shape, std::mt19937_64& rng) {
  Tensor t(dtype, shape);
  std::uniform_real_distribution<double> real(-1.0, 1.0);
  std::uniform_int_distribution<int> small(0, 9);
  if (dtype == DataType::kString) {
    for (int64_t i = 0; i < t.numel(); ++i) t.data<std::string>()[i] = std::to_string(small(rng));
    return t;
  }
  dispatch(kPodTypes, dtype, [&](auto tag) {
    using T = typename decltype(tag)::type;
    T* p = t.data<T>();
    for (int64_t i = 0; i < t.numel(); ++i) {
      if constexpr (std::is_same_v<T, bool>) p[i] = small(rng) < 5;
      else if constexpr (std::is_integral_v<T>) p[i] = static_cast<T>(small(rng));
      else p[i] = static_cast<T>(static_cast<float>(real(rng)));
    }
  }, "random input");
  return t;
}

}  // namespace

int cmd_run(const std::vector<std::string>& args) {
  std::string model_path, inputs_dir, outputs_dir;
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
      std::cout << kHelp;
      return kExitOk;
    } else if (a == "--inputs") {
      inputs_dir = value();
    } else if (a == "--outputs") {
      outputs_dir = value();
    } else if (a == "--shape") {
      const std::string& spec = value();
      const size_t eq = spec.rfind('=');
      if (eq == std::string::npos || eq == 0) throw UsageError("--shape wants NAME=D0,D1,...");
      shapes[spec.substr(0, eq)] = parse_dims(spec.substr(eq + 1), "--shape " + spec);
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
    m.model = onnx::load_model(model_path);
  } catch (const Error& e) {
    std::cerr << "skiff: " << e.what() << "\n";
    return exit_status(e, true);
  }
  try {
    m.plan = runtime::Plan::compile(m.model.graph, m.model.opsets, options);
  } catch (const Error& e) {
    std::cerr << "skiff: model '" << model_path << "': " << e.what() << "\n";
    return exit_status(e, true);
  }
  const ir::Graph& graph = m.model.graph;
  for (const auto& [name, shape] : shapes)
    if (!graph.find_input(name))
      throw Error(ErrorCode::kInvalidInput, str_cat("--shape names '", name, "', which is not an input of the model"));

  std::vector<Value> inputs;
  std::mt19937_64 rng(seed);
  for (size_t k = 0; k < graph.inputs.size(); ++k) {
    const ir::ValueInfo& vi = graph.inputs[k];
    if (!inputs_dir.empty()) {
      const std::string path = str_cat(inputs_dir, "/input_", k, ".pb");
      if (!std::filesystem::exists(path))
        throw Error(ErrorCode::kInvalidInput, str_cat("input '", vi.name, "': missing file ", path));
      inputs.push_back(onnx::read_value_file(path, &vi.type));
      continue;
    }
    if (vi.type.kind != ir::TypeInfo::Kind::kTensor)
      throw Error(ErrorCode::kInvalidInput,
                  str_cat("input '", vi.name, "' is ", vi.type.str(), "; random data is only made for tensors, use --inputs"));
    Shape shape;
    if (auto it = shapes.find(vi.name); it != shapes.end()) {
      shape = it->second;
    } else if (!vi.type.shape) {
      throw Error(ErrorCode::kInvalidInput, str_cat("input '", vi.name, "' has no declared shape; pass --shape ", vi.name, "=..."));
    } else {
      for (const auto& d : *vi.type.shape) {
        if (!d.known())
          throw Error(ErrorCode::kInvalidInput,
                      str_cat("input '", vi.name, "' (", vi.type.str(), ") has dimension '", d.str(),
                              "'; pass --shape ", vi.name, "=..."));
        shape.push_back(d.value);
      }
    }
    inputs.push_back(Value(random_tensor(vi.type.dtype, shape, rng)));
  }

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
