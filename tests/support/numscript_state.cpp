#include "tests/support/numscript_state.hpp"

#include "core/invariant.hpp"
#include "core/numscript/bindings.hpp"
#include "core/numscript/program.hpp"

namespace tally::testing {

void TableState::set_balance(const std::string& account, const std::string& asset,
                             const std::string& amount) {
  auto parsed = numscript::Integer::parse(amount);
  TALLY_INVARIANT(parsed.has_value(), "test balance " + amount + " is not an integer");
  balances.insert_or_assign({account, asset}, *parsed);
}

void TableState::set_metadata(const std::string& account, const std::string& key,
                              std::string value) {
  metadata_values.insert_or_assign({account, key}, std::move(value));
}

Result<numscript::Integer> TableState::balance(const std::string& account,
                                               const std::string& asset) {
  ++balance_reads;
  auto found = balances.find({account, asset});
  return found == balances.end() ? numscript::Integer() : found->second;
}

Result<std::optional<std::string>> TableState::metadata(const std::string& account,
                                                        const std::string& key) {
  ++metadata_reads;
  auto found = metadata_values.find({account, key});
  if (found == metadata_values.end()) return std::optional<std::string>();
  return std::optional<std::string>(found->second);
}

Result<numscript::ScriptOutput> run_script(const std::string& script, TableState& state,
                                           const std::map<std::string, std::string>& vars) {
  auto compiled = numscript::compile(script);
  if (!compiled.ok()) return std::move(compiled).error();
  auto bindings = numscript::bind_variables(**compiled, vars, state);
  if (!bindings.ok()) return std::move(bindings).error();
  return numscript::run_program((*compiled)->program, *bindings, state);
}

std::string postings_text(const std::vector<domain::Posting>& postings) {
  std::string text;
  for (const domain::Posting& p : postings) {
    if (!text.empty()) text += ", ";
    text += p.source + "->" + p.destination + " " + p.amount.to_decimal() + " " + p.asset;
  }
  return text;
}

}  // namespace tally::testing
