#include <algorithm>
#include <tuple>

#include "core/numscript/integer.hpp"
#include "tests/numscript/spec_ledger.hpp"

namespace tally::testing {

namespace {

using numscript::Integer;
using Key = std::tuple<std::string, std::string>;

Integer integer(const std::string& text) {
  return Integer::parse(text).value_or(Integer());
}

// Balances after the postings, by (account, asset).
std::map<Key, Integer> end_balances(const SpecOutcome& outcome) {
  std::map<Key, Integer> balances;
  for (const SpecBalance& b : outcome.end_balances)
    balances[{b.account, b.asset}] = integer(b.amount);
  for (const SpecPosting& p : outcome.postings) {
    Integer amount = integer(p.amount);
    auto& from = balances[{p.source, p.asset}];
    from = *Integer::sub(from, amount);
    auto& to = balances[{p.destination, p.asset}];
    to = *Integer::add(to, amount);
  }
  return balances;
}

std::string compare_balances(const std::vector<SpecBalance>& expected,
                             const std::map<Key, Integer>& got, bool exact) {
  if (exact && expected.size() != got.size()) {
    return "end balances: " + std::to_string(got.size()) + " rows, expected " +
           std::to_string(expected.size());
  }
  for (const SpecBalance& b : expected) {
    auto found = got.find({b.account, b.asset});
    if (found == got.end() || !(found->second == integer(b.amount))) {
      return "end balance of " + b.account + " " + b.asset + ": expected " + b.amount + ", got " +
             (found == got.end() ? "none" : found->second.to_decimal());
    }
  }
  return "";
}

std::vector<SpecPosting> movements(const std::vector<SpecPosting>& postings) {
  std::vector<SpecPosting> out;
  for (const SpecPosting& p : postings) {
    bool merged = false;
    for (SpecPosting& m : out) {
      if (m.source == p.source && m.destination == p.destination && m.asset == p.asset) {
        m.amount = Integer::add(integer(m.amount), integer(p.amount))->to_decimal();
        merged = true;
      }
    }
    if (!merged) out.push_back(p);
  }
  return out;
}

std::string describe_postings(const std::vector<SpecPosting>& postings) {
  std::string text = "[";
  for (const SpecPosting& p : postings) {
    text += (text.size() > 1 ? ", " : "") + p.source + "->" + p.destination + " " + p.amount + " " +
            p.asset;
  }
  return text + "]";
}

std::string judge_error(const SpecCase& c, const Error& error, bool ledger) {
  if (error.code == Code::kInsufficientFunds && c.expect_missing_funds) return "";
  bool negative = error.message.find("negative amount") != std::string::npos;
  if (negative && c.expect_negative_amount) return "";
  bool expects_nothing = c.expect_postings && c.expect_postings->empty();
  if (ledger && error.code == Code::kNoPostings && (expects_nothing || !c.expect_postings)) {
    return "";  // Formance's ledger refuses a script that moves nothing, as Tally does
  }
  return "error " + std::string(code_name(error.code)) + ": " + error.message;
}

}  // namespace

std::string judge(const SpecCase& c, const SpecOutcome& outcome, bool ledger) {
  if (outcome.error) return judge_error(c, *outcome.error, ledger);
  if (c.expect_missing_funds) return "expected missing funds, the script succeeded";
  if (c.expect_negative_amount) return "expected a negative amount error, the script succeeded";
  if (c.expect_postings && *c.expect_postings != outcome.postings) {
    return "postings " + describe_postings(outcome.postings) + ", expected " +
           describe_postings(*c.expect_postings);
  }
  if (c.expect_tx_metadata && *c.expect_tx_metadata != outcome.tx_metadata) {
    return "transaction metadata differs";
  }
  if (c.expect_account_metadata && *c.expect_account_metadata != outcome.account_metadata) {
    return "account metadata differs";
  }
  auto balances = end_balances(outcome);
  if (c.expect_end_balances) {
    std::string why = compare_balances(*c.expect_end_balances, balances, true);
    if (!why.empty()) return why;
  }
  if (c.expect_end_balances_include) {
    std::string why = compare_balances(*c.expect_end_balances_include, balances, false);
    if (!why.empty()) return why;
  }
  if (c.expect_movements) {
    auto got = movements(outcome.postings);
    if (got.size() != c.expect_movements->size()) return "movements differ";
    for (const SpecPosting& m : *c.expect_movements) {
      if (std::find(got.begin(), got.end(), m) == got.end()) return "movements differ";
    }
  }
  return "";
}

}  // namespace tally::testing
