// Planted corruptions, one at a time, in copies of a realistic SQLite history: the checker
// reports each with a typed mismatch, offline (cache restored from the mirror) and after a
// restore (the state machine's own cache); open() refuses the stores whose state, meta and
// audit rows disagree, or whose cache disagrees with the attribute rows; nothing aborts.
#include <catch2/catch.hpp>
#include <functional>

#include "core/audit/audit_entry.hpp"
#include "core/audit/audit_rows.hpp"
#include "core/cache/cache_mirror.hpp"
#include "core/check/checker.hpp"
#include "core/codec/value_codec.hpp"
#include "core/fsm/fsm_state.hpp"
#include "core/store/layout.hpp"
#include "core/store/schema_version.hpp"
#include "tests/support/ledger_node.hpp"

namespace tally {
namespace {

using check::MismatchKind;
using testing::LedgerNode;
using testing::posting;
using testing::Rows;
using testing::TempDir;
using testing::transfer;

constexpr std::uint64_t kThreshold = 3;

fsm::FsmOptions history_options() {
  fsm::FsmOptions o = testing::node_options();
  o.cluster_id = "corruption";
  o.rotation_threshold = kThreshold;
  return o;
}

// Several ledgers, transfers, references, reverts, idempotent replays and conflicts,
// metadata set and delete, a bulk, K = 3; it ends on audited entries so that the last audit
// entry's log index is the applied index.
Rows build_history(const TempDir& dir) {
  LedgerNode node("sqlite", dir, history_options(), "history.db");
  node.submit(domain::CreateLedger{"main", {{"owner", std::string("ops")}}});
  node.submit(domain::CreateLedger{"side", {}});
  auto pay = transfer("main", {posting("world", "alice", 50), posting("world", "bob", 5, "EUR")});
  pay.reference = "invoice-1";
  node.submit(plan::Request{{pay}, std::string("idem-1")});
  node.submit(plan::Request{{pay}, std::string("idem-1")});  // an idempotent replay
  node.submit(plan::Request{{transfer("main", {posting("world", "x", 1)})},
                            std::string("idem-1")});  // a conflict
  node.submit(transfer("main", {posting("alice", "carol", 20)}));
  node.submit(domain::RevertTransaction{"main", 1, false, false});
  node.submit(domain::SetAccountMetadata{"main", "alice", {{"tier", std::string("gold")}}});
  node.noop();
  node.submit(domain::DeleteAccountMetadata{"main", "alice", "tier"});
  node.submit(plan::Request{{transfer("side", {posting("world", "dan", 7)}),
                             transfer("side", {posting("dan", "erin", 3)}),
                             domain::SetAccountMetadata{"side", "erin", {{"n", std::int64_t{3}}}}},
                            std::nullopt});                        // a bulk
  node.submit(transfer("main", {posting("nobody", "alice", 1)}));  // insufficient funds
  node.submit(domain::SetTransactionMetadata{"main", 0, {{"t", std::int64_t{1}}}});
  node.submit(domain::SetLedgerMetadata{"side", {{"region", std::string("eu")}}});
  node.submit(transfer("main", {posting("bob", "carol", 2, "EUR")}));
  REQUIRE(node.applied() % kThreshold != 1);  // lowering by 2 stays in the generation
  return testing::all_rows(node.store());
}

// A fresh SQLite store holding rows.
std::unique_ptr<store::KeyValueStore> copy_of(const Rows& rows, const TempDir& dir,
                                              const std::string& name) {
  auto copy = testing::make_store("sqlite", dir, name);
  store::Batch batch;
  for (const auto& [key, value] : rows)
    batch.put(key, value);
  testing::commit(*copy, batch);
  return copy;
}

bool has_prefix(const Bytes& key, std::initializer_list<std::uint8_t> prefix) {
  return key.size() >= prefix.size() && std::equal(prefix.begin(), prefix.end(), key.begin());
}

// The first row whose key starts with prefix (the test fails without one).
std::pair<Bytes, Bytes> first_row(const Rows& rows, std::initializer_list<std::uint8_t> prefix,
                                  std::size_t skip = 0) {
  for (const auto& [key, value] : rows) {
    if (has_prefix(key, prefix) && skip-- == 0) return {key, value};
  }
  FAIL("no row with the prefix");
  return {};
}

fsm::FsmState state_of(const Rows& rows) {
  return fsm::decode_fsm_state(rows.at(fsm::fsm_state_key())).value();
}

audit::AuditEntry audit_entry(const Rows& rows, std::uint64_t sequence) {
  return audit::decode_audit_entry(rows.at(audit::audit_row_key(sequence))).value();
}

// A live volume mirror row, for the cache corruptions.
std::pair<Bytes, Bytes> live_volume_mirror_row(const Rows& rows) {
  for (const auto& [key, value] : rows) {
    if (key.size() == cache::kCacheRowKeyBytes && key[0] == store::kZoneCache &&
        key[2] == keys::kind_byte(keys::AttributeKind::kVolume) && value[8] == cache::kFlagLive) {
      return {key, value};
    }
  }
  FAIL("no live volume in the cache");
  return {};
}

struct Corruption {
  std::string name;
  std::function<void(Rows&)> plant;  // edits the rows of the copy
  MismatchKind reported;             // what the checker must report
  bool open_refuses = false;         // StateMachine::open must refuse the store
};

std::vector<Corruption> corruptions() {
  const audit::AuditKey forger_key = audit::audit_key_from_bytes(Bytes(32, 0x42)).value();
  std::vector<Corruption> list;
  list.push_back({"a volume byte flipped",
                  [](Rows& rows) {
                    auto [key, value] = first_row(rows, {store::kZoneAttributes, 1});
                    rows[key].back() ^= 0x01;
                  },
                  MismatchKind::kVolume});
  list.push_back({"a transaction row deleted",
                  [](Rows& rows) {
                    rows.erase(first_row(rows, {store::kZoneAttributes, 3}).first);
                  },
                  MismatchKind::kTransaction, true});  // cached: the row check refuses
  list.push_back({"an audit row deleted", [](Rows& rows) { rows.erase(audit::audit_row_key(3)); },
                  MismatchKind::kAuditSequenceGap});
  list.push_back({"an audit payload edited",
                  [](Rows& rows) {
                    audit::AuditEntry entry = audit_entry(rows, 4);
                    entry.timestamp_us += 1;  // decodes, but the HMAC no longer holds
                    rows[audit::audit_row_key(4)] = audit::encode_audit_entry(entry);
                  },
                  MismatchKind::kAuditHash});
  list.push_back(
      {"two audit entries swapped",
       [](Rows& rows) { std::swap(rows[audit::audit_row_key(5)], rows[audit::audit_row_key(6)]); },
       MismatchKind::kAuditSequenceGap});
  list.push_back({"the chain tail truncated",
                  [](Rows& rows) {
                    std::uint64_t last = state_of(rows).next_audit_sequence - 1;
                    rows.erase(audit::audit_row_key(last));
                    rows.erase(audit::audit_row_key(last - 1));
                  },
                  MismatchKind::kAuditHead, true});
  list.push_back({"a stray mirror row",
                  [](Rows& rows) {
                    auto key = keys::volume_key("main", "ghost", "USD");
                    Bytes value = codec::ValueCodec<domain::Volume>::encode(
                        {domain::Amount::from_u64(1000), domain::Amount()});
                    rows[cache::cache_row_key(0, key.kind, keys::attribute_id(key.canonical))] =
                        cache::cache_row_value(
                            cache::live_entry(keys::attribute_tag(key.canonical), value));
                  },
                  MismatchKind::kCacheAttribute, true});
  list.push_back({"a changed cached value",
                  [](Rows& rows) {
                    auto [key, value] = live_volume_mirror_row(rows);
                    cache::CacheEntry entry = cache::decode_cache_row(key, value).value().entry;
                    entry.value = codec::ValueCodec<domain::Volume>::encode(
                        {domain::Amount::from_u64(999'999), domain::Amount()});
                    rows[key] = cache::cache_row_value(entry);
                  },
                  MismatchKind::kCacheAttribute, true});
  list.push_back({"a live cache row turned tombstone",
                  [](Rows& rows) {
                    auto [key, value] = live_volume_mirror_row(rows);
                    cache::CacheEntry entry = cache::decode_cache_row(key, value).value().entry;
                    rows[key] = cache::cache_row_value(cache::tombstone_entry(entry.tag));
                  },
                  MismatchKind::kCacheAttribute, true});
  for (int delta : {+1, -1}) {
    list.push_back({"the meta generation " + std::string(delta > 0 ? "+1" : "-1"),
                    [delta](Rows& rows) {
                      auto meta =
                          cache::decode_cache_meta(rows.at(cache::cache_meta_key())).value();
                      meta.generation += static_cast<std::uint64_t>(delta);
                      rows[cache::cache_meta_key()] = cache::encode_cache_meta(meta);
                    },
                    MismatchKind::kCacheMeta, true});
  }
  list.push_back({"the meta row deleted", [](Rows& rows) { rows.erase(cache::cache_meta_key()); },
                  MismatchKind::kMalformedRow, true});
  list.push_back({"the applied index lowered by 2 within a generation",
                  [](Rows& rows) {
                    fsm::FsmState state = state_of(rows);
                    state.applied_index -= 2;
                    rows[fsm::fsm_state_key()] = fsm::encode_fsm_state(state);
                  },
                  MismatchKind::kAppliedIndex, true});
  list.push_back({"the applied index raised across a generation boundary",
                  [](Rows& rows) {
                    fsm::FsmState state = state_of(rows);
                    state.applied_index += kThreshold;
                    rows[fsm::fsm_state_key()] = fsm::encode_fsm_state(state);
                  },
                  MismatchKind::kCacheMeta, true});
  list.push_back({"account metadata changed",
                  [](Rows& rows) {
                    auto key = keys::account_metadata_key("side", "erin");
                    rows[store::attribute_row_key(key)] =
                        codec::ValueCodec<domain::Metadata>::encode({{"n", std::int64_t{4}}});
                  },
                  MismatchKind::kAccountMetadata, true});  // cached: the row check refuses
  list.push_back({"a ledger log pointer deleted",
                  [](Rows& rows) { rows.erase(audit::ledger_log_key("main", 1)); },
                  MismatchKind::kLedgerLog});
  list.push_back({"a malformed audit row",
                  [](Rows& rows) {
                    rows[audit::audit_row_key(2)] = Bytes{1, 2, 3};
                  },
                  MismatchKind::kMalformedRow});
  list.push_back({"an audit entry with sequence 0",
                  [](Rows& rows) {
                    audit::AuditEntry entry = audit_entry(rows, 1);
                    entry.sequence = 0;
                    rows[audit::audit_row_key(1)] = audit::encode_audit_entry(entry);
                  },
                  MismatchKind::kAuditSequenceGap});
  list.push_back({"an audit entry whose idempotency key holds a NUL",
                  [](Rows& rows) {
                    audit::AuditEntry entry = audit_entry(rows, 3);
                    entry.idempotency_key = std::string("idem\0x", 6);
                    rows[audit::audit_row_key(3)] = audit::encode_audit_entry(entry);
                  },
                  MismatchKind::kAuditHash});
  struct Stray {
    const char* zone;
    Bytes key;
    MismatchKind reported;
    bool open_refuses;
  };
  const Stray strays[] = {
      {"0x00", Bytes{0x00, 'x'}, MismatchKind::kStrayRow, false},
      {"0x01 (unknown kind)", Bytes{0x01, 0x09, 'x'}, MismatchKind::kUnknownRow, false},
      {"0x01 (a volume)", store::attribute_row_key(keys::volume_key("main", "ghost", "USD")),
       MismatchKind::kVolume, false},
      {"0x02", Bytes{0x02, 0x07, 'x'}, MismatchKind::kMalformedRow, true},
      {"0x03 'Z'", Bytes{0x03, 'Z', 1}, MismatchKind::kStrayRow, false},
      {"0x04", store::attribute_row_key(keys::idempotency_key("ghost")), MismatchKind::kIdempotency,
       false},
      {"0x05", Bytes{0x05, 'x'}, MismatchKind::kStrayRow, false},
      {"0x06", Bytes{0x06}, MismatchKind::kStrayRow, false},
      {"0xff", Bytes{0xff, 0xff}, MismatchKind::kStrayRow, false},
  };
  for (const Stray& stray : strays) {
    Bytes key = stray.key;
    list.push_back({std::string("a stray row in zone ") + stray.zone,
                    [key](Rows& rows) {
                      rows[key] = Bytes{0x01, 0x02};
                    },
                    stray.reported, stray.open_refuses});
  }
  list.push_back({"a re-chained forgery without the key",
                  [forger_key](Rows& rows) {
                    // Edit entry 4, re-chain it and every later entry under a key the forger
                    // made up, and move the state row's head: links and sequences all hold.
                    fsm::FsmState state = state_of(rows);
                    crypto::Digest previous = audit_entry(rows, 3).hash;
                    for (std::uint64_t s = 4; s < state.next_audit_sequence; ++s) {
                      audit::AuditEntry entry = audit_entry(rows, s);
                      if (s == 4) entry.timestamp_us += 1;
                      entry.previous_hash = previous;
                      entry.hash = audit::compute_hash(forger_key, entry);
                      previous = entry.hash;
                      rows[audit::audit_row_key(s)] = audit::encode_audit_entry(entry);
                    }
                    state.audit_head = previous;
                    rows[fsm::fsm_state_key()] = fsm::encode_fsm_state(state);
                  },
                  MismatchKind::kAuditHash});
  list.push_back({"a changed cluster id in the state row",
                  [](Rows& rows) {
                    fsm::FsmState state = state_of(rows);
                    state.cluster_id = "elsewhere";
                    rows[fsm::fsm_state_key()] = fsm::encode_fsm_state(state);
                  },
                  MismatchKind::kConfiguration, true});
  return list;
}

check::CheckReport check_store(const store::KeyValueStore& store, const cache::Cache* cache) {
  auto report = check::run_check(
      {store, cache, history_options().cluster_id, audit::public_demo_audit_key()});
  REQUIRE(report.ok());  // errors are for unreadable stores only
  return std::move(report).value();
}

TEST_CASE("the untouched history is clean offline and after restore", "[corruption][native]") {
  TempDir dir;
  Rows rows = build_history(dir);
  auto store = copy_of(rows, dir, "clean.db");
  check::CheckReport offline = check_store(*store, nullptr);
  INFO(offline.describe());
  CHECK(offline.ok());
  CHECK(offline.cache_entries_checked > 0);
  auto machine = fsm::StateMachine::open(*store, history_options());
  REQUIRE(machine.ok());
  check::CheckReport live = check_store(*store, &(*machine)->cache());
  INFO(live.describe());
  CHECK(live.ok());
}

TEST_CASE("each planted corruption is reported with its type, and open refuses inconsistency",
          "[corruption][native]") {
  TempDir dir;
  const Rows history = build_history(dir);
  int copy = 0;
  for (const Corruption& corruption : corruptions()) {
    DYNAMIC_SECTION(corruption.name) {
      Rows rows = history;
      corruption.plant(rows);
      REQUIRE(rows != history);
      auto store = copy_of(rows, dir, "copy-" + std::to_string(copy++) + ".db");

      check::CheckReport offline = check_store(*store, nullptr);
      INFO("offline:\n" << offline.describe());
      CHECK(offline.has(corruption.reported));

      auto machine = fsm::StateMachine::open(*store, history_options());
      if (corruption.open_refuses) {
        REQUIRE_FALSE(machine.ok());
        INFO(machine.error().message);
        CHECK((machine.error().code == Code::kCorrupt ||
               machine.error().code == Code::kConfiguration));
      } else {
        INFO((machine.ok() ? std::string() : machine.error().message));
        REQUIRE(machine.ok());
        check::CheckReport restored = check_store(*store, &(*machine)->cache());
        INFO("after restore:\n" << restored.describe());
        CHECK(restored.has(corruption.reported));
      }
    }
  }
}

TEST_CASE("without the audit key a re-chained forgery passes the chain, and the report says so",
          "[corruption][native]") {
  TempDir dir;
  Rows rows = build_history(dir);
  for (const Corruption& corruption : corruptions()) {
    if (corruption.name == "a re-chained forgery without the key") corruption.plant(rows);
  }
  auto store = copy_of(rows, dir, "forged.db");
  auto report = check::run_check({*store, nullptr, history_options().cluster_id, std::nullopt});
  REQUIRE(report.ok());
  CHECK_FALSE(report->hashes_verified);
  CHECK_FALSE(report->has(MismatchKind::kAuditHash));
  CHECK_THAT(report->describe(), Catch::Contains("HMACs were not verified"));
}

TEST_CASE("the checker without the key still refuses replaying malformed entries",
          "[corruption][native]") {
  TempDir dir;
  Rows rows = build_history(dir);
  audit::AuditEntry entry = audit_entry(rows, 3);
  entry.idempotency_key = std::string("idem\0x", 6);  // hash left as it was: links still hold
  rows[audit::audit_row_key(3)] = audit::encode_audit_entry(entry);
  auto store = copy_of(rows, dir, "nul.db");
  auto report = check::run_check({*store, nullptr, history_options().cluster_id, std::nullopt});
  REQUIRE(report.ok());
  INFO(report->describe());
  CHECK(report->has(MismatchKind::kMalformedRow));
  CHECK_FALSE(report->replay_complete);
}

}  // namespace
}  // namespace tally
