// skiff::Error: the one exception type the library throws. Its code says what
// kind of failure it is (the CLI maps codes to exit statuses); its message
// names the model, node, op, input and shapes involved.
#pragma once

#include <sstream>
#include <stdexcept>
#include <string>
#include <utility>

namespace skiff {

enum class ErrorCode : int {
  kInvalidModel = 1,  // the model file is unreadable, malformed or inconsistent
  kUnsupported = 2,   // a valid model uses an op, type or feature skiff lacks
  kInvalidInput = 3,  // the caller's inputs do not fit the model
  kRuntime = 4,       // a kernel failed on valid-looking data (bad index, ...)
  kIO = 5,            // a file could not be read or written
  kInternal = 6,      // a broken invariant: a bug in skiff
};

const char* error_code_name(ErrorCode code);

class Error : public std::runtime_error {
 public:
  Error(ErrorCode code, const std::string& message) : std::runtime_error(message), code_(code) {}
  ErrorCode code() const noexcept { return code_; }

 private:
  ErrorCode code_;
};

// Concatenates anything that has an ostream operator<<.
template <class... Args>
std::string str_cat(Args&&... args) {
  std::ostringstream os;
  (os << ... << std::forward<Args>(args));
  return os.str();
}

template <class... Args>
[[noreturn]] void fail(ErrorCode code, Args&&... args) {
  throw Error(code, str_cat(std::forward<Args>(args)...));
}

}  // namespace skiff

// Internal invariant: a failure is a skiff bug, reported as kInternal with the
// location instead of aborting the caller's process.
#define SKIFF_ASSERT(cond)                                                                  \
  do {                                                                                      \
    if (!(cond))                                                                            \
      ::skiff::fail(::skiff::ErrorCode::kInternal, "internal error: ", #cond, " at ", __FILE__, \
                    ":", __LINE__);                                                         \
  } while (0)
