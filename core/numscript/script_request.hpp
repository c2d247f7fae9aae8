// From Formance's request fields to a scripted order: what the HTTP adapter needs for
// `script: {plain, vars}` and `runtime` on createTransaction and bulk CREATE_TRANSACTION.
//
// The adapter turns each JSON variable into text (a string as it is, a number in decimal, a
// v1 monetary object {"asset", "amount"} with monetary_variable), then calls
// scripted_transaction, which checks everything that does not need the ledger's state (the
// script's limits, syntax and types, the runtime's name, every passed variable's presence and
// form) with the codes admission would give, so a bad script is answered at once.
#pragma once

#include <map>
#include <string>
#include <string_view>

#include "core/domain/order.hpp"
#include "core/numscript/bindings.hpp"

namespace tally::numscript {

struct ScriptRequest {
  std::string plain;
  VariableValues vars;  // name -> value as text
  std::string runtime;  // "", "machine" or "experimental-interpreter"
};

// {"asset": "USD/2", "amount": 100} as Formance's v1 variables carry a monetary: "USD/2 100".
std::string monetary_variable(std::string_view asset, std::string_view amount);

// A CreateTransaction in ledger carrying the script (reference, metadata, timestamp are the
// caller's to set). Errors: kValidation (limits, an unknown runtime), and for the script the
// codes of core/numscript/script_transaction.hpp.
Result<domain::CreateTransaction> scripted_transaction(std::string ledger, ScriptRequest request);

// What of a script does not need the ledger's state: it compiles, and the variables passed
// are the ones it declares without an origin, each of its type. Errors coded for its runtime.
Status check_script(const domain::Script& script);

// The passed variables a compiled script needs: each declared without an origin present and
// of its type. Errors: kCompilationFailed.
Status check_passed_variables(const CompiledScript& script, const VariableValues& values);

}  // namespace tally::numscript
