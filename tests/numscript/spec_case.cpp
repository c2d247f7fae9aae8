#include "tests/numscript/spec_case.hpp"

#include <map>
#include <optional>
#include <tuple>

#include <rapidjson/document.h>

#include "core/numscript/bindings.hpp"
#include "core/numscript/interpreter.hpp"
#include "tests/numscript/spec_ledger.hpp"
#include "tests/support/numscript_state.hpp"

namespace tally::testing {

namespace {

using numscript::Integer;

std::string number_text(const rapidjson::Value& value) {
  if (value.IsString()) return value.GetString();
  if (value.IsInt64()) return std::to_string(value.GetInt64());
  if (value.IsUint64()) return std::to_string(value.GetUint64());
  return "0";
}

void read_balances(const rapidjson::Value& array, std::vector<SpecBalance>& out) {
  for (const auto& row : array.GetArray()) {
    SpecBalance balance{row["account"].GetString(), row["asset"].GetString(),
                        number_text(row["amount"]),
                        row.HasMember("color") ? row["color"].GetString() : ""};
    bool replaced = false;
    for (SpecBalance& existing : out) {
      if (existing.account == balance.account && existing.asset == balance.asset &&
          existing.color == balance.color) {
        existing = balance;
        replaced = true;
      }
    }
    if (!replaced) out.push_back(balance);
  }
}

void read_metadata(const rapidjson::Value& object, SpecMetadata& out) {
  for (const auto& account : object.GetObject()) {
    auto& keys = out[account.name.GetString()];
    for (const auto& entry : account.value.GetObject()) {
      keys.insert_or_assign(entry.name.GetString(), entry.value.GetString());
    }
  }
}

void read_variables(const rapidjson::Value& object, std::map<std::string, std::string>& out) {
  for (const auto& entry : object.GetObject()) {
    out.insert_or_assign(entry.name.GetString(), entry.value.GetString());
  }
}

std::vector<SpecPosting> read_postings(const rapidjson::Value& array) {
  std::vector<SpecPosting> postings;
  for (const auto& row : array.GetArray()) {
    postings.push_back(SpecPosting{row["source"].GetString(), row["destination"].GetString(),
                                   number_text(row["amount"]), row["asset"].GetString()});
  }
  return postings;
}

// The case's state and expectations, merged over the file's defaults.
SpecCase read_case(const rapidjson::Value& file, const rapidjson::Value& test) {
  SpecCase c;
  c.name = test.HasMember("it") ? test["it"].GetString() : "-";
  if (file.HasMember("featureFlags")) {
    for (const auto& flag : file["featureFlags"].GetArray())
      c.features.push_back(flag.GetString());
  }
  for (const auto* source : {&file, &test}) {
    if (source->HasMember("balances")) read_balances((*source)["balances"], c.balances);
    if (source->HasMember("metadata")) read_metadata((*source)["metadata"], c.metadata);
    if (source->HasMember("variables")) read_variables((*source)["variables"], c.variables);
  }
  auto flag = [&](const char* key) { return test.HasMember(key) && test[key].GetBool(); };
  c.expect_missing_funds = flag("expect.error.missingFunds");
  c.expect_negative_amount = flag("expect.error.negativeAmount");
  if (test.HasMember("expect.postings")) c.expect_postings = read_postings(test["expect.postings"]);
  if (test.HasMember("expect.txMetadata")) {
    c.expect_tx_metadata.emplace();
    for (const auto& entry : test["expect.txMetadata"].GetObject()) {
      c.expect_tx_metadata->emplace(entry.name.GetString(), entry.value.GetString());
    }
  }
  if (test.HasMember("expect.metadata")) {
    c.expect_account_metadata.emplace();
    read_metadata(test["expect.metadata"], *c.expect_account_metadata);
  }
  if (test.HasMember("expect.endBalances")) {
    c.expect_end_balances.emplace();
    read_balances(test["expect.endBalances"], *c.expect_end_balances);
  }
  if (test.HasMember("expect.endBalances.include")) {
    c.expect_end_balances_include.emplace();
    read_balances(test["expect.endBalances.include"], *c.expect_end_balances_include);
  }
  if (test.HasMember("expect.movements"))
    c.expect_movements = read_postings(test["expect.movements"]);
  return c;
}

// The script with the file's feature flags switched on, as Formance's runner passes them.
std::string with_features(const std::string& script, const std::vector<std::string>& features) {
  if (features.empty()) return script;
  std::string flags;
  for (const std::string& feature : features)
    flags += (flags.empty() ? "\"" : ", \"") + feature + "\"";
  std::string prefix = "#![feature(";
  if (script.rfind(prefix, 0) == 0) return prefix + flags + ", " + script.substr(prefix.size());
  return "#![feature(" + flags + ")]\n" + script;
}

// The interpreter alone, against a table of the case's state.
SpecOutcome run_interpreter(const std::string& script, const SpecCase& c) {
  SpecOutcome outcome;
  TableState state;
  for (const SpecBalance& b : c.balances) {
    if (!b.color.empty()) {
      outcome.error = Error{Code::kCompilationFailed, "colored balances are not supported"};
      return outcome;
    }
    state.set_balance(b.account, b.asset, b.amount);
  }
  for (const auto& [account, keys] : c.metadata) {
    for (const auto& [key, value] : keys)
      state.set_metadata(account, key, value);
  }
  auto compiled = numscript::compile(with_features(script, c.features));
  if (!compiled.ok()) {
    outcome.error = compiled.error();
    return outcome;
  }
  auto bindings = numscript::bind_variables(**compiled, c.variables, state);
  if (!bindings.ok()) {
    outcome.error = bindings.error();
    return outcome;
  }
  auto output = numscript::run_program((*compiled)->program, *bindings, state);
  if (!output.ok()) {
    outcome.error = output.error();
    return outcome;
  }
  for (const auto& posting : output->postings) {
    outcome.postings.push_back(SpecPosting{posting.source, posting.destination,
                                           posting.amount.to_decimal(), posting.asset});
  }
  outcome.tx_metadata = output->transaction_metadata;
  outcome.account_metadata = output->account_metadata;
  outcome.end_balances = c.balances;
  return outcome;
}

}  // namespace

std::vector<CaseResult> run_spec_file(const std::string& script, const std::string& specs,
                                      bool ledger) {
  rapidjson::Document document;
  document.Parse<rapidjson::kParseNumbersAsStringsFlag>(specs.c_str());
  if (document.HasParseError() || !document.IsObject() || !document.HasMember("testCases")) {
    return {CaseResult{"(file)", false, "the specs file does not parse"}};
  }
  std::vector<CaseResult> results;
  for (const auto& test : document["testCases"].GetArray()) {
    SpecCase c = read_case(document, test);
    SpecOutcome outcome =
        ledger ? run_in_ledger(with_features(script, c.features), c) : run_interpreter(script, c);
    CaseResult result{c.name, false, ""};
    result.why = judge(c, outcome, ledger);
    result.passed = result.why.empty();
    result.no_postings = outcome.error && outcome.error->code == Code::kNoPostings;
    results.push_back(std::move(result));
  }
  return results;
}

}  // namespace tally::testing
