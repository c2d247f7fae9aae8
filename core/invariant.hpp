// Invariant checks: the third error channel (docs/design.md §1, inv#6).
//
// Business rejections are Result values; storage failures are Error values with an
// infrastructure code; a broken invariant is a bug, and TALLY_INVARIANT stops the program
// with a message naming the condition, the file and line. These checks stay on in release
// builds: a ledger that keeps running past a broken invariant corrupts money.
#pragma once

#include <string>

namespace tally {

[[noreturn]] void invariant_failed(const char* condition, const std::string& message,
                                   const char* file, int line);

}  // namespace tally

#define TALLY_INVARIANT(condition, message)                                 \
  do {                                                                      \
    if (!(condition)) {                                                     \
      ::tally::invariant_failed(#condition, (message), __FILE__, __LINE__); \
    }                                                                       \
  } while (0)

#define TALLY_UNREACHABLE(message) \
  ::tally::invariant_failed("unreachable", (message), __FILE__, __LINE__)
