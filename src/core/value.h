// A runtime value: what flows along a graph edge. Usually a tensor; ONNX also
// has sequences of tensors and optionals (an optional is either a value or
// "none").
#pragma once

#include <memory>
#include <vector>

#include "core/tensor.h"

namespace skiff {

struct Value {
  enum class Kind : uint8_t { kNone, kTensor, kSequence };

  Kind kind = Kind::kNone;
  Tensor tensor;                 // kind == kTensor
  std::vector<Tensor> sequence;  // kind == kSequence
  DataType sequence_dtype = DataType::kUndefined;  // element type of an empty sequence
  bool optional = false;         // declared as optional(...) in the graph

  Value() = default;
  Value(Tensor t) : kind(Kind::kTensor), tensor(std::move(t)) {}  // NOLINT(google-explicit-constructor)
  static Value make_sequence(std::vector<Tensor> items, DataType dtype) {
    Value v;
    v.kind = Kind::kSequence;
    v.sequence = std::move(items);
    v.sequence_dtype = dtype;
    return v;
  }
  bool is_tensor() const { return kind == Kind::kTensor; }
  bool is_sequence() const { return kind == Kind::kSequence; }
  bool is_none() const { return kind == Kind::kNone; }
};

}  // namespace skiff
