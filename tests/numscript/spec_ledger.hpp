// The pieces of a Numscript spec case (spec_case.cpp) and the two ways of running it.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/result.hpp"

namespace tally::testing {

struct SpecBalance {
  std::string account;
  std::string asset;
  std::string amount;  // decimal, may be negative
  std::string color;
};

struct SpecPosting {
  std::string source;
  std::string destination;
  std::string amount;
  std::string asset;
  bool operator==(const SpecPosting&) const = default;
};

using SpecMetadata = std::map<std::string, std::map<std::string, std::string>>;

struct SpecCase {
  std::string name;
  std::vector<std::string> features;
  std::vector<SpecBalance> balances;
  SpecMetadata metadata;
  std::map<std::string, std::string> variables;
  bool expect_missing_funds = false;
  bool expect_negative_amount = false;
  std::optional<std::vector<SpecPosting>> expect_postings;
  std::optional<std::map<std::string, std::string>> expect_tx_metadata;
  std::optional<SpecMetadata> expect_account_metadata;
  std::optional<std::vector<SpecBalance>> expect_end_balances;
  std::optional<std::vector<SpecBalance>> expect_end_balances_include;
  std::optional<std::vector<SpecPosting>> expect_movements;
};

struct SpecOutcome {
  std::optional<Error> error;
  std::vector<SpecPosting> postings;
  std::map<std::string, std::string> tx_metadata;
  SpecMetadata account_metadata;          // what the script set
  std::vector<SpecBalance> end_balances;  // the case's balances before the script
};

// Through admission and apply on a fresh in-memory node (spec_ledger.cpp).
SpecOutcome run_in_ledger(const std::string& script, const SpecCase& c);

// The first expectation the outcome misses, or "" when it meets them all. ledger: a script
// that moves nothing may answer NO_POSTINGS where the case expects no postings.
std::string judge(const SpecCase& c, const SpecOutcome& outcome, bool ledger);

}  // namespace tally::testing
