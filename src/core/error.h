// skiff::Error and ErrorCode are public (<skiff/types.h>); this adds the
// helpers the library uses to build messages and throw.
#pragma once

#include <sstream>
#include <utility>

#include "skiff/types.h"

namespace skiff {

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
