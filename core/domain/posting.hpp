// A posting moves an amount of one asset from a source account to a destination (§6).
#pragma once

#include <string>
#include <vector>

#include "core/domain/amount.hpp"

namespace tally::domain {

struct Posting {
  std::string source;
  std::string destination;
  Amount amount;
  std::string asset;

  friend bool operator==(const Posting&, const Posting&) = default;
};

// Names valid, at least one and at most kPostingsPerTransactionMax postings.
Status validate_postings(const std::vector<Posting>& postings);

// The postings of a revert: each posting's source and destination swapped, in reverse order.
std::vector<Posting> reversed_postings(const std::vector<Posting>& postings);

}  // namespace tally::domain
