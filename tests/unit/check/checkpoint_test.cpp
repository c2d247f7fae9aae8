// The checker's checkpoint: an incremental check resumes from the replay state of
// the last clean check, proves the entries since and the rows they touched, and never trusts a
// checkpoint that no longer matches the store.
#include <catch2/catch.hpp>

#include "core/audit/audit_entry.hpp"
#include "core/audit/audit_rows.hpp"
#include "core/check/checkpoint.hpp"
#include "core/codec/value_codec.hpp"
#include "core/store/layout.hpp"
#include "tests/support/ledger_node.hpp"

namespace tally {
namespace {

using check::CheckCheckpoint;
using check::MismatchKind;
using testing::LedgerNode;
using testing::posting;
using testing::TempDir;
using testing::transfer;

// A ledger with a few entries on K = 3, then a checkpoint taken by a clean full check.
struct Checkpointed {
  TempDir dir;
  LedgerNode node{testing::durable_store_kind(), dir, testing::checker_options()};
  std::optional<CheckCheckpoint> checkpoint;

  Checkpointed() {
    node.submit(domain::CreateLedger{"main", {{"owner", std::string("ops")}}});
    node.submit(transfer("main", {posting("world", "a", 50), posting("world", "b", 5, "EUR")}));
    node.submit(domain::SetAccountMetadata{"main", "a", {{"k", true}}});
    auto first = run(std::nullopt);
    REQUIRE(first.report.ok());
    REQUIRE(first.checkpoint.has_value());
    checkpoint = std::move(first.checkpoint);
  }
  // More entries after the checkpoint: transfers, a revert, metadata, a failure, a replay.
  void more() {
    node.submit(transfer("main", {posting("a", "c", 20)}));
    node.submit(domain::RevertTransaction{"main", 0, false, false});
    node.submit(domain::DeleteAccountMetadata{"main", "a", "k"});
    node.submit(transfer("main", {posting("z", "a", 1)}));  // insufficient funds: audited
    auto pay = transfer("main", {posting("world", "d", 7)});
    node.submit(plan::Request{{pay}, std::string("idem-1")});
    node.submit(plan::Request{{pay}, std::string("idem-1")});  // replay
    node.noop();
    node.submit(domain::SetTransactionMetadata{"main", 1, {{"t", std::int64_t{1}}}});
  }
  // The node's store and live cache, as a check reads them.
  check::CheckInput input() {
    return {node.store(), &node.fsm().cache(), "check", audit::public_demo_audit_key()};
  }
  check::CheckRun run(std::optional<CheckCheckpoint> from) {
    auto result = check::run_check_from(input(), std::move(from));
    REQUIRE(result.ok());
    INFO(result->report.describe());
    return std::move(result).value();
  }
  check::CheckRun resume() { return run(checkpoint); }
  void plant(const Bytes& key, std::optional<Bytes> value) {
    store::Batch batch;
    if (value) {
      batch.put(key, *value);
    } else {
      batch.del(key);
    }
    testing::commit(node.store(), batch);
  }
};

TEST_CASE("an incremental check on a clean store agrees with a full check", "[checker]") {
  Checkpointed c;
  const std::uint64_t checkpointed = c.checkpoint->sequence();
  REQUIRE(checkpointed == 3);
  c.more();
  auto incremental = c.resume();
  auto full = c.run(std::nullopt);
  INFO(incremental.report.describe());
  CHECK(incremental.report.ok());
  CHECK(full.report.ok());
  CHECK(incremental.report.incremental);
  CHECK_FALSE(full.report.incremental);
  CHECK(full.report.full_reason == "no checkpoint");
  CHECK(incremental.report.from_sequence == checkpointed + 1);
  CHECK(incremental.report.to_sequence == full.report.to_sequence);
  CHECK(incremental.report.entries_verified == full.report.entries_verified - checkpointed);
  CHECK(incremental.report.rows_compared > 0);
  CHECK(incremental.report.rows_compared < full.report.rows_compared);
  // Both leave the same checkpoint: the same position and the same replayed state.
  REQUIRE(incremental.checkpoint.has_value());
  REQUIRE(full.checkpoint.has_value());
  CHECK(incremental.checkpoint->digest == full.checkpoint->digest);
  CHECK(incremental.checkpoint->chain.model.expected_rows() ==
        full.checkpoint->chain.model.expected_rows());
}

TEST_CASE("an incremental check with nothing new proves the checkpoint row only", "[checker]") {
  Checkpointed c;
  auto again = c.resume();
  CHECK(again.report.ok());
  CHECK(again.report.incremental);
  CHECK(again.report.entries_verified == 0);
  CHECK(again.report.from_sequence == again.report.to_sequence + 1);
  REQUIRE(again.checkpoint.has_value());
  CHECK(again.checkpoint->digest == c.checkpoint->digest);
}

TEST_CASE("a row a new entry wrote, then forged, is caught by the incremental check", "[checker]") {
  Checkpointed c;
  c.more();
  auto key = store::attribute_row_key(keys::volume_key("main", "d", "USD"));
  domain::Volume forged{domain::Amount::from_u64(7000), domain::Amount::from_u64(0)};
  c.plant(key, codec::ValueCodec<domain::Volume>::encode(forged));
  auto run = c.resume();
  CHECK(run.report.incremental);
  REQUIRE(run.report.has(MismatchKind::kVolume));
  CHECK_FALSE(run.checkpoint.has_value());  // a dirty check leaves no checkpoint
}

TEST_CASE("a deleted transaction row of a new entry is caught by the incremental check",
          "[checker]") {
  Checkpointed c;
  c.more();
  c.plant(store::attribute_row_key(keys::transaction_key("main", 1)), std::nullopt);
  auto run = c.resume();
  CHECK(run.report.incremental);
  CHECK(run.report.has(MismatchKind::kTransaction));
}

TEST_CASE("an edited audit entry after the checkpoint is caught by the incremental check",
          "[checker]") {
  Checkpointed c;
  c.more();
  const Bytes key = audit::audit_row_key(c.checkpoint->sequence() + 2);
  auto row = c.node.store().get(key);
  REQUIRE(row.ok());
  REQUIRE(row->has_value());
  auto entry = audit::decode_audit_entry(**row).value();
  entry.timestamp_us += 1;  // decodes, no longer hashes under the key
  c.plant(key, audit::encode_audit_entry(entry));
  auto run = c.resume();
  CHECK(run.report.incremental);
  REQUIRE(run.report.has(MismatchKind::kAuditHash));
  CHECK(run.report.mismatches.front().key == "audit 5");
  CHECK_FALSE(run.report.replay_complete);
}

TEST_CASE("an edited checkpoint row is caught, and the replay stops there", "[checker]") {
  Checkpointed c;
  c.more();
  const Bytes key = audit::audit_row_key(c.checkpoint->sequence());
  auto entry = audit::decode_audit_entry(**c.node.store().get(key)).value();
  SECTION("a payload edit keeping the stored hash") {
    entry.timestamp_us += 1;
    c.plant(key, audit::encode_audit_entry(entry));
  }
  SECTION("another hash") {
    entry.hash[0] ^= 0x01;
    c.plant(key, audit::encode_audit_entry(entry));
  }
  SECTION("the row deleted") {
    c.plant(key, std::nullopt);
  }
  auto run = c.resume();
  CHECK(run.report.incremental);
  CHECK_FALSE(run.report.ok());
  CHECK_FALSE(run.report.replay_complete);
  CHECK_THAT(run.report.mismatches.front().key, Catch::Contains("(the checkpoint)"));
  CHECK_FALSE(run.checkpoint.has_value());
  // The full check sees it too.
  CHECK_FALSE(c.run(std::nullopt).report.ok());
}

TEST_CASE("a checkpoint that does not match its digest or this store gives a full check",
          "[checker]") {
  Checkpointed c;
  c.more();
  CheckCheckpoint bad = *c.checkpoint;
  std::string reason;
  SECTION("fields changed under the digest") {
    bad.chain.next_sequence += 1;
    reason = "checkpoint digest mismatch";
  }
  SECTION("another cluster's") {
    bad.cluster_id = "elsewhere";
    bad.digest = check::checkpoint_digest(bad);
    reason = "checkpoint of another cluster id";
  }
  SECTION("past the store's chain") {
    bad.chain.next_sequence = 1000;
    bad.digest = check::checkpoint_digest(bad);
    reason = "the store's audit chain ends before the checkpoint";
  }
  auto run = c.run(bad);
  CHECK_FALSE(run.report.incremental);
  CHECK(run.report.full_reason == reason);
  CHECK(run.report.ok());
  CHECK(run.report.from_sequence == 1);
}

TEST_CASE("a row forged before the checkpoint and not touched since needs the full check",
          "[checker]") {
  Checkpointed c;
  c.more();
  // b's EUR volume was written before the checkpoint only; rotations since dropped it from
  // the cache, so neither the new entries nor the cache check look at it.
  auto key = store::attribute_row_key(keys::volume_key("main", "b", "EUR"));
  domain::Volume forged{domain::Amount::from_u64(500), domain::Amount::from_u64(0)};
  c.plant(key, codec::ValueCodec<domain::Volume>::encode(forged));
  auto full = c.run(std::nullopt);
  CHECK(full.report.has(MismatchKind::kVolume));
}

TEST_CASE(
    "a check asked to stop ends with STOPPED at its next step, and one never asked runs whole",
    "[checker]") {
  Checkpointed c;
  c.more();
  const check::CheckInput input = c.input();
  int asked = 0;
  auto stopped = check::run_check_from(input, std::nullopt, [&] { return ++asked >= 2; });
  REQUIRE_FALSE(stopped.ok());
  CHECK(stopped.error().code == Code::kStopped);
  CHECK(asked == 2);  // it stopped when told, not later
  auto whole = check::run_check_from(input, std::nullopt, [] { return false; });
  REQUIRE(whole.ok());
  CHECK(whole->report.ok());
  CHECK(whole->report.to_sequence == c.run(std::nullopt).report.to_sequence);
}

TEST_CASE("a stop asked during a pass after the audit walk ends that pass at its next question",
          "[checker]") {
  Checkpointed c;
  c.more();
  const check::CheckInput input = c.input();
  int asks = 0;
  auto whole = check::run_check_from(input, std::nullopt, [&] {
    ++asks;
    return false;
  });
  REQUIRE(whole.ok());
  const int total = asks;
  // One question per audit entry walked and one after the walk and the state; every later one
  // comes from inside the passes that read the store (the projection's rows, parity, the
  // cache against its rows, the stray rows), which ask at each scan's start.
  const auto walked = static_cast<int>(whole->report.to_sequence);
  REQUIRE(total - walked - 2 >= 5);
  for (int stop_at = walked + 3; stop_at <= total; ++stop_at) {
    INFO("stop at question " << stop_at << " of " << total);
    asks = 0;
    auto stopped = check::run_check_from(input, std::nullopt, [&] { return ++asks >= stop_at; });
    REQUIRE_FALSE(stopped.ok());
    CHECK(stopped.error().code == Code::kStopped);
    CHECK(asks == stop_at);  // no pass read on past the question that said stop
  }
}

}  // namespace
}  // namespace tally
