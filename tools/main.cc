// skiff: the command line. Each subcommand lives in its own file.
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <iostream>

#include <unistd.h>

#include "cli.h"

namespace {

constexpr const char* kUsage = R"(usage: skiff <command> [options]

Commands:
  run MODEL      run a model on test-data inputs or seeded random inputs
  test PATH...   run ONNX test-data cases (model.onnx + test_data_set_*)
  inspect MODEL  show inputs, outputs, opsets, op histogram, missing kernels
  profile MODEL  time per op type and per node; Chrome trace
  optimize MODEL write the optimized (and optionally pruned) model as ONNX
  bench MODEL    latency (median, p90, p99), throughput and peak memory
  version        version, git commit, compiler, build flags, CPU features
  operators      the ops skiff has kernels for: domain, opset ranges, dtypes

Run `skiff <command> --help` for a command's options.

Threads: OpenMP threads spin briefly, then sleep, while they wait
(GOMP_SPINCOUNT=1000, a few microseconds) unless OMP_WAIT_POLICY or
GOMP_SPINCOUNT is set: long enough to hand consecutive steps over without a
wake-up (MobileNetV2 at 2 threads on an idle 2-core VM: 1.8 ms, against
4.3 ms with OMP_WAIT_POLICY=passive), short enough that a waiting thread
never holds a core other work needs (libgomp's default spins ~3 ms: at 2
threads with 9 runnable processes MobileNetV3 took 1256 ms). Each run uses
1 or --threads threads, whichever its input shapes ran faster with lately
(docs/api.md, "Threads"); no thread spins after a run.

Exit status: 0 ok; 1 some test failed; 2 the model cannot be loaded;
3 the run failed (bad input included); 4 an operator is not supported;
64 bad command line. Errors are one line on stderr, starting "skiff: ".
)";

}  // namespace

namespace skiff::cli {
int cmd_bench(const std::vector<std::string>& args);  // cmd_bench.cc
}  // namespace skiff::cli

int main(int argc, char** argv) {
  using namespace skiff::cli;
  // libgomp reads its wait settings when it loads, so the default can only
  // be changed by starting again with them set (once: the variable is then
  // set). An OMP_WAIT_POLICY or GOMP_SPINCOUNT given is kept.
  if (!std::getenv("OMP_WAIT_POLICY") && !std::getenv("GOMP_SPINCOUNT") &&
      setenv("GOMP_SPINCOUNT", "1000", 1) == 0)
    execv("/proc/self/exe", argv);  // on failure, go on with libgomp's default
  if (argc < 2 || !std::strcmp(argv[1], "--help") || !std::strcmp(argv[1], "-h") ||
      !std::strcmp(argv[1], "help")) {
    std::fputs(kUsage, argc < 2 ? stderr : stdout);
    return argc < 2 ? kExitUsage : kExitOk;
  }
  const std::string command = argv[1];
  std::vector<std::string> args(argv + 2, argv + argc);
  try {
    if (command == "run") return cmd_run(args);
    if (command == "test") return cmd_test(args);
    if (command == "inspect") return cmd_inspect(args);
    if (command == "bench") return cmd_bench(args);
    if (command == "version" || command == "--version") return cmd_version(args);
    if (command == "operators") return cmd_operators(args);
    if (command == "profile") return cmd_profile(args);
    if (command == "optimize") return cmd_optimize(args);
    std::cerr << "skiff: unknown command '" << command << "' (see skiff --help)\n";
    return kExitUsage;
  } catch (const UsageError& e) {
    std::cerr << "skiff: " << e.what() << " (see skiff " << command << " --help)\n";
    return kExitUsage;
  } catch (const skiff::Error& e) {
    std::cerr << "skiff: " << e.what() << "\n";
    return exit_status(e, false);
  } catch (const std::exception& e) {
    std::cerr << "skiff: " << e.what() << "\n";
    return kExitRunFailed;
  }
}
