// Shared pieces of the `skiff` command line.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "core/error.h"
#include "core/value.h"
#include "ir/graph.h"
#include "passes/pass.h"
#include "runtime/plan.h"

namespace skiff::cli {

// Exit statuses, as documented in `skiff --help`.
inline constexpr int kExitOk = 0;
inline constexpr int kExitFailed = 1;       // `skiff test`: some case failed
inline constexpr int kExitBadModel = 2;     // the model cannot be loaded
inline constexpr int kExitRunFailed = 3;    // the run failed (bad input included)
inline constexpr int kExitUnsupported = 4;  // an operator is not supported
inline constexpr int kExitUsage = 64;       // bad command line

struct UsageError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// A loaded and compiled model.
struct LoadedModel {
  ir::Model model;
  std::shared_ptr<const runtime::Plan> plan;
};
// Loads, optimizes (passes, see docs/passes.md) and compiles; load errors
// keep kInvalidModel/kIO, compile errors keep their code (kUnsupported for
// missing kernels).
LoadedModel load_and_compile(const std::string& path, const passes::PassOptions& options = {},
                             const runtime::PlanOptions& plan_options = {});

// Parses `--opt-level L` or `--disable-pass NAME` at args[i] (advancing i
// past the value). Returns false when args[i] is neither.
bool parse_pass_option(const std::vector<std::string>& args, size_t& i, passes::PassOptions& options);
// Help text for those options.
inline constexpr const char* kPassOptionsHelp =
    "  --opt-level L        graph optimization: none, basic, extended (default), all\n"
    "  --disable-pass NAME  skip one pass (see `skiff optimize --list-passes`); repeatable\n";

// Maps an error to the exit status: model errors (and I/O errors while the
// model is loading) 2, unsupported 4, everything else 3.
int exit_status(const Error& e, bool loading);

// Compares like ONNX's backend tests: dtypes and shapes exact; floats within
// |actual - expected| <= atol + rtol * |expected| with NaNs in the same
// places; integers, bools and strings exact. Returns "" when equal, else a
// one-line reason.
std::string compare_values(const Value& expected, const Value& actual, double rtol, double atol);

// "1,3,224,224" -> {1,3,224,224}; throws UsageError naming `what`.
Shape parse_dims(const std::string& text, const std::string& what);
// "--shape x=1,3,640,640" value -> {"x", {1,3,640,640}}.
std::map<std::string, Shape>::value_type parse_shape_option(const std::string& spec);
// The graph's inputs: read from DIR/input_K.pb when `inputs_dir` is given,
// else seeded random data of the declared shapes (`shapes` for symbolic dims).
std::vector<Value> make_inputs(const ir::Graph& graph, const std::string& inputs_dir,
                               const std::map<std::string, Shape>& shapes, uint64_t seed);

// "float[1,3] min=.. max=.. mean=.."
std::string summarize(const Value& value);

// Runs `model` on `inputs` with every node output made a graph output and
// writes each value to DIR/NNNN.pb, listed in DIR/index.tsv in execution
// order (step, value, file, node, op); graph inputs come first as step -1.
void dump_intermediates(const ir::Model& model, const std::vector<Value>& inputs, const std::string& dir);

int cmd_run(const std::vector<std::string>& args);
int cmd_test(const std::vector<std::string>& args);
int cmd_inspect(const std::vector<std::string>& args);
int cmd_version(const std::vector<std::string>& args);
int cmd_operators(const std::vector<std::string>& args);
int cmd_profile(const std::vector<std::string>& args);
int cmd_optimize(const std::vector<std::string>& args);

}  // namespace skiff::cli
