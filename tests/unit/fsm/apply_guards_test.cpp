// What apply refuses before running any order, and what stops the node (DESIGN.md §4, §5).
#include <catch2/catch.hpp>

#include "core/codec/value_codec.hpp"

#include "core/audit/audit_rows.hpp"
#include "core/fsm/fsm_state.hpp"
#include "core/query/ledger_reads.hpp"
#include "core/store/layout.hpp"
#include "tests/support/ledger_node.hpp"

namespace tally {
namespace {

using testing::LedgerNode;
using testing::posting;
using testing::TempDir;
using testing::transfer;

fsm::FsmOptions options() {
  return testing::with_threshold(4);
}

// Rows other than the FSM state row and the cache mirror (which a rotation may touch).
testing::Rows business_rows(store::KeyValueStore& store) {
  testing::Rows rows = testing::all_rows(store);
  testing::Rows out;
  for (auto& [k, v] : rows) {
    if (k[0] != store::kZoneFsm && k[0] != store::kZoneCache) out.emplace(k, v);
  }
  return out;
}

plan::Proposal transfer_proposal(LedgerNode& node) {
  auto proposal =
      node.admit(plan::Request{{transfer("main", {posting("world", "a", 1)})}, std::nullopt});
  REQUIRE(proposal.ok());
  return std::move(proposal).value();
}

TEST_CASE("a proposal applied at another index than predicted is stale, not audited", "[fsm]") {
  TempDir dir;
  LedgerNode node("memory", dir, options());
  node.submit(domain::CreateLedger{"main", {}});
  auto proposal = transfer_proposal(node);
  node.noop();  // the predicted index went to another entry
  auto before = business_rows(node.store());
  auto report = node.apply(proposal);
  CHECK(report.status == fsm::ApplyReport::Status::kStale);
  CHECK(report.rejection->code == Code::kStaleProposal);
  CHECK(business_rows(node.store()) == before);
  CHECK(node.applied() == 3);  // the index still advanced
  node.require_parity();
}

TEST_CASE("a malformed plan is rejected before anything is written", "[fsm]") {
  TempDir dir;
  LedgerNode node("memory", dir, options());
  node.submit(domain::CreateLedger{"main", {}});
  auto good = transfer_proposal(node);
  std::vector<std::pair<const char*, plan::Proposal>> cases;
  auto unknown_kind = good;
  unknown_kind.plan.entries.back().kind = 0x7f;
  cases.emplace_back("unknown kind", unknown_kind);
  auto short_id = good;
  short_id.plan.entries[0].id.pop_back();
  cases.emplace_back("15-byte id", short_id);
  auto unsorted = good;
  std::swap(unsorted.plan.entries[0], unsorted.plan.entries[1]);
  cases.emplace_back("unsorted entries", unsorted);
  auto stray_bit = good;
  stray_bit.orders[0].coverage_bits.push_back(0x80);
  cases.emplace_back("coverage bit past the plan", stray_bit);
  auto seedless = good;
  seedless.plan.entries[0].source = plan::EntrySource::kStoreSeed;
  cases.emplace_back("seed source without a seed", seedless);
  for (auto& [what, proposal] : cases) {
    INFO(what);
    proposal.plan.predicted_index = node.applied() + 1;
    auto before = business_rows(node.store());
    auto report = node.apply(proposal);
    CHECK(report.status == fsm::ApplyReport::Status::kRejectedPlan);
    CHECK(report.rejection->code == Code::kMalformedProposal);
    CHECK(business_rows(node.store()) == before);
    node.require_parity();
  }
}

TEST_CASE("a plan base index matching neither generation is rejected and the node goes on",
          "[fsm]") {
  TempDir dir;
  LedgerNode node("memory", dir, options());
  node.submit(domain::CreateLedger{"main", {}});
  auto proposal = transfer_proposal(node);
  proposal.plan.base_index = 400;
  auto before = business_rows(node.store());
  auto report = node.apply(proposal);
  CHECK(report.status == fsm::ApplyReport::Status::kRejectedPlan);
  CHECK(report.rejection->code == Code::kMalformedProposal);
  CHECK_THAT(report.rejection->message, Catch::Contains("base index 400"));
  CHECK(business_rows(node.store()) == before);
  CHECK_FALSE(node.fsm().stopped());
  CHECK(testing::applied_outcome(node.submit(transfer("main", {posting("world", "a", 1)}))).ok());
  node.restart();  // the rejection was committed like any entry: nothing replays it
  CHECK(node.applied() == 3);
  node.require_parity();
}

TEST_CASE("a plan declaring a transaction the cache lacks is rejected, not a stop", "[fsm]") {
  TempDir dir;
  LedgerNode leader("memory", dir, options());
  LedgerNode other("memory", dir, options());
  leader.submit(domain::CreateLedger{"main", {}});
  leader.submit(transfer("main", {posting("world", "a", 5)}));
  other.submit(domain::CreateLedger{"main", {}});
  other.noop();  // same index, but transaction 0 never existed here
  auto revert = leader.admit(
      plan::Request{{domain::RevertTransaction{"main", 0, false, false}}, std::nullopt});
  REQUIRE(revert.ok());
  auto before = business_rows(other.store());
  auto report = other.apply(*revert);  // a log entry no admission of this state could write
  CHECK(report.status == fsm::ApplyReport::Status::kRejectedPlan);
  CHECK(report.rejection->code == Code::kMalformedProposal);
  CHECK_THAT(report.rejection->message, Catch::Contains("declared as seen by admission"));
  CHECK(business_rows(other.store()) == before);
  CHECK_FALSE(other.fsm().stopped());
  other.require_parity();
}

TEST_CASE("a seed under another tag than the cache holds is rejected, not a stop", "[fsm]") {
  TempDir dir;
  LedgerNode node("memory", dir, options());
  node.submit(domain::CreateLedger{"main", {}});
  auto proposal = transfer_proposal(node);
  for (auto& entry : proposal.plan.entries) {
    if (entry.kind == keys::kind_byte(keys::AttributeKind::kLedger)) {
      entry.source = plan::EntrySource::kStoreSeed;
      entry.seed = codec::ValueCodec<domain::LedgerInfo>::encode({"main", 0, false, 0});
      entry.tag ^= 1;
    }
  }
  auto before = business_rows(node.store());
  auto report = node.apply(proposal);
  CHECK(report.status == fsm::ApplyReport::Status::kRejectedPlan);
  CHECK(report.rejection->code == Code::kCollisionDetected);
  CHECK(business_rows(node.store()) == before);
  CHECK_FALSE(node.fsm().stopped());
  node.require_parity();
}

TEST_CASE("applying out of order is refused and stops the node", "[fsm]") {
  TempDir dir;
  LedgerNode node("memory", dir, options());
  auto report = node.fsm().apply_noop(5);
  REQUIRE_FALSE(report.ok());
  CHECK(report.error().code == Code::kInvariantViolation);
}

TEST_CASE("a store of another cluster is refused", "[fsm]") {
  TempDir dir;
  auto store = testing::make_store("memory", dir);
  fsm::FsmOptions a = testing::node_options();
  a.cluster_id = "alpha";
  REQUIRE(fsm::StateMachine::open(*store, a).ok());
  fsm::FsmOptions b = testing::node_options();
  b.cluster_id = "beta";
  auto opened = fsm::StateMachine::open(*store, b);
  REQUIRE_FALSE(opened.ok());
  CHECK(opened.error().code == Code::kConfiguration);
  CHECK_THAT(opened.error().message, Catch::Contains("alpha"));
}

}  // namespace
}  // namespace tally
