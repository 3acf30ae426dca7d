#include <cmath>
#include <sstream>

#include "cli.h"
#include "core/dispatch.h"
#include "onnx/onnx.h"
#include "passes/pass_manager.h"

namespace skiff::cli {

LoadedModel load_and_compile(const std::string& path, const passes::PassOptions& options) {
  LoadedModel m;
  m.model = onnx::load_model(path);
  try {
    passes::optimize(m.model, options);
    m.plan = runtime::Plan::compile(m.model.graph, m.model.opsets, runtime::PlanOptions{});
  } catch (const Error& e) {
    // A kernel rejecting its attributes is a model error; name the model.
    throw Error(e.code(), str_cat("model '", path, "': ", e.what()));
  }
  return m;
}

bool parse_pass_option(const std::vector<std::string>& args, size_t& i, passes::PassOptions& options) {
  const std::string& a = args[i];
  if (a != "--opt-level" && a != "--disable-pass") return false;
  if (i + 1 >= args.size()) throw UsageError(a + " needs a value");
  const std::string& value = args[++i];
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

}  // namespace skiff::cli
