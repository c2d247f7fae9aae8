// Reads served from the store: point gets and bounded prefix scans with cursors.
#include <catch2/catch.hpp>

#include "core/query/account_reads.hpp"
#include "core/query/transaction_reads.hpp"
#include "tests/support/ledger_node.hpp"

namespace tally {
namespace {

using testing::LedgerNode;
using testing::posting;
using testing::TempDir;
using testing::transfer;

struct Populated {
  TempDir dir;
  LedgerNode node{testing::durable_store_kind(), dir, testing::node_options()};
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
  query::Filter users_only;
  users_only.op = query::Filter::Op::kMatch;
  users_only.field = "address";
  users_only.value = {query::FilterValue::Type::kString, false, "users:", {}};
  auto users = query::aggregate_balances(p.node.store(), "main", &users_only);
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
  auto misused =
      query::list_transactions(p.node.store(), "main", query::PageRequest{1, ledgers->next});
  REQUIRE_FALSE(misused.ok());
  CHECK(misused.error().code == Code::kValidation);
  CHECK(query::list_ledgers(p.node.store(), {1, std::string("zz")}).error().code ==
        Code::kValidation);
}

}  // namespace
}  // namespace tally

namespace tally {
namespace {

// A ledger where world paid a 10 (tx 0) and a paid b 4 (tx 1).
struct TwoPayments {
  TempDir dir;
  LedgerNode node{"memory", dir, testing::node_options()};
  TwoPayments() {
    node.submit(domain::CreateLedger{"main", {}});
    node.submit(transfer("main", {posting("world", "a", 10)}));
    node.submit(transfer("main", {posting("a", "b", 4)}));
  }
};

TEST_CASE("post-commit volumes by id and by effective date undo the later transactions",
          "[query]") {
  TwoPayments paid;
  LedgerNode& node = paid.node;
  auto dated = transfer("main", {posting("world", "a", 1)});  // tx 2, dated first of all
  dated.timestamp_us = 1;
  node.submit(dated);
  std::vector<domain::TransactionState> asked = {
      query::get_transaction(node.store(), "main", 1).value().value()};
  auto by_id = query::post_commit_volumes(node.store(), "main", asked, false);
  REQUIRE(by_id.ok());
  CHECK(by_id->at(1).at("a").at("USD") == domain::Volume{domain::Amount(10), domain::Amount(4)});
  auto by_date = query::post_commit_volumes(node.store(), "main", asked, true);
  REQUIRE(by_date.ok());
  // tx 2 is effective before tx 1: a had received 11 by then.
  CHECK(by_date->at(1).at("a").at("USD") == domain::Volume{domain::Amount(11), domain::Amount(4)});
  const auto pre = query::pre_commit_volumes(by_id->at(1), asked.front().postings);
  CHECK(pre.at("a").at("USD") == domain::Volume{domain::Amount(10), domain::Amount(0)});
  CHECK(pre.at("b").at("USD") == domain::Volume{});
}

// A store that counts the scans read through it.
class ScanCounter final : public store::KeyValueStore {
 public:
  explicit ScanCounter(const store::KeyValueStore& inner) : inner_(&inner) {}
  Result<std::optional<Bytes>> get(ByteView key) const override { return inner_->get(key); }
  Status scan(ByteView begin, ByteView end, store::ScanOrder order,
              const store::ScanVisitor& visit) const override {
    ++scans;
    return inner_->scan(begin, end, order, visit);
  }
  Status write(const store::Batch&) override { TALLY_UNREACHABLE("a read-only test view"); }
  mutable int scans = 0;

 private:
  const store::KeyValueStore* inner_;
};

TEST_CASE("post-commit volumes of the newest transactions by id are read without a scan",
          "[query]") {
  TwoPayments paid;
  LedgerNode& node = paid.node;
  node.submit(transfer("main", {posting("b", "a", 1)}));  // tx 2
  auto tx = [&](std::uint64_t id) {
    return query::get_transaction(node.store(), "main", id)->value();
  };
  ScanCounter counted(node.store());

  // The one a write just made: the newest.
  auto newest = query::post_commit_volumes(counted, "main", {tx(2)}, false);
  REQUIRE(newest.ok());
  CHECK(counted.scans == 0);
  CHECK(newest->at(2).at("a").at("USD") == domain::Volume{domain::Amount(11), domain::Amount(4)});
  CHECK(newest->at(2).at("b").at("USD") == domain::Volume{domain::Amount(4), domain::Amount(1)});

  // The newest page, in any order and with a repeat: still every transaction from the oldest.
  auto page = query::post_commit_volumes(counted, "main", {tx(2), tx(1), tx(2)}, false);
  REQUIRE(page.ok());
  CHECK(counted.scans == 0);
  CHECK(page->at(1).at("a").at("USD") == domain::Volume{domain::Amount(10), domain::Amount(4)});
  CHECK(page->at(1).at("b").at("USD") == domain::Volume{domain::Amount(4), domain::Amount(0)});
  CHECK(page->at(2) == newest->at(2));

  // A gap (tx 1 not asked for) needs the scan, and gives the same volumes.
  auto gapped = query::post_commit_volumes(counted, "main", {tx(0), tx(2)}, false);
  REQUIRE(gapped.ok());
  CHECK(counted.scans == 1);
  CHECK(gapped->at(0).at("a").at("USD") == domain::Volume{domain::Amount(10), domain::Amount(0)});
  CHECK(gapped->at(2) == newest->at(2));

  // In effective order any transaction may come later: always the scan.
  REQUIRE(query::post_commit_volumes(counted, "main", {tx(2)}, true).ok());
  CHECK(counted.scans == 2);

  // A transaction past the ledger's boundary cannot come from this store.
  domain::TransactionState foreign = tx(2);
  foreign.id = 3;
  auto refused = query::post_commit_volumes(counted, "main", {foreign}, false);
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.error().code == Code::kCorrupt);
}

TEST_CASE("effective order lists by timestamp then id, pages included", "[query]") {
  TempDir dir;
  LedgerNode node{"memory", dir, testing::node_options()};
  node.submit(domain::CreateLedger{"main", {}});
  for (std::uint64_t at : {30, 10, 20, 10}) {
    auto order = transfer("main", {posting("world", "a", 1)});
    order.timestamp_us = at;
    node.submit(order);
  }
  query::TransactionQuery list;
  list.by_effective = true;
  list.page.limit = 3;
  list.page.order = query::ListOrder::kAscending;
  auto first = query::list_transactions(node.store(), "main", list);
  REQUIRE(first.ok());
  std::vector<std::uint64_t> ids;
  for (const auto& tx : first->data)
    ids.push_back(tx.id);
  CHECK(ids == std::vector<std::uint64_t>{1, 3, 2});
  list.page.cursor = first->next;
  auto second = query::list_transactions(node.store(), "main", list);
  REQUIRE(second.ok());
  REQUIRE(second->data.size() == 1);
  CHECK(second->data.front().id == 0);
}

}  // namespace
}  // namespace tally
