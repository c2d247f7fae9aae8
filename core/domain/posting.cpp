#include "core/domain/posting.hpp"

#include "core/domain/validation.hpp"
#include "core/limits.hpp"

namespace tally::domain {

Status validate_postings(const std::vector<Posting>& postings) {
  if (postings.empty()) return make_error(Code::kNoPostings, "a transaction needs a posting");
  if (postings.size() > limits::kPostingsPerTransactionMax) {
    return make_error(Code::kValidation, "a transaction holds at most " +
                                             std::to_string(limits::kPostingsPerTransactionMax) +
                                             " postings");
  }
  for (const Posting& posting : postings) {
    TALLY_TRY(validate_account(posting.source));
    TALLY_TRY(validate_account(posting.destination));
    TALLY_TRY(validate_asset(posting.asset));
  }
  return ok_status();
}

std::vector<Posting> reversed_postings(const std::vector<Posting>& postings) {
  std::vector<Posting> reversed;
  reversed.reserve(postings.size());
  for (auto it = postings.rbegin(); it != postings.rend(); ++it) {
    reversed.push_back(Posting{it->destination, it->source, it->amount, it->asset});
  }
  return reversed;
}

}  // namespace tally::domain
