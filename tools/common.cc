#include <omp.h>

#include <cmath>
#include <filesystem>
#include <iostream>
#include <random>
#include <sstream>

#include "cli.h"
#include "core/dispatch.h"
#include "onnx/onnx.h"
#include "passes/pass_manager.h"

namespace skiff::cli {

LoadedModel load_and_compile(const std::string& path, const passes::PassOptions& options,
                             const runtime::PlanOptions& plan_options) {
  LoadedModel m;
  m.model = onnx::load_model(path);
  try {
    passes::PassOptions with_engines = options;
    if (with_engines.engines.empty()) with_engines.engines = plan_options.engines;
    passes::optimize(m.model, with_engines);
    m.plan = runtime::Plan::compile(m.model.graph, m.model.opsets, plan_options);
  } catch (const Error& e) {
    // A kernel rejecting its attributes is a model error; name the model.
    throw Error(e.code(), str_cat("model '", path, "': ", e.what()));
  }
  return m;
}

int load_or_report(const std::string& path, const passes::PassOptions& options,
                   const runtime::PlanOptions& plan_options, LoadedModel& m) {
  try {
    m = load_and_compile(path, options, plan_options);
  } catch (const Error& e) {
    std::cerr << "skiff: " << e.what() << "\n";
    return exit_status(e, true);
  }
  return kExitOk;
}

const std::string& option_value(const std::vector<std::string>& args, size_t& i) {
  if (i + 1 >= args.size()) throw UsageError(args[i] + " needs a value");
  return args[++i];
}

bool parse_pass_option(const std::vector<std::string>& args, size_t& i, passes::PassOptions& options) {
  const std::string& a = args[i];
  if (a != "--opt-level" && a != "--disable-pass") return false;
  const std::string& value = option_value(args, i);
  if (a == "--disable-pass") {
    std::string names;
    for (const auto& p : passes::list_passes()) {
      if (p.name == value) {
        options.disabled.insert(value);
        return true;
      }
      names += (names.empty() ? "" : ", ") + p.name;
    }
    throw UsageError(str_cat("unknown pass '", value, "' (passes: ", names, ")"));
  }
  try {
    options.level = passes::parse_opt_level(value);
  } catch (const Error& e) {
    throw UsageError(e.what());
  }
  return true;
}

bool ModelOptions::parse(const std::vector<std::string>& args, size_t& i) {
  const std::string& a = args[i];
  if (a == "--inputs") {
    inputs_dir = option_value(args, i);
  } else if (a == "--shape") {
    shapes.insert(parse_shape_option(option_value(args, i)));
  } else if (a == "--threads") {
    threads = std::stoi(option_value(args, i));
  } else if (parse_pass_option(args, i, passes)) {
  } else if (!a.empty() && a[0] == '-') {
    return false;
  } else if (model_path.empty()) {
    model_path = a;
  } else {
    throw UsageError("more than one MODEL given");
  }
  return true;
}

void ModelOptions::finish(const std::string& command) const {
  if (model_path.empty()) throw UsageError(command + " needs a MODEL");
  if (threads > 0) omp_set_num_threads(threads);
}

int exit_status(const Error& e, bool loading) {
  switch (e.code()) {
    case ErrorCode::kInvalidModel: return kExitBadModel;
    case ErrorCode::kUnsupported: return kExitUnsupported;
    case ErrorCode::kIO: return loading ? kExitBadModel : kExitRunFailed;
    default: return kExitRunFailed;
  }
}

namespace {

std::string compare_tensors(const Tensor& expected, const Tensor& actual, double rtol,
                            double atol) {
  if (expected.dtype() != actual.dtype())
    return str_cat("type ", dtype_name(actual.dtype()), " but expected ",
                   dtype_name(expected.dtype()));
  if (expected.shape() != actual.shape())
    return str_cat("shape ", shape_str(actual.shape()), " but expected ",
                   shape_str(expected.shape()));
  std::string reason;
  int64_t mismatches = 0;
  auto note = [&](int64_t i, const std::string& e, const std::string& a) {
    if (mismatches++ == 0) reason = str_cat("element ", i, " is ", a, " but expected ", e);
  };
  if (dtype_is_float(expected.dtype())) {
    double worst = 0;
    dispatch(kFloatTypes, expected.dtype(), [&](auto tag) {
      using T = typename decltype(tag)::type;
      const T* e = expected.data<T>();
      const T* a = actual.data<T>();
      for (int64_t i = 0; i < expected.numel(); ++i) {
        const double ev = static_cast<double>(e[i]), av = static_cast<double>(a[i]);
        if (std::isnan(ev) || std::isnan(av)) {
          if (std::isnan(ev) != std::isnan(av)) note(i, str_cat(ev), str_cat(av));
          continue;
        }
        if (std::isinf(ev) || std::isinf(av)) {
          if (ev != av) note(i, str_cat(ev), str_cat(av));
          continue;
        }
        const double diff = std::fabs(ev - av);
        if (diff > atol + rtol * std::fabs(ev)) {
          note(i, str_cat(ev), str_cat(av));
          worst = std::max(worst, diff);
        }
      }
    });
    if (mismatches) reason += str_cat(" (", mismatches, " of ", expected.numel(),
                                      " elements differ, max abs diff ", worst, ")");
  } else if (expected.dtype() == DataType::kString) {
    for (int64_t i = 0; i < expected.numel(); ++i)
      if (expected.data<std::string>()[i] != actual.data<std::string>()[i])
        note(i, "'" + expected.data<std::string>()[i] + "'", "'" + actual.data<std::string>()[i] + "'");
    if (mismatches) reason += str_cat(" (", mismatches, " differ)");
  } else {
    dispatch(kPodTypes, expected.dtype(), [&](auto tag) {
      using T = typename decltype(tag)::type;
      const T* e = expected.data<T>();
      const T* a = actual.data<T>();
      for (int64_t i = 0; i < expected.numel(); ++i)
        if (e[i] != a[i]) note(i, str_cat(+e[i]), str_cat(+a[i]));
    });
    if (mismatches) reason += str_cat(" (", mismatches, " of ", expected.numel(), " differ)");
  }
  return reason;
}

}  // namespace

std::string compare_values(const Value& expected, const Value& actual, double rtol, double atol) {
  if (expected.kind != actual.kind) {
    auto kind = [](const Value& v) {
      return v.is_tensor() ? "a tensor" : v.is_sequence() ? "a sequence" : "none";
    };
    return str_cat("is ", kind(actual), " but expected ", kind(expected));
  }
  if (expected.is_tensor()) return compare_tensors(expected.tensor, actual.tensor, rtol, atol);
  if (expected.is_sequence()) {
    if (expected.sequence.size() != actual.sequence.size())
      return str_cat("sequence has ", actual.sequence.size(), " items but expected ",
                     expected.sequence.size());
    for (size_t i = 0; i < expected.sequence.size(); ++i) {
      std::string r = compare_tensors(expected.sequence[i], actual.sequence[i], rtol, atol);
      if (!r.empty()) return str_cat("sequence item ", i, ": ", r);
    }
  }
  return "";
}

std::string summarize(const Value& value) {
  if (value.is_none()) return "none";
  if (value.is_sequence()) return str_cat("sequence of ", value.sequence.size(), " tensors");
  const Tensor& t = value.tensor;
  std::ostringstream os;
  os << t.str();
  if (t.numel() == 0 || t.dtype() == DataType::kString) return os.str();
  if (t.dtype() == DataType::kComplex64 || t.dtype() == DataType::kComplex128) return os.str();
  double lo = INFINITY, hi = -INFINITY, sum = 0;
  int64_t nans = 0;
  dispatch(kPodTypes, t.dtype(), [&](auto tag) {
    using T = typename decltype(tag)::type;
    const T* p = t.data<T>();
    for (int64_t i = 0; i < t.numel(); ++i) {
      const double v = static_cast<double>(p[i]);
      if (std::isnan(v)) {
        ++nans;
        continue;
      }
      lo = std::min(lo, v);
      hi = std::max(hi, v);
      sum += v;
    }
  });
  os << " min=" << lo << " max=" << hi << " mean=" << sum / static_cast<double>(t.numel() - nans);
  if (nans) os << " nan=" << nans;
  return os.str();
}

namespace {

Shape parse_dims_impl(const std::string& text, const std::string& what) {
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

Shape parse_dims(const std::string& text, const std::string& what) { return parse_dims_impl(text, what); }

std::map<std::string, Shape>::value_type parse_shape_option(const std::string& spec) {
  const size_t eq = spec.rfind('=');
  if (eq == std::string::npos || eq == 0) throw UsageError("--shape wants NAME=D0,D1,...");
  return {spec.substr(0, eq), parse_dims(spec.substr(eq + 1), "--shape " + spec)};
}

std::vector<Value> make_inputs(const ir::Graph& graph, const std::string& inputs_dir,
                               const std::map<std::string, Shape>& shapes, uint64_t seed) {
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

  return inputs;
}

}  // namespace skiff::cli
