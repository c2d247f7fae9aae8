// The README's "Using the core" example, compiled and run. .ci/readme_example checks that
// the lines between the markers appear verbatim in README.md.
#include <catch2/catch.hpp>

#include "core/fsm/state_machine.hpp"
#include "core/plan/admission.hpp"
#include "core/query/ledger_reads.hpp"
#include "core/store/memory_store.hpp"

namespace {

TEST_CASE("the README example builds, admits and applies a proposal", "[readme]") {
  // README-EXAMPLE-BEGIN
  using namespace tally;

  store::MemoryStore store;  // natively: sqlite::SqliteStore::open("node.db")
  fsm::FsmOptions options;
  options.audit_key = audit::public_demo_audit_key();  // a real node reads its secret key file
  auto machine = fsm::StateMachine::open(store, options).value();

  // A request: orders applied atomically, with an optional idempotency key.
  plan::Request request;
  request.orders.push_back(domain::CreateLedger{"main", {}});
  domain::CreateTransaction payment;
  payment.ledger = "main";
  payment.postings = {{"world", "users:alice", domain::Amount::from_u64(100), "USD/2"}};
  payment.reference = "invoice-42";
  request.orders.push_back(payment);
  request.idempotency_key = "request-42";

  // Admission (on the leader): predict the entry's index, declare what the orders read.
  std::uint64_t index = machine->applied_index() + 1;
  std::uint64_t now_us = 1'700'000'000'000'000;  // the leader's clock, the only time apply sees
  plan::Proposal proposal = plan::admit(request, {machine->cache(), store, index, now_us}).value();

  // Apply (on every node, for the entry committed at that index): one atomic batch.
  fsm::ApplyReport report = machine->apply(index, proposal).value();
  // report.outcome: success, with transaction 0; report.audit: the chained audit entry.

  auto alice = query::get_account(store, "main", "users:alice").value();
  // alice->volumes["USD/2"].balance().to_decimal() == "100"
  // README-EXAMPLE-END

  CHECK(report.status == fsm::ApplyReport::Status::kApplied);
  CHECK(report.outcome.ok());
  CHECK(report.outcome.results[1].transaction_id == 0u);
  REQUIRE(report.audit.has_value());
  CHECK(report.audit->sequence == 1);
  REQUIRE(alice.has_value());
  CHECK(alice->volumes["USD/2"].balance().to_decimal() == "100");
}

}  // namespace
