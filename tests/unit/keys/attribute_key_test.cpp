// Canonical key bytes, ids and tags (docs/design.md §2).
#include <catch2/catch.hpp>

#include "core/keys/attribute_key.hpp"
#include "core/keys/key_hash.hpp"
#include "core/store/layout.hpp"
#include "tests/support/death.hpp"
#include "tests/support/store_fixtures.hpp"

namespace tally {
namespace {

TEST_CASE("canonical keys separate parts unambiguously", "[keys]") {
  CHECK(keys::volume_key("l", "ab", "C").canonical != keys::volume_key("l", "a", "bC").canonical);
  CHECK(keys::account_metadata_key("l", "a:b").canonical ==
        testing::bytes(std::string("l\0a:b\0", 6)));
  CHECK(keys::ledger_key("main").canonical == testing::bytes(std::string("main\0", 5)));
}

TEST_CASE("transaction keys sort in numeric order of their ids", "[keys]") {
  auto k9 = store::attribute_row_key(keys::transaction_key("main", 9));
  auto k10 = store::attribute_row_key(keys::transaction_key("main", 10));
  auto k256 = store::attribute_row_key(keys::transaction_key("main", 256));
  CHECK(k9 < k10);
  CHECK(k10 < k256);
}

TEST_CASE("a ledger's keys share its prefix and no other ledger's", "[keys]") {
  Bytes main_prefix = keys::ledger_prefix("main");
  auto in_main = keys::volume_key("main", "a", "USD").canonical;
  auto in_main2 = keys::volume_key("main2", "a", "USD").canonical;
  CHECK(std::equal(main_prefix.begin(), main_prefix.end(), in_main.begin()));
  CHECK_FALSE(std::equal(main_prefix.begin(), main_prefix.end(), in_main2.begin()));
  Bytes account = keys::account_prefix("main", "a");
  auto other_account = keys::volume_key("main", "ab", "USD").canonical;
  CHECK_FALSE(std::equal(account.begin(), account.end(), other_account.begin()));
}

TEST_CASE("ids and tags are XXH3-128 and XXH3-64 of the canonical bytes", "[keys]") {
  // Reference values of XXH3 (seed 0) for the empty input, from the xxHash test vectors.
  keys::Id128 empty_id = keys::attribute_id(ByteView());
  CHECK(empty_id.high == 0x99aa06d3014798d8ULL);
  CHECK(empty_id.low == 0x6001c324468d497fULL);
  CHECK(keys::attribute_tag(ByteView()) == 0x2d06800538d394c2ULL);
  auto a = keys::volume_key("main", "alice", "USD");
  auto b = keys::volume_key("main", "bob", "USD");
  CHECK(keys::attribute_id(a.canonical) != keys::attribute_id(b.canonical));
  CHECK(keys::attribute_id(a.canonical) == keys::attribute_id(a.canonical));
}

TEST_CASE("an id's bytes are big-endian so disk order equals memory order", "[keys]") {
  keys::Id128 small{1, 0xffffffffffffffffULL};
  keys::Id128 large{2, 0};
  REQUIRE(small < large);
  auto sb = small.to_bytes();
  auto lb = large.to_bytes();
  CHECK(std::lexicographical_compare(sb.begin(), sb.end(), lb.begin(), lb.end()));
  CHECK(keys::Id128::from_bytes(ByteView(sb.data(), sb.size())) == small);
}

TEST_CASE("kind bytes round-trip and unknown bytes name no kind", "[keys]") {
  for (keys::AttributeKind kind : keys::kAllKinds) {
    CHECK(keys::kind_from_byte(keys::kind_byte(kind)) == kind);
  }
  CHECK_FALSE(keys::kind_from_byte(0).has_value());
  CHECK_FALSE(keys::kind_from_byte(9).has_value());
}

TEST_CASE("a key part holding 0x00 is an invariant violation", "[keys][native]") {
  auto report =
      testing::run_in_child([] { (void)keys::reference_key("main", std::string("a\0b", 3)); });
  CHECK(report.aborted);
  CHECK_THAT(report.stderr_text, Catch::Contains("0x00"));
}

}  // namespace
}  // namespace tally
