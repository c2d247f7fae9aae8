// A ledger's state as a fixed table, for Numscript tests and the spec runner: balances by
// (account, asset) and account metadata by (account, key). Counts its reads.
#pragma once

#include <map>
#include <string>
#include <utility>

#include "core/numscript/interpreter.hpp"
#include "core/numscript/state_view.hpp"

namespace tally::testing {

class TableState final : public numscript::StateView {
 public:
  void set_balance(const std::string& account, const std::string& asset, const std::string& amount);
  void set_metadata(const std::string& account, const std::string& key, std::string value);

  Result<numscript::Integer> balance(const std::string& account, const std::string& asset) override;
  Result<std::optional<std::string>> metadata(const std::string& account,
                                              const std::string& key) override;

  std::size_t balance_reads = 0;
  std::size_t metadata_reads = 0;
  std::map<std::pair<std::string, std::string>, numscript::Integer> balances;
  std::map<std::pair<std::string, std::string>, std::string> metadata_values;
};

// Compiles, binds and runs script against state (the interpreter alone, Formance's
// semantics): the output, or the first error.
Result<numscript::ScriptOutput> run_script(const std::string& script, TableState& state,
                                           const std::map<std::string, std::string>& vars = {});

// "a->b 10 USD, c->d 1 EUR/2": postings in a line, for comparisons that read like the spec.
std::string postings_text(const std::vector<domain::Posting>& postings);

}  // namespace tally::testing
