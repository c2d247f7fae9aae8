// The reference ledger (core/check/reference_ledger.hpp): every business rule of the
// specification, its precedence, atomicity, idempotency and the store rows it renders.
#include <catch2/catch.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/audit/audit_rows.hpp"
#include "core/check/reference_ledger.hpp"
#include "core/codec/value_codec.hpp"
#include "core/fsm/idempotency_record.hpp"
#include "core/keys/attribute_key.hpp"
#include "core/store/layout.hpp"

namespace tally {
namespace {

using domain::Amount;
using domain::Order;
using domain::OrderResult;
using domain::Outcome;

constexpr std::uint64_t kNow = 1'700'000'000'000'000;

domain::Posting pay(std::string source, std::string destination, std::uint64_t amount,
                    std::string asset = "USD") {
  return domain::Posting{std::move(source), std::move(destination), Amount::from_u64(amount),
                         std::move(asset)};
}

domain::CreateTransaction transfer(std::vector<domain::Posting> postings,
                                   std::optional<std::string> reference = std::nullopt) {
  domain::CreateTransaction order;
  order.ledger = "main";
  order.postings = std::move(postings);
  order.reference = std::move(reference);
  return order;
}

domain::Metadata numbered_metadata(const std::string& prefix, int count) {
  domain::Metadata metadata;
  for (int i = 0; i < count; ++i)
    metadata[prefix + std::to_string(i)] = std::int64_t{i};
  return metadata;
}

// A model and the audit sequences it hands out, 1, 2, 3, ... as the chain does.
struct Model {
  check::ReferenceLedger ledger;
  std::uint64_t last_sequence = 0;

  Outcome run(std::vector<Order> orders, std::optional<std::string> key = std::nullopt,
              std::uint64_t timestamp_us = kNow) {
    return ledger.apply(orders, key, timestamp_us, ++last_sequence);
  }
  Outcome run_one(Order order, std::uint64_t timestamp_us = kNow) {
    return run({std::move(order)}, std::nullopt, timestamp_us);
  }
  void require_ok(Order order, std::uint64_t timestamp_us = kNow) {
    Outcome outcome = run_one(std::move(order), timestamp_us);
    INFO(outcome.message);
    REQUIRE(outcome.ok());
  }
};

// A model holding ledger "main" whose alice holds 100 USD.
Model funded() {
  Model model;
  model.require_ok(domain::CreateLedger{"main", {}});
  model.require_ok(transfer({pay("world", "alice", 100)}));
  return model;
}

void require_failure(const Outcome& outcome, Code code, std::uint32_t failed_order = 0) {
  INFO(outcome.message);
  REQUIRE_FALSE(outcome.ok());
  CHECK(outcome.code == code);
  CHECK(outcome.failed_order == failed_order);
}

// ---- Ledgers ----------------------------------------------------------------------------------

TEST_CASE("create ledger stores its info, metadata and takes log sequence 0", "[reference]") {
  Model model;
  domain::Metadata metadata{{"team", std::string("payments")}};
  Outcome outcome = model.run_one(domain::CreateLedger{"main", metadata}, 42);
  REQUIRE(outcome.ok());
  REQUIRE(outcome.results.size() == 1);
  CHECK(outcome.results[0] == OrderResult{std::nullopt, 0});
  CHECK(model.ledger.ledger("main") == domain::LedgerInfo{"main", 42, false, 0});
  CHECK(model.ledger.ledger_metadata("main").value() == metadata);
  CHECK(model.ledger.boundary("main") == domain::Boundary{0, 1});
}

TEST_CASE("create ledger of an existing name is ALREADY_EXISTS", "[reference]") {
  Model model;
  model.require_ok(domain::CreateLedger{"main", {}});
  require_failure(model.run_one(domain::CreateLedger{"main", {}}), Code::kAlreadyExists);
}

TEST_CASE("create ledger of a deleted ledger's name is ALREADY_EXISTS", "[reference]") {
  Model model;
  model.require_ok(domain::CreateLedger{"main", {}});
  model.require_ok(domain::DeleteLedger{"main"});
  require_failure(model.run_one(domain::CreateLedger{"main", {}}), Code::kAlreadyExists);
}

std::vector<Order> one_of_every_ledger_order(const std::string& ledger) {
  domain::CreateTransaction create = transfer({pay("world", "alice", 1)});
  create.ledger = ledger;
  return {domain::DeleteLedger{ledger},
          create,
          domain::RevertTransaction{ledger, 0, false, false},
          domain::SetAccountMetadata{ledger, "alice", {{"k", true}}},
          domain::DeleteAccountMetadata{ledger, "alice", "k"},
          domain::SetTransactionMetadata{ledger, 0, {{"k", true}}},
          domain::DeleteTransactionMetadata{ledger, 0, "k"},
          domain::SetLedgerMetadata{ledger, {{"k", true}}},
          domain::DeleteLedgerMetadata{ledger, "k"}};
}

TEST_CASE("every ledger order on an unknown ledger is LEDGER_NOT_FOUND", "[reference]") {
  Model model;
  for (const Order& order : one_of_every_ledger_order("missing")) {
    INFO(domain::order_name(order));
    require_failure(model.run_one(order), Code::kLedgerNotFound);
  }
  CHECK(model.ledger.expected_rows().empty());
}

TEST_CASE("every ledger order on a deleted ledger is LEDGER_NOT_FOUND", "[reference]") {
  Model model = funded();
  model.require_ok(domain::DeleteLedger{"main"});
  auto rows_before = model.ledger.expected_rows();
  for (const Order& order : one_of_every_ledger_order("main")) {
    INFO(domain::order_name(order));
    require_failure(model.run_one(order), Code::kLedgerNotFound);
  }
  CHECK(model.ledger.expected_rows() == rows_before);
}

TEST_CASE("delete ledger answers the next log sequence without taking it", "[reference]") {
  Model model = funded();  // log sequences 0 (create) and 1 (transfer)
  Outcome outcome = model.run_one(domain::DeleteLedger{"main"}, 77);
  REQUIRE(outcome.ok());
  CHECK(outcome.results[0] == OrderResult{std::nullopt, 2});
  CHECK(model.ledger.ledger("main") == domain::LedgerInfo{"main", kNow, true, 77});
  CHECK_FALSE(model.ledger.boundary("main").has_value());
}

TEST_CASE("delete ledger keeps volumes, transactions, references and metadata", "[reference]") {
  Model model;
  model.require_ok(domain::CreateLedger{"main", {{"a", std::string("1")}}});
  model.require_ok(transfer({pay("world", "alice", 5)}, "r1"));
  model.require_ok(domain::SetAccountMetadata{"main", "alice", {{"k", true}}});
  model.require_ok(domain::DeleteLedger{"main"});
  CHECK(model.ledger.balance("main", "alice", "USD").to_decimal() == "5");
  CHECK(model.ledger.transaction("main", 0).has_value());
  CHECK(model.ledger.reference("main", "r1") == std::uint64_t{0});
  CHECK(model.ledger.account_metadata("main", "alice") == domain::Metadata{{"k", true}});
  CHECK(model.ledger.ledger_metadata("main").value() == domain::Metadata{{"a", std::string("1")}});
}

TEST_CASE("set ledger metadata merges, overwriting keys, and takes a log sequence", "[reference]") {
  Model model;
  model.require_ok(domain::CreateLedger{"main", {{"a", std::string("1")}, {"b", true}}});
  Outcome outcome = model.run_one(
      domain::SetLedgerMetadata{"main", {{"b", false}, {"c", domain::MetadataNull{}}}});
  REQUIRE(outcome.ok());
  CHECK(outcome.results[0] == OrderResult{std::nullopt, 1});
  CHECK(model.ledger.ledger_metadata("main").value() ==
        domain::Metadata{{"a", std::string("1")}, {"b", false}, {"c", domain::MetadataNull{}}});
  CHECK(model.ledger.boundary("main") == domain::Boundary{0, 2});
}

TEST_CASE("set ledger metadata over 256 entries once merged is VALIDATION", "[reference]") {
  Model model;
  model.require_ok(domain::CreateLedger{"main", numbered_metadata("a", 200)});
  require_failure(model.run_one(domain::SetLedgerMetadata{"main", numbered_metadata("b", 57)}),
                  Code::kValidation);
  CHECK(model.ledger.ledger_metadata("main")->size() == 200);
  CHECK(model.ledger.boundary("main") == domain::Boundary{0, 1});
}

TEST_CASE("delete ledger metadata keeps the ledger's row even when emptied", "[reference]") {
  Model model;
  model.require_ok(domain::CreateLedger{"main", {{"a", true}}});
  Outcome outcome = model.run_one(domain::DeleteLedgerMetadata{"main", "a"});
  REQUIRE(outcome.ok());
  CHECK(outcome.results[0] == OrderResult{std::nullopt, 1});
  CHECK(model.ledger.ledger_metadata("main").value() == domain::Metadata{});
  auto rows = model.ledger.expected_rows();
  auto row = rows.find(store::attribute_row_key(keys::ledger_metadata_key("main")));
  REQUIRE(row != rows.end());
  CHECK(row->second.empty());  // the empty map encodes to zero bytes
}

TEST_CASE("delete ledger metadata of an absent key succeeds and takes a log sequence",
          "[reference]") {
  Model model;
  model.require_ok(domain::CreateLedger{"main", {{"a", true}}});
  Outcome outcome = model.run_one(domain::DeleteLedgerMetadata{"main", "zzz"});
  REQUIRE(outcome.ok());
  CHECK(outcome.results[0] == OrderResult{std::nullopt, 1});
  CHECK(model.ledger.ledger_metadata("main").value() == domain::Metadata{{"a", true}});
}

// ---- Accounts ---------------------------------------------------------------------------------

TEST_CASE("set account metadata starts from empty and merges", "[reference]") {
  Model model;
  model.require_ok(domain::CreateLedger{"main", {}});
  Outcome first = model.run_one(domain::SetAccountMetadata{"main", "alice", {{"a", true}}});
  REQUIRE(first.ok());
  CHECK(first.results[0] == OrderResult{std::nullopt, 1});
  model.require_ok(
      domain::SetAccountMetadata{"main", "alice", {{"a", false}, {"b", std::int64_t{-3}}}});
  CHECK(model.ledger.account_metadata("main", "alice") ==
        domain::Metadata{{"a", false}, {"b", std::int64_t{-3}}});
  CHECK(model.ledger.account_metadata("main", "bob").empty());
}

TEST_CASE("set account metadata over 256 entries once merged is VALIDATION", "[reference]") {
  Model model;
  model.require_ok(domain::CreateLedger{"main", {}});
  model.require_ok(domain::SetAccountMetadata{"main", "alice", numbered_metadata("a", 256)});
  require_failure(model.run_one(domain::SetAccountMetadata{"main", "alice", {{"b", true}}}),
                  Code::kValidation);
  CHECK(model.ledger.account_metadata("main", "alice").size() == 256);
}

TEST_CASE("delete account metadata of the last key removes the account's row", "[reference]") {
  Model model;
  model.require_ok(domain::CreateLedger{"main", {}});
  model.require_ok(domain::SetAccountMetadata{"main", "alice", {{"a", true}, {"b", true}}});
  model.require_ok(domain::DeleteAccountMetadata{"main", "alice", "a"});
  CHECK(model.ledger.account_metadata("main", "alice") == domain::Metadata{{"b", true}});
  Outcome outcome = model.run_one(domain::DeleteAccountMetadata{"main", "alice", "b"});
  REQUIRE(outcome.ok());
  CHECK(outcome.results[0] == OrderResult{std::nullopt, 3});
  CHECK(model.ledger.expected_rows().count(
            store::attribute_row_key(keys::account_metadata_key("main", "alice"))) == 0);
}

TEST_CASE("delete account metadata of an absent key or account succeeds unchanged", "[reference]") {
  Model model;
  model.require_ok(domain::CreateLedger{"main", {}});
  model.require_ok(domain::SetAccountMetadata{"main", "alice", {{"a", true}}});
  Outcome absent_key = model.run_one(domain::DeleteAccountMetadata{"main", "alice", "zzz"});
  Outcome absent_account = model.run_one(domain::DeleteAccountMetadata{"main", "bob", "a"});
  REQUIRE(absent_key.ok());
  REQUIRE(absent_account.ok());
  CHECK(absent_key.results[0] == OrderResult{std::nullopt, 2});
  CHECK(absent_account.results[0] == OrderResult{std::nullopt, 3});
  CHECK(model.ledger.account_metadata("main", "alice") == domain::Metadata{{"a", true}});
  CHECK(model.ledger.expected_rows().count(
            store::attribute_row_key(keys::account_metadata_key("main", "bob"))) == 0);
}

// ---- Transactions -----------------------------------------------------------------------------

TEST_CASE("create transaction stores its state and answers its id and log sequence",
          "[reference]") {
  Model model;
  model.require_ok(domain::CreateLedger{"main", {}});
  domain::CreateTransaction order = transfer({pay("world", "alice", 100)}, "invoice-1");
  order.metadata = {{"k", std::string("v")}};
  Outcome outcome = model.run_one(order, 123);
  REQUIRE(outcome.ok());
  CHECK(outcome.results[0] == OrderResult{0, 1});
  domain::TransactionState expected{0, order.postings, order.metadata, 123, "invoice-1", {}, {}};
  CHECK(model.ledger.transaction("main", 0) == expected);
  CHECK(model.ledger.reference("main", "invoice-1") == std::uint64_t{0});
  CHECK(model.ledger.boundary("main") == domain::Boundary{1, 2});
  CHECK(model.ledger.volume("main", "world", "USD") == domain::Volume{Amount(0), Amount(100)});
  CHECK(model.ledger.volume("main", "alice", "USD") == domain::Volume{Amount(100), Amount(0)});
}

TEST_CASE("create transaction with a timestamp keeps it instead of the proposal's", "[reference]") {
  Model model;
  model.require_ok(domain::CreateLedger{"main", {}});
  domain::CreateTransaction order = transfer({pay("world", "alice", 1)});
  order.timestamp_us = 5;
  model.require_ok(order, 999);
  CHECK(model.ledger.transaction("main", 0)->timestamp_us == 5);
}

TEST_CASE("transaction ids are sequential per ledger", "[reference]") {
  Model model;
  model.require_ok(domain::CreateLedger{"main", {}});
  model.require_ok(domain::CreateLedger{"other", {}});
  domain::CreateTransaction in_other = transfer({pay("world", "alice", 1)});
  in_other.ledger = "other";
  CHECK(model.run_one(transfer({pay("world", "alice", 1)})).results[0].transaction_id == 0u);
  CHECK(model.run_one(transfer({pay("world", "alice", 1)})).results[0].transaction_id == 1u);
  CHECK(model.run_one(in_other).results[0].transaction_id == 0u);
  CHECK(model.ledger.boundary("other") == domain::Boundary{1, 2});
}

TEST_CASE("a reference already used in the ledger is CONFLICT", "[reference]") {
  Model model = funded();
  model.require_ok(transfer({pay("world", "alice", 1)}, "r1"));
  require_failure(model.run_one(transfer({pay("world", "bob", 1)}, "r1")), Code::kConflict);
  CHECK(model.ledger.balance("main", "bob", "USD").to_decimal() == "0");
  CHECK(model.ledger.boundary("main") == domain::Boundary{2, 3});
}

TEST_CASE("a reference is unique per ledger, not across ledgers", "[reference]") {
  Model model = funded();
  model.require_ok(domain::CreateLedger{"other", {}});
  model.require_ok(transfer({pay("world", "alice", 1)}, "r1"));
  domain::CreateTransaction in_other = transfer({pay("world", "alice", 1)}, "r1");
  in_other.ledger = "other";
  model.require_ok(in_other);
  CHECK(model.ledger.reference("other", "r1") == std::uint64_t{0});
}

TEST_CASE("a reference conflict wins over insufficient funds", "[reference]") {
  Model model = funded();
  model.require_ok(transfer({pay("world", "alice", 1)}, "r1"));
  require_failure(model.run_one(transfer({pay("bob", "alice", 1000)}, "r1")), Code::kConflict);
}

TEST_CASE("a source going below zero is INSUFFICIENT_FUNDS", "[reference]") {
  Model model = funded();
  auto rows_before = model.ledger.expected_rows();
  require_failure(model.run_one(transfer({pay("alice", "bob", 101)})), Code::kInsufficientFunds);
  CHECK(model.ledger.expected_rows() == rows_before);
  model.require_ok(transfer({pay("alice", "bob", 100)}));
  CHECK(model.ledger.balance("main", "alice", "USD").to_decimal() == "0");
}

TEST_CASE("world may go below zero without force", "[reference]") {
  Model model = funded();
  CHECK(model.ledger.balance("main", "world", "USD").to_decimal() == "-100");
}

TEST_CASE("force lets any source go below zero", "[reference]") {
  Model model = funded();
  domain::CreateTransaction order = transfer({pay("bob", "carol", 7)});
  order.force = true;
  model.require_ok(order);
  CHECK(model.ledger.balance("main", "bob", "USD").to_decimal() == "-7");
}

TEST_CASE("funds are judged on the balances after all postings of the order", "[reference]") {
  Model model = funded();
  // bob is short after posting 0 but refilled by posting 1.
  model.require_ok(transfer({pay("bob", "carol", 30), pay("alice", "bob", 30)}));
  CHECK(model.ledger.balance("main", "bob", "USD").to_decimal() == "0");
  CHECK(model.ledger.balance("main", "carol", "USD").to_decimal() == "30");
}

TEST_CASE("funds are judged per asset", "[reference]") {
  Model model = funded();
  require_failure(model.run_one(transfer({pay("alice", "bob", 1, "EUR")})),
                  Code::kInsufficientFunds);
}

TEST_CASE("a zero posting still creates both volume rows", "[reference]") {
  Model model;
  model.require_ok(domain::CreateLedger{"main", {}});
  model.require_ok(transfer({pay("alice", "bob", 0)}));
  CHECK(model.ledger.volume("main", "alice", "USD") == domain::Volume{});
  CHECK(model.ledger.volume("main", "bob", "USD") == domain::Volume{});
}

TEST_CASE("a posting from an account to itself moves both sides of one volume", "[reference]") {
  Model model = funded();
  model.require_ok(transfer({pay("alice", "alice", 40)}));
  CHECK(model.ledger.volume("main", "alice", "USD") == domain::Volume{Amount(140), Amount(40)});
}

TEST_CASE("a volume overflowing 2^256 - 1 is VALIDATION", "[reference]") {
  Model model;
  model.require_ok(domain::CreateLedger{"main", {}});
  domain::CreateTransaction huge = transfer({pay("world", "alice", 0)});
  huge.postings[0].amount = Amount::max();
  model.require_ok(huge);
  require_failure(model.run_one(transfer({pay("world", "bob", 1)})), Code::kValidation);
  CHECK_FALSE(model.ledger.volume("main", "bob", "USD").has_value());
}

TEST_CASE("an overflow wins over a deficit of an earlier posting", "[reference]") {
  Model model;
  model.require_ok(domain::CreateLedger{"main", {}});
  domain::CreateTransaction huge = transfer({pay("world", "alice", 0)});
  huge.postings[0].amount = Amount::max();
  model.require_ok(huge);
  // Posting 0 overdraws bob; posting 1 overflows world's output.
  require_failure(model.run_one(transfer({pay("bob", "carol", 5), pay("world", "dave", 1)})),
                  Code::kValidation);
}

// ---- Reverts ----------------------------------------------------------------------------------

TEST_CASE("revert applies the postings swapped and in reverse order", "[reference]") {
  Model model = funded();  // transaction 0
  model.require_ok(transfer({pay("alice", "bob", 30), pay("alice", "carol", 20, "USD")}));
  Outcome outcome = model.run_one(domain::RevertTransaction{"main", 1, false, false}, 555);
  REQUIRE(outcome.ok());
  CHECK(outcome.results[0] == OrderResult{2, 3});
  auto revert = model.ledger.transaction("main", 2);
  REQUIRE(revert.has_value());
  CHECK(revert->postings ==
        std::vector<domain::Posting>{pay("carol", "alice", 20), pay("bob", "alice", 30)});
  // The revert names what it reverts, as the Go ledger's revert key does.
  CHECK(revert->metadata ==
        domain::Metadata{{std::string(domain::kRevertMetadataKey), std::string("1")}});
  CHECK(revert->timestamp_us == 555);
  CHECK_FALSE(revert->reference.has_value());
  CHECK_FALSE(revert->reverted_by.has_value());
  CHECK(revert->reverts == std::uint64_t{1});
  CHECK(model.ledger.transaction("main", 1)->reverted_by == std::uint64_t{2});
  CHECK(model.ledger.balance("main", "alice", "USD").to_decimal() == "100");
  CHECK(model.ledger.balance("main", "bob", "USD").to_decimal() == "0");
}

TEST_CASE("revert at the effective date keeps the original's timestamp", "[reference]") {
  Model model;
  model.require_ok(domain::CreateLedger{"main", {}});
  model.require_ok(transfer({pay("world", "alice", 1)}), 10);
  model.require_ok(domain::RevertTransaction{"main", 0, false, true}, 20);
  CHECK(model.ledger.transaction("main", 1)->timestamp_us == 10);
}

TEST_CASE("revert of an unknown transaction is NOT_FOUND", "[reference]") {
  Model model = funded();
  require_failure(model.run_one(domain::RevertTransaction{"main", 9, false, false}),
                  Code::kNotFound);
}

TEST_CASE("revert of a reverted transaction is ALREADY_REVERTED", "[reference]") {
  Model model = funded();
  model.require_ok(domain::RevertTransaction{"main", 0, false, false});
  require_failure(model.run_one(domain::RevertTransaction{"main", 0, true, false}),
                  Code::kAlreadyReverted);
}

TEST_CASE("a revert transaction can itself be reverted", "[reference]") {
  Model model = funded();
  model.require_ok(domain::RevertTransaction{"main", 0, false, false});
  model.require_ok(domain::RevertTransaction{"main", 1, false, false});
  CHECK(model.ledger.transaction("main", 2)->reverts == std::uint64_t{1});
  CHECK(model.ledger.balance("main", "alice", "USD").to_decimal() == "100");
}

TEST_CASE("revert that overdraws is INSUFFICIENT_FUNDS unless forced", "[reference]") {
  Model model = funded();
  model.require_ok(transfer({pay("alice", "bob", 100)}));
  model.require_ok(transfer({pay("bob", "carol", 100)}));
  require_failure(model.run_one(domain::RevertTransaction{"main", 1, false, false}),
                  Code::kInsufficientFunds);
  CHECK_FALSE(model.ledger.transaction("main", 1)->reverted_by.has_value());
  model.require_ok(domain::RevertTransaction{"main", 1, true, false});
  CHECK(model.ledger.balance("main", "bob", "USD").to_decimal() == "-100");
}

// ---- Transaction metadata ---------------------------------------------------------------------

TEST_CASE("set transaction metadata merges and takes a log sequence", "[reference]") {
  Model model;
  model.require_ok(domain::CreateLedger{"main", {}});
  domain::CreateTransaction order = transfer({pay("world", "alice", 1)});
  order.metadata = {{"a", true}};
  model.require_ok(order);
  Outcome outcome = model.run_one(domain::SetTransactionMetadata{"main", 0, {{"b", false}}});
  REQUIRE(outcome.ok());
  CHECK(outcome.results[0] == OrderResult{std::nullopt, 2});
  CHECK(model.ledger.transaction("main", 0)->metadata ==
        domain::Metadata{{"a", true}, {"b", false}});
}

TEST_CASE("set transaction metadata over 256 entries once merged is VALIDATION", "[reference]") {
  Model model;
  model.require_ok(domain::CreateLedger{"main", {}});
  domain::CreateTransaction order = transfer({pay("world", "alice", 1)});
  order.metadata = numbered_metadata("a", 256);
  model.require_ok(order);
  require_failure(model.run_one(domain::SetTransactionMetadata{"main", 0, {{"b", true}}}),
                  Code::kValidation);
}

TEST_CASE("transaction metadata of an unknown transaction is NOT_FOUND", "[reference]") {
  Model model = funded();
  require_failure(model.run_one(domain::SetTransactionMetadata{"main", 5, {{"a", true}}}),
                  Code::kNotFound);
  require_failure(model.run_one(domain::DeleteTransactionMetadata{"main", 5, "a"}),
                  Code::kNotFound);
}

TEST_CASE("delete transaction metadata erases the key, an absent key succeeds", "[reference]") {
  Model model;
  model.require_ok(domain::CreateLedger{"main", {}});
  domain::CreateTransaction order = transfer({pay("world", "alice", 1)});
  order.metadata = {{"a", true}, {"b", true}};
  model.require_ok(order);
  model.require_ok(domain::DeleteTransactionMetadata{"main", 0, "a"});
  Outcome absent = model.run_one(domain::DeleteTransactionMetadata{"main", 0, "zzz"});
  REQUIRE(absent.ok());
  CHECK(absent.results[0] == OrderResult{std::nullopt, 3});
  CHECK(model.ledger.transaction("main", 0)->metadata == domain::Metadata{{"b", true}});
}

// ---- Proposals --------------------------------------------------------------------------------

TEST_CASE("a rotation threshold alone succeeds with an empty result", "[reference]") {
  Model model;
  Outcome outcome = model.run_one(domain::SetRotationThreshold{10});
  REQUIRE(outcome.ok());
  CHECK(outcome.results == std::vector<OrderResult>{OrderResult{}});
  CHECK(model.ledger.expected_rows().empty());
}

TEST_CASE("a rotation threshold among other orders fails first, at its index", "[reference]") {
  Model model;
  // Order 0 is itself invalid, yet the bundling rule is checked before any order.
  Outcome outcome = model.run({domain::CreateLedger{"bad name", {}},
                               domain::SetRotationThreshold{10}, domain::SetRotationThreshold{20}});
  require_failure(outcome, Code::kValidation, 1);
}

TEST_CASE("an invalid order fails at its index with the validator's code", "[reference]") {
  Model model = funded();
  Outcome outcome = model.run(
      {transfer({pay("world", "alice", 1)}), transfer({pay("world", "bad account!", 1)})});
  require_failure(outcome, Code::kValidation, 1);
}

TEST_CASE("a failing second order leaves none of the first order's effects", "[reference]") {
  Model model = funded();
  auto rows_before = model.ledger.expected_rows();
  Outcome outcome = model.run({transfer({pay("alice", "bob", 50)}, "r1"),
                               domain::SetAccountMetadata{"main", "bob", {{"k", true}}},
                               domain::RevertTransaction{"main", 42, false, false}});
  require_failure(outcome, Code::kNotFound, 2);
  CHECK(model.ledger.expected_rows() == rows_before);
  CHECK_FALSE(model.ledger.reference("main", "r1").has_value());
  CHECK(model.ledger.boundary("main") == domain::Boundary{1, 2});
}

TEST_CASE("a failed proposal undoes a ledger created and deleted inside it", "[reference]") {
  Model model;
  Outcome outcome = model.run({domain::CreateLedger{"main", {{"a", true}}},
                               domain::DeleteLedger{"main"}, domain::DeleteLedger{"main"}});
  require_failure(outcome, Code::kLedgerNotFound, 2);
  CHECK(model.ledger.expected_rows().empty());
}

TEST_CASE("orders of one proposal see the effects of the earlier ones", "[reference]") {
  Model model;
  Outcome outcome =
      model.run({domain::CreateLedger{"main", {}}, transfer({pay("world", "alice", 10)}, "r1"),
                 domain::RevertTransaction{"main", 0, false, false},
                 transfer({pay("world", "alice", 1)}, "r1")});
  require_failure(outcome, Code::kConflict, 3);
  outcome =
      model.run({domain::CreateLedger{"main", {}}, transfer({pay("world", "alice", 10)}, "r1"),
                 domain::RevertTransaction{"main", 0, false, false}});
  REQUIRE(outcome.ok());
  CHECK(outcome.results == std::vector<OrderResult>{{std::nullopt, 0}, {0, 1}, {1, 2}});
}

// ---- Idempotency ------------------------------------------------------------------------------

TEST_CASE("a key seen with the same intent replays the stored outcome", "[reference]") {
  Model model = funded();
  std::vector<Order> orders{transfer({pay("alice", "bob", 10)})};
  Outcome first = model.run(orders, "key-1");  // audit sequence 3
  REQUIRE(first.ok());
  auto rows_after_first = model.ledger.expected_rows();
  Outcome replay = model.run(orders, "key-1");
  CHECK(replay.replay_of_sequence == 3);
  Outcome expected = first;
  expected.replay_of_sequence = 3;
  CHECK(replay == expected);
  CHECK(model.ledger.expected_rows() == rows_after_first);
  CHECK(model.ledger.balance("main", "bob", "USD").to_decimal() == "10");
}

TEST_CASE("a key seen with another intent is IDEMPOTENCY_CONFLICT at order 0", "[reference]") {
  Model model = funded();
  model.run({transfer({pay("alice", "bob", 10)})}, "key-1");
  auto rows_before = model.ledger.expected_rows();
  Outcome outcome =
      model.run({transfer({pay("world", "bob", 1)}), transfer({pay("alice", "bob", 11)})}, "key-1");
  require_failure(outcome, Code::kIdempotencyConflict, 0);
  CHECK(model.ledger.expected_rows() == rows_before);
  CHECK(model.ledger.idempotency_record("key-1")->audit_sequence == 3);
}

TEST_CASE("a failed outcome is recorded and replayed too", "[reference]") {
  Model model = funded();
  std::vector<Order> orders{transfer({pay("alice", "bob", 1000)})};
  Outcome first = model.run(orders, "key-1");
  require_failure(first, Code::kInsufficientFunds);
  auto record = model.ledger.idempotency_record("key-1");
  REQUIRE(record.has_value());
  CHECK(*record == fsm::IdempotencyRecord{fsm::intent_hash(orders), 3, first});
  Outcome replay = model.run(orders, "key-1");
  require_failure(replay, Code::kInsufficientFunds);
  CHECK(replay.replay_of_sequence == 3);
}

TEST_CASE("idempotency keys are cluster-wide, not per ledger", "[reference]") {
  Model model = funded();
  model.require_ok(domain::CreateLedger{"other", {}});
  model.run({transfer({pay("world", "alice", 1)})}, "key-1");
  domain::CreateTransaction in_other = transfer({pay("world", "alice", 1)});
  in_other.ledger = "other";
  require_failure(model.run({in_other}, "key-1"), Code::kIdempotencyConflict);
  CHECK_FALSE(model.ledger.volume("other", "alice", "USD").has_value());
}

TEST_CASE("without a key nothing is recorded and a repeat applies again", "[reference]") {
  Model model = funded();
  model.require_ok(transfer({pay("alice", "bob", 10)}));
  model.require_ok(transfer({pay("alice", "bob", 10)}));
  CHECK(model.ledger.balance("main", "bob", "USD").to_decimal() == "20");
}

// ---- Ledger logs ------------------------------------------------------------------------------

TEST_CASE("each logged order of a successful proposal gets a log pointer", "[reference]") {
  Model model;
  Outcome outcome =
      model.run({domain::CreateLedger{"main", {}}, transfer({pay("world", "alice", 1)}),
                 domain::SetLedgerMetadata{"main", {{"a", true}}}});
  REQUIRE(outcome.ok());
  for (std::uint32_t index = 0; index < 3; ++index)
    CHECK(model.ledger.log_pointer("main", index) == audit::LogPointer{1, index});
  CHECK_FALSE(model.ledger.log_pointer("main", 3).has_value());
}

TEST_CASE("delete ledger's log pointer sits at the sequence it answered", "[reference]") {
  Model model = funded();  // audit sequences 1 and 2, log sequences 0 and 1
  model.require_ok(domain::DeleteLedger{"main"});
  CHECK(model.ledger.log_pointer("main", 2) == audit::LogPointer{3, 0});
}

TEST_CASE("a failed proposal and a replay leave no log pointer", "[reference]") {
  Model model = funded();
  require_failure(model.run_one(transfer({pay("alice", "bob", 1000)})), Code::kInsufficientFunds);
  CHECK_FALSE(model.ledger.log_pointer("main", 2).has_value());
  std::vector<Order> orders{transfer({pay("alice", "bob", 1)})};
  REQUIRE(model.run(orders, "k").ok());         // audit sequence 4, log sequence 2
  REQUIRE(model.run(orders, "k").is_replay());  // audit sequence 5
  CHECK(model.ledger.log_pointer("main", 2) == audit::LogPointer{4, 0});
  CHECK_FALSE(model.ledger.log_pointer("main", 3).has_value());
}

// ---- Rows -------------------------------------------------------------------------------------

template <class T>
void expect_row(std::map<Bytes, Bytes>& rows, const keys::AttributeKey& key, const T& value) {
  rows.emplace(store::attribute_row_key(key), codec::ValueCodec<T>::encode(value));
}

TEST_CASE("rows of a small history, deleted ledger included, are exactly the store's",
          "[reference]") {
  Model model;
  domain::Metadata ledger_metadata{{"a", std::string("1")}};
  model.require_ok(domain::CreateLedger{"main", ledger_metadata}, 10);           // log 0
  model.require_ok(transfer({pay("world", "alice", 10)}, "r1"), 20);             // log 1
  model.require_ok(domain::SetAccountMetadata{"main", "alice", {{"x", true}}});  // log 2
  model.require_ok(domain::DeleteAccountMetadata{"main", "alice", "x"});         // log 3
  model.require_ok(domain::DeleteLedger{"main"}, 50);                            // log 4

  std::map<Bytes, Bytes> expected;
  expect_row(expected, keys::ledger_key("main"), domain::LedgerInfo{"main", 10, true, 50});
  expect_row(expected, keys::ledger_metadata_key("main"), ledger_metadata);
  expect_row(expected, keys::volume_key("main", "world", "USD"),
             domain::Volume{Amount(0), Amount(10)});
  expect_row(expected, keys::volume_key("main", "alice", "USD"),
             domain::Volume{Amount(10), Amount(0)});
  expect_row(expected, keys::transaction_key("main", 0),
             domain::TransactionState{0, {pay("world", "alice", 10)}, {}, 20, "r1", {}, {}});
  expect_row(expected, keys::reference_key("main", "r1"), domain::ReferenceTarget{0});
  for (std::uint64_t log_sequence = 0; log_sequence < 5; ++log_sequence) {
    expected.emplace(audit::ledger_log_key("main", log_sequence),
                     audit::encode_log_pointer({log_sequence + 1, 0}));
  }
  // No Boundary row (deleted ledger) and no AccountMetadata row (emptied).
  CHECK(model.ledger.expected_rows() == expected);
}

TEST_CASE("rows of a live ledger include its boundary", "[reference]") {
  Model model = funded();
  auto rows = model.ledger.expected_rows();
  auto boundary = rows.find(store::attribute_row_key(keys::boundary_key("main")));
  REQUIRE(boundary != rows.end());
  CHECK(boundary->second == codec::ValueCodec<domain::Boundary>::encode({1, 2}));
}

TEST_CASE("an idempotency record renders to its zone-0x04 row", "[reference]") {
  Model model;
  std::vector<Order> orders{domain::CreateLedger{"main", {}}};
  Outcome outcome = model.run(orders, "key-1");
  auto rows = model.ledger.expected_rows();
  Bytes row_key = store::attribute_row_key(keys::idempotency_key("key-1"));
  REQUIRE(row_key.at(0) == store::kZoneIdempotency);
  auto row = rows.find(row_key);
  REQUIRE(row != rows.end());
  CHECK(row->second == fsm::encode_idempotency_record(
                           fsm::IdempotencyRecord{fsm::intent_hash(orders), 1, outcome}));
}

}  // namespace
}  // namespace tally
