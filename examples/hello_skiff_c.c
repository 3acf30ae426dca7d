/* The C API: y = Relu(x W + b) from the embed test's model. Usage:
 *   hello_skiff_c MODEL   (input "x": float[1, 64]) */
#include <skiff/skiff_c.h>
#include <stdio.h>

int main(int argc, char** argv) {
  if (argc != 2) {
    fprintf(stderr, "usage: hello_skiff_c MODEL\n");
    return 64;
  }
  skiff_config* config = skiff_config_create(argv[1]);
  skiff_config_set_threads(config, 1);
  skiff_predictor* predictor = NULL;
  if (skiff_predictor_create(config, &predictor) != SKIFF_OK) {
    fprintf(stderr, "create failed: %s\n", skiff_last_error());
    skiff_config_destroy(config);
    return 1;
  }
  skiff_config_destroy(config);

  float x[64];
  for (int i = 0; i < 64; ++i) x[i] = (float)(i % 5) - 2.0f;
  int64_t shape[2] = {1, 64};
  skiff_tensor* input = skiff_tensor_view(SKIFF_FLOAT, shape, 2, x);
  const char* names[1] = {"x"};
  skiff_tensor* output = NULL;
  skiff_status status = skiff_predictor_run(predictor, 1, names, &input, 1, &output);
  if (status != SKIFF_OK) {
    fprintf(stderr, "run failed (%d): %s\n", (int)status, skiff_last_error());
    return 1;
  }
  printf("%s: rank %zu, %lld elements, first %g\n", skiff_predictor_output_name(predictor, 0),
         skiff_tensor_rank(output), (long long)skiff_tensor_numel(output),
         ((const float*)skiff_tensor_data(output))[0]);

  /* A wrong input is a status and a message, never a crash. */
  int64_t bad_shape[2] = {1, 63};
  skiff_tensor* bad = skiff_tensor_view(SKIFF_FLOAT, bad_shape, 2, x);
  skiff_tensor* unused = NULL;
  status = skiff_predictor_run(predictor, 1, names, &bad, 1, &unused);
  printf("bad input: status %d: %s\n", (int)status, skiff_last_error());
  skiff_tensor_destroy(bad);
  skiff_tensor_destroy(input);
  skiff_tensor_destroy(output);
  skiff_predictor_destroy(predictor);
  return status == SKIFF_ERROR_INVALID_INPUT ? 0 : 1;
}
