#include "onnx/tensor_proto.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>

#include "core/error.h"

namespace skiff::onnx {

namespace fs = std::filesystem;

struct ExternalData::Mapping {
  void* data = nullptr;
  size_t size = 0;
  ~Mapping() {
    if (data && size) munmap(data, size);
  }
};

Tensor ExternalData::map(const std::string& location, int64_t offset, int64_t length,
                         DataType dtype, const Shape& shape, const std::string& what) {
  if (base_dir_.empty())
    fail(ErrorCode::kInvalidModel, what, " uses external data '", location,
         "', but the model was loaded from memory without a folder");
  const fs::path rel(location);
  if (location.empty() || rel.is_absolute())
    fail(ErrorCode::kInvalidModel, what, ": external data location '", location,
         "' must be a relative path inside the model's folder");
  std::error_code ec;
  const fs::path base = fs::weakly_canonical(fs::path(base_dir_), ec);
  const fs::path file = fs::weakly_canonical(base / rel, ec);
  const auto [end, _] = std::mismatch(base.begin(), base.end(), file.begin(), file.end());
  if (ec || end != base.end())
    fail(ErrorCode::kInvalidModel, what, ": external data location '", location,
         "' escapes the model's folder");
  auto& mapping = files_[file.string()];
  if (!mapping) {
    const int fd = ::open(file.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0)
      fail(ErrorCode::kInvalidModel, what, ": cannot open external data file '", file.string(),
           "': ", std::strerror(errno));
    struct stat st{};
    fstat(fd, &st);
    mapping = std::make_shared<Mapping>();
    mapping->size = static_cast<size_t>(st.st_size);
    if (mapping->size > 0) {
      void* p = mmap(nullptr, mapping->size, PROT_READ, MAP_PRIVATE, fd, 0);
      if (p == MAP_FAILED) {
        ::close(fd);
        fail(ErrorCode::kIO, what, ": cannot map '", file.string(), "': ", std::strerror(errno));
      }
      mapping->data = p;
    }
    ::close(fd);
  }
  const int64_t needed = checked_mul(shape_numel(shape), static_cast<int64_t>(dtype_size(dtype)));
  if (length < 0) length = static_cast<int64_t>(mapping->size) - offset;
  if (offset < 0 || length != needed ||
      static_cast<uint64_t>(offset) + static_cast<uint64_t>(length) > mapping->size)
    fail(ErrorCode::kInvalidModel, what, ": external data (offset ", offset, ", length ", length,
         ") does not fit ", dtype_name(dtype), shape_str(shape), " (", needed, " bytes) in '",
         location, "' (", mapping->size, " bytes)");
  auto* base_ptr = static_cast<char*>(mapping->data) + offset;
  return Tensor::wrap(dtype, shape, base_ptr, mapping);
}

namespace {

template <class Field>
void check_count(const Field& field, int64_t numel, const char* field_name, const Tensor& t,
                 const std::string& what) {
  if (static_cast<int64_t>(field.size()) != numel)
    fail(ErrorCode::kInvalidModel, what, ": ", field_name, " holds ", field.size(),
         " values but ", t.str(), " needs ", numel);
}

}  // namespace

Tensor tensor_from_proto(const ::onnx::TensorProto& proto, ExternalData* external,
                         const std::string& what) {
  if (!dtype_is_valid(proto.data_type()))
    fail(ErrorCode::kInvalidModel, what, " has unknown data type ", proto.data_type());
  const auto dtype = static_cast<DataType>(proto.data_type());
  Shape shape(proto.dims().begin(), proto.dims().end());
  for (int64_t d : shape)
    if (d < 0) fail(ErrorCode::kInvalidModel, what, " has negative dimension in ", shape_str(shape));
  int64_t numel;
  try {
    numel = shape_numel(shape);
    checked_mul(numel, static_cast<int64_t>(dtype_size(dtype)));
  } catch (const Error&) {
    fail(ErrorCode::kInvalidModel, what, " of shape ", shape_str(shape), " is too large");
  }

  if (proto.data_location() == ::onnx::TensorProto::EXTERNAL) {
    if (dtype == DataType::kString)
      fail(ErrorCode::kInvalidModel, what, ": string tensors cannot use external data");
    std::string location;
    int64_t offset = 0, length = -1;
    for (const auto& kv : proto.external_data()) {
      try {
        if (kv.key() == "location") location = kv.value();
        else if (kv.key() == "offset") offset = std::stoll(kv.value());
        else if (kv.key() == "length") length = std::stoll(kv.value());
      } catch (const std::exception&) {
        fail(ErrorCode::kInvalidModel, what, ": bad external data field ", kv.key(), "='",
             kv.value(), "'");
      }
    }
    if (!external) fail(ErrorCode::kInvalidModel, what, ": external data is not allowed here");
    return external->map(location, offset, length, dtype, shape, what);
  }

  Tensor t(dtype, shape);
  if (proto.has_raw_data()) {
    if (dtype == DataType::kString)
      fail(ErrorCode::kInvalidModel, what, ": string tensors cannot use raw_data");
    if (proto.raw_data().size() != t.nbytes())
      fail(ErrorCode::kInvalidModel, what, ": raw_data has ", proto.raw_data().size(),
           " bytes but ", t.str(), " needs ", t.nbytes());
    if (t.nbytes()) std::memcpy(t.raw(), proto.raw_data().data(), t.nbytes());
    return t;
  }
  switch (dtype) {
    case DataType::kFloat:
      check_count(proto.float_data(), numel, "float_data", t, what);
      std::copy(proto.float_data().begin(), proto.float_data().end(), t.data<float>());
      break;
    case DataType::kComplex64:
      check_count(proto.float_data(), numel * 2, "float_data", t, what);
      std::memcpy(t.raw(), proto.float_data().data(), t.nbytes());
      break;
    case DataType::kDouble:
      check_count(proto.double_data(), numel, "double_data", t, what);
      std::copy(proto.double_data().begin(), proto.double_data().end(), t.data<double>());
      break;
    case DataType::kComplex128:
      check_count(proto.double_data(), numel * 2, "double_data", t, what);
      std::memcpy(t.raw(), proto.double_data().data(), t.nbytes());
      break;
    case DataType::kInt64:
      check_count(proto.int64_data(), numel, "int64_data", t, what);
      std::copy(proto.int64_data().begin(), proto.int64_data().end(), t.data<int64_t>());
      break;
    case DataType::kUInt32:
    case DataType::kUInt64:
      check_count(proto.uint64_data(), numel, "uint64_data", t, what);
      for (int64_t i = 0; i < numel; ++i) {
        if (dtype == DataType::kUInt32) t.data<uint32_t>()[i] = static_cast<uint32_t>(proto.uint64_data(i));
        else t.data<uint64_t>()[i] = proto.uint64_data(i);
      }
      break;
    case DataType::kString:
      check_count(proto.string_data(), numel, "string_data", t, what);
      for (int64_t i = 0; i < numel; ++i) t.data<std::string>()[i] = proto.string_data(i);
      break;
    default: {
      // int32, int16, int8, uint16, uint8, bool, float16 and bfloat16 live in
      // int32_data, one element (or 16-bit pattern) per entry.
      check_count(proto.int32_data(), numel, "int32_data", t, what);
      const size_t size = dtype_size(dtype);
      auto* out = static_cast<unsigned char*>(t.raw());
      for (int64_t i = 0; i < numel; ++i) {
        const int32_t v = proto.int32_data(i);
        if (dtype == DataType::kBool) {
          out[i] = v != 0;
        } else {
          std::memcpy(out + i * size, &v, size);  // little-endian truncation
        }
      }
    }
  }
  return t;
}

void tensor_to_proto(const Tensor& tensor, ::onnx::TensorProto* proto) {
  proto->set_data_type(static_cast<int32_t>(tensor.dtype()));
  for (int64_t d : tensor.shape()) proto->add_dims(d);
  if (tensor.dtype() == DataType::kString) {
    for (int64_t i = 0; i < tensor.numel(); ++i) proto->add_string_data(tensor.data<std::string>()[i]);
    return;
  }
  proto->set_raw_data(tensor.raw(), tensor.nbytes());
}

ir::TypeInfo type_from_proto(const ::onnx::TypeProto& proto, const std::string& what) {
  ir::TypeInfo type;
  if (proto.has_tensor_type()) {
    const auto& tt = proto.tensor_type();
    type.kind = ir::TypeInfo::Kind::kTensor;
    if (tt.elem_type() != 0 && !dtype_is_valid(tt.elem_type()))
      fail(ErrorCode::kInvalidModel, what, " has unknown element type ", tt.elem_type());
    type.dtype = static_cast<DataType>(tt.elem_type());
    if (tt.has_shape()) {
      std::vector<ir::Dim> dims;
      for (const auto& d : tt.shape().dim()) {
        ir::Dim dim;
        if (d.has_dim_value()) {
          if (d.dim_value() < 0)
            fail(ErrorCode::kInvalidModel, what, " declares a negative dimension ", d.dim_value());
          dim.value = d.dim_value();
        } else if (d.has_dim_param()) {
          dim.param = d.dim_param();
        }
        dims.push_back(std::move(dim));
      }
      type.shape = std::move(dims);
    }
  } else if (proto.has_sequence_type()) {
    type.kind = ir::TypeInfo::Kind::kSequence;
    type.elem = std::make_shared<ir::TypeInfo>(type_from_proto(proto.sequence_type().elem_type(), what));
  } else if (proto.has_optional_type()) {
    type.kind = ir::TypeInfo::Kind::kOptional;
    type.elem = std::make_shared<ir::TypeInfo>(type_from_proto(proto.optional_type().elem_type(), what));
  } else if (proto.has_map_type()) {
    type.kind = ir::TypeInfo::Kind::kMap;
  }
  return type;
}

}  // namespace skiff::onnx
