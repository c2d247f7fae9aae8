#include "core/numscript/script_request.hpp"

#include "core/numscript/script_transaction.hpp"

namespace tally::numscript {

std::string monetary_variable(std::string_view asset, std::string_view amount) {
  return std::string(asset) + " " + std::string(amount);
}

Status check_passed_variables(const CompiledScript& script, const VariableValues& values) {
  for (const VariableDeclaration& declaration : script.program.variables) {
    if (declaration.origin) continue;
    auto passed = values.find(declaration.name);
    if (passed == values.end()) {
      return make_error(Code::kCompilationFailed, "variable $" + declaration.name + " is missing");
    }
    auto value = parse_value(*type_from_name(declaration.type), passed->second, declaration.name);
    if (!value.ok()) return std::move(value).error();
  }
  return ok_status();
}

Status check_script(const domain::Script& script) {
  auto compiled = compile_for(script);
  if (!compiled.ok()) return std::move(compiled).error();
  Status variables = check_passed_variables(**compiled, script.vars);
  if (!variables.ok()) return coded_for(std::move(variables).error(), script.runtime);
  return ok_status();
}

Result<domain::CreateTransaction> scripted_transaction(std::string ledger, ScriptRequest request) {
  auto runtime = domain::parse_script_runtime(request.runtime);
  if (!runtime.ok()) return std::move(runtime).error();
  domain::CreateTransaction order;
  order.ledger = std::move(ledger);
  order.script = domain::Script{std::move(request.plain), std::move(request.vars), *runtime};
  TALLY_TRY(domain::validate_order(order));
  TALLY_TRY(check_script(*order.script));
  return order;
}

}  // namespace tally::numscript
