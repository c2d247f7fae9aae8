// The Numscript interpreter: runs a checked program with its bound variables against a
// ledger's state and returns what it would write (Formance's interpreter semantics).
//
// Before any statement runs, the balances of every source, and of every account a save
// names, are read once (the world account never: it is unbounded). Statements then run in
// order over those running balances: a send takes from its sources into a funds queue and
// pays its destinations from it, a save sets funds aside, set_tx_meta / set_account_meta
// record metadata. Zero amounts never become postings. Allotments are floored per share and
// the remainder handed out one unit at a time from the first share on.
//
// Errors: kInsufficientFunds (a source could not give what a send needs) and
// kInterpreterRuntime (value errors, more than kPostingsPerTransactionMax postings, a
// posting with a name Tally refuses); whatever the StateView returns is passed through.
// Deterministic: ordered containers only; linear in the program's size.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "core/domain/posting.hpp"
#include "core/numscript/ast.hpp"
#include "core/numscript/state_view.hpp"
#include "core/numscript/value.hpp"

namespace tally::numscript {

struct ScriptOutput {
  std::vector<domain::Posting> postings;
  std::map<std::string, std::string> transaction_metadata;
  std::map<std::string, std::map<std::string, std::string>> account_metadata;  // by account
};

Result<ScriptOutput> run_program(const Program& program, const Bindings& bindings,
                                 StateView& state);

}  // namespace tally::numscript
