// A scripted transaction order, run: the bridge between the domain's CreateTransaction (which
// carries a Script) and the interpreter. The state machine and the checker's reference ledger
// both call run_script_transaction, each with its own StateView, so they derive the same
// postings, metadata and outcome from the same state.
//
// The run follows Formance's ledger: compile, bind the variables, run; a script that moves
// nothing is NO_POSTINGS; a request metadata key the script also set (to a non-empty value)
// is METADATA_OVERRIDE; otherwise the request's metadata is added to the script's. The
// request's account metadata is merged over what the script sets on the same accounts. Compile
// errors get the code the order's runtime gives them (Formance: the machine answers
// COMPILATION_FAILED, the interpreter INTERPRETER_PARSE or INTERPRETER_RUNTIME).
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/domain/order.hpp"
#include "core/numscript/program.hpp"
#include "core/numscript/state_view.hpp"

namespace tally::numscript {

struct ScriptedTransaction {
  std::vector<domain::Posting> postings;
  domain::Metadata metadata;                                 // the transaction's
  std::map<std::string, domain::Metadata> account_metadata;  // what the script set, by account
};

// REQUIRES: order.script. Errors: the interpreter's (codes as above), kNoPostings,
// kMetadataOverride, and whatever state returns.
Result<ScriptedTransaction> run_script_transaction(const domain::CreateTransaction& order,
                                                   StateView& state);

// The compiled script of order, errors coded for its runtime.
Result<std::shared_ptr<const CompiledScript>> compile_for(const domain::Script& script);

// An error of the interpreter, with the code the runtime gives it.
Error coded_for(Error error, domain::ScriptRuntime runtime);

// A metadata value as a script reads it: text as is, integers in decimal, booleans as
// true/false; none for null (Formance's metadata has no null: the key reads as absent).
std::optional<std::string> metadata_text(const domain::MetadataValue& value);

}  // namespace tally::numscript
