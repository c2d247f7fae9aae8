// A node checks its cache before it serves: StateMachine::open compares every restored cache
// entry with the attribute row it stands for (core/cache/row_agreement.hpp) and refuses a
// store where they disagree, with CORRUPT naming the key, before anything can spend from it.
// A store whose cache agrees opens, whatever its generations hold. prepare() and adopt(), the
// two halves a replica runs on a worker and on its loop, do exactly what open() does.
#include <catch2/catch.hpp>

#include <functional>
#include <optional>

#include "core/cache/cache_mirror.hpp"
#include "core/codec/value_codec.hpp"
#include "core/store/layout.hpp"
#include "core/store/memory_store.hpp"
#include "tests/support/ledger_node.hpp"

namespace tally {
namespace {

using testing::posting;
using testing::transfer;

// A store with a ledger, funded accounts, metadata set and deleted, across rotations (K = 3).
store::MemoryStore::Rows history() {
  store::MemoryStore store;
  fsm::FsmOptions options = testing::with_threshold(3);
  auto machine = fsm::StateMachine::open(store, options).value();
  std::uint64_t clock = 1'700'000'000'000'000;
  auto submit = [&](std::vector<domain::Order> orders) {
    const std::uint64_t index = machine->applied_index() + 1;
    auto proposal = plan::admit({orders, std::nullopt},
                                {machine->cache(), machine->read_view(), index, clock += 1000});
    REQUIRE(proposal.ok());
    REQUIRE(machine->apply(index, *proposal).ok());
  };
  submit({domain::CreateLedger{"main", {}}});
  for (int i = 0; i < 7; ++i) {
    submit({transfer("main", {posting("world", "users:" + std::to_string(i % 3), 100)})});
    submit({domain::SetAccountMetadata{"main", "users:0", {{"tier", std::int64_t(i)}}}});
  }
  submit({domain::DeleteAccountMetadata{"main", "users:0", "tier"}});
  submit({transfer("main", {posting("users:1", "users:2", 50)})});
  return store.rows();
}

// The gen0 mirror row of key (gen byte = generation % 2, from the meta row).
Bytes gen0_row_key(const store::MemoryStore::Rows& rows, const keys::AttributeKey& key) {
  auto meta = cache::decode_cache_meta(rows.at(cache::cache_meta_key()));
  REQUIRE(meta.ok());
  return cache::cache_row_key(cache::gen_byte_of(meta->generation), key.kind,
                              keys::attribute_id(key.canonical));
}

// Writes key's gen0 mirror row as the given entry (tagged with key's own tag).
void plant(store::MemoryStore::Rows& rows, const keys::AttributeKey& key,
           std::optional<Bytes> live_value) {
  const keys::Tag tag = keys::attribute_tag(key.canonical);
  rows[gen0_row_key(rows, key)] = cache::cache_row_value(
      live_value ? cache::live_entry(tag, *live_value) : cache::tombstone_entry(tag));
}

Result<std::unique_ptr<fsm::StateMachine>> open(store::MemoryStore& store) {
  return fsm::StateMachine::open(store, testing::with_threshold(3));
}

TEST_CASE("a store whose cache agrees with its rows opens", "[fsm][security]") {
  store::MemoryStore store;
  store.set_rows(history());
  auto machine = open(store);
  INFO((machine.ok() ? std::string() : machine.error().message));
  REQUIRE(machine.ok());
  CHECK((*machine)->cache().gen0_size() + (*machine)->cache().gen1_size() > 0);
}

TEST_CASE("a cache entry that disagrees with its attribute row refuses the store, naming the key",
          "[fsm][security]") {
  const store::MemoryStore::Rows clean = history();
  const auto alice = keys::volume_key("main", "users:1", "USD");
  const auto metadata = keys::account_metadata_key("main", "users:0");
  const auto ghost = keys::volume_key("main", "ghost", "USD");
  const Bytes rich = codec::ValueCodec<domain::Volume>::encode(
      {domain::Amount::from_u64(1150), domain::Amount::from_u64(50)});
  struct Plant {
    const char* name;
    keys::AttributeKey key;
    std::function<void(store::MemoryStore::Rows&)> apply;
    const char* reason;
  };
  const std::vector<Plant> plants = {
      {"a cached balance 1,000 higher than the row", alice,
       [&](store::MemoryStore::Rows& rows) { plant(rows, alice, rich); },
       "disagrees with attribute row"},
      {"a live entry turned tombstone", alice,
       [&](store::MemoryStore::Rows& rows) { plant(rows, alice, std::nullopt); },
       "a tombstone, yet the store holds"},
      {"a tombstone turned live, with no row behind it", metadata,
       [&](store::MemoryStore::Rows& rows) {
         plant(rows, metadata,
               codec::ValueCodec<domain::Metadata>::encode({{"tier", std::int64_t(9)}}));
       },
       "no attribute row"},
      {"a cached account the store never held", ghost,
       [&](store::MemoryStore::Rows& rows) { plant(rows, ghost, rich); }, "no attribute row"},
      {"an attribute row changed under its cache entry", alice,
       [&](store::MemoryStore::Rows& rows) { rows[store::attribute_row_key(alice)] = rich; },
       "disagrees with attribute row"},
  };
  for (const Plant& plant : plants) {
    INFO(plant.name);
    store::MemoryStore::Rows rows = clean;
    plant.apply(rows);
    REQUIRE(rows != clean);
    store::MemoryStore store;
    store.set_rows(rows);
    auto machine = open(store);
    REQUIRE_FALSE(machine.ok());
    CHECK(machine.error().code == Code::kCorrupt);
    CHECK_THAT(machine.error().message,
               Catch::Contains(plant.reason) &&
                   Catch::Contains(keys::attribute_id(plant.key.canonical).to_hex()));
    CHECK(store.rows() == rows);  // nothing written by the refusal
  }
}

TEST_CASE("prepare then adopt opens the same state machine as open", "[fsm][snapshot]") {
  store::MemoryStore store;
  store.set_rows(history());
  auto whole = open(store);
  REQUIRE(whole.ok());
  store::MemoryStore copy;
  copy.set_rows(history());
  const fsm::FsmOptions options = testing::with_threshold(3);
  auto prepared = fsm::StateMachine::prepare(copy, options);
  REQUIRE(prepared.ok());
  auto adopted = fsm::StateMachine::adopt(copy, options, std::move(prepared).value());
  INFO((adopted.ok() ? std::string() : adopted.error().message));
  REQUIRE(adopted.ok());
  CHECK((*adopted)->applied_index() == (*whole)->applied_index());
  CHECK((*adopted)->cache().generation() == (*whole)->cache().generation());
  CHECK((*adopted)->cache().gen0_size() == (*whole)->cache().gen0_size());
  CHECK((*adopted)->cache().gen1_size() == (*whole)->cache().gen1_size());
}

TEST_CASE("adopt refuses a store other than the one prepared", "[fsm][snapshot]") {
  store::MemoryStore prepared_on;
  prepared_on.set_rows(history());
  const fsm::FsmOptions options = testing::with_threshold(3);
  auto prepared = fsm::StateMachine::prepare(prepared_on, options);
  REQUIRE(prepared.ok());
  // The same history one entry shorter: another applied index in its state row.
  store::MemoryStore other;
  {
    auto machine = fsm::StateMachine::open(other, options).value();
    auto proposal = plan::admit({{domain::CreateLedger{"main", {}}}, std::nullopt},
                                {machine->cache(), machine->read_view(), 1, 1'700'000'000'000'000});
    REQUIRE(proposal.ok());
    REQUIRE(machine->apply(1, *proposal).ok());
  }
  auto adopted = fsm::StateMachine::adopt(other, options, std::move(prepared).value());
  REQUIRE_FALSE(adopted.ok());
  CHECK(adopted.error().code == Code::kCorrupt);
}

TEST_CASE("prepare refuses a store whose cache disagrees with its rows, as open does",
          "[fsm][snapshot][security]") {
  store::MemoryStore::Rows rows = history();
  plant(rows, keys::volume_key("main", "ghost", "USD"),
        codec::ValueCodec<domain::Volume>::encode(
            {domain::Amount::from_u64(1000), domain::Amount::from_u64(0)}));
  store::MemoryStore store;
  store.set_rows(rows);
  auto prepared = fsm::StateMachine::prepare(store, testing::with_threshold(3));
  auto opened = open(store);
  REQUIRE_FALSE(prepared.ok());
  REQUIRE_FALSE(opened.ok());
  CHECK(prepared.error().code == Code::kCorrupt);
  CHECK(prepared.error().message == opened.error().message);
}

}  // namespace
}  // namespace tally
