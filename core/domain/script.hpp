// A Numscript script as a transaction order carries it (Formance's `script: {plain, vars}`
// and `runtime`). The script is the business intent (inv#8): the order stores the text and
// the variables as the client sent them; what the script produces is derived at apply.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>

#include "core/result.hpp"

namespace tally::domain {

// Formance's `runtime` field. Tally runs one interpreter (Formance's interpreter semantics)
// for both; the runtime only chooses which of Formance's codes a script that does not compile
// gets (core/numscript/script_errors.hpp). Persisted (order codec): append only.
enum class ScriptRuntime : std::uint8_t {
  kMachine = 0,                  // Formance's default: COMPILATION_FAILED
  kExperimentalInterpreter = 1,  // "experimental-interpreter": INTERPRETER_PARSE / _RUNTIME
};

// "" and "machine" -> kMachine, "experimental-interpreter" -> kExperimentalInterpreter;
// VALIDATION otherwise.
Result<ScriptRuntime> parse_script_runtime(std::string_view name);

struct Script {
  std::string plain;                        // the script's text
  std::map<std::string, std::string> vars;  // variable name -> value as text
  ScriptRuntime runtime = ScriptRuntime::kMachine;

  friend bool operator==(const Script&, const Script&) = default;
};

// Within the limits (core/limits.hpp): a non-empty text of at most kScriptBytesMax bytes, at
// most kScriptVariablesMax variables with names of 1..kScriptVariableNameBytesMax bytes of
// [a-z0-9_] and values of at most kScriptVariableValueBytesMax bytes, kScriptVarsBytesMax in
// all. Syntax is the interpreter's business, not this check's.
Status validate_script(const Script& script);

}  // namespace tally::domain
