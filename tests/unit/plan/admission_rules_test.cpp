// [admission] The refusals admission decides before proposing (core/plan/admission_rules.hpp):
// each refused with the code the state machine would give, nothing proposed; a bulk whose
// orders apply on their own is refused order by order, with verdicts; a retry of a keyed
// request is never refused (the state machine replays it).
#include <catch2/catch.hpp>

#include "tests/support/ledger_node.hpp"

namespace tally {
namespace {

using testing::posting;
using testing::transfer;
using Kind = plan::OrderVerdict::Kind;

struct Ledger {
  testing::TempDir dir;
  testing::LedgerNode node{"memory", dir, testing::node_options()};
  Ledger() {
    REQUIRE(testing::applied_outcome(node.submit(domain::CreateLedger{"main", {}})).ok());
    auto paid = transfer("main", {posting("world", "a", 10)});
    paid.reference = "r1";
    REQUIRE(testing::applied_outcome(node.submit(paid)).ok());  // tx 0
  }
  Code refusal(const plan::Request& request) {
    auto admitted = node.admit(request);
    REQUIRE_FALSE(admitted.ok());
    return admitted.error().code;
  }
};

TEST_CASE("admission refuses what the state already dooms, with the state machine's code",
          "[admission]") {
  Ledger l;
  REQUIRE(testing::applied_outcome(l.node.submit(domain::RevertTransaction{"main", 0})).ok());
  auto reused = transfer("main", {posting("world", "b", 1)});
  reused.reference = "r1";
  CHECK(l.refusal({{domain::CreateLedger{"main", {}}}, std::nullopt}) == Code::kAlreadyExists);
  CHECK(l.refusal({{transfer("nope", {posting("world", "a", 1)})}, std::nullopt}) ==
        Code::kLedgerNotFound);
  CHECK(l.refusal({{reused}, std::nullopt}) == Code::kConflict);
  CHECK(l.refusal({{domain::RevertTransaction{"main", 0}}, std::nullopt}) ==
        Code::kAlreadyReverted);
  CHECK(l.refusal({{transfer("main", {})}, std::nullopt}) == Code::kNoPostings);
  REQUIRE(testing::applied_outcome(l.node.submit(domain::DeleteLedger{"main"})).ok());
  CHECK(l.refusal({{domain::SetLedgerMetadata{"main", {{"k", true}}}}, std::nullopt}) ==
        Code::kLedgerNotFound);
}

TEST_CASE("a ledger created earlier in the same request exists for the orders after it",
          "[admission]") {
  Ledger l;
  plan::Request request{
      {domain::CreateLedger{"new", {}}, transfer("new", {posting("world", "a", 1)})}, std::nullopt};
  CHECK(l.node.admit(request).ok());
}

TEST_CASE("a keyed request whose key matches is proposed whatever the state: it replays",
          "[admission]") {
  Ledger l;
  plan::Request revert{{domain::RevertTransaction{"main", 0}}, std::string("undo-0")};
  REQUIRE(testing::applied_outcome(l.node.submit(revert)).ok());
  auto replay = l.node.submit(revert);  // the transaction is reverted now: no rule applies
  CHECK(testing::applied_outcome(replay).is_replay());
  plan::Request other{{domain::RevertTransaction{"main", 1}}, std::string("undo-0")};
  CHECK(l.refusal(other) == Code::kIdempotencyConflict);
}

TEST_CASE("orders that apply on their own are refused one by one, with verdicts", "[admission]") {
  Ledger l;
  auto taken = transfer("main", {posting("world", "b", 1)});
  taken.reference = "r1";
  plan::Request request;
  request.mode = domain::BulkMode::kContinueOnFailure;
  request.orders = {transfer("main", {posting("world", "c", 1)}), taken,
                    transfer("main", {posting("world", "bad name", 1)}),
                    domain::SetAccountMetadata{"main", "c", {{"k", true}}}};
  plan::Verdicts verdicts;
  auto proposal = plan::admit(
      request, {l.node.fsm().cache(), l.node.store(), l.node.applied() + 1, l.node.clock_us},
      &verdicts);
  REQUIRE(proposal.ok());
  REQUIRE(verdicts.size() == 4);
  CHECK(verdicts[0].kind == Kind::kProposed);
  CHECK(verdicts[1].refusal->code == Code::kConflict);
  CHECK(verdicts[2].refusal->code == Code::kValidation);
  CHECK(verdicts[3].kind == Kind::kProposed);
  REQUIRE(proposal->orders.size() == 2);
  // Stop on failure: what follows a refusal is not run.
  request.mode = domain::BulkMode::kStopOnFailure;
  proposal = plan::admit(
      request, {l.node.fsm().cache(), l.node.store(), l.node.applied() + 1, l.node.clock_us},
      &verdicts);
  REQUIRE(proposal.ok());
  CHECK(proposal->orders.size() == 1);
  CHECK(verdicts[2].kind == Kind::kNotRun);
  CHECK(verdicts[3].kind == Kind::kNotRun);
  // The answer merges the verdicts with the applied outcomes, in request order.
  auto report = l.node.apply(*proposal);
  const domain::Outcome answer = plan::answer_per_order(verdicts, &report.outcome);
  REQUIRE(answer.per_order.size() == 4);
  CHECK(answer.per_order[0].ok());
  CHECK(answer.per_order[1].code == Code::kConflict);
  CHECK(answer.per_order[2].kind == domain::Outcome::Kind::kNotApplied);
  // Atomic: one refusal refuses the whole request (every order is validated first).
  request.mode = domain::BulkMode::kAtomic;
  CHECK(l.refusal(request) == Code::kValidation);
  request.orders.erase(request.orders.begin() + 2);
  CHECK(l.refusal(request) == Code::kConflict);
}

TEST_CASE("a request of refusals only proposes nothing and answers every order", "[admission]") {
  Ledger l;
  plan::Request request;
  request.mode = domain::BulkMode::kContinueOnFailure;
  request.orders = {transfer("nope", {posting("world", "a", 1)}),
                    domain::DeleteLedgerMetadata{"nope", "k"}};
  plan::Verdicts verdicts;
  auto proposal = plan::admit(
      request, {l.node.fsm().cache(), l.node.store(), l.node.applied() + 1, l.node.clock_us},
      &verdicts);
  REQUIRE(proposal.ok());
  CHECK(proposal->orders.empty());
  const domain::Outcome answer = plan::answer_per_order(verdicts, nullptr);
  CHECK(answer.per_order[0].code == Code::kLedgerNotFound);
  CHECK(answer.per_order[1].code == Code::kLedgerNotFound);
}

}  // namespace
}  // namespace tally
