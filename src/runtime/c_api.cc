// The C API over the C++ API: every entry point catches everything, records
// the message in a thread-local string and returns a status.
#include "skiff/skiff_c.h"

#include <mutex>
#include <new>
#include <unordered_set>
#include <string>

#include "skiff/skiff.h"

struct skiff_config {
  skiff::Config config;
};
struct skiff_predictor {
  std::unique_ptr<skiff::Predictor> predictor;
};
struct skiff_tensor {
  skiff::Tensor tensor;
};

namespace {

thread_local std::string last_error;

// Handles handed out and not yet destroyed. Every entry point checks its
// handles here before touching them, so a call with a destroyed (or never
// created) handle is a clear error instead of a use-after-free.
class LiveHandles {
 public:
  void add(const void* p) {
    std::lock_guard<std::mutex> lock(mutex_);
    live_.insert(p);
  }
  bool remove(const void* p) {
    std::lock_guard<std::mutex> lock(mutex_);
    return live_.erase(p) != 0;
  }
  bool contains(const void* p) const {
    std::lock_guard<std::mutex> lock(mutex_);
    return live_.count(p) != 0;
  }

 private:
  mutable std::mutex mutex_;
  std::unordered_set<const void*> live_;
};

LiveHandles& live() {
  static LiveHandles* handles = new LiveHandles();  // never destroyed: usable at exit
  return *handles;
}

template <class T>
T* track(T* p) {
  if (p) live().add(p);
  return p;
}

// "" when `p` is a live handle, else why not.
std::string check_handle(const void* p, const char* what) {
  if (!p) return std::string(what) + " is NULL";
  if (!live().contains(p)) return std::string(what) + " is not a live handle (already destroyed?)";
  return "";
}

skiff_status set_error(skiff_status status, const std::string& message) {
  last_error = message;
  return status;
}

// Runs `body`, turning exceptions into statuses.
template <class F>
skiff_status guarded(F&& body) {
  try {
    last_error.clear();
    body();
    return SKIFF_OK;
  } catch (const skiff::Error& e) {
    return set_error(static_cast<skiff_status>(static_cast<int>(e.code())), e.what());
  } catch (const std::bad_alloc&) {
    return set_error(SKIFF_ERROR_OUT_OF_MEMORY, "out of memory");
  } catch (const std::exception& e) {
    return set_error(SKIFF_ERROR_INTERNAL, e.what());
  } catch (...) {
    return set_error(SKIFF_ERROR_INTERNAL, "unknown error");
  }
}

bool live_tensor(const skiff_tensor* tensor) {
  if (auto why = check_handle(tensor, "tensor"); !why.empty()) {
    set_error(SKIFF_ERROR_INVALID_ARGUMENT, why);
    return false;
  }
  return true;
}

skiff_tensor* make_tensor(skiff_dtype dtype, const int64_t* shape, size_t rank, void* data, bool view) {
  skiff_tensor* result = nullptr;
  guarded([&] {
    if (rank > 0 && !shape) throw skiff::Error(skiff::ErrorCode::kInvalidInput, "skiff_tensor: shape is NULL");
    if (view && !data) throw skiff::Error(skiff::ErrorCode::kInvalidInput, "skiff_tensor_view: data is NULL");
    const auto dt = static_cast<skiff::DataType>(dtype);
    if (!skiff::dtype_is_valid(static_cast<int32_t>(dtype)) || dt == skiff::DataType::kString ||
        dt == skiff::DataType::kComplex64 || dt == skiff::DataType::kComplex128)
      throw skiff::Error(skiff::ErrorCode::kInvalidInput, "skiff_tensor: unsupported dtype " + std::to_string(dtype));
    skiff::Shape dims(shape, shape + rank);
    auto t = std::make_unique<skiff_tensor>();
    t->tensor = view ? skiff::Tensor::view(dt, dims, data) : skiff::Tensor::zeros(dt, dims);
    result = track(t.release());
  });
  return result;
}

}  // namespace

extern "C" {

const char* skiff_last_error(void) { return last_error.c_str(); }
const char* skiff_version(void) { return skiff::version(); }

skiff_config* skiff_config_create(const char* model_path) {
  skiff_config* c = nullptr;
  guarded([&] {
    if (!model_path) throw skiff::Error(skiff::ErrorCode::kInvalidInput, "skiff_config_create: model_path is NULL");
    c = track(new skiff_config{skiff::Config(model_path)});
  });
  return c;
}

skiff_config* skiff_config_create_from_bytes(const void* data, size_t size) {
  skiff_config* c = nullptr;
  guarded([&] {
    if (!data || !size) throw skiff::Error(skiff::ErrorCode::kInvalidInput, "skiff_config_create_from_bytes: no bytes");
    c = track(new skiff_config{skiff::Config::from_bytes(data, size)});
  });
  return c;
}

skiff_status skiff_config_set_threads(skiff_config* config, int threads) {
  if (auto why = check_handle(config, "config"); !why.empty())
    return set_error(SKIFF_ERROR_INVALID_ARGUMENT, "skiff_config_set_threads: " + why);
  return guarded([&] { config->config.threads(threads); });
}

skiff_status skiff_config_set_opt_level(skiff_config* config, int level) {
  if (auto why = check_handle(config, "config"); !why.empty())
    return set_error(SKIFF_ERROR_INVALID_ARGUMENT, "skiff_config_set_opt_level: " + why);
  if (level < SKIFF_OPT_NONE || level > SKIFF_OPT_ALL)
    return set_error(SKIFF_ERROR_INVALID_ARGUMENT,
                     "skiff_config_set_opt_level: level " + std::to_string(level) + " is not 0 (none) to 3 (all)");
  return guarded([&] { config->config.opt_level(static_cast<skiff::OptLevel>(level)); });
}

skiff_status skiff_config_set_memory_limit(skiff_config* config, size_t bytes) {
  if (auto why = check_handle(config, "config"); !why.empty())
    return set_error(SKIFF_ERROR_INVALID_ARGUMENT, "skiff_config_set_memory_limit: " + why);
  return guarded([&] { config->config.memory_limit(bytes); });
}

skiff_status skiff_config_set_adaptive_threads(skiff_config* config, int on) {
  if (auto why = check_handle(config, "config"); !why.empty())
    return set_error(SKIFF_ERROR_INVALID_ARGUMENT, "skiff_config_set_adaptive_threads: " + why);
  if (on != 0 && on != 1)
    return set_error(SKIFF_ERROR_INVALID_ARGUMENT,
                     "skiff_config_set_adaptive_threads: " + std::to_string(on) + " is not 0 (off) or 1 (on)");
  return guarded([&] { config->config.adaptive_threads(on == 1); });
}

skiff_status skiff_config_set_input_shape(skiff_config* config, const char* name, const int64_t* shape,
                                          size_t rank) {
  if (auto why = check_handle(config, "config"); !why.empty())
    return set_error(SKIFF_ERROR_INVALID_ARGUMENT, "skiff_config_set_input_shape: " + why);
  if (!name || (rank && !shape))
    return set_error(SKIFF_ERROR_INVALID_ARGUMENT,
                     std::string("skiff_config_set_input_shape: ") + (name ? "shape" : "name") + " is NULL");
  return guarded([&] { config->config.input_shape(name, std::vector<int64_t>(shape, shape + rank)); });
}

skiff_status skiff_config_set_engines(skiff_config* config, const char* const* names, size_t count) {
  if (auto why = check_handle(config, "config"); !why.empty())
    return set_error(SKIFF_ERROR_INVALID_ARGUMENT, "skiff_config_set_engines: " + why);
  if (count && !names) return set_error(SKIFF_ERROR_INVALID_ARGUMENT, "skiff_config_set_engines: names is NULL");
  for (size_t i = 0; i < count; ++i)
    if (!names[i])
      return set_error(SKIFF_ERROR_INVALID_ARGUMENT,
                       "skiff_config_set_engines: names[" + std::to_string(i) + "] is NULL");
  return guarded([&] { config->config.engines(std::vector<std::string>(names, names + count)); });
}

skiff_status skiff_config_set_primitive_cache_capacity(skiff_config* config, size_t signatures) {
  if (auto why = check_handle(config, "config"); !why.empty())
    return set_error(SKIFF_ERROR_INVALID_ARGUMENT, "skiff_config_set_primitive_cache_capacity: " + why);
  return guarded([&] { config->config.primitive_cache_capacity(signatures); });
}

skiff_status skiff_config_disable_pass(skiff_config* config, const char* name) {
  if (auto why = check_handle(config, "config"); !why.empty())
    return set_error(SKIFF_ERROR_INVALID_ARGUMENT, "skiff_config_disable_pass: " + why);
  if (!name) return set_error(SKIFF_ERROR_INVALID_ARGUMENT, "skiff_config_disable_pass: name is NULL");
  return guarded([&] { config->config.disable_pass(name); });
}

void skiff_config_destroy(skiff_config* config) {
  if (config && live().remove(config)) delete config;
}

skiff_status skiff_predictor_create(const skiff_config* config, skiff_predictor** out) {
  if (!out) return set_error(SKIFF_ERROR_INVALID_ARGUMENT, "skiff_predictor_create: out is NULL");
  *out = nullptr;
  if (auto why = check_handle(config, "config"); !why.empty())
    return set_error(SKIFF_ERROR_INVALID_ARGUMENT, "skiff_predictor_create: " + why);
  return guarded([&] { *out = track(new skiff_predictor{skiff::Predictor::create(config->config)}); });
}

skiff_status skiff_predictor_clone(const skiff_predictor* predictor, skiff_predictor** out) {
  if (!out) return set_error(SKIFF_ERROR_INVALID_ARGUMENT, "skiff_predictor_clone: out is NULL");
  *out = nullptr;
  if (auto why = check_handle(predictor, "predictor"); !why.empty())
    return set_error(SKIFF_ERROR_INVALID_ARGUMENT, "skiff_predictor_clone: " + why);
  return guarded([&] { *out = track(new skiff_predictor{predictor->predictor->clone()}); });
}

void skiff_predictor_destroy(skiff_predictor* predictor) {
  if (predictor && live().remove(predictor)) delete predictor;
}

size_t skiff_predictor_num_inputs(const skiff_predictor* predictor) {
  return check_handle(predictor, "predictor").empty() ? predictor->predictor->inputs().size() : 0;
}

size_t skiff_predictor_num_outputs(const skiff_predictor* predictor) {
  return check_handle(predictor, "predictor").empty() ? predictor->predictor->outputs().size() : 0;
}

const char* skiff_predictor_input_name(const skiff_predictor* predictor, size_t index) {
  if (!check_handle(predictor, "predictor").empty() || index >= predictor->predictor->inputs().size()) return nullptr;
  return predictor->predictor->inputs()[index].name.c_str();
}

const char* skiff_predictor_output_name(const skiff_predictor* predictor, size_t index) {
  if (!check_handle(predictor, "predictor").empty() || index >= predictor->predictor->outputs().size()) return nullptr;
  return predictor->predictor->outputs()[index].name.c_str();
}

skiff_status skiff_predictor_run(const skiff_predictor* predictor, size_t num_inputs,
                                 const char* const* input_names, skiff_tensor* const* inputs,
                                 size_t num_outputs, skiff_tensor** outputs) {
  if (auto why = check_handle(predictor, "predictor"); !why.empty())
    return set_error(SKIFF_ERROR_INVALID_ARGUMENT, "skiff_predictor_run: " + why);
  if (num_inputs && (!input_names || !inputs))
    return set_error(SKIFF_ERROR_INVALID_ARGUMENT, "skiff_predictor_run: input arrays are NULL");
  if (num_outputs && !outputs) return set_error(SKIFF_ERROR_INVALID_ARGUMENT, "skiff_predictor_run: outputs is NULL");
  if (num_outputs > predictor->predictor->outputs().size())
    return set_error(SKIFF_ERROR_INVALID_ARGUMENT, "skiff_predictor_run: the model has only " +
                                                       std::to_string(predictor->predictor->outputs().size()) + " outputs");
  for (size_t i = 0; i < num_outputs; ++i) outputs[i] = nullptr;
  return guarded([&] {
    skiff::NamedTensors named;
    for (size_t i = 0; i < num_inputs; ++i) {
      if (!input_names[i])
        throw skiff::Error(skiff::ErrorCode::kInvalidInput, "skiff_predictor_run: the name of input " + std::to_string(i) + " is NULL");
      if (auto why = check_handle(inputs[i], "tensor"); !why.empty())
        throw skiff::Error(skiff::ErrorCode::kInvalidInput, "skiff_predictor_run: input " + std::to_string(i) + " ('" + input_names[i] + "'): " + why);
      named.emplace_back(input_names[i], inputs[i]->tensor);
    }
    std::vector<skiff::Tensor> results = predictor->predictor->run(named);
    std::vector<std::unique_ptr<skiff_tensor>> owned;
    for (size_t i = 0; i < num_outputs; ++i) owned.push_back(std::make_unique<skiff_tensor>(skiff_tensor{results[i]}));
    for (size_t i = 0; i < num_outputs; ++i) outputs[i] = track(owned[i].release());
  });
}

skiff_tensor* skiff_tensor_view(skiff_dtype dtype, const int64_t* shape, size_t rank, void* data) {
  return make_tensor(dtype, shape, rank, data, true);
}

skiff_tensor* skiff_tensor_create(skiff_dtype dtype, const int64_t* shape, size_t rank) {
  return make_tensor(dtype, shape, rank, nullptr, false);
}

void skiff_tensor_destroy(skiff_tensor* tensor) {
  if (tensor && live().remove(tensor)) delete tensor;
}

skiff_dtype skiff_tensor_dtype(const skiff_tensor* tensor) {
  return live_tensor(tensor) ? static_cast<skiff_dtype>(tensor->tensor.dtype()) : static_cast<skiff_dtype>(0);
}

size_t skiff_tensor_rank(const skiff_tensor* tensor) { return live_tensor(tensor) ? tensor->tensor.shape().size() : 0; }

const int64_t* skiff_tensor_shape(const skiff_tensor* tensor) {
  return live_tensor(tensor) ? tensor->tensor.shape().data() : nullptr;
}

int64_t skiff_tensor_numel(const skiff_tensor* tensor) { return live_tensor(tensor) ? tensor->tensor.numel() : 0; }

void* skiff_tensor_data(skiff_tensor* tensor) { return live_tensor(tensor) ? tensor->tensor.raw() : nullptr; }

}  // extern "C"
