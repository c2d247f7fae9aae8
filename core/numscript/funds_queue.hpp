// The funds a send has taken from its sources, in order, waiting for its destinations
// (Formance's fundsQueue): each destination pulls what it receives from the front, and each
// pull becomes one posting per sender it drains.
//
// Two adjacent senders with the same name merge when the front is pulled, and a zero sender
// behind the front is dropped, so a source listed twice in a row yields one posting. Senders
// are pushed only with positive amounts. Bounded by the sources of one script.
#pragma once

#include <deque>
#include <string>
#include <vector>

#include "core/numscript/natural.hpp"

namespace tally::numscript {

struct Sender {
  std::string account;
  Natural amount;
};

class FundsQueue {
 public:
  void push(Sender sender) { senders_.push_back(std::move(sender)); }
  // Up to required from the front, as one Sender per account drained; less when the queue
  // runs dry.
  std::vector<Sender> pull(Natural required);

 private:
  void compact_front();

  std::deque<Sender> senders_;
};

}  // namespace tally::numscript
