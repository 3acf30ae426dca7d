// The public Predictor: a compiled Plan behind the API of <skiff/skiff.h>.
#include <omp.h>

#include <chrono>
#include <map>
#include <mutex>
#include <thread>
#include <unordered_map>

#include "build_info_config.h"
#include "onnx/onnx.h"
#include "passes/pass_manager.h"
#include "runtime/plan.h"
#include "runtime/threads.h"
#include "skiff/skiff.h"

namespace skiff {

Config::Config(std::string model_path) : model_path_(std::move(model_path)) {}

Config Config::from_bytes(const void* data, size_t size) {
  Config c;
  c.model_bytes_.assign(static_cast<const char*>(data), size);
  return c;
}

Config& Config::profiling(bool on) {
  profiling_ = on;
  return *this;
}

Config& Config::threads(int count) {
  if (count < 0) fail(ErrorCode::kInvalidInput, "Config::threads: count must be >= 0, got ", count);
  threads_ = count;
  return *this;
}

Config& Config::adaptive_threads(bool on) {
  adaptive_threads_ = on;
  return *this;
}

Config& Config::opt_level(OptLevel level) {
  opt_level_ = level;
  return *this;
}

Config& Config::disable_pass(std::string name) {
  disabled_passes_.push_back(std::move(name));
  return *this;
}

Config& Config::input_shape(std::string name, std::vector<int64_t> shape) {
  for (int64_t d : shape)
    if (d < 0) fail(ErrorCode::kInvalidInput, "Config::input_shape('", name, "'): dimensions must be >= 0");
  input_shapes_.emplace_back(std::move(name), std::move(shape));
  return *this;
}

Config& Config::engines(std::vector<std::string> names) {
  engines_ = std::move(names);
  return *this;
}

Config& Config::enable_dnnl(bool enabled) {
  engines_ = enabled ? std::vector<std::string>{} : std::vector<std::string>{"native"};
  return *this;
}

Config& Config::memory_limit(size_t bytes) {
  memory_limit_ = bytes;
  return *this;
}

Config& Config::primitive_cache_capacity(size_t signatures) {
  if (signatures == 0)
    fail(ErrorCode::kInvalidInput, "Config::primitive_cache_capacity: must be at least 1");
  primitive_cache_capacity_ = signatures;
  return *this;
}

struct Predictor::Impl {
  int threads = 0;  // from the Config (the Config itself is not kept: it may hold the model's bytes)
  bool adaptive_threads = true;
  // Measures 1 thread against `threads` per input signature (shared by clones).
  std::unique_ptr<runtime::ThreadChooser> thread_chooser = std::make_unique<runtime::ThreadChooser>();
  bool profiling = false;
  std::shared_ptr<const runtime::Plan> plan;
  std::vector<TensorInfo> inputs, outputs;
  std::unordered_map<std::string, size_t> input_index, output_index;
  std::string label;  // for messages
  // Profiles by thread (run() is const and concurrent).
  mutable std::mutex profiles_mutex;
  mutable std::map<std::thread::id, Profile> profiles;
};

namespace {

class Profiler final : public runtime::RunObserver {
 public:
  explicit Profiler(Profile* profile) : profile_(profile) {}
  void start(double now) { start_ = now; }
  void after_step(const ir::Node& node, double start_us, double end_us,
                  const std::vector<Value>& outputs) override {
    NodeProfile p;
    p.node = node.name.empty() ? node.label() : node.name;
    p.op = node.domain.empty() ? node.op_type : node.domain + "::" + node.op_type;
    p.start_us = start_us - start_;
    p.duration_us = end_us - start_us;
    profile_->nodes.push_back(std::move(p));
  }

 private:
  Profile* profile_;
  double start_ = 0;
};

double steady_us() {
  return std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

std::string json_escape(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    if (static_cast<unsigned char>(c) < 0x20) continue;
    out += c;
  }
  return out;
}

TensorInfo tensor_info(const ir::ValueInfo& vi) {
  TensorInfo info;
  info.name = vi.name;
  if (vi.type.kind == ir::TypeInfo::Kind::kTensor) {
    info.dtype = vi.type.dtype;
    if (vi.type.shape) {
      info.rank_known = true;
      for (const auto& d : *vi.type.shape) {
        info.shape.push_back(d.known() ? d.value : -1);
        info.dim_names.push_back(d.param);
      }
    }
  }
  return info;
}

}  // namespace

Predictor::Predictor(std::shared_ptr<const Impl> impl) : impl_(std::move(impl)) {}
Predictor::~Predictor() = default;

// The model and the config's copy of its bytes are dropped once the plan is
// compiled: the plan and its kernels hold the weights they use, so that a
// predictor keeps no second copy of a model (ResNet-50: the imported graph's
// 102 MB of initializers, or the bytes of Config::from_bytes).
std::unique_ptr<Predictor> Predictor::create(const Config& config) {
  for (const std::string& name : config.engines()) {
    if (EngineRegistry::global().find(name)) continue;
    std::string known;
    for (const std::string& k : EngineRegistry::global().names()) known += (known.empty() ? "" : ", ") + k;
    fail(ErrorCode::kInvalidInput, "Config::engines: unknown engine '", name, "' (this build has ", known, ")");
  }
  auto impl = std::make_shared<Impl>();
  impl->threads = config.threads();
  impl->adaptive_threads = config.adaptive_threads();
  impl->profiling = config.profiling();
  ir::Model model;
  if (!config.model_bytes().empty()) {
    impl->label = "<memory>";
    model = onnx::load_model_from_bytes(config.model_bytes().data(), config.model_bytes().size(), "", impl->label);
  } else if (!config.model_path().empty()) {
    impl->label = config.model_path();
    model = onnx::load_model(config.model_path());
  } else {
    fail(ErrorCode::kInvalidInput, "Config names no model (give a path or bytes)");
  }
  try {
    passes::PassOptions options;
    options.level = static_cast<passes::OptLevel>(config.opt_level());
    options.disabled.insert(config.disabled_passes().begin(), config.disabled_passes().end());
    for (const auto& [name, shape] : config.input_shapes()) options.input_shapes[name] = shape;
    runtime::PlanOptions plan_options;
    if (!config.engines().empty()) plan_options.engines = config.engines();
    options.engines = plan_options.engines;  // fusions stay where the engines run them
    passes::optimize(model, options);
    plan_options.engine_options.primitive_cache_capacity = config.primitive_cache_capacity();
    plan_options.memory_limit = config.memory_limit();
    impl->plan = runtime::Plan::compile(model.graph, model.opsets, plan_options);
  } catch (const Error& e) {
    throw Error(e.code(), str_cat("model '", impl->label, "': ", e.what()));
  }
  const ir::Graph& g = model.graph;
  for (size_t i = 0; i < g.inputs.size(); ++i) {
    impl->inputs.push_back(tensor_info(g.inputs[i]));
    impl->input_index[g.inputs[i].name] = i;
  }
  for (size_t i = 0; i < g.outputs.size(); ++i) {
    impl->outputs.push_back(tensor_info(g.outputs[i]));
    impl->output_index[g.outputs[i].name] = i;
  }
  return std::unique_ptr<Predictor>(new Predictor(std::move(impl)));
}

const std::vector<TensorInfo>& Predictor::inputs() const { return impl_->inputs; }
const std::vector<TensorInfo>& Predictor::outputs() const { return impl_->outputs; }

std::vector<Tensor> Predictor::run(const NamedTensors& inputs) const {
  const Impl& impl = *impl_;
  std::vector<Value> ordered(impl.inputs.size());
  std::vector<bool> given(impl.inputs.size(), false);
  for (const auto& [name, tensor] : inputs) {
    auto it = impl.input_index.find(name);
    if (it == impl.input_index.end())
      fail(ErrorCode::kInvalidInput, "model '", impl.label, "' has no input named '", name, "'");
    if (given[it->second])
      fail(ErrorCode::kInvalidInput, "model '", impl.label, "': input '", name, "' is given twice");
    if (!tensor.defined())
      fail(ErrorCode::kInvalidInput, "model '", impl.label, "': input '", name, "' is an empty Tensor");
    given[it->second] = true;
    ordered[it->second] = Value(tensor);
  }
  for (size_t i = 0; i < given.size(); ++i)
    if (!given[i])
      fail(ErrorCode::kInvalidInput, "model '", impl.label, "': input '", impl.inputs[i].name, "' is missing");
  // OpenMP's thread count is per calling thread, so concurrent runs with
  // different settings do not interfere; see runtime/threads.h.
  const int most = runtime::threads_for_run(impl.threads, impl.adaptive_threads);
  uint64_t signature = 0;
  for (const Value& v : ordered)
    for (int64_t d : v.tensor.shape()) signature = signature * 1000003 + static_cast<uint64_t>(d) + 1;
  const int threads = impl.adaptive_threads ? impl.thread_chooser->pick(signature, most) : most;
  const runtime::RunThreads run_threads(threads);
  std::vector<Value> values;
  Profile profile;
  Profiler profiler(&profile);
  try {
    const double start = steady_us();
    profiler.start(start);
    values = impl.plan->run(std::move(ordered), {}, impl.profiling ? &profiler : nullptr);
    profile.total_us = steady_us() - start;
  } catch (const Error& e) {
    throw Error(e.code(), str_cat("model '", impl.label, "': ", e.what()));
  }
  if (impl.adaptive_threads) impl.thread_chooser->record(signature, threads, profile.total_us);
  if (impl.profiling) {
    std::lock_guard<std::mutex> lock(impl.profiles_mutex);
    impl.profiles[std::this_thread::get_id()] = std::move(profile);
  }
  std::vector<Tensor> outputs;
  for (size_t i = 0; i < values.size(); ++i) {
    if (!values[i].is_tensor())
      fail(ErrorCode::kUnsupported, "model '", impl.label, "': output '", impl.outputs[i].name,
           "' is a sequence or optional, which the C++ API does not return yet");
    outputs.push_back(std::move(values[i].tensor));
  }
  return outputs;
}

void Predictor::run(const NamedTensors& inputs, const NamedTensors& outputs) const {
  std::vector<Tensor> results = run(inputs);
  for (const auto& [name, destination] : outputs) {
    auto it = impl_->output_index.find(name);
    if (it == impl_->output_index.end())
      fail(ErrorCode::kInvalidInput, "model '", impl_->label, "' has no output named '", name, "'");
    const Tensor& result = results[it->second];
    if (destination.dtype() != result.dtype() || destination.shape() != result.shape())
      fail(ErrorCode::kInvalidInput, "model '", impl_->label, "': output '", name, "' is ",
           result.str(), " but the buffer given for it is ", destination.str());
    if (result.dtype() == DataType::kString) {
      auto* dst = const_cast<Tensor&>(destination).data<std::string>();
      for (int64_t i = 0; i < result.numel(); ++i) dst[i] = result.data<std::string>()[i];
    } else if (result.nbytes()) {
      std::memcpy(const_cast<Tensor&>(destination).raw(), result.raw(), result.nbytes());
    }
  }
}

Profile Predictor::last_profile() const {
  std::lock_guard<std::mutex> lock(impl_->profiles_mutex);
  auto it = impl_->profiles.find(std::this_thread::get_id());
  return it == impl_->profiles.end() ? Profile{} : it->second;
}

std::string Profile::chrome_trace() const {
  std::string json = "{\"traceEvents\":[\n";
  for (size_t i = 0; i < nodes.size(); ++i) {
    const NodeProfile& n = nodes[i];
    json += str_cat(i ? ",\n" : "", "{\"name\":\"", json_escape(n.node), "\",\"cat\":\"", json_escape(n.op),
                    "\",\"ph\":\"X\",\"ts\":", n.start_us, ",\"dur\":", n.duration_us,
                    ",\"pid\":1,\"tid\":1,\"args\":{\"op\":\"", json_escape(n.op), "\"}}");
  }
  return json + "\n],\"displayTimeUnit\":\"ms\"}\n";
}

std::unique_ptr<Predictor> Predictor::clone() const {
  // Everything in Impl is immutable after create(); a clone shares it all.
  return std::unique_ptr<Predictor>(new Predictor(impl_));
}

PredictorPool::PredictorPool(const Config& config, size_t size) {
  if (size == 0) fail(ErrorCode::kInvalidInput, "PredictorPool: size must be at least 1");
  predictors_.push_back(Predictor::create(config));
  for (size_t i = 1; i < size; ++i) predictors_.push_back(predictors_[0]->clone());
}

Predictor& PredictorPool::retrieve(size_t index) {
  if (index >= predictors_.size())
    fail(ErrorCode::kInvalidInput, "PredictorPool::retrieve(", index, "): the pool holds ", predictors_.size());
  return *predictors_[index];
}

const char* version() { return SKIFF_VERSION; }

BuildInfo build_info() {
  BuildInfo info;
  info.version = SKIFF_VERSION;
  info.git_commit = SKIFF_GIT_COMMIT;
  info.compiler = SKIFF_COMPILER;
  info.build_type = SKIFF_BUILD_TYPE;
  info.flags = SKIFF_BUILD_FLAGS;
  info.onnx_version = onnx::schema_onnx_version();
  __builtin_cpu_init();
  info.cpu_isa = "x86-64";
#define SKIFF_ISA(feature) \
  if (__builtin_cpu_supports(feature)) info.cpu_isa += " " feature;
  SKIFF_ISA("sse4.2")
  SKIFF_ISA("avx")
  SKIFF_ISA("avx2")
  SKIFF_ISA("fma")
  SKIFF_ISA("avx512f")
  SKIFF_ISA("avx512bw")
  SKIFF_ISA("avx512vnni")
#undef SKIFF_ISA
  info.max_threads = omp_get_max_threads();
  return info;
}

}  // namespace skiff
