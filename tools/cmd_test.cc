// skiff test PATH...: runs ONNX test-data cases and compares like ONNX's
// backend tests. Each case runs in a child process, so a crash or a hang in
// one case is reported as that case's failure instead of ending the run.
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <iostream>

#include "cli.h"
#include "onnx/onnx.h"

namespace skiff::cli {

namespace fs = std::filesystem;

namespace {

constexpr const char* kHelp = R"(usage: skiff test PATH... [options]

Each PATH is an ONNX test case (a folder with model.onnx and
test_data_set_*/input_K.pb, output_K.pb) or a folder of such cases. Outputs
are compared like ONNX's backend tests: types and shapes exact, floats within
rtol 1e-3 / atol 1e-7, integers, bools and strings exact.

Prints `FAIL case: reason` per failure and ends with
`N passed, N failed, N skipped`. Exit status 0 when nothing failed, else 1.

Options:
  --verbose          also print `PASS case` (and `SKIP case: reason`)
  --rtol X --atol X  tolerances (default 1e-3, 1e-7)
  --timeout S        seconds per case before it counts as failed (default 120)
  --no-fork          run cases in this process (for debuggers)
)";

struct Options {
  passes::PassOptions passes;
  bool verbose = false;
  bool fork = true;
  double rtol = 1e-3, atol = 1e-7;
  int timeout_s = 120;
};

enum class Outcome { kPass, kFail, kSkip };

// Runs one case in-process; returns the outcome and a one-line reason.
std::pair<Outcome, std::string> run_case(const fs::path& dir, const Options& opt) {
  std::vector<fs::path> sets;
  for (const auto& e : fs::directory_iterator(dir))
    if (e.is_directory() && e.path().filename().string().rfind("test_data_set_", 0) == 0)
      sets.push_back(e.path());
  std::sort(sets.begin(), sets.end());
  if (sets.empty()) return {Outcome::kSkip, "no test_data_set_* folders"};
  LoadedModel m;
  try {
    m = load_and_compile((dir / "model.onnx").string(), opt.passes);
  } catch (const Error& e) {
    return {Outcome::kFail, e.what()};
  }
  const ir::Graph& g = m.model.graph;
  for (const auto& set : sets) {
    std::vector<Value> inputs;
    try {
      for (size_t k = 0;; ++k) {
        const fs::path file = set / str_cat("input_", k, ".pb");
        if (!fs::exists(file)) break;
        inputs.push_back(onnx::read_value_file(file.string(), k < g.inputs.size() ? &g.inputs[k].type : nullptr));
      }
      std::vector<Value> outputs = m.plan->run(std::move(inputs));
      for (size_t k = 0; k < g.outputs.size(); ++k) {
        const fs::path file = set / str_cat("output_", k, ".pb");
        if (!fs::exists(file)) continue;
        const Value expected = onnx::read_value_file(file.string(), &g.outputs[k].type);
        const std::string diff = compare_values(expected, outputs[k], opt.rtol, opt.atol);
        if (!diff.empty())
          return {Outcome::kFail, str_cat(set.filename().string(), " output ", k, " '", g.outputs[k].name, "': ", diff)};
      }
    } catch (const Error& e) {
      return {Outcome::kFail, str_cat(set.filename().string(), ": ", e.what())};
    }
  }
  return {Outcome::kPass, ""};
}

std::pair<Outcome, std::string> run_case_forked(const fs::path& dir, const Options& opt) {
  int fds[2];
  if (pipe(fds) != 0) return run_case(dir, opt);
  const pid_t pid = fork();
  if (pid == 0) {
    close(fds[0]);
    auto [outcome, reason] = run_case(dir, opt);
    std::string msg = std::to_string(static_cast<int>(outcome)) + reason;
    (void)!write(fds[1], msg.data(), msg.size());
    close(fds[1]);
    _exit(0);
  }
  close(fds[1]);
  std::string msg;
  char buf[4096];
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(opt.timeout_s);
  bool timed_out = false;
  for (;;) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now()).count();
    if (left <= 0) {
      timed_out = true;
      break;
    }
    pollfd p{fds[0], POLLIN, 0};
    if (poll(&p, 1, static_cast<int>(std::min<int64_t>(left, 1000))) <= 0) continue;
    const ssize_t n = read(fds[0], buf, sizeof buf);
    if (n <= 0) break;
    msg.append(buf, static_cast<size_t>(n));
  }
  close(fds[0]);
  if (timed_out) kill(pid, SIGKILL);
  int status = 0;
  waitpid(pid, &status, 0);
  if (timed_out) return {Outcome::kFail, str_cat("timed out after ", opt.timeout_s, " s")};
  if (WIFSIGNALED(status)) return {Outcome::kFail, str_cat("crashed (signal ", WTERMSIG(status), ", ", strsignal(WTERMSIG(status)), ")")};
  if (msg.empty()) return {Outcome::kFail, str_cat("exited without a result (status ", WEXITSTATUS(status), ")")};
  return {static_cast<Outcome>(msg[0] - '0'), msg.substr(1)};
}

void collect_cases(const fs::path& path, std::vector<fs::path>* cases) {
  if (fs::exists(path / "model.onnx")) {
    cases->push_back(path);
    return;
  }
  if (!fs::is_directory(path)) throw UsageError(str_cat("'", path.string(), "' is not a test case or a folder of cases"));
  std::vector<fs::path> sub;
  for (const auto& e : fs::directory_iterator(path))
    if (e.is_directory()) sub.push_back(e.path());
  std::sort(sub.begin(), sub.end());
  for (const auto& s : sub) collect_cases(s, cases);
}

// "node/test_abs" for a case under .../data/node/test_abs.
std::string case_name(const fs::path& dir) {
  return (dir.parent_path().filename() / dir.filename()).string();
}

}  // namespace

int cmd_test(const std::vector<std::string>& args) {
  Options opt;
  std::vector<fs::path> cases;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    auto value = [&]() -> const std::string& {
      if (i + 1 >= args.size()) throw UsageError(a + " needs a value");
      return args[++i];
    };
    if (a == "--help" || a == "-h") {
      std::cout << kHelp << kPassOptionsHelp;
      return kExitOk;
    } else if (a == "--verbose" || a == "-v") {
      opt.verbose = true;
    } else if (parse_pass_option(args, i, opt.passes)) {
    } else if (a == "--no-fork") {
      opt.fork = false;
    } else if (a == "--rtol") {
      opt.rtol = std::stod(value());
    } else if (a == "--atol") {
      opt.atol = std::stod(value());
    } else if (a == "--timeout") {
      opt.timeout_s = std::stoi(value());
    } else if (!a.empty() && a[0] == '-') {
      throw UsageError("unknown option " + a);
    } else {
      collect_cases(a, &cases);
    }
  }
  if (cases.empty()) throw UsageError("test needs at least one PATH");
  int passed = 0, failed = 0, skipped = 0;
  for (const auto& dir : cases) {
    auto [outcome, reason] = opt.fork ? run_case_forked(dir, opt) : run_case(dir, opt);
    std::replace(reason.begin(), reason.end(), '\n', ' ');
    const std::string name = case_name(dir);
    if (outcome == Outcome::kPass) {
      ++passed;
      if (opt.verbose) std::cout << "PASS " << name << "\n";
    } else if (outcome == Outcome::kSkip) {
      ++skipped;
      if (opt.verbose) std::cout << "SKIP " << name << ": " << reason << "\n";
    } else {
      ++failed;
      std::cout << "FAIL " << name << ": " << reason << "\n";
    }
    std::cout.flush();
  }
  std::cout << passed << " passed, " << failed << " failed, " << skipped << " skipped\n";
  return failed ? kExitFailed : kExitOk;
}

}  // namespace skiff::cli
