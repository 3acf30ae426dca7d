// skiff bench MODEL: latency and throughput of a model through the public
// Predictor API, on seeded random inputs.
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iostream>
#include <map>
#include <random>

#include "cli.h"
#include "core/dispatch.h"
#include "engines/engine.h"
#include "skiff/skiff.h"

namespace skiff::cli {

namespace {

constexpr const char* kHelp = R"(usage: skiff bench MODEL [options]

Runs MODEL repeatedly on seeded random inputs through the Predictor API:
first --warmup runs (not counted), then runs until --duration seconds have
passed or --runs runs are done (whichever comes first when both are given).
Prints median, p90, p99, mean and min latency, throughput (samples per
second: batch x runs / time) and peak memory: the process's peak resident
memory (VmHWM) and its baseline, the resident memory just before the model
is loaded (the runtime alone), so that peak - baseline is what the model
costs. A progress bar is drawn on stderr when it is a terminal.

Options:
  --duration S        seconds of measured runs (default 10 unless --runs)
  --runs N            measured runs
  --warmup N          warm-up runs (default 3)
  --threads N         threads (default: all cores)
  --shape NAME=D0,D1  shape for input NAME; repeatable
  --batch N           batch size: dim 0 of every input without --shape
  --engine NAME       dnnl (default) or native
  --no-dnnl           same as --engine native
  --cache N           primitive cache capacity per region (signatures)
  --seed N            seed for the random inputs (default 0)
  --json              print one JSON object instead of text
  --no-progress       never draw the progress bar
  --sweep NAME:AXIS:FROM:TO:COUNT
                      dynamic shapes: after the fixed-shape runs, feed COUNT
                      sizes from FROM to TO along AXIS of input NAME, one
                      after another, each twice; report the first call (builds
                      primitives) and the second against the fixed-shape
                      median, and the peak memory after the sweep
)";

struct Options {
  std::string model;
  double duration = 0;
  int64_t runs = 0;
  int64_t warmup = 3;
  int threads = 0;
  int64_t batch = 0;
  std::map<std::string, Shape> shapes;
  std::vector<std::string> engines;
  size_t cache = 64;
  uint64_t seed = 0;
  bool json = false, progress = true;
  std::string sweep_input;
  int64_t sweep_axis = -1, sweep_from = 0, sweep_to = 0, sweep_count = 0;
};

Shape parse_shape(const std::string& text, const std::string& what) {
  Shape dims;
  size_t pos = 0;
  while (true) {
    const size_t comma = text.find(',', pos);
    const std::string item = text.substr(pos, comma == std::string::npos ? std::string::npos : comma - pos);
    char* end = nullptr;
    const long long d = std::strtoll(item.c_str(), &end, 10);
    if (item.empty() || *end != '\0' || d < 0) throw UsageError(str_cat("bad dimension '", item, "' in ", what));
    dims.push_back(d);
    if (comma == std::string::npos) return dims;
    pos = comma + 1;
  }
}

int64_t parse_count(const std::string& text, const std::string& what) {
  char* end = nullptr;
  const long long v = std::strtoll(text.c_str(), &end, 10);
  if (text.empty() || *end != '\0' || v < 0) throw UsageError(str_cat(what, " wants a count, got '", text, "'"));
  return v;
}

Options parse(const std::vector<std::string>& args) {
  Options o;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    auto value = [&]() -> const std::string& {
      if (i + 1 >= args.size()) throw UsageError(a + " needs a value");
      return args[++i];
    };
    if (a == "--duration") {
      char* end = nullptr;
      o.duration = std::strtod(value().c_str(), &end);
      if (*end != '\0' || !(o.duration > 0)) throw UsageError("--duration wants seconds > 0");
    } else if (a == "--runs") o.runs = parse_count(value(), a);
    else if (a == "--warmup") o.warmup = parse_count(value(), a);
    else if (a == "--threads") o.threads = static_cast<int>(parse_count(value(), a));
    else if (a == "--batch") o.batch = parse_count(value(), a);
    else if (a == "--cache") o.cache = static_cast<size_t>(std::max<int64_t>(1, parse_count(value(), a)));
    else if (a == "--seed") o.seed = static_cast<uint64_t>(parse_count(value(), a));
    else if (a == "--engine") o.engines = engines_for_choice(value());
    else if (a == "--no-dnnl") o.engines = {"native"};
    else if (a == "--json") o.json = true;
    else if (a == "--no-progress") o.progress = false;
    else if (a == "--sweep") {
      const std::string& spec = value();
      std::vector<std::string> parts;
      for (size_t pos = 0, colon; ; pos = colon + 1) {
        colon = spec.find(':', pos);
        parts.push_back(spec.substr(pos, colon == std::string::npos ? std::string::npos : colon - pos));
        if (colon == std::string::npos) break;
      }
      if (parts.size() != 5) throw UsageError("--sweep wants NAME:AXIS:FROM:TO:COUNT");
      o.sweep_input = parts[0];
      o.sweep_axis = parse_count(parts[1], "--sweep AXIS");
      o.sweep_from = parse_count(parts[2], "--sweep FROM");
      o.sweep_to = parse_count(parts[3], "--sweep TO");
      o.sweep_count = parse_count(parts[4], "--sweep COUNT");
      if (o.sweep_count < 1 || o.sweep_to < o.sweep_from) throw UsageError("--sweep wants FROM <= TO and COUNT >= 1");
    }
    else if (a == "--shape") {
      const std::string& spec = value();
      const size_t eq = spec.rfind('=');
      if (eq == std::string::npos || eq == 0) throw UsageError("--shape wants NAME=D0,D1,...");
      o.shapes[spec.substr(0, eq)] = parse_shape(spec.substr(eq + 1), "--shape " + spec);
    } else if (!a.empty() && a[0] == '-') throw UsageError("unknown option " + a);
    else if (o.model.empty()) o.model = a;
    else throw UsageError("more than one MODEL given");
  }
  if (o.model.empty()) throw UsageError("bench needs a MODEL");
  if (o.duration == 0 && o.runs == 0) o.duration = 10;
  return o;
}

Tensor random_input(const TensorInfo& info, const Options& o, std::mt19937_64& rng) {
  Shape shape;
  if (auto it = o.shapes.find(info.name); it != o.shapes.end()) {
    shape = it->second;
  } else {
    if (!info.rank_known)
      throw Error(ErrorCode::kInvalidInput, str_cat("input '", info.name, "' has no declared shape; pass --shape ", info.name, "=..."));
    for (size_t d = 0; d < info.shape.size(); ++d) {
      int64_t dim = info.shape[d];
      if (d == 0 && o.batch > 0) dim = o.batch;
      if (dim < 0)
        throw Error(ErrorCode::kInvalidInput, str_cat("input '", info.name, "' has open dimension ", d,
                                                      " ('", info.dim_names[d], "'); pass --shape ", info.name, "=..."));
      shape.push_back(dim);
    }
  }
  Tensor t(info.dtype == DataType::kUndefined ? DataType::kFloat : info.dtype, shape);
  std::uniform_real_distribution<float> real(-1.f, 1.f);
  std::uniform_int_distribution<int> small(0, 9);
  dispatch(kPodTypes, t.dtype(), [&](auto tag) {
    using T = typename decltype(tag)::type;
    T* p = t.data<T>();
    for (int64_t i = 0; i < t.numel(); ++i) {
      if constexpr (std::is_same_v<T, bool>) p[i] = small(rng) < 5;
      else if constexpr (std::is_integral_v<T>) p[i] = static_cast<T>(small(rng));
      else p[i] = static_cast<T>(real(rng));
    }
  }, "bench input '" + info.name + "'");
  return t;
}

// A /proc/self/status field in bytes ("VmHWM:", "VmRSS:"), 0 when unknown.
int64_t status_bytes(const char* field) {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line))
    if (line.rfind(field, 0) == 0) return std::atoll(line.c_str() + std::strlen(field)) * 1024;
  return 0;
}

// Peak resident memory of this process in bytes (VmHWM), 0 when unknown.
int64_t peak_rss_bytes() { return status_bytes("VmHWM:"); }

double percentile(const std::vector<double>& sorted, double p) {
  const double rank = p * static_cast<double>(sorted.size() - 1);
  const size_t lo = static_cast<size_t>(std::floor(rank));
  const size_t hi = std::min(sorted.size() - 1, lo + 1);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (rank - static_cast<double>(lo));
}

void draw_progress(double fraction, size_t runs, double median_ms) {
  const int width = 30;
  const int filled = static_cast<int>(std::min(1.0, fraction) * width);
  std::fprintf(stderr, "\r[%s%s] %3d%%  %zu runs  median %.3f ms", std::string(filled, '#').c_str(),
               std::string(width - filled, '.').c_str(), static_cast<int>(std::min(1.0, fraction) * 100), runs,
               median_ms);
  std::fflush(stderr);
}

// Feeds sizes along one axis in turn, each twice (the first call builds
// shape-dependent state, the second is steady), then all of them once more:
// with the primitive cache at least as large as the sweep, the third calls
// must find everything cached and match the second ones.
void sweep(const Predictor& predictor, NamedTensors inputs, const Options& o, std::mt19937_64& rng) {
  using clock = std::chrono::steady_clock;
  size_t index = 0;
  while (index < inputs.size() && inputs[index].first != o.sweep_input) ++index;
  if (index == inputs.size())
    throw Error(ErrorCode::kInvalidInput, str_cat("--sweep names '", o.sweep_input, "', which is not an input"));
  const Shape base = inputs[index].second.shape();
  if (o.sweep_axis >= static_cast<int64_t>(base.size()))
    throw Error(ErrorCode::kInvalidInput, str_cat("--sweep axis ", o.sweep_axis, " is past the input's rank"));
  std::vector<Tensor> tensors;
  for (int64_t k = 0; k < o.sweep_count; ++k) {
    Shape shape = base;
    shape[o.sweep_axis] = o.sweep_count == 1 ? o.sweep_from
                                              : o.sweep_from + (o.sweep_to - o.sweep_from) * k / (o.sweep_count - 1);
    TensorInfo info;
    info.name = o.sweep_input;
    info.dtype = inputs[index].second.dtype();
    info.rank_known = true;
    Options fixed = o;
    fixed.shapes[o.sweep_input] = shape;
    tensors.push_back(random_input(info, fixed, rng));
  }
  auto timed = [&](const Tensor& t) {
    inputs[index].second = t;
    const auto t0 = clock::now();
    predictor.run(inputs);
    return std::chrono::duration<double, std::milli>(clock::now() - t0).count();
  };
  std::vector<double> first, second;
  for (const Tensor& t : tensors) {
    first.push_back(timed(t));
    second.push_back(timed(t));
  }
  std::fprintf(stderr, "sweep of %s axis %lld: size, first ms, second ms, third ms (after the whole sweep)\n",
               o.sweep_input.c_str(), static_cast<long long>(o.sweep_axis));
  double worst = 0;
  for (size_t k = 0; k < tensors.size(); ++k) {
    const double third = timed(tensors[k]);
    worst = std::max(worst, third / second[k]);
    std::fprintf(stderr, "%lld, %.3f, %.3f, %.3f\n", static_cast<long long>(tensors[k].dim(o.sweep_axis)),
                 first[k], second[k], third);
  }
  std::fprintf(stderr, "sweep: %lld sizes; worst third / second call %.2f; peak memory %.1f MiB\n",
               static_cast<long long>(o.sweep_count), worst, static_cast<double>(peak_rss_bytes()) / (1 << 20));
}

}  // namespace

int cmd_bench(const std::vector<std::string>& args) {
  for (const auto& a : args)
    if (a == "--help" || a == "-h") {
      std::cout << kHelp;
      return kExitOk;
    }
  const Options o = parse(args);
  Config config(o.model);
  config.threads(o.threads).primitive_cache_capacity(o.cache);
  if (!o.engines.empty()) config.engines(o.engines);
  using clock = std::chrono::steady_clock;
  const int64_t baseline = status_bytes("VmRSS:");
  const auto load_start = clock::now();
  std::unique_ptr<Predictor> predictor;
  try {
    predictor = Predictor::create(config);
  } catch (const Error& e) {
    std::cerr << "skiff: " << e.what() << "\n";
    return exit_status(e, true);
  }
  const double load_ms = std::chrono::duration<double, std::milli>(clock::now() - load_start).count();

  std::mt19937_64 rng(o.seed);
  NamedTensors inputs;
  int64_t batch = 1;
  for (const auto& info : predictor->inputs()) {
    inputs.emplace_back(info.name, random_input(info, o, rng));
    if (inputs.size() == 1 && inputs[0].second.rank() > 0) batch = inputs[0].second.dim(0);
  }
  for (int64_t i = 0; i < o.warmup; ++i) predictor->run(inputs);

  const bool progress = o.progress && !o.json && isatty(STDERR_FILENO);
  std::vector<double> latencies;
  const auto start = clock::now();
  double elapsed = 0;
  auto last_draw = start;
  while ((o.runs == 0 || static_cast<int64_t>(latencies.size()) < o.runs) &&
         (o.duration == 0 || elapsed < o.duration)) {
    const auto t0 = clock::now();
    predictor->run(inputs);
    const auto t1 = clock::now();
    latencies.push_back(std::chrono::duration<double, std::milli>(t1 - t0).count());
    elapsed = std::chrono::duration<double>(t1 - start).count();
    if (progress && std::chrono::duration<double>(t1 - last_draw).count() > 0.1) {
      last_draw = t1;
      std::vector<double> sorted = latencies;
      std::nth_element(sorted.begin(), sorted.begin() + static_cast<int64_t>(sorted.size() / 2), sorted.end());
      const double fraction = o.runs > 0 ? static_cast<double>(latencies.size()) / static_cast<double>(o.runs)
                                         : elapsed / o.duration;
      draw_progress(o.duration > 0 && o.runs > 0 ? std::max(fraction, elapsed / o.duration) : fraction,
                    latencies.size(), sorted[sorted.size() / 2]);
    }
  }
  if (progress) std::fprintf(stderr, "\r%s\r", std::string(70, ' ').c_str());

  std::vector<double> sorted = latencies;
  std::sort(sorted.begin(), sorted.end());
  double sum = 0;
  for (double l : latencies) sum += l;
  const double mean = sum / static_cast<double>(latencies.size());
  const double throughput = static_cast<double>(batch) * static_cast<double>(latencies.size()) / (sum / 1000.0);
  const int64_t peak = peak_rss_bytes();
  const int threads = o.threads > 0 ? o.threads : build_info().max_threads;
  std::string engines;
  for (const auto& e : o.engines.empty() ? default_engines() : o.engines) engines += (engines.empty() ? "" : ",") + e;
  if (!o.sweep_input.empty()) sweep(*predictor, inputs, o, rng);
  if (o.json) {
    std::printf(
        "{\"model\": \"%s\", \"engines\": \"%s\", \"threads\": %d, \"batch\": %lld, \"runs\": %zu, "
        "\"load_ms\": %.3f, \"median_ms\": %.4f, \"p90_ms\": %.4f, \"p99_ms\": %.4f, \"mean_ms\": %.4f, "
        "\"min_ms\": %.4f, \"throughput_per_s\": %.3f, \"peak_rss_bytes\": %lld, \"baseline_rss_bytes\": %lld}\n",
        o.model.c_str(), engines.c_str(), threads, static_cast<long long>(batch), latencies.size(), load_ms,
        percentile(sorted, 0.5), percentile(sorted, 0.9), percentile(sorted, 0.99), mean, sorted.front(),
        throughput, static_cast<long long>(peak), static_cast<long long>(baseline));
  } else {
    std::printf("model:      %s\nengines:    %s\nthreads:    %d\nbatch:      %lld\nload:       %.1f ms\n"
                "runs:       %zu (+%lld warm-up)\nmedian:     %.3f ms\np90:        %.3f ms\np99:        %.3f ms\n"
                "mean:       %.3f ms\nmin:        %.3f ms\nthroughput: %.2f samples/s\n"
                "peak mem:   %.1f MiB (baseline %.1f MiB before loading; model %.1f MiB)\n",
                o.model.c_str(), engines.c_str(), threads, static_cast<long long>(batch), load_ms, latencies.size(),
                static_cast<long long>(o.warmup), percentile(sorted, 0.5), percentile(sorted, 0.9),
                percentile(sorted, 0.99), mean, sorted.front(), throughput, static_cast<double>(peak) / (1 << 20),
                static_cast<double>(baseline) / (1 << 20), static_cast<double>(peak - baseline) / (1 << 20));
  }
  return kExitOk;
}

}  // namespace skiff::cli
