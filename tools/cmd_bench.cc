// skiff bench MODEL: latency and throughput of a model through the public
// Predictor API, on seeded random inputs.
#include <sys/resource.h>
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
#include <thread>

#include "bench.h"
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
  --fixed-threads     every run uses exactly --threads (without it each
                      run uses 1 or --threads threads, whichever measured
                      faster lately; docs/api.md "Threads")
  --pause MS          sleep MS milliseconds before each measured fixed-shape
                      run (the pauses count toward --duration): the latency
                      of a call that finds the caches cold, as after an idle
                      spell or a long call on other data (compare a small
                      --sweep width after a large one with --pause 30)
  --idle S            after the runs, measure the CPU time the process uses
                      while it sleeps S seconds (default 1; 0 skips): it
                      should be ~0, no thread spinning once run() returned
  --sweep NAME:AXIS:FROM:TO:COUNT
                      dynamic shapes: after the fixed-shape runs, feed COUNT
                      sizes from FROM to TO along AXIS of input NAME. Each
                      round feeds every size twice in a row: the first call
                      follows another size, the second the same size (the
                      fixed-shape latency). Round 0 builds primitives; reports
                      per size the first call, the medians of the other rounds
                      and their ratio, the median page faults of each kind of
                      call (fresh memory being zeroed: should be 0), and
                      resident memory after round 0 and after the last round
                      (bounded by --cache)
  --sweep-rounds N    rounds after round 0 (default 5)
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
  bool fixed_threads = false;
  double idle = 1;
  double pause_ms = 0;
  SweepSpec sweep;
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

// A number >= 0 (> 0 when `positive`), else a UsageError naming `what`.
double parse_number(const std::string& text, const std::string& what, bool positive) {
  char* end = nullptr;
  const double v = std::strtod(text.c_str(), &end);
  if (text.empty() || *end != '\0' || !(positive ? v > 0 : v >= 0))
    throw UsageError(str_cat(what, positive ? " > 0" : " >= 0", ", got '", text, "'"));
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
    if (a == "--duration") o.duration = parse_number(value(), "--duration wants seconds", true);
    else if (a == "--runs") o.runs = parse_count(value(), a);
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
      o.sweep.input = parts[0];
      o.sweep.axis = parse_count(parts[1], "--sweep AXIS");
      o.sweep.from = parse_count(parts[2], "--sweep FROM");
      o.sweep.to = parse_count(parts[3], "--sweep TO");
      o.sweep.count = parse_count(parts[4], "--sweep COUNT");
      if (o.sweep.count < 1 || o.sweep.to < o.sweep.from) throw UsageError("--sweep wants FROM <= TO and COUNT >= 1");
    } else if (a == "--sweep-rounds") {
      o.sweep.rounds = std::max<int64_t>(1, parse_count(value(), a));
    } else if (a == "--fixed-threads") {
      o.fixed_threads = true;
    } else if (a == "--pause") {
      o.pause_ms = parse_number(value(), "--pause wants milliseconds", false);
    } else if (a == "--idle") {
      o.idle = parse_number(value(), "--idle wants seconds", false);
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
  return random_tensor(info.dtype == DataType::kUndefined ? DataType::kFloat : info.dtype, shape, rng);
}

// CPU time (user + system) this process has used, in milliseconds.
double process_cpu_ms() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  auto ms = [](const timeval& t) { return static_cast<double>(t.tv_sec) * 1e3 + static_cast<double>(t.tv_usec) / 1e3; };
  return ms(usage.ru_utime) + ms(usage.ru_stime);
}

// CPU time the process uses while the calling thread sleeps: the OpenMP
// workers of the last run, if they spin.
double idle_cpu_ms(double seconds) {
  const double before = process_cpu_ms();
  std::this_thread::sleep_for(std::chrono::duration<double>(seconds));
  return process_cpu_ms() - before;
}

}  // namespace

Tensor random_tensor(DataType dtype, const Shape& shape, std::mt19937_64& rng) {
  Tensor t(dtype, shape);
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
  }, str_cat("bench input of type ", dtype_name(dtype)));
  return t;
}

// A /proc/self/status field in bytes ("VmHWM:", "VmRSS:"), 0 when unknown.
int64_t status_bytes(const char* field) {
  std::ifstream status("/proc/self/status");
  std::string line;
  const size_t n = std::strlen(field);
  while (std::getline(status, line))
    if (line.compare(0, n, field) == 0) return std::atoll(line.c_str() + n) * 1024;
  return 0;
}

double median_of(std::vector<double> values) {
  if (values.empty()) return 0;
  std::sort(values.begin(), values.end());
  const size_t n = values.size();
  return n % 2 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
}

namespace {

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

}  // namespace

int cmd_bench(const std::vector<std::string>& args) {
  for (const auto& a : args)
    if (a == "--help" || a == "-h") {
      std::cout << kHelp;
      return kExitOk;
    }
  const Options o = parse(args);
  Config config(o.model);
  config.threads(o.threads).adaptive_threads(!o.fixed_threads).primitive_cache_capacity(o.cache);
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
    if (o.pause_ms > 0) std::this_thread::sleep_for(std::chrono::duration<double, std::milli>(o.pause_ms));
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
  const int64_t peak = status_bytes("VmHWM:");
  const int threads = o.threads > 0 ? o.threads : build_info().max_threads;
  std::string engines;
  for (const auto& e : o.engines.empty() ? default_engines() : o.engines) engines += (engines.empty() ? "" : ",") + e;
  const double idle_ms = o.idle > 0 ? idle_cpu_ms(o.idle) : -1;
  if (o.json) {
    const std::string sweep = o.sweep.input.empty() ? "" : run_sweep(*predictor, inputs, o.sweep, o.cache, true, rng);
    std::printf(
        "{\"model\": \"%s\", \"engines\": \"%s\", \"threads\": %d, \"batch\": %lld, \"runs\": %zu, "
        "\"load_ms\": %.3f, \"median_ms\": %.4f, \"p90_ms\": %.4f, \"p99_ms\": %.4f, \"mean_ms\": %.4f, "
        "\"min_ms\": %.4f, \"throughput_per_s\": %.3f, \"peak_rss_bytes\": %lld, \"baseline_rss_bytes\": %lld, "
        "\"idle_seconds\": %g, \"idle_cpu_ms\": %.3f%s%s}\n",
        o.model.c_str(), engines.c_str(), threads, static_cast<long long>(batch), latencies.size(), load_ms,
        percentile(sorted, 0.5), percentile(sorted, 0.9), percentile(sorted, 0.99), mean, sorted.front(),
        throughput, static_cast<long long>(peak), static_cast<long long>(baseline), o.idle, idle_ms,
        sweep.empty() ? "" : ", ", sweep.c_str());
    return kExitOk;
  }
  {
    std::printf("model:      %s\nengines:    %s\nthreads:    %d\nbatch:      %lld\nload:       %.1f ms\n"
                "runs:       %zu (+%lld warm-up)\nmedian:     %.3f ms\np90:        %.3f ms\np99:        %.3f ms\n"
                "mean:       %.3f ms\nmin:        %.3f ms\nthroughput: %.2f samples/s\n"
                "peak mem:   %.1f MiB (baseline %.1f MiB before loading; model %.1f MiB)\n",
                o.model.c_str(), engines.c_str(), threads, static_cast<long long>(batch), load_ms, latencies.size(),
                static_cast<long long>(o.warmup), percentile(sorted, 0.5), percentile(sorted, 0.9),
                percentile(sorted, 0.99), mean, sorted.front(), throughput, static_cast<double>(peak) / (1 << 20),
                static_cast<double>(baseline) / (1 << 20), static_cast<double>(peak - baseline) / (1 << 20));
    if (idle_ms >= 0)
      std::printf("idle cpu:   %.2f ms of CPU time in the %g s after the last run\n", idle_ms, o.idle);
  }
  if (!o.sweep.input.empty()) run_sweep(*predictor, inputs, o.sweep, o.cache, false, rng);
  return kExitOk;
}

}  // namespace skiff::cli
