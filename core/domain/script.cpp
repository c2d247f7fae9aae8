#include "core/domain/script.hpp"

#include "core/limits.hpp"

namespace tally::domain {

namespace {

Error invalid(const std::string& message) {
  return make_error(Code::kValidation, "script: " + message);
}

bool is_name_byte(char c) {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
}

}  // namespace

Result<ScriptRuntime> parse_script_runtime(std::string_view name) {
  if (name.empty() || name == "machine") return ScriptRuntime::kMachine;
  if (name == "experimental-interpreter") return ScriptRuntime::kExperimentalInterpreter;
  return make_error(Code::kValidation, "unknown runtime \"" + std::string(name) +
                                           "\" (machine or experimental-interpreter)");
}

Status validate_script(const Script& script) {
  if (script.plain.empty()) return invalid("the script is empty");
  if (script.plain.size() > limits::kScriptBytesMax) {
    return invalid("the script is " + std::to_string(script.plain.size()) +
                   " bytes, more than the " + std::to_string(limits::kScriptBytesMax) + " allowed");
  }
  if (script.vars.size() > limits::kScriptVariablesMax) {
    return invalid("more than " + std::to_string(limits::kScriptVariablesMax) + " variables");
  }
  std::size_t bytes = 0;
  for (const auto& [name, value] : script.vars) {
    if (name.empty() || name.size() > limits::kScriptVariableNameBytesMax) {
      return invalid("a variable name must have 1 to " +
                     std::to_string(limits::kScriptVariableNameBytesMax) + " bytes");
    }
    for (char c : name) {
      if (!is_name_byte(c)) return invalid("variable names are made of a-z, 0-9 and _");
    }
    if (value.size() > limits::kScriptVariableValueBytesMax) {
      return invalid("the value of " + name + " is longer than " +
                     std::to_string(limits::kScriptVariableValueBytesMax) + " bytes");
    }
    bytes += name.size() + value.size();
  }
  if (bytes > limits::kScriptVarsBytesMax) {
    return invalid("the variables hold more than " + std::to_string(limits::kScriptVarsBytesMax) +
                   " bytes");
  }
  return ok_status();
}

}  // namespace tally::domain
