// skiff bench --sweep: the dynamic-shape criterion. An OCR recognizer fed
// many widths in a row must, after the first call at each width, run as
// fast as when it is fed that width alone, and its memory must stay bounded
// by the primitive cache capacity.
#include <algorithm>
#include <chrono>
#include <cstdio>

#include <sys/resource.h>

#include "bench.h"
#include "cli.h"

namespace skiff::cli {

namespace {

struct SizeResult {
  int64_t size = 0;
  double first_ms = 0;                      // the first call: builds primitives
  std::vector<double> changed_ms, fixed_ms;  // after another size / after the same size
  std::vector<double> changed_faults, fixed_faults;  // minor page faults during the call
};

// Minor page faults of the process so far: a call that maps fresh memory
// pays for zeroing it, which a sweep would otherwise hide inside its latency.
int64_t minor_faults() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return usage.ru_minflt;
}

double min_of(const std::vector<double>& values) { return *std::min_element(values.begin(), values.end()); }

struct Summary {
  std::vector<double> ratios;
  double worst = 0;
  int64_t over = 0;  // sizes over 1.10
  void add(double ratio) {
    ratios.push_back(ratio);
    worst = std::max(worst, ratio);
    over += ratio > 1.10;
  }
};

std::string json_array(const std::vector<SizeResult>& sizes, double (*get)(const SizeResult&)) {
  std::string out = "[";
  for (size_t k = 0; k < sizes.size(); ++k) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%s%.4g", k ? ", " : "", get(sizes[k]));
    out += buf;
  }
  return out + "]";
}

}  // namespace

// Each round feeds every size in order, twice in a row: the first call of a
// pair follows a different size (the sweep), the second the same size (the
// fixed-shape latency, measured in the same moment, so machine load hits
// both alike). Round 0 builds the primitives; the other rounds are
// compared by their medians and by their minima.
std::string run_sweep(const Predictor& predictor, NamedTensors inputs, const SweepSpec& spec,
                      size_t cache_capacity, bool json, std::mt19937_64& rng) {
  using clock = std::chrono::steady_clock;
  size_t index = 0;
  while (index < inputs.size() && inputs[index].first != spec.input) ++index;
  if (index == inputs.size())
    throw Error(ErrorCode::kInvalidInput, str_cat("--sweep names '", spec.input, "', which is not an input"));
  const Shape base = inputs[index].second.shape();
  if (spec.axis >= static_cast<int64_t>(base.size()))
    throw Error(ErrorCode::kInvalidInput, str_cat("--sweep axis ", spec.axis, " is past the input's rank"));
  std::vector<Tensor> tensors;
  std::vector<SizeResult> sizes(static_cast<size_t>(spec.count));
  for (int64_t k = 0; k < spec.count; ++k) {
    Shape shape = base;
    shape[spec.axis] = spec.count == 1 ? spec.from : spec.from + (spec.to - spec.from) * k / (spec.count - 1);
    sizes[k].size = shape[spec.axis];
    tensors.push_back(random_tensor(inputs[index].second.dtype(), shape, rng));
  }
  double faults = 0;  // of the latest timed() call
  auto timed = [&](const Tensor& t) {
    inputs[index].second = t;
    const int64_t f0 = minor_faults();
    const auto t0 = clock::now();
    predictor.run(inputs);
    const double ms = std::chrono::duration<double, std::milli>(clock::now() - t0).count();
    faults = static_cast<double>(minor_faults() - f0);
    return ms;
  };
  int64_t rss_after_first = 0;
  for (int64_t round = 0; round <= spec.rounds; ++round) {
    for (size_t k = 0; k < tensors.size(); ++k) {
      const double changed = timed(tensors[k]);
      const double changed_faults = faults;
      const double fixed = timed(tensors[k]);
      if (round == 0) {
        sizes[k].first_ms = changed;
      } else {
        sizes[k].changed_ms.push_back(changed);
        sizes[k].fixed_ms.push_back(fixed);
        sizes[k].changed_faults.push_back(changed_faults);
        sizes[k].fixed_faults.push_back(faults);
      }
    }
    if (round == 0) rss_after_first = status_bytes("VmRSS:");
  }
  const int64_t rss_after = status_bytes("VmRSS:");

  // Ratios of medians, and of minima: on a busy machine a load spike hits
  // single calls, and the fastest of each kind shows what the code costs.
  Summary by_median, by_min;
  for (const SizeResult& s : sizes) {
    by_median.add(median_of(s.changed_ms) / median_of(s.fixed_ms));
    by_min.add(min_of(s.changed_ms) / min_of(s.fixed_ms));
  }
  const std::vector<double>& ratios = by_median.ratios;
  const double mib = 1 << 20;
  if (!json) {
    std::printf("\nsweep of %s axis %lld, %lld sizes x %lld rounds (primitive cache %zu signatures per region):\n"
                "%8s %10s %10s %10s %7s %13s %13s\n", spec.input.c_str(), static_cast<long long>(spec.axis),
                static_cast<long long>(spec.count), static_cast<long long>(spec.rounds), cache_capacity, "size",
                "first ms", "sweep ms", "fixed ms", "ratio", "sweep faults", "fixed faults");
    for (size_t k = 0; k < sizes.size(); ++k)
      std::printf("%8lld %10.3f %10.3f %10.3f %7.3f %13.0f %13.0f\n", static_cast<long long>(sizes[k].size),
                  sizes[k].first_ms, median_of(sizes[k].changed_ms), median_of(sizes[k].fixed_ms), ratios[k],
                  median_of(sizes[k].changed_faults), median_of(sizes[k].fixed_faults));
    std::printf("sweep / fixed latency, ratio of medians: median %.3f, worst %.3f; %lld of %lld sizes over 1.10\n"
                "sweep / fixed latency, ratio of minima:  median %.3f, worst %.3f; %lld of %lld sizes over 1.10\n"
                "resident memory: %.1f MiB after the first round, %.1f MiB after round %lld\n",
                median_of(ratios), by_median.worst, static_cast<long long>(by_median.over),
                static_cast<long long>(spec.count), median_of(by_min.ratios), by_min.worst,
                static_cast<long long>(by_min.over), static_cast<long long>(spec.count),
                static_cast<double>(rss_after_first) / mib, static_cast<double>(rss_after) / mib,
                static_cast<long long>(spec.rounds));
    return "";
  }
  return str_cat("\"sweep\": {\"input\": \"", spec.input, "\", \"axis\": ", spec.axis, ", \"rounds\": ", spec.rounds,
                 ", \"cache_capacity\": ", cache_capacity,
                 ", \"sizes\": ", json_array(sizes, [](const SizeResult& s) { return double(s.size); }),
                 ", \"first_ms\": ", json_array(sizes, [](const SizeResult& s) { return s.first_ms; }),
                 ", \"sweep_ms\": ", json_array(sizes, [](const SizeResult& s) { return median_of(s.changed_ms); }),
                 ", \"fixed_ms\": ", json_array(sizes, [](const SizeResult& s) { return median_of(s.fixed_ms); }),
                 ", \"sweep_min_ms\": ", json_array(sizes, [](const SizeResult& s) { return min_of(s.changed_ms); }),
                 ", \"fixed_min_ms\": ", json_array(sizes, [](const SizeResult& s) { return min_of(s.fixed_ms); }),
                 ", \"sweep_faults\": ", json_array(sizes, [](const SizeResult& s) { return median_of(s.changed_faults); }),
                 ", \"fixed_faults\": ", json_array(sizes, [](const SizeResult& s) { return median_of(s.fixed_faults); }),
                 ", \"median_ratio\": ", median_of(ratios), ", \"worst_ratio\": ", by_median.worst,
                 ", \"sizes_over_1_10\": ", by_median.over, ", \"median_min_ratio\": ", median_of(by_min.ratios),
                 ", \"worst_min_ratio\": ", by_min.worst, ", \"sizes_over_1_10_min\": ", by_min.over,
                 ", \"rss_after_first_round_bytes\": ", rss_after_first, ", \"rss_after_bytes\": ", rss_after, "}");
}

}  // namespace skiff::cli
