// MemoryStore's own contracts beyond the shared store behaviour: absorb (the group commit's
// move-in write) and its hash shards.
#include <catch2/catch.hpp>
#include <random>

#include "core/store/memory_store.hpp"

namespace tally {
namespace {

Bytes key_of(std::uint64_t n) {
  Bytes key{0x01};
  for (int i = 7; i >= 0; --i)
    key.push_back(static_cast<std::uint8_t>(n >> (8 * i)));
  return key;
}

}  // namespace

TEST_CASE("memory store: absorb leaves the same rows as write, for any batch", "[store]") {
  store::MemoryStore written, absorbed;
  std::mt19937_64 rng(8);  // fixed seed: reproducible
  for (int round = 0; round < 200; ++round) {
    store::Batch batch;
    for (int i = 0; i < 20; ++i) {
      std::uint64_t n = rng() % 500;
      switch (rng() % 5) {
        case 0: batch.del(key_of(n)); break;
        case 1: batch.del_range(key_of(n), key_of(n + 1 + rng() % 20)); break;
        default: batch.put(key_of(n), Bytes(rng() % 40, static_cast<std::uint8_t>(round)));
      }
    }
    REQUIRE(written.write(batch).ok());
    REQUIRE(absorbed.absorb(batch).ok());
  }
  CHECK(written.rows() == absorbed.rows());
  CHECK(written.rows().size() > 64);  // more rows than shards
}

TEST_CASE("memory store: a failed absorb moves nothing out of the batch or into the store",
          "[store]") {
  store::MemoryStore store;
  store::Batch first;
  first.put(key_of(1), Bytes{1});
  REQUIRE(store.write(first).ok());
  store::Batch batch;
  batch.put(key_of(2), Bytes{2});
  batch.del(key_of(1));
  const store::Batch copy = batch;
  store.fail_next_writes(1);
  CHECK(store.absorb(batch).error().code == Code::kStorage);
  CHECK(batch.ops() == copy.ops());  // a retry can write it again
  CHECK(store.rows() == store::MemoryStore::Rows{{key_of(1), Bytes{1}}});
  REQUIRE(store.absorb(batch).ok());
  CHECK(store.rows() == store::MemoryStore::Rows{{key_of(2), Bytes{2}}});
}

}  // namespace tally
