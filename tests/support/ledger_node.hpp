// A single node for FSM-level tests: a store, the state machine over it, and admission, with
// helpers that read like the specification ("create ledger main", "move 100 USD").
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "core/fsm/state_machine.hpp"
#include "core/plan/admission.hpp"
#include "tests/support/store_fixtures.hpp"

namespace tally::testing {

domain::Posting posting(std::string source, std::string destination, std::uint64_t amount,
                        std::string asset = "USD");
domain::CreateTransaction transfer(std::string ledger, std::vector<domain::Posting> postings);

// Default options with the public demo audit key (tests are no real cluster).
fsm::FsmOptions node_options();
// Options with a small rotation threshold, so rotations happen within a few entries.
fsm::FsmOptions with_threshold(std::uint64_t threshold);
// The checker suites' node: cluster "check" on K = 3, so a few entries rotate the cache.
fsm::FsmOptions checker_options();

class LedgerNode {
 public:
  LedgerNode(const std::string& store_kind, const TempDir& dir, fsm::FsmOptions options,
             const std::string& file = "node.db");

  fsm::StateMachine& fsm() { return *fsm_; }
  store::KeyValueStore& store() { return *store_; }
  std::uint64_t applied() const { return fsm_->applied_index(); }

  // Admits the request for the given index (default: the next one) at the node's clock.
  Result<plan::Proposal> admit(const plan::Request& request,
                               std::optional<std::uint64_t> predicted = std::nullopt);
  // Applies a proposal at the next index; fails the test on a hard error.
  fsm::ApplyReport apply(const plan::Proposal& proposal);
  // Admits at the next index and applies at once; fails the test if admission refuses.
  fsm::ApplyReport submit(const plan::Request& request);
  fsm::ApplyReport submit(const domain::Order& order);
  // submit without admission's refusal rules: what a proposal admitted before the state
  // changed carries, so the state machine's own checks answer it.
  fsm::ApplyReport submit_unrefused(const plan::Request& request);
  fsm::ApplyReport submit_unrefused(const domain::Order& order);
  void noop();

  // Fails the test, naming the first difference, unless the cache equals its mirror (inv#1).
  void require_parity();
  // Drops the state machine and reopens it from the store (a crash between batches).
  void restart();

  std::uint64_t clock_us = 1'700'000'000'000'000;  // advanced by each admission

 private:
  std::string store_kind_;
  const TempDir* dir_;
  std::string file_;
  fsm::FsmOptions options_;
  std::unique_ptr<store::KeyValueStore> store_;
  std::unique_ptr<fsm::StateMachine> fsm_;
};

// The outcome of a report, failing the test unless the proposal was applied.
const domain::Outcome& applied_outcome(const fsm::ApplyReport& report);

}  // namespace tally::testing
