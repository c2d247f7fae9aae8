// [fsm] Requests answering per order (core/domain/bulk.hpp) in the state machine: each order
// applies alone and in order in one entry, with its own outcome, idempotency record and log
// sequence; stop-on-failure leaves the rest not applied; atomic keeps all or nothing; the
// checker replays it all from the audit chain and agrees.
#include <catch2/catch.hpp>

#include "core/audit/audit_entry.hpp"
#include "core/audit/audit_rows.hpp"
#include "core/check/checker.hpp"
#include "core/query/ledger_reads.hpp"
#include "tests/support/ledger_node.hpp"

namespace tally {
namespace {

using domain::Outcome;
using testing::posting;
using testing::transfer;

struct Ledger {
  testing::TempDir dir;
  testing::LedgerNode node{"memory", dir, testing::with_threshold(4)};
  Ledger() {
    REQUIRE(testing::applied_outcome(node.submit(domain::CreateLedger{"main", {}})).ok());
  }
  const Outcome& bulk(domain::BulkMode mode, std::vector<domain::Order> orders,
                      domain::OrderKeys keys = {}) {
    plan::Request request;
    request.mode = mode;
    request.orders = std::move(orders);
    request.order_keys = std::move(keys);
    report = node.submit_unrefused(request);
    node.require_parity();
    return testing::applied_outcome(report);
  }
  void require_checker_clean() {
    REQUIRE(node.fsm().commit_group().ok());
    auto checked = check::run_check(
        {node.store(), &node.fsm().cache(), "tally", audit::public_demo_audit_key()});
    REQUIRE(checked.ok());
    INFO(checked->describe());
    CHECK(checked->ok());
  }
  bool has_account(const std::string& address) {
    return query::get_account(node.store(), "main", address).value().has_value();
  }
  fsm::ApplyReport report;
};

TEST_CASE("continue on failure: each order applies or fails alone, in order", "[fsm]") {
  Ledger l;
  const Outcome& outcome =
      l.bulk(domain::BulkMode::kContinueOnFailure,
             {transfer("main", {posting("world", "a", 5)}),
              transfer("main", {posting("b", "c", 5)}), transfer("main", {posting("a", "d", 3)})});
  REQUIRE(outcome.kind == Outcome::Kind::kPerOrder);
  REQUIRE(outcome.per_order.size() == 3);
  CHECK(outcome.per_order[0].results.front().transaction_id == 0u);
  CHECK(outcome.per_order[0].results.front().log_sequence == 1u);
  CHECK(outcome.per_order[1].code == Code::kInsufficientFunds);
  // The third reads what the first wrote in the same entry.
  CHECK(outcome.per_order[2].results.front().transaction_id == 1u);
  CHECK(outcome.per_order[2].results.front().log_sequence == 2u);
  CHECK_FALSE(l.has_account("c"));
  CHECK(l.has_account("d"));
  // One audit entry, with a log pointer per applied order.
  CHECK(l.report.audit->items.size() == 3);
  CHECK(l.node.store().get(audit::ledger_log_key("main", 2)).value().has_value());
  l.require_checker_clean();
}

TEST_CASE("stop on failure: the orders after a failure are not applied", "[fsm]") {
  Ledger l;
  const Outcome& outcome =
      l.bulk(domain::BulkMode::kStopOnFailure, {transfer("main", {posting("world", "a", 5)}),
                                                transfer("main", {posting("b", "c", 5)}),
                                                transfer("main", {posting("world", "d", 3)})});
  CHECK(outcome.per_order[0].ok());
  CHECK(outcome.per_order[1].code == Code::kInsufficientFunds);
  CHECK(outcome.per_order[2].kind == Outcome::Kind::kNotApplied);
  CHECK(l.has_account("a"));
  CHECK_FALSE(l.has_account("d"));
  l.require_checker_clean();
}

TEST_CASE("atomic with keys: all or nothing, each key records its own order", "[fsm]") {
  Ledger l;
  const Outcome& failed = l.bulk(
      domain::BulkMode::kAtomic,
      {transfer("main", {posting("world", "a", 5)}), transfer("main", {posting("b", "c", 5)})},
      {std::string("k1"), std::string("k2")});
  CHECK(failed.per_order[0].kind == Outcome::Kind::kNotApplied);
  CHECK(failed.per_order[1].code == Code::kInsufficientFunds);
  CHECK_FALSE(l.has_account("a"));
  // Nothing was recorded: the same keys apply once the bulk can succeed.
  const Outcome& applied = l.bulk(
      domain::BulkMode::kAtomic,
      {transfer("main", {posting("world", "a", 5)}), transfer("main", {posting("a", "c", 5)})},
      {std::string("k1"), std::string("k2")});
  REQUIRE(applied.per_order[1].ok());
  // Retried: both replay their own outcome.
  const Outcome& replayed = l.bulk(
      domain::BulkMode::kAtomic,
      {transfer("main", {posting("world", "a", 5)}), transfer("main", {posting("a", "c", 5)})},
      {std::string("k1"), std::string("k2")});
  CHECK(replayed.per_order[0].is_replay());
  CHECK(replayed.per_order[1].results.front().transaction_id == 1u);
  l.require_checker_clean();
}

TEST_CASE("an order's key replays that order alone, and conflicts alone", "[fsm]") {
  Ledger l;
  const auto pay = transfer("main", {posting("world", "a", 5)});
  REQUIRE(
      l.bulk(domain::BulkMode::kContinueOnFailure, {pay}, {std::string("k")}).per_order[0].ok());
  const Outcome& again =
      l.bulk(domain::BulkMode::kContinueOnFailure,
             {pay, transfer("main", {posting("world", "b", 1)})}, {std::string("k"), std::nullopt});
  CHECK(again.per_order[0].is_replay());
  CHECK(again.per_order[0].results.front().transaction_id == 0u);
  CHECK(again.per_order[1].results.front().transaction_id == 1u);
  const Outcome& conflict =
      l.bulk(domain::BulkMode::kContinueOnFailure, {transfer("main", {posting("world", "z", 9)})},
             {std::string("k")});
  CHECK(conflict.per_order[0].code == Code::kIdempotencyConflict);
  // The conflict left the key's record as it was.
  const Outcome& still = l.bulk(domain::BulkMode::kContinueOnFailure, {pay}, {std::string("k")});
  CHECK(still.per_order[0].is_replay());
  l.require_checker_clean();
}

TEST_CASE("a revert names the reverted transaction in its metadata, over the request's", "[fsm]") {
  Ledger l;
  REQUIRE(
      testing::applied_outcome(l.node.submit(transfer("main", {posting("world", "a", 5)}))).ok());
  domain::RevertTransaction revert{"main",
                                   0,
                                   false,
                                   false,
                                   {{"why", std::string("refund")},
                                    {std::string(domain::kRevertMetadataKey), std::string("9")}}};
  REQUIRE(testing::applied_outcome(l.node.submit(revert)).ok());
  auto state = query::get_transaction(l.node.store(), "main", 1).value();
  REQUIRE(state.has_value());
  CHECK(state->metadata ==
        domain::Metadata{{std::string(domain::kRevertMetadataKey), std::string("0")},
                         {"why", std::string("refund")}});
  l.require_checker_clean();
}

TEST_CASE("a transaction merges account metadata with it, or fails with it", "[fsm]") {
  Ledger l;
  auto pay = transfer("main", {posting("world", "a", 5)});
  pay.account_metadata = {{"a", {{"tier", std::string("gold")}}}, {"z", {{"k", true}}}};
  REQUIRE(testing::applied_outcome(l.node.submit(pay)).ok());
  CHECK(query::get_account(l.node.store(), "main", "z").value()->metadata ==
        domain::Metadata{{"k", true}});
  auto overdraft = transfer("main", {posting("b", "c", 5)});
  overdraft.account_metadata = {{"y", {{"k", true}}}};
  CHECK_FALSE(testing::applied_outcome(l.node.submit(overdraft)).ok());
  CHECK_FALSE(l.has_account("y"));
  l.require_checker_clean();
}

}  // namespace
}  // namespace tally
