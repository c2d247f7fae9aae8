// A script's footprint: what it may read and write in its ledger once its variables are
// bound, for admission to declare (docs/design.md §4, inv#5) and for apply to check before it
// writes.
//
// Sources and destinations name their accounts, and every account a script names is fixed by
// its variables (interpolation takes only variables), so binding the variables fixes the
// footprint: every account of every source, destination and save with its statement's asset,
// every balance() and overdraft() argument, every account meta() reads and set_account_meta
// writes. Amounts never change it, so it holds whatever the balances are when the script
// runs; only a variable whose origin reads the ledger (meta(), balance()) can move it, and
// apply detects that (the proposal is then stale). Binding reads the state given, through a
// recorder: those reads are part of the footprint too.
#pragma once

#include <set>
#include <string>
#include <utility>
#include <vector>

#include "core/numscript/bindings.hpp"

namespace tally::numscript {

// A set_account_meta whose arguments are known from the variables alone.
struct MetadataWrite {
  std::string account;
  std::string key;
  std::string value;
};

struct Footprint {
  std::set<std::pair<std::string, std::string>> volumes;  // (account, asset)
  std::set<std::string> metadata_reads;                   // accounts meta() reads
  std::set<std::string> metadata_writes;                  // accounts set_account_meta writes
  std::vector<MetadataWrite> known_writes;                // in statement order
  // False when binding failed on the state (metadata absent or malformed...): the footprint
  // then holds the reads binding made, and a run on the same state fails the same way.
  bool bound = true;
};

// Errors: kCompilationFailed (variables missing or malformed) and the state's. A value error
// in an expression (one a run would meet too) leaves out only what that expression names.
Result<Footprint> script_footprint(const CompiledScript& script, const VariableValues& values,
                                   StateView& state);

}  // namespace tally::numscript
