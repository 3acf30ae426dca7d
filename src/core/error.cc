#include "core/error.h"

namespace skiff {

const char* error_code_name(ErrorCode code) {
  switch (code) {
    case ErrorCode::kInvalidModel: return "invalid model";
    case ErrorCode::kUnsupported: return "unsupported";
    case ErrorCode::kInvalidInput: return "invalid input";
    case ErrorCode::kRuntime: return "runtime error";
    case ErrorCode::kIO: return "I/O error";
    case ErrorCode::kInternal: return "internal error";
  }
  return "error";
}

}  // namespace skiff
