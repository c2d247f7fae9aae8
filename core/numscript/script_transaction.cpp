#include "core/numscript/script_transaction.hpp"

#include "core/numscript/bindings.hpp"
#include "core/numscript/interpreter.hpp"
#include "core/overloaded.hpp"

namespace tally::numscript {

Error coded_for(Error error, domain::ScriptRuntime runtime) {
  if (runtime == domain::ScriptRuntime::kMachine) {
    if (error.code == Code::kInterpreterParse) error.code = Code::kCompilationFailed;
  } else if (error.code == Code::kCompilationFailed) {
    error.code = Code::kInterpreterRuntime;  // the interpreter meets these as it runs
  }
  return error;
}

Result<std::shared_ptr<const CompiledScript>> compile_for(const domain::Script& script) {
  auto compiled = compile(script.plain);
  if (!compiled.ok()) return coded_for(std::move(compiled).error(), script.runtime);
  return compiled;
}

std::optional<std::string> metadata_text(const domain::MetadataValue& value) {
  return std::visit(
      Overloaded{
          [](const domain::MetadataNull&) { return std::optional<std::string>(); },
          [](const std::string& s) { return std::optional<std::string>(s); },
          [](std::int64_t n) { return std::optional<std::string>(std::to_string(n)); },
          [](bool b) { return std::optional<std::string>(b ? "true" : "false"); },
      },
      value);
}

namespace {

// Formance: a request key the script set to a non-empty value is an override.
Result<domain::Metadata> merged_metadata(const std::map<std::string, std::string>& from_script,
                                         const domain::Metadata& from_request) {
  domain::Metadata metadata;
  for (const auto& [key, value] : from_script)
    metadata.emplace(key, value);
  for (const auto& [key, value] : from_request) {
    auto set = from_script.find(key);
    if (set != from_script.end() && !set->second.empty()) {
      return make_error(Code::kMetadataOverride,
                        "cannot override metadata \"" + key + "\": the script sets it");
    }
    metadata.insert_or_assign(key, value);
  }
  TALLY_TRY(domain::validate_metadata(metadata));
  return metadata;
}

}  // namespace

Result<ScriptedTransaction> run_script_transaction(const domain::CreateTransaction& order,
                                                   StateView& state) {
  TALLY_INVARIANT(order.script.has_value(), "a scripted transaction without its script");
  const domain::Script& script = *order.script;
  auto compiled = compile_for(script);
  if (!compiled.ok()) return std::move(compiled).error();
  auto bindings = bind_variables(**compiled, script.vars, state);
  if (!bindings.ok()) return coded_for(std::move(bindings).error(), script.runtime);
  auto output = run_program((*compiled)->program, *bindings, state);
  if (!output.ok()) return std::move(output).error();
  if (output->postings.empty()) {
    return make_error(Code::kNoPostings, "the script moves no funds");
  }
  ScriptedTransaction transaction;
  auto metadata = merged_metadata(output->transaction_metadata, order.metadata);
  if (!metadata.ok()) return std::move(metadata).error();
  transaction.metadata = std::move(metadata).value();
  for (auto& [account, values] : output->account_metadata) {
    domain::Metadata& target = transaction.account_metadata[account];
    for (auto& [key, value] : values)
      target.emplace(key, std::move(value));
  }
  // The request's account metadata is written with the script's, after it.
  for (const auto& [account, values] : order.account_metadata) {
    domain::Metadata& target = transaction.account_metadata[account];
    for (const auto& [key, value] : values)
      target.insert_or_assign(key, value);
  }
  for (const auto& [account, target] : transaction.account_metadata)
    TALLY_TRY(domain::validate_metadata(target));
  transaction.postings = std::move(output->postings);
  return transaction;
}

}  // namespace tally::numscript
