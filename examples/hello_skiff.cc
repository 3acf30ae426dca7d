// The smallest C++ use of skiff: load a model, feed a zero-copy input,
// print the outputs' shapes. Usage: hello_skiff MODEL INPUT_NAME D0,D1,...
#include <skiff/skiff.h>

#include <iostream>
#include <sstream>
#include <vector>

int main(int argc, char** argv) {
  if (argc != 4) {
    std::cerr << "usage: hello_skiff MODEL INPUT_NAME D0,D1,...\n";
    return 64;
  }
  skiff::Shape shape;
  std::stringstream dims(argv[3]);
  for (std::string d; std::getline(dims, d, ',');) shape.push_back(std::stoll(d));
  try {
    auto predictor = skiff::Predictor::create(skiff::Config(argv[1]).threads(1));
    int64_t count = 1;
    for (int64_t d : shape) count *= d;
    std::vector<float> data(static_cast<size_t>(count), 0.5f);
    auto outputs = predictor->run({{argv[2], skiff::Tensor::view(skiff::DataType::kFloat, shape, data.data())}});
    for (size_t i = 0; i < outputs.size(); ++i)
      std::cout << predictor->outputs()[i].name << ": " << outputs[i].str() << "\n";
  } catch (const skiff::Error& e) {
    std::cerr << "error (" << skiff::error_code_name(e.code()) << "): " << e.what() << "\n";
    return 1;
  }
  std::cout << "skiff " << skiff::version() << " (" << skiff::build_info().git_commit << ")\n";
  return 0;
}
