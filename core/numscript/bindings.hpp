// Binding a script's variables, in declaration order: a passed value is parsed by its
// declared type; an origin is evaluated against the ledger's state (meta() reads one account
// metadata key and parses it by the declared type; balance() and overdraft() read a balance;
// with the mid-script flag any expression). Later origins see earlier variables.
//
// Values passed for names the script does not declare are ignored (as Formance does).
#pragma once

#include <map>
#include <string>

#include "core/numscript/program.hpp"
#include "core/numscript/state_view.hpp"
#include "core/numscript/value.hpp"

namespace tally::numscript {

using VariableValues = std::map<std::string, std::string>;

// Errors: kCompilationFailed (a declared variable missing or malformed: the request is at
// fault), kInterpreterRuntime (an origin failed: metadata absent or malformed, a negative
// balance), and whatever the state returns.
Result<Bindings> bind_variables(const CompiledScript& script, const VariableValues& values,
                                StateView& state);

}  // namespace tally::numscript
