// skiff: ONNX inference on CPU. This is the only header an application
// includes.
//
//   #include <skiff/skiff.h>
//
//   skiff::Config config("det.onnx");
//   config.threads(2);
//   auto predictor = skiff::Predictor::create(config);     // load, check, compile once
//
//   std::vector<float> image(1 * 3 * 640 * 640);
//   skiff::Tensor x = skiff::Tensor::view(skiff::DataType::kFloat, {1, 3, 640, 640},
//                                         image.data());  // zero-copy
//   std::vector<skiff::Tensor> outputs = predictor->run({{"x", x}});
//   const float* probability = outputs[0].data<float>();
//
//   // Many threads: run() may be called concurrently on one predictor, or
//   // each thread takes a clone(), which shares weights and compiled plans.
//   auto worker = predictor->clone();
//
// Every failure throws skiff::Error (see <skiff/types.h>): code() says what
// kind, what() names the model, node, op, input and shapes.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "skiff/types.h"

namespace skiff {

// How much create() rewrites the graph before compiling it (docs/passes.md):
// kBasic folds constants and shapes and removes dead or redundant nodes;
// kExtended also fuses (Conv+BatchNorm, Conv+activation, MatMul+Add,
// LayerNorm, attention...); kAll adds rewrites that round floats
// differently from the original graph, still within 1e-5 relative.
enum class OptLevel : int { kNone = 0, kBasic = 1, kExtended = 2, kAll = 3 };

// How to load and run a model. A plain value: copy it, change it, create
// several predictors from it.
class SKIFF_API Config {
 public:
  Config() = default;
  // The model at `model_path`; external data files are resolved next to it.
  explicit Config(std::string model_path);
  // A model held in memory. The bytes are copied; models with external data
  // cannot be loaded this way.
  static Config from_bytes(const void* data, size_t size);

  // Threads a run may use (OpenMP). 0, the default, means all cores.
  // Start the process with GOMP_SPINCOUNT=1000 in its environment: OpenMP
  // reads its wait settings once, when it loads, and its default ~3 ms of
  // spinning costs dearly on a busy machine (docs/api.md "Threads").
  Config& threads(int count);
  // Each run uses 1 or threads() threads, whichever its input shapes ran
  // faster with lately (measured, see docs/api.md "Threads"). On by
  // default; off makes every run use threads() exactly (bit-reproducible).
  Config& adaptive_threads(bool on);
  // Graph optimization level; the default is OptLevel::kExtended.
  Config& opt_level(OptLevel level);
  // Skips one pass by name ("fuse_activation", see docs/passes.md);
  // create() throws kInvalidInput for a name no pass has.
  Config& disable_pass(std::string name);
  // Fixes the shape of input `name`: the graph is specialised for it (shape
  // computations fold away) and run() refuses other shapes.
  Config& input_shape(std::string name, std::vector<int64_t> shape);
  // Record per-node times on every run (read them with
  // Predictor::last_profile()). Off by default; costs two clock reads per node.
  Config& profiling(bool on);

  // Engines asked for each node, in order: "dnnl" (oneDNN, connected groups
  // of the nodes it supports run as one region in its blocked layouts) and
  // "native" (skiff's own kernels, the rest). Empty, the default, means
  // {"dnnl", "native"} (just "native" in builds without oneDNN). Unknown
  // names make Predictor::create throw kInvalidInput.
  Config& engines(std::vector<std::string> names);
  // enable_dnnl(false) is engines({"native"}); enable_dnnl(true) the default.
  Config& enable_dnnl(bool enabled);
  // Each oneDNN region keeps its primitives for this many input-shape
  // signatures (least recently used evicted), so that inputs of changing
  // shape neither rebuild on every call nor grow memory without bound; the
  // memory plan keeps its per-signature arena layouts for as many.
  // Default 64; at least 1.
  Config& primitive_cache_capacity(size_t signatures);

  // Caps the memory one run may hold at once for tensors it computes:
  // intermediates, outputs and the working memory of oneDNN regions
  // (weights and the caller's inputs do not count). The first run with
  // given input shapes checks every allocation before making it and throws
  // kRuntime, naming the model, the node, the need and the limit, instead of
  // crossing the limit; later runs with those shapes reuse the memory plan
  // of a run that fitted (one arena, laid out by liveness: its greedy
  // placement may add some slack). Each concurrent run has its own budget.
  // 0, the default, means no limit.
  Config& memory_limit(size_t bytes);

  const std::string& model_path() const { return model_path_; }
  const std::string& model_bytes() const { return model_bytes_; }
  int threads() const { return threads_; }
  bool adaptive_threads() const { return adaptive_threads_; }
  OptLevel opt_level() const { return opt_level_; }
  const std::vector<std::string>& disabled_passes() const { return disabled_passes_; }
  const std::vector<std::pair<std::string, std::vector<int64_t>>>& input_shapes() const {
    return input_shapes_;
  }
  bool profiling() const { return profiling_; }
  const std::vector<std::string>& engines() const { return engines_; }
  size_t primitive_cache_capacity() const { return primitive_cache_capacity_; }
  size_t memory_limit() const { return memory_limit_; }

 private:
  std::string model_path_;
  std::string model_bytes_;
  int threads_ = 0;
  bool adaptive_threads_ = true;
  std::vector<std::string> engines_;
  size_t primitive_cache_capacity_ = 64;
  size_t memory_limit_ = 0;
  OptLevel opt_level_ = OptLevel::kExtended;
  std::vector<std::string> disabled_passes_;
  std::vector<std::pair<std::string, std::vector<int64_t>>> input_shapes_;
  bool profiling_ = false;
};

// Where a run spent its time, node by node.
struct SKIFF_API NodeProfile {
  std::string node;  // the node's name (or "<op> -> <first output>")
  std::string op;    // its op type, "domain::Op" outside ai.onnx
  double start_us = 0;     // from the start of the run
  double duration_us = 0;
};

struct SKIFF_API Profile {
  std::vector<NodeProfile> nodes;  // in execution order
  double total_us = 0;             // the whole run, inputs to outputs
  // The profile as Chrome trace-event JSON (load in chrome://tracing or
  // https://ui.perfetto.dev).
  std::string chrome_trace() const;
};

// An input or output of a model as it declares it.
struct SKIFF_API TensorInfo {
  std::string name;
  DataType dtype = DataType::kUndefined;  // kUndefined: not declared, or not a tensor
  // -1 for a dimension the model leaves open; its symbolic name (if any) is
  // in dim_names at the same position.
  std::vector<int64_t> shape;
  std::vector<std::string> dim_names;
  bool rank_known = false;
};

using NamedTensors = std::vector<std::pair<std::string, Tensor>>;

// A loaded, checked and compiled model.
//
// Thread-safety: every const method, run() included, may be called from many
// threads at once on one Predictor; each call gets its own execution state.
class SKIFF_API Predictor {
 public:
  // Loads, validates and compiles. Throws Error: kIO (unreadable file),
  // kInvalidModel (malformed), kUnsupported (an op skiff lacks).
  static std::unique_ptr<Predictor> create(const Config& config);
  ~Predictor();

  const std::vector<TensorInfo>& inputs() const;
  const std::vector<TensorInfo>& outputs() const;

  // Runs the model. Every input is given by name (views of caller memory are
  // fine; skiff never writes to inputs). Returns the outputs in the order of
  // outputs(), as tensors the caller owns. Throws kInvalidInput when an input
  // is missing, unknown, or does not match the declared type or shape.
  std::vector<Tensor> run(const NamedTensors& inputs) const;

  // Runs and writes the named outputs into tensors the caller provides (for
  // example views of its own buffers): each must already have the output's
  // dtype and shape, else kInvalidInput. Outputs not named are discarded.
  void run(const NamedTensors& inputs, const NamedTensors& outputs) const;

  // With Config::profiling(true): the profile of the calling thread's most
  // recent run() on this predictor (or its clones). Empty otherwise.
  Profile last_profile() const;

  // A predictor for another thread: shares the weights and compiled plans,
  // adds only per-run state.
  std::unique_ptr<Predictor> clone() const;

  struct Impl;

 private:
  explicit Predictor(std::shared_ptr<const Impl> impl);
  std::shared_ptr<const Impl> impl_;
};

// A fixed set of clones, one per worker thread, for callers who prefer not
// to share one predictor.
class SKIFF_API PredictorPool {
 public:
  PredictorPool(const Config& config, size_t size);
  size_t size() const { return predictors_.size(); }
  // The predictor for worker `index` (< size()).
  Predictor& retrieve(size_t index);

 private:
  std::vector<std::unique_ptr<Predictor>> predictors_;
};

// "0.1.0"
SKIFF_API const char* version();

struct SKIFF_API BuildInfo {
  std::string version;
  std::string git_commit;     // "1a2b3c4d5e6f", "-dirty" when built from modified sources
  std::string compiler;       // "GNU 12.2.0"
  std::string build_type;     // "Release"
  std::string flags;          // compiler flags of the library
  std::string onnx_version;   // onnx release whose schemas skiff checks models against
  std::string cpu_isa;        // "x86-64 sse4.2 avx avx2 fma ..." of the running CPU
  int max_threads = 0;        // threads a run uses by default
};
SKIFF_API BuildInfo build_info();

}  // namespace skiff
