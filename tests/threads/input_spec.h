// NAME=D0,D1,... on the command line of the thread test programs.
#pragma once

#include <skiff/skiff.h>

#include <sstream>
#include <string>

struct InputSpec {
  std::string name;
  skiff::Shape shape;
};

inline InputSpec parse_input_spec(const std::string& spec) {
  InputSpec in;
  in.name = spec.substr(0, spec.find('='));
  std::stringstream dims(spec.substr(spec.find('=') + 1));
  for (std::string d; std::getline(dims, d, ',');) in.shape.push_back(std::stoll(d));
  return in;
}
