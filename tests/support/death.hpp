// Death tests: proves that an invariant violation stops the program (inv#6).
#pragma once

#include <functional>
#include <string>

namespace tally::testing {

struct DeathReport {
  bool aborted = false;  // the child died of SIGABRT
  std::string stderr_text;
};

// Runs body in a forked child and reports how it ended and what it printed on stderr.
DeathReport run_in_child(const std::function<void()>& body);

}  // namespace tally::testing
