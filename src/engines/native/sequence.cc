// Sequences and optionals as values: SequenceEmpty/Construct/Insert/At/Erase/
// Length, SplitToSequence, ConcatFromSequence, SequenceMap, and Optional,
// OptionalHasElement, OptionalGetElement.
#include <cstring>

#include "core/dispatch.h"
#include "engines/kernel.h"

namespace skiff {

namespace {

const Value& sequence_input(const KernelContext& ctx, size_t i) {
  const Value& v = ctx.input_value(i);
  if (!v.is_sequence()) ctx.fail(ctx.input_label(i), " must be a sequence");
  return v;
}

// Reads a scalar integer input (position, split size) of type int32 or int64.
int64_t scalar_index(const KernelContext& ctx, size_t i) {
  const Tensor& t = ctx.input(i);
  if (t.numel() != 1) ctx.fail(ctx.input_label(i), " must hold one element");
  if (t.dtype() == DataType::kInt32) return t.data<int32_t>()[0];
  if (t.dtype() == DataType::kInt64) return t.data<int64_t>()[0];
  ctx.fail(ctx.input_label(i), " must be int32 or int64");
}

// A position in [-n, n) (or [-n, n] when inserting) made non-negative.
int64_t sequence_position(const KernelContext& ctx, int64_t pos, int64_t n, bool insert) {
  const int64_t hi = insert ? n : n - 1;
  if (pos < -n || pos > hi)
    ctx.fail_runtime("position ", pos, " is out of range for a sequence of ", n, " tensors");
  return pos < 0 ? pos + n : pos;
}

class SequenceEmptyKernel final : public Kernel {
 public:
  explicit SequenceEmptyKernel(const KernelInfo& info)
      : dtype_(static_cast<DataType>(info.attr_int("dtype", static_cast<int64_t>(DataType::kFloat)))) {}
  void compute(KernelContext& ctx) const override { ctx.set_output_value(0, Value::make_sequence({}, dtype_)); }

 private:
  DataType dtype_;
};
SKIFF_KERNEL(native, "SequenceEmpty", 11, kLatestOpset, SequenceEmptyKernel);
SKIFF_KERNEL_TYPES(native, "SequenceEmpty", 11, "S: seq(all, complex64, complex128)");

class SequenceConstructKernel final : public Kernel {
 public:
  explicit SequenceConstructKernel(const KernelInfo&) {}
  void compute(KernelContext& ctx) const override {
    std::vector<Tensor> items;
    for (size_t i = 0; i < ctx.num_inputs(); ++i) {
      items.push_back(ctx.input(i));
      if (items.back().dtype() != items.front().dtype())
        ctx.fail("all inputs must share one type; ", ctx.input_label(i), " differs from input 0");
    }
    const DataType dt = items.empty() ? DataType::kUndefined : items[0].dtype();
    ctx.set_output_value(0, Value::make_sequence(std::move(items), dt));
  }
};
SKIFF_KERNEL(native, "SequenceConstruct", 11, kLatestOpset, SequenceConstructKernel);
SKIFF_KERNEL_TYPES(native, "SequenceConstruct", 11, "T: all, complex64, complex128; S: seq(all, complex64, complex128)");

class SequenceInsertKernel final : public Kernel {
 public:
  explicit SequenceInsertKernel(const KernelInfo&) {}
  void compute(KernelContext& ctx) const override {
    Value seq = sequence_input(ctx, 0);
    const Tensor& t = ctx.input(1);
    if (seq.sequence_dtype != DataType::kUndefined && t.dtype() != seq.sequence_dtype)
      ctx.fail(ctx.input_label(1), " does not match the sequence's type ", dtype_name(seq.sequence_dtype));
    const int64_t n = static_cast<int64_t>(seq.sequence.size());
    const int64_t pos = ctx.has_input(2) ? sequence_position(ctx, scalar_index(ctx, 2), n, true) : n;
    seq.sequence.insert(seq.sequence.begin() + pos, t);
    seq.sequence_dtype = t.dtype();
    ctx.set_output_value(0, std::move(seq));
  }
};
SKIFF_KERNEL(native, "SequenceInsert", 11, kLatestOpset, SequenceInsertKernel);
SKIFF_KERNEL_TYPES(native, "SequenceInsert", 11, "S: seq(all, complex64, complex128); T: all, complex64, complex128; I: int32, int64");

class SequenceAtKernel final : public Kernel {
 public:
  explicit SequenceAtKernel(const KernelInfo&) {}
  void compute(KernelContext& ctx) const override {
    const Value& seq = sequence_input(ctx, 0);
    const int64_t n = static_cast<int64_t>(seq.sequence.size());
    ctx.set_output_tensor(0, seq.sequence[sequence_position(ctx, scalar_index(ctx, 1), n, false)]);
  }
};
SKIFF_KERNEL(native, "SequenceAt", 11, kLatestOpset, SequenceAtKernel);
SKIFF_KERNEL_TYPES(native, "SequenceAt", 11, "S: seq(all, complex64, complex128); I: int32, int64; T: all, complex64, complex128");

class SequenceEraseKernel final : public Kernel {
 public:
  explicit SequenceEraseKernel(const KernelInfo&) {}
  void compute(KernelContext& ctx) const override {
    Value seq = sequence_input(ctx, 0);
    const int64_t n = static_cast<int64_t>(seq.sequence.size());
    const int64_t pos = ctx.has_input(1) ? sequence_position(ctx, scalar_index(ctx, 1), n, false) : n - 1;
    if (n == 0) ctx.fail_runtime("cannot erase from an empty sequence");
    seq.sequence.erase(seq.sequence.begin() + pos);
    ctx.set_output_value(0, std::move(seq));
  }
};
SKIFF_KERNEL(native, "SequenceErase", 11, kLatestOpset, SequenceEraseKernel);
SKIFF_KERNEL_TYPES(native, "SequenceErase", 11, "S: seq(all, complex64, complex128); I: int32, int64");

class SequenceLengthKernel final : public Kernel {
 public:
  explicit SequenceLengthKernel(const KernelInfo&) {}
  void compute(KernelContext& ctx) const override {
    const auto n = static_cast<int64_t>(sequence_input(ctx, 0).sequence.size());
    ctx.set_output_tensor(0, Tensor::scalar<int64_t>(n));
  }
};
SKIFF_KERNEL(native, "SequenceLength", 11, kLatestOpset, SequenceLengthKernel);
SKIFF_KERNEL_TYPES(native, "SequenceLength", 11, "S: seq(all, complex64, complex128); I: int64");

// Copies [begin, end) along `axis` of `t` into a new tensor.
Tensor copy_range(const Tensor& t, int64_t axis, int64_t begin, int64_t end) {
  Shape shape = t.shape();
  const int64_t outer = shape_numel(Shape(shape.begin(), shape.begin() + axis));
  const int64_t inner = shape_numel(Shape(shape.begin() + axis + 1, shape.end()));
  const int64_t n = shape[axis];
  shape[axis] = end - begin;
  Tensor out(t.dtype(), shape);
  const int64_t chunk = (end - begin) * inner;
  for (int64_t o = 0; o < outer; ++o) {
    const int64_t src = (o * n + begin) * inner, dst = o * chunk;
    if (t.dtype() == DataType::kString) {
      for (int64_t i = 0; i < chunk; ++i) out.data<std::string>()[dst + i] = t.data<std::string>()[src + i];
    } else {
      const size_t es = dtype_size(t.dtype());
      std::memcpy(static_cast<char*>(out.raw()) + dst * es, static_cast<const char*>(t.raw()) + src * es, chunk * es);
    }
  }
  return out;
}

class SplitToSequenceKernel final : public Kernel {
 public:
  explicit SplitToSequenceKernel(const KernelInfo& info)
      : axis_(info.attr_int("axis", 0)), keepdims_(info.attr_int("keepdims", 1) != 0) {}
  void compute(KernelContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    if (axis_ < -x.rank() || axis_ >= x.rank())
      ctx.fail("axis ", axis_, " is out of range for ", ctx.input_label(0));
    const int64_t axis = axis_ < 0 ? axis_ + x.rank() : axis_;
    const int64_t n = x.dim(axis);
    std::vector<int64_t> sizes;
    bool squeeze = false;
    if (!ctx.has_input(1)) {
      sizes.assign(static_cast<size_t>(n), 1);
      squeeze = !keepdims_;
    } else {
      const Tensor& split = ctx.input(1);
      if (split.dtype() != DataType::kInt32 && split.dtype() != DataType::kInt64)
        ctx.fail(ctx.input_label(1), " must be int32 or int64");
      std::vector<int64_t> values(static_cast<size_t>(split.numel()));
      for (int64_t i = 0; i < split.numel(); ++i)
        values[i] = split.dtype() == DataType::kInt32 ? split.data<int32_t>()[i] : split.data<int64_t>()[i];
      if (split.rank() == 0) {
        const int64_t size = values[0];
        if (size <= 0) ctx.fail("split size must be positive, got ", size);
        for (int64_t at = 0; at < n; at += size) sizes.push_back(std::min(size, n - at));
      } else {
        int64_t total = 0;
        for (int64_t v : values) {
          if (v < 0) ctx.fail(ctx.input_label(1), " holds a negative size: ", shape_str(values));
          total += v;
        }
        if (total != n) ctx.fail("split sizes sum to ", total, " but axis ", axis, " of ", x.str(), " has ", n);
        sizes = values;
      }
    }
    std::vector<Tensor> items;
    int64_t at = 0;
    for (int64_t size : sizes) {
      Tensor part = copy_range(x, axis, at, at + size);
      if (squeeze) {
        Shape s = part.shape();
        s.erase(s.begin() + axis);
        part = part.reshaped(s);
      }
      items.push_back(std::move(part));
      at += size;
    }
    ctx.set_output_value(0, Value::make_sequence(std::move(items), x.dtype()));
  }

 private:
  int64_t axis_;
  bool keepdims_;
};
SKIFF_KERNEL(native, "SplitToSequence", 11, kLatestOpset, SplitToSequenceKernel);
SKIFF_KERNEL_TYPES(native, "SplitToSequence", 11, "T: all, complex64, complex128; I: int32, int64; S: seq(all, complex64, complex128)");

class ConcatFromSequenceKernel final : public Kernel {
 public:
  explicit ConcatFromSequenceKernel(const KernelInfo& info)
      : axis_(info.attr_int("axis")), new_axis_(info.attr_int("new_axis", 0) != 0) {}
  void compute(KernelContext& ctx) const override {
    const Value& seq = sequence_input(ctx, 0);
    if (seq.sequence.empty()) ctx.fail("cannot concatenate an empty sequence");
    std::vector<Tensor> items = seq.sequence;
    const Tensor first = items[0];
    const int64_t out_rank = first.rank() + (new_axis_ ? 1 : 0);
    // With new_axis the axis indexes the output, one rank above the items.
    if (axis_ < -out_rank || axis_ >= out_rank)
      ctx.fail("axis ", axis_, " is out of range for sequence items ", first.str(),
               new_axis_ ? " with new_axis=1" : "");
    const int64_t axis = axis_ < 0 ? axis_ + out_rank : axis_;
    if (new_axis_)
      for (auto& t : items) {
        Shape s = t.shape();
        if (t.rank() != first.rank())
          ctx.fail("sequence items have different ranks: ", t.str(), " vs ", first.str());
        s.insert(s.begin() + axis, 1);
        t = t.reshaped(s);
      }
    Shape shape = items[0].shape();
    shape[axis] = 0;
    for (const auto& t : items) {
      if (t.rank() != out_rank || t.dtype() != first.dtype()) ctx.fail("sequence items do not match: ", t.str(), " vs ", first.str());
      for (int64_t d = 0; d < out_rank; ++d)
        if (d != axis && t.dim(d) != items[0].dim(d))
          ctx.fail("sequence items ", t.str(), " and ", items[0].str(), " differ outside axis ", axis);
      shape[axis] += t.dim(axis);
    }
    Tensor out(first.dtype(), shape);
    const int64_t outer = shape_numel(Shape(shape.begin(), shape.begin() + axis));
    const int64_t inner = shape_numel(Shape(shape.begin() + axis + 1, shape.end()));
    int64_t offset = 0;
    for (const auto& t : items) {
      const int64_t chunk = t.dim(axis) * inner;
      for (int64_t o = 0; o < outer; ++o) {
        const int64_t dst = o * shape[axis] * inner + offset, src = o * chunk;
        if (t.dtype() == DataType::kString) {
          for (int64_t i = 0; i < chunk; ++i) out.data<std::string>()[dst + i] = t.data<std::string>()[src + i];
        } else {
          const size_t es = dtype_size(t.dtype());
          std::memcpy(static_cast<char*>(out.raw()) + dst * es, static_cast<const char*>(t.raw()) + src * es, chunk * es);
        }
      }
      offset += chunk;
    }
    ctx.set_output_tensor(0, std::move(out));
  }

 private:
  int64_t axis_;
  bool new_axis_;
};
SKIFF_KERNEL(native, "ConcatFromSequence", 11, kLatestOpset, ConcatFromSequenceKernel);
SKIFF_KERNEL_TYPES(native, "ConcatFromSequence", 11, "S: seq(all, complex64, complex128); T: all, complex64, complex128");

// Runs the body once per sequence position; sequence inputs are indexed,
// tensor inputs passed whole; body outputs are collected into sequences.
class SequenceMapKernel final : public Kernel {
 public:
  explicit SequenceMapKernel(const KernelInfo& info) : body_(info.compile_subgraph("body")) {}
  void compute(KernelContext& ctx) const override {
    const size_t n = sequence_input(ctx, 0).sequence.size();
    std::vector<std::vector<Tensor>> collected(ctx.num_outputs());
    for (size_t pos = 0; pos < n; ++pos) {
      std::vector<Value> in;
      for (size_t i = 0; i < ctx.num_inputs(); ++i) {
        const Value& v = ctx.input_value(i);
        if (v.is_sequence()) {
          if (v.sequence.size() != n) ctx.fail(ctx.input_label(i), " has ", v.sequence.size(), " items, input 0 has ", n);
          in.push_back(Value(v.sequence[pos]));
        } else {
          in.push_back(v);
        }
      }
      std::vector<Value> out = body_->run(in, ctx.captured());
      for (size_t k = 0; k < out.size() && k < collected.size(); ++k) collected[k].push_back(out[k].tensor);
    }
    for (size_t k = 0; k < collected.size(); ++k) {
      const DataType dt = collected[k].empty() ? DataType::kUndefined : collected[k][0].dtype();
      ctx.set_output_value(k, Value::make_sequence(std::move(collected[k]), dt));
    }
  }

 private:
  std::shared_ptr<SubgraphRunner> body_;
};
SKIFF_KERNEL(native, "SequenceMap", 17, kLatestOpset, SequenceMapKernel);
SKIFF_KERNEL_TYPES(native, "SequenceMap", 17, "S: seq(all, complex64, complex128); V: any");

class OptionalKernel final : public Kernel {
 public:
  explicit OptionalKernel(const KernelInfo&) {}
  void compute(KernelContext& ctx) const override {
    Value v = ctx.has_input(0) ? ctx.input_value(0) : Value();
    v.optional = true;
    ctx.set_output_value(0, std::move(v));
  }
};
SKIFF_KERNEL(native, "Optional", 15, kLatestOpset, OptionalKernel);
SKIFF_KERNEL_TYPES(native, "Optional", 15, "V: any; O: optional(any)");

class OptionalHasElementKernel final : public Kernel {
 public:
  explicit OptionalHasElementKernel(const KernelInfo&) {}
  void compute(KernelContext& ctx) const override {
    // 18: the input itself may be omitted, meaning "no element".
    const bool has = ctx.has_input(0) && !ctx.input_value(0).is_none();
    ctx.set_output_tensor(0, Tensor::scalar<bool>(has));
  }
};
SKIFF_KERNEL(native, "OptionalHasElement", 15, kLatestOpset, OptionalHasElementKernel);
SKIFF_KERNEL_TYPES(native, "OptionalHasElement", 15, "O: any; B: bool");

class OptionalGetElementKernel final : public Kernel {
 public:
  explicit OptionalGetElementKernel(const KernelInfo&) {}
  void compute(KernelContext& ctx) const override {
    Value v = ctx.input_value(0);
    if (v.is_none()) ctx.fail_runtime("the optional input has no element");
    v.optional = false;
    ctx.set_output_value(0, std::move(v));
  }
};
SKIFF_KERNEL(native, "OptionalGetElement", 15, kLatestOpset, OptionalGetElementKernel);
SKIFF_KERNEL_TYPES(native, "OptionalGetElement", 15, "O: any; V: any");

}  // namespace

}  // namespace skiff
