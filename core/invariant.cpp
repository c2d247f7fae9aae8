#include "core/invariant.hpp"

#include <cstdio>
#include <cstdlib>

namespace tally {

void invariant_failed(const char* condition, const std::string& message, const char* file,
                      int line) {
  std::fprintf(stderr, "tally: invariant violated at %s:%d: %s (%s)\n", file, line, message.c_str(),
               condition);
  std::fflush(stderr);
  std::abort();
}

}  // namespace tally
