// What the demos' command lines share: strict number parsing, JSON string
// quoting, model paths from the cache scripts/fetch-models.sh fills, and one
// main() that turns every failure into a message and an exit status.
// Header-only and built on the public API alone, like the demos themselves.
#pragma once

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <stdexcept>
#include <string>

#include <unistd.h>

#include <skiff/skiff.h>

namespace skiff_demo {

using Clock = std::chrono::steady_clock;

inline double ms_since(Clock::time_point start) {
  return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

// A command-line problem: demo_main prints it with the usage text and exits
// with `status` (64, EX_USAGE; 0 for --help).
struct UsageError : std::runtime_error {
  explicit UsageError(const std::string& problem, int exit_status = 64)
      : std::runtime_error(problem), status(exit_status) {}
  int status;
};

// The whole of `value` must be a number in [min, max]: "--threshold 0.5x"
// or "--threads -1" is a usage error, never a silent 0 or clamp.
inline double parse_number(const std::string& flag, const std::string& value, double min, double max) {
  char* end = nullptr;
  const double v = std::strtod(value.c_str(), &end);
  if (value.empty() || *end != '\0' || !(v >= min && v <= max)) {
    char range[64];
    std::snprintf(range, sizeof range, "[%g, %g]", min, max);
    throw UsageError(flag + " wants a number in " + range + " (got '" + value + "')");
  }
  return v;
}

inline int parse_int(const std::string& flag, const std::string& value, int min, int max) {
  const double v = parse_number(flag, value, min, max);
  if (v != static_cast<double>(static_cast<int>(v))) {
    throw UsageError(flag + " wants an integer (got '" + value + "')");
  }
  return static_cast<int>(v);
}

inline std::string json_string(const std::string& s) {
  std::string out = "\"";
  for (unsigned char c : s) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c < 0x20) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04x", c);
      out += buf;
    } else {
      out += static_cast<char>(c);
    }
  }
  return out + "\"";
}

// The model file for `key` (e.g. SKIFF_DET_MODEL): the environment variable
// of that name, else its KEY=PATH line in the models.env that
// scripts/fetch-models.sh writes to ${SKIFF_CACHE:-~/.cache/skiff}/npm.
// Empty when neither knows it.
inline std::string cached_model_path(const std::string& key) {
  if (const char* env = std::getenv(key.c_str())) return env;
  std::string root;
  if (const char* cache = std::getenv("SKIFF_CACHE")) root = cache;
  else if (const char* home = std::getenv("HOME")) root = std::string(home) + "/.cache/skiff";
  std::ifstream in(root + "/npm/models.env");
  std::string line;
  while (std::getline(in, line)) {
    if (line.size() > key.size() && line.compare(0, key.size(), key) == 0 && line[key.size()] == '=') {
      return line.substr(key.size() + 1);
    }
  }
  return {};
}

// Parses the command line and runs the demo. OpenMP threads wait as in the
// skiff CLI (tools/main.cc says why): a short spin, then sleep
// (GOMP_SPINCOUNT=1000). libgomp reads that when it loads, hence the
// restart with it set (once; an explicit OMP_WAIT_POLICY or GOMP_SPINCOUNT
// is kept). libgomp's default ~3 ms spin made the OCR detector 2-10x slower
// at 2 threads on a busy machine. Exit status: what `run` returns; 64 (0 for
// --help) on a usage error, printed with `usage_text`;
// 3 for a skiff error (4 when the model needs something skiff does not
// support), its code named; 1 for anything else (unreadable files, ...).
template <class Parse, class Run>
int demo_main(const char* program, const char* usage_text, int argc, char** argv, Parse&& parse, Run&& run) {
  if (!std::getenv("OMP_WAIT_POLICY") && !std::getenv("GOMP_SPINCOUNT") &&
      setenv("GOMP_SPINCOUNT", "1000", 1) == 0) {
    execv("/proc/self/exe", argv);  // on failure, go on with libgomp's default
  }
  try {
    return run(parse(argc, argv));
  } catch (const UsageError& e) {
    std::fprintf(e.status ? stderr : stdout, "%s: %s\n%s", program, e.what(), usage_text);
    return e.status;
  } catch (const skiff::Error& e) {
    std::fprintf(stderr, "%s: %s: %s\n", program, skiff::error_code_name(e.code()), e.what());
    return e.code() == skiff::ErrorCode::kUnsupported ? 4 : 3;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "%s: %s\n", program, e.what());
    return 1;
  }
}

}  // namespace skiff_demo
