// Restore rebuilds both generations from the mirror, and fails closed on any malformed row.
#include <catch2/catch.hpp>

#include "core/cache/cache.hpp"
#include "core/cache/cache_mirror.hpp"
#include "core/cache/parity.hpp"
#include "core/store/layout.hpp"
#include "tests/support/cache_fixture.hpp"

namespace tally {
namespace {

using testing::CacheOnStore;
using testing::TempDir;

void populate(CacheOnStore& c) {
  c.put(testing::volume("a"), "a0");
  c.put(testing::volume("b"), "b0");
  c.advance_to(5);
  c.put(testing::volume("c"), "");
  c.del(testing::volume("a"));
  c.del(testing::volume("c"));
  c.put(testing::attr(keys::ledger_metadata_key("main")), "meta");
}

TEST_CASE("restore rebuilds both generations byte for byte", "[store]") {
  auto store_kind = GENERATE(as<std::string>{}, "memory", "sqlite");
  TempDir dir;
  CacheOnStore c(store_kind, dir, 4);
  populate(c);
  auto before = cache::mirror_rows(c.cache());
  auto generation = c.cache().generation();

  c.reopen_store(dir);
  c.crash_and_restore();

  CHECK(c.cache().generation() == generation);
  CHECK(cache::mirror_rows(c.cache()) == before);
  c.require_parity();
}

TEST_CASE("restore without a meta row is refused: the generation is never guessed", "[store]") {
  TempDir dir;
  CacheOnStore c("memory", dir, 4);
  populate(c);
  store::Batch drop;
  drop.del(cache::cache_meta_key());
  testing::commit(c.store(), drop);

  auto restored = cache::Cache::restore(c.store());
  REQUIRE_FALSE(restored.ok());
  CHECK(restored.error().code == Code::kCorrupt);
  CHECK_THAT(restored.error().message, Catch::Contains("meta row"));
}

struct MalformedRow {
  const char* shape;
  Bytes key;
  Bytes value;
};

std::vector<MalformedRow> malformed_rows() {
  auto id = testing::volume("z").id.to_bytes();
  Bytes good_key{store::kZoneCache, 0, keys::kind_byte(keys::AttributeKind::kVolume)};
  good_key.insert(good_key.end(), id.begin(), id.end());
  Bytes live{1, 2, 3, 4, 5, 6, 7, 8, cache::kFlagLive, 42};

  Bytes short_key(good_key.begin(), good_key.end() - 1);
  Bytes long_key = good_key;
  long_key.push_back(0);
  Bytes bad_gen = good_key;
  bad_gen[1] = 2;
  Bytes bad_kind = good_key;
  bad_kind[2] = 0x7f;
  Bytes short_value{1, 2, 3, 4, 5, 6, 7, 8};
  Bytes bad_flag{1, 2, 3, 4, 5, 6, 7, 8, 2};
  Bytes tombstone_with_tail{1, 2, 3, 4, 5, 6, 7, 8, cache::kFlagTombstone, 0};
  Bytes meta_key = cache::cache_meta_key();
  Bytes meta_short(cache::kCacheMetaBytes - 1, 0);
  Bytes meta_format = cache::encode_cache_meta({1, 0, 4});
  meta_format[0] = 9;
  Bytes meta_zero_threshold = cache::encode_cache_meta({1, 0, 0});

  return {
      {"key one byte short", short_key, live},
      {"key one byte long", long_key, live},
      {"unknown gen byte", bad_gen, live},
      {"unknown kind", bad_kind, live},
      {"value shorter than the header", good_key, short_value},
      {"unknown flag", good_key, bad_flag},
      {"tombstone with trailing bytes", good_key, tombstone_with_tail},
      {"meta row of the wrong length", meta_key, meta_short},
      {"meta row of an unknown format", meta_key, meta_format},
      {"meta row with threshold 0", meta_key, meta_zero_threshold},
  };
}

TEST_CASE("restore rejects each malformed row shape and changes nothing", "[store]") {
  auto store_kind = GENERATE(as<std::string>{}, "memory", "sqlite");
  for (const MalformedRow& row : malformed_rows()) {
    INFO(store_kind << ": " << row.shape);
    TempDir dir;
    CacheOnStore c(store_kind, dir, 4);
    populate(c);
    store::Batch plant;
    plant.put(row.key, row.value);
    testing::commit(c.store(), plant);
    auto memory_before = cache::mirror_rows(c.cache());
    auto disk_before = testing::all_rows(c.store());

    auto restored = cache::Cache::restore(c.store());

    REQUIRE_FALSE(restored.ok());
    CHECK(restored.error().code == Code::kCorrupt);
    CHECK_FALSE(restored.error().message.empty());
    CHECK(cache::mirror_rows(c.cache()) == memory_before);
    CHECK(testing::all_rows(c.store()) == disk_before);
  }
}

TEST_CASE("parity names the first difference between memory and disk", "[store]") {
  TempDir dir;
  CacheOnStore c("memory", dir, 4);
  populate(c);
  auto b = testing::volume("b");  // live in gen1
  store::Batch tamper;
  tamper.put(cache::cache_row_key(cache::gen_byte_of(0), b.key.kind, b.id),
             cache::cache_row_value(cache::live_entry(b.tag, testing::bytes("b9"))));
  testing::commit(c.store(), tamper);

  auto report = cache::check_parity(c.cache(), c.store());
  REQUIRE(report.ok());
  REQUIRE_FALSE(report->ok);
  CHECK_THAT(report->first_difference, Catch::Contains("gen1 Volume " + b.id.to_hex()) &&
                                           Catch::Contains("6230") && Catch::Contains("6239"));

  store::Batch extra;
  auto stray = testing::volume("stray");
  extra.put(cache::cache_row_key(1, stray.key.kind, stray.id),
            cache::cache_row_value(cache::tombstone_entry(stray.tag)));
  extra.del(cache::cache_row_key(cache::gen_byte_of(0), b.key.kind, b.id));
  testing::commit(c.store(), extra);
  report = cache::check_parity(c.cache(), c.store());
  REQUIRE(report.ok());
  CHECK_FALSE(report->ok);
  CHECK_THAT(report->first_difference,
             Catch::StartsWith("only in memory: gen1 Volume " + b.id.to_hex()));
}

}  // namespace
}  // namespace tally
