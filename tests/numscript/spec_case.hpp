// One Formance-style Numscript spec file, run case by case (see spec_runner.cpp).
#pragma once

#include <string>
#include <vector>

namespace tally::testing {

struct CaseResult {
  std::string name;
  bool passed = false;
  std::string why;  // the first failed expectation, or the error met
  // --ledger: the script moved nothing and the node answered NO_POSTINGS, as Formance's ledger
  // does, where the case expects no postings (or only metadata).
  bool no_postings = false;
};

// script: the .num text; specs: the .num.specs.json text. ledger: through the whole core
// rather than the interpreter alone.
std::vector<CaseResult> run_spec_file(const std::string& script, const std::string& specs,
                                      bool ledger);

}  // namespace tally::testing
