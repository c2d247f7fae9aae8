// Reads served from the store: point gets and bounded prefix scans with cursors.
#include <catch2/catch.hpp>

#include "core/query/ledger_reads.hpp"
#include "tests/support/ledger_node.hpp"

namespace tally {
namespace {

using testing::LedgerNode;
using testing::posting;
using testing::TempDir;
using testing::transfer;

struct Populated {
  TempDir dir;
  LedgerNode node{"sqlite", dir, testing::node_options()};
  Populated() {
    node.submit(domain::CreateLedger{"main", {{"owner", std::string("ops")}}});
    node.submit(domain::CreateLedger{"zeta", {}});
    node.submit(domain::CreateLedger{"alpha", {}});
    for (int i = 0; i < 7; ++i) {
      node.submit(transfer("main", {posting("world", "users:" + std::to_string(i), 10 + i),
                                    posting("world", "users:" + std::to_string(i), 1, "EUR")}));
    }
    node.submit(domain::SetAccountMetadata{"main", "meta:only", {{"k", true}}});
    node.submit(transfer("zeta", {posting("world", "other", 1)}));
  }
};

TEST_CASE("transactions list newest first, page by page, to the end", "[query]") {
  Populated p;
  std::vector<std::uint64_t> ids;
  query::PageRequest page{3, std::nullopt};
  for (int guard = 0; guard < 10; ++guard) {
    auto listed = query::list_transactions(p.node.store(), "main", page);
    REQUIRE(listed.ok());
    for (const auto& tx : listed->data)
      ids.push_back(tx.id);
    if (!listed->next) break;
    page.cursor = listed->next;
  }
  CHECK(ids == std::vector<std::uint64_t>{6, 5, 4, 3, 2, 1, 0});
}

TEST_CASE("accounts list in address order, volumes-only and metadata-only alike", "[query]") {
  Populated p;
  std::vector<std::string> addresses;
  query::PageRequest page{4, std::nullopt};
  for (int guard = 0; guard < 10; ++guard) {
    auto listed = query::list_accounts(p.node.store(), "main", page);
    REQUIRE(listed.ok());
    for (const auto& account : listed->data)
      addresses.push_back(account.address);
    if (!listed->next) break;
    page.cursor = listed->next;
  }
  CHECK(addresses == std::vector<std::string>{"meta:only", "users:0", "users:1", "users:2",
                                              "users:3", "users:4", "users:5", "users:6", "world"});
}

TEST_CASE("an account reads back with balances per asset and its metadata", "[query]") {
  Populated p;
  auto account = query::get_account(p.node.store(), "main", "users:3");
  REQUIRE(account.ok());
  REQUIRE(account->has_value());
  CHECK((*account)->volumes.at("USD").balance().to_decimal() == "13");
  CHECK((*account)->volumes.at("EUR").balance().to_decimal() == "1");
  CHECK_FALSE(query::get_account(p.node.store(), "main", "nobody").value().has_value());
  auto users = query::aggregate_balances(p.node.store(), "main", "users:");
  REQUIRE(users.ok());
  CHECK(users->at("USD").to_decimal() == "91");  // 10 + 11 + ... + 16
  CHECK(users->at("EUR").to_decimal() == "7");
}

TEST_CASE("ledgers list in name order with their metadata", "[query]") {
  Populated p;
  auto listed = query::list_ledgers(p.node.store(), {2, std::nullopt});
  REQUIRE(listed.ok());
  REQUIRE(listed->data.size() == 2);
  CHECK(listed->data[0].info.name == "alpha");
  CHECK(listed->data[1].info.name == "main");
  CHECK(listed->data[1].metadata.at("owner") == domain::MetadataValue(std::string("ops")));
  auto rest = query::list_ledgers(p.node.store(), {2, listed->next});
  REQUIRE(rest.ok());
  CHECK(rest->data.size() == 1);
  CHECK_FALSE(rest->next.has_value());
}

TEST_CASE("a cursor from another list or not hex is a validation error", "[query]") {
  Populated p;
  auto ledgers = query::list_ledgers(p.node.store(), {1, std::nullopt});
  REQUIRE(ledgers->next.has_value());
  auto misused = query::list_transactions(p.node.store(), "main", {1, ledgers->next});
  REQUIRE_FALSE(misused.ok());
  CHECK(misused.error().code == Code::kValidation);
  CHECK(query::list_ledgers(p.node.store(), {1, std::string("zz")}).error().code ==
        Code::kValidation);
}

}  // namespace
}  // namespace tally
