/* skiff's C API: opaque handles and status codes, for C and for other
 * languages' foreign-function interfaces. No C++ exception crosses it.
 *
 *   skiff_config* config = skiff_config_create("det.onnx");
 *   skiff_config_set_threads(config, 2);
 *   skiff_predictor* predictor = NULL;
 *   if (skiff_predictor_create(config, &predictor) != SKIFF_OK)
 *     fprintf(stderr, "%s\n", skiff_last_error());
 *   skiff_config_destroy(config);
 *
 *   int64_t shape[4] = {1, 3, 640, 640};
 *   skiff_tensor* x = skiff_tensor_view(SKIFF_FLOAT, shape, 4, image);  // zero-copy
 *   const char* names[1] = {"x"};
 *   skiff_tensor* y = NULL;
 *   skiff_status s = skiff_predictor_run(predictor, 1, names, &x, 1, &y);
 *   const float* prob = (const float*)skiff_tensor_data(y);
 *   skiff_tensor_destroy(x);
 *   skiff_tensor_destroy(y);
 *   skiff_predictor_destroy(predictor);
 *
 * Ownership: every handle returned through an out-parameter or by a
 * *_create or *_view function belongs to the caller, who releases it with the
 * matching *_destroy. Strings returned by the API stay valid as long as the
 * handle they came from (skiff_last_error: until the thread's next call).
 * Thread-safety: skiff_predictor_run may be called concurrently on one
 * predictor; configs and tensors are not synchronised. */
#ifndef SKIFF_SKIFF_C_H_
#define SKIFF_SKIFF_C_H_

#include <stddef.h>
#include <stdint.h>

#if defined(_WIN32)
#define SKIFF_C_API
#else
#define SKIFF_C_API __attribute__((visibility("default")))
#endif

#ifdef __cplusplus
extern "C" {
#endif

typedef enum skiff_status {
  SKIFF_OK = 0,
  SKIFF_ERROR_INVALID_MODEL = 1, /* the model is malformed */
  SKIFF_ERROR_UNSUPPORTED = 2,   /* an op, type or feature skiff lacks */
  SKIFF_ERROR_INVALID_INPUT = 3, /* inputs do not fit the model */
  SKIFF_ERROR_RUNTIME = 4,       /* a kernel failed (bad index, ...) */
  SKIFF_ERROR_IO = 5,            /* a file could not be read */
  SKIFF_ERROR_INTERNAL = 6,      /* a bug in skiff */
  SKIFF_ERROR_INVALID_ARGUMENT = 7, /* a NULL handle, bad count, ... */
  SKIFF_ERROR_OUT_OF_MEMORY = 8
} skiff_status;

/* Element types, numbered as ONNX's TensorProto.DataType. */
typedef enum skiff_dtype {
  SKIFF_FLOAT = 1, SKIFF_UINT8 = 2, SKIFF_INT8 = 3, SKIFF_UINT16 = 4, SKIFF_INT16 = 5,
  SKIFF_INT32 = 6, SKIFF_INT64 = 7, SKIFF_BOOL = 9, SKIFF_FLOAT16 = 10, SKIFF_DOUBLE = 11,
  SKIFF_UINT32 = 12, SKIFF_UINT64 = 13, SKIFF_BFLOAT16 = 16
} skiff_dtype;

typedef struct skiff_config skiff_config;
typedef struct skiff_predictor skiff_predictor;
typedef struct skiff_tensor skiff_tensor;

/* The message of this thread's last failed call ("" when none). */
SKIFF_C_API const char* skiff_last_error(void);
SKIFF_C_API const char* skiff_version(void);

/* Configs: NULL when out of memory. */
SKIFF_C_API skiff_config* skiff_config_create(const char* model_path);
SKIFF_C_API skiff_config* skiff_config_create_from_bytes(const void* data, size_t size);
SKIFF_C_API skiff_status skiff_config_set_threads(skiff_config* config, int threads);
/* Graph optimization level (skiff::OptLevel): SKIFF_OPT_NONE ... SKIFF_OPT_ALL;
 * the default is SKIFF_OPT_EXTENDED. Another value: SKIFF_ERROR_INVALID_ARGUMENT. */
typedef enum skiff_opt_level {
  SKIFF_OPT_NONE = 0, SKIFF_OPT_BASIC = 1, SKIFF_OPT_EXTENDED = 2, SKIFF_OPT_ALL = 3
} skiff_opt_level;
SKIFF_C_API skiff_status skiff_config_set_opt_level(skiff_config* config, int level);
/* Most bytes one run may hold at once for the tensors it computes (0, the
 * default: no limit); a run that needs more fails with SKIFF_ERROR_RUNTIME
 * before allocating it (skiff::Config::memory_limit). */
SKIFF_C_API skiff_status skiff_config_set_memory_limit(skiff_config* config, size_t bytes);
/* 1 (the default): each run uses 1 or the configured threads, whichever its
 * input shapes ran faster with lately; 0: exactly the configured threads
 * (skiff::Config::adaptive_threads). Another value: SKIFF_ERROR_INVALID_ARGUMENT. */
SKIFF_C_API skiff_status skiff_config_set_adaptive_threads(skiff_config* config, int on);
/* Fixes input `name` to `shape` (rank dims, each >= 0): the graph is
 * specialised for it and runs refuse other shapes (skiff::Config::input_shape). */
SKIFF_C_API skiff_status skiff_config_set_input_shape(skiff_config* config, const char* name,
                                                      const int64_t* shape, size_t rank);
/* Engines asked for each node, in order ("dnnl", "native"); count 0 restores
 * the default. Unknown names fail at skiff_predictor_create
 * (skiff::Config::engines). */
SKIFF_C_API skiff_status skiff_config_set_engines(skiff_config* config, const char* const* names, size_t count);
/* Input-shape signatures each oneDNN region keeps primitives for (default
 * 64, at least 1; skiff::Config::primitive_cache_capacity). */
SKIFF_C_API skiff_status skiff_config_set_primitive_cache_capacity(skiff_config* config, size_t signatures);
/* Skips the graph pass `name` (docs/passes.md); unknown names fail at
 * skiff_predictor_create (skiff::Config::disable_pass). */
SKIFF_C_API skiff_status skiff_config_disable_pass(skiff_config* config, const char* name);
SKIFF_C_API void skiff_config_destroy(skiff_config* config);

/* Predictors. */
SKIFF_C_API skiff_status skiff_predictor_create(const skiff_config* config, skiff_predictor** out);
/* Shares weights and compiled plans with `predictor`. */
SKIFF_C_API skiff_status skiff_predictor_clone(const skiff_predictor* predictor, skiff_predictor** out);
SKIFF_C_API void skiff_predictor_destroy(skiff_predictor* predictor);
SKIFF_C_API size_t skiff_predictor_num_inputs(const skiff_predictor* predictor);
SKIFF_C_API size_t skiff_predictor_num_outputs(const skiff_predictor* predictor);
/* NULL when the index is out of range. */
SKIFF_C_API const char* skiff_predictor_input_name(const skiff_predictor* predictor, size_t index);
SKIFF_C_API const char* skiff_predictor_output_name(const skiff_predictor* predictor, size_t index);
/* Runs with `num_inputs` named inputs; writes `num_outputs` new tensors (the
 * model's first outputs, in order) to `outputs`, which the caller destroys. */
SKIFF_C_API skiff_status skiff_predictor_run(const skiff_predictor* predictor, size_t num_inputs,
                                             const char* const* input_names,
                                             skiff_tensor* const* inputs, size_t num_outputs,
                                             skiff_tensor** outputs);

/* Tensors. A view wraps caller memory (kept alive by the caller); a created
 * tensor owns zeroed, 64-byte aligned memory. NULL on bad arguments (see
 * skiff_last_error). */
SKIFF_C_API skiff_tensor* skiff_tensor_view(skiff_dtype dtype, const int64_t* shape, size_t rank, void* data);
SKIFF_C_API skiff_tensor* skiff_tensor_create(skiff_dtype dtype, const int64_t* shape, size_t rank);
SKIFF_C_API void skiff_tensor_destroy(skiff_tensor* tensor);
SKIFF_C_API skiff_dtype skiff_tensor_dtype(const skiff_tensor* tensor);
SKIFF_C_API size_t skiff_tensor_rank(const skiff_tensor* tensor);
SKIFF_C_API const int64_t* skiff_tensor_shape(const skiff_tensor* tensor);
SKIFF_C_API int64_t skiff_tensor_numel(const skiff_tensor* tensor);
SKIFF_C_API void* skiff_tensor_data(skiff_tensor* tensor);

#ifdef __cplusplus
}
#endif

#endif /* SKIFF_SKIFF_C_H_ */
