#include "core/numscript/funds_queue.hpp"

namespace tally::numscript {

void FundsQueue::compact_front() {
  while (senders_.size() >= 2) {
    Sender& first = senders_[0];
    Sender& second = senders_[1];
    if (second.amount.is_zero()) {
      senders_.erase(senders_.begin() + 1);
      continue;
    }
    if (first.account != second.account) return;
    auto merged = Natural::add(first.amount, second.amount);
    first.amount = *merged;  // amounts are bounded far below the capacity
    senders_.erase(senders_.begin() + 1);
  }
}

std::vector<Sender> FundsQueue::pull(Natural required) {
  std::vector<Sender> out;
  while (!required.is_zero() && !senders_.empty()) {
    compact_front();
    Sender available = std::move(senders_.front());
    senders_.pop_front();
    if (available.amount < required) {
      required = Natural::sub(required, available.amount);
      out.push_back(std::move(available));
      continue;
    }
    if (required < available.amount) {
      senders_.push_front(Sender{available.account, Natural::sub(available.amount, required)});
    }
    out.push_back(Sender{std::move(available.account), required});
    break;
  }
  return out;
}

}  // namespace tally::numscript
