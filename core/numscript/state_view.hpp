// What a Numscript run reads from the ledger: balances and account metadata, for one ledger.
//
// The state machine answers through the coverage gate (core/fsm/script_execution.cpp),
// admission from its cache and store, the checker's reference ledger from its maps, and tests
// from a fixed table. An Error from either method stops the run and is returned as it is.
#pragma once

#include <optional>
#include <string>

#include "core/numscript/integer.hpp"
#include "core/result.hpp"

namespace tally::numscript {

class StateView {
 public:
  virtual ~StateView() = default;
  // input - output of (account, asset); zero when the account never held the asset.
  virtual Result<Integer> balance(const std::string& account, const std::string& asset) = 0;
  // One key of an account's metadata as text (integers in decimal, booleans as true/false);
  // none when the key, or the account's metadata, is absent.
  virtual Result<std::optional<std::string>> metadata(const std::string& account,
                                                      const std::string& key) = 0;
};

}  // namespace tally::numscript
