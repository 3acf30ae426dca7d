// The C API over the C++ API: every entry point catches everything, records
// the message in a thread-local string and returns a status.
#include "skiff/skiff_c.h"

#include <new>
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
    result = t.release();
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
    c = new skiff_config{skiff::Config(model_path)};
  });
  return c;
}

skiff_config* skiff_config_create_from_bytes(const void* data, size_t size) {
  skiff_config* c = nullptr;
  guarded([&] {
    if (!data || !size) throw skiff::Error(skiff::ErrorCode::kInvalidInput, "skiff_config_create_from_bytes: no bytes");
    c = new skiff_config{skiff::Config::from_bytes(data, size)};
  });
  return c;
}

skiff_status skiff_config_set_threads(skiff_config* config, int threads) {
  if (!config) return set_error(SKIFF_ERROR_INVALID_ARGUMENT, "skiff_config_set_threads: config is NULL");
  return guarded([&] { config->config.threads(threads); });
}

void skiff_config_destroy(skiff_config* config) { delete config; }

skiff_status skiff_predictor_create(const skiff_config* config, skiff_predictor** out) {
  if (!config || !out) return set_error(SKIFF_ERROR_INVALID_ARGUMENT, "skiff_predictor_create: NULL argument");
  *out = nullptr;
  return guarded([&] { *out = new skiff_predictor{skiff::Predictor::create(config->config)}; });
}

skiff_status skiff_predictor_clone(const skiff_predictor* predictor, skiff_predictor** out) {
  if (!predictor || !out) return set_error(SKIFF_ERROR_INVALID_ARGUMENT, "skiff_predictor_clone: NULL argument");
  *out = nullptr;
  return guarded([&] { *out = new skiff_predictor{predictor->predictor->clone()}; });
}

void skiff_predictor_destroy(skiff_predictor* predictor) { delete predictor; }

size_t skiff_predictor_num_inputs(const skiff_predictor* predictor) {
  return predictor ? predictor->predictor->inputs().size() : 0;
}

size_t skiff_predictor_num_outputs(const skiff_predictor* predictor) {
  return predictor ? predictor->predictor->outputs().size() : 0;
}

const char* skiff_predictor_input_name(const skiff_predictor* predictor, size_t index) {
  if (!predictor || index >= predictor->predictor->inputs().size()) return nullptr;
  return predictor->predictor->inputs()[index].name.c_str();
}

const char* skiff_predictor_output_name(const skiff_predictor* predictor, size_t index) {
  if (!predictor || index >= predictor->predictor->outputs().size()) return nullptr;
  return predictor->predictor->outputs()[index].name.c_str();
}

skiff_status skiff_predictor_run(const skiff_predictor* predictor, size_t num_inputs,
                                 const char* const* input_names, skiff_tensor* const* inputs,
                                 size_t num_outputs, skiff_tensor** outputs) {
  if (!predictor) return set_error(SKIFF_ERROR_INVALID_ARGUMENT, "skiff_predictor_run: predictor is NULL");
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
      if (!input_names[i] || !inputs[i])
        throw skiff::Error(skiff::ErrorCode::kInvalidInput, "skiff_predictor_run: input " + std::to_string(i) + " is NULL");
      named.emplace_back(input_names[i], inputs[i]->tensor);
    }
    std::vector<skiff::Tensor> results = predictor->predictor->run(named);
    std::vector<std::unique_ptr<skiff_tensor>> owned;
    for (size_t i = 0; i < num_outputs; ++i) owned.push_back(std::make_unique<skiff_tensor>(skiff_tensor{results[i]}));
    for (size_t i = 0; i < num_outputs; ++i) outputs[i] = owned[i].release();
  });
}

skiff_tensor* skiff_tensor_view(skiff_dtype dtype, const int64_t* shape, size_t rank, void* data) {
  return make_tensor(dtype, shape, rank, data, true);
}

skiff_tensor* skiff_tensor_create(skiff_dtype dtype, const int64_t* shape, size_t rank) {
  return make_tensor(dtype, shape, rank, nullptr, false);
}

void skiff_tensor_destroy(skiff_tensor* tensor) { delete tensor; }

skiff_dtype skiff_tensor_dtype(const skiff_tensor* tensor) {
  return tensor ? static_cast<skiff_dtype>(tensor->tensor.dtype()) : static_cast<skiff_dtype>(0);
}

size_t skiff_tensor_rank(const skiff_tensor* tensor) { return tensor ? tensor->tensor.shape().size() : 0; }

const int64_t* skiff_tensor_shape(const skiff_tensor* tensor) {
  return tensor ? tensor->tensor.shape().data() : nullptr;
}

int64_t skiff_tensor_numel(const skiff_tensor* tensor) { return tensor ? tensor->tensor.numel() : 0; }

void* skiff_tensor_data(skiff_tensor* tensor) { return tensor ? tensor->tensor.raw() : nullptr; }

}  // extern "C"
