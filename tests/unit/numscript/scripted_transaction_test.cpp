// Scripted transactions through admission and the state machine: admission refuses a script
// that cannot compile before anything is proposed, declares the script's footprint, and apply
// runs the script against the gated cache alone; a footprint that moved between admission
// and apply makes the proposal stale, never a read past the declaration. The checker
// re-derives every scripted transaction from the audit chain.
#include <catch2/catch.hpp>

#include "core/check/checker.hpp"
#include "core/query/ledger_reads.hpp"
#include "tests/support/ledger_node.hpp"

namespace tally {
namespace {

using domain::Outcome;
using domain::ScriptRuntime;
using testing::LedgerNode;
using testing::TempDir;

domain::CreateTransaction scripted(std::string plain, std::map<std::string, std::string> vars = {},
                                   ScriptRuntime runtime = ScriptRuntime::kMachine) {
  domain::CreateTransaction order;
  order.ledger = "main";
  order.script = domain::Script{std::move(plain), std::move(vars), runtime};
  return order;
}

struct Ledger {
  TempDir dir;
  LedgerNode node{"memory", dir, testing::with_threshold(4)};
  Ledger() {
    REQUIRE(testing::applied_outcome(node.submit(domain::CreateLedger{"main", {}})).ok());
  }

  Outcome run(const domain::Order& order) {
    Outcome outcome = testing::applied_outcome(node.submit(order));
    node.require_parity();
    return outcome;
  }
  std::string balance(const std::string& account, const std::string& asset = "USD") {
    auto view = query::get_account(node.store(), "main", account);
    REQUIRE(view.ok());
    if (!view->has_value()) return "0";
    auto volume = (*view)->volumes.find(asset);
    return volume == (*view)->volumes.end() ? "0" : volume->second.balance().to_decimal();
  }
  domain::Metadata account_metadata(const std::string& account) {
    auto view = query::get_account(node.store(), "main", account);
    REQUIRE(view.ok());
    return view->has_value() ? (*view)->metadata : domain::Metadata{};
  }
  domain::TransactionState transaction(std::uint64_t id) {
    auto state = query::get_transaction(node.store(), "main", id);
    REQUIRE(state.ok());
    REQUIRE(state->has_value());
    return **state;
  }
  void require_checker_clean() {
    REQUIRE(node.fsm().commit_group().ok());
    auto report = check::run_check(
        {node.store(), &node.fsm().cache(), "tally", audit::public_demo_audit_key()});
    REQUIRE(report.ok());
    INFO(report->describe());
    CHECK(report->ok());
  }
};

TEST_CASE("a scripted transfer is stored like a transaction given as postings", "[numscript]") {
  Ledger l;
  Outcome outcome =
      l.run(scripted("vars { account $to } send [USD 250] (source = @world destination = $to)",
                     {{"to", "users:alice"}}));
  REQUIRE(outcome.ok());
  auto transaction = l.transaction(*outcome.results[0].transaction_id);
  REQUIRE(transaction.postings.size() == 1);
  CHECK(transaction.postings[0].destination == "users:alice");
  CHECK(l.balance("users:alice") == "250");
  CHECK(l.balance("world") == "-250");
  l.require_checker_clean();
}

TEST_CASE("admission refuses a script that does not parse, with the runtime's code",
          "[numscript]") {
  Ledger l;
  std::uint64_t before = l.node.applied();
  auto machine = l.node.admit(plan::Request{{scripted("send [USD 1 (")}, std::nullopt});
  REQUIRE_FALSE(machine.ok());
  CHECK(machine.error().code == Code::kCompilationFailed);
  auto interpreter = l.node.admit(plan::Request{
      {scripted("send [USD 1 (", {}, ScriptRuntime::kExperimentalInterpreter)}, std::nullopt});
  REQUIRE_FALSE(interpreter.ok());
  CHECK(interpreter.error().code == Code::kInterpreterParse);
  CHECK(l.node.applied() == before);
}

TEST_CASE("admission refuses type errors and missing variables before proposing", "[numscript]") {
  Ledger l;
  const char* typed_wrong = "send 10 (source = @world destination = @b)";
  const char* needs_var = "vars { account $a } send [USD 1] (source = @world destination = $a)";
  for (const char* script : {typed_wrong, needs_var}) {
    INFO(script);
    auto machine = l.node.admit(plan::Request{{scripted(script)}, std::nullopt});
    REQUIRE_FALSE(machine.ok());
    CHECK(machine.error().code == Code::kCompilationFailed);
    auto interpreter = l.node.admit(plan::Request{
        {scripted(script, {}, ScriptRuntime::kExperimentalInterpreter)}, std::nullopt});
    REQUIRE_FALSE(interpreter.ok());
    CHECK(interpreter.error().code == Code::kInterpreterRuntime);
  }
}

TEST_CASE("a script short of funds is an audited insufficient-funds failure", "[numscript]") {
  Ledger l;
  auto report = l.node.submit(scripted("send [USD 10] (source = @alice destination = @bob)"));
  const Outcome& outcome = testing::applied_outcome(report);
  REQUIRE_FALSE(outcome.ok());
  CHECK(outcome.code == Code::kInsufficientFunds);
  REQUIRE(report.audit.has_value());
  CHECK(report.audit->outcome.code == Code::kInsufficientFunds);
  CHECK(l.balance("bob") == "0");
  l.require_checker_clean();
}

TEST_CASE("a script that moves nothing is NO_POSTINGS", "[numscript]") {
  Ledger l;
  Outcome outcome = l.run(scripted("send [USD *] (source = @empty destination = @b)"));
  REQUIRE_FALSE(outcome.ok());
  CHECK(outcome.code == Code::kNoPostings);
  Outcome metadata_only = l.run(scripted("set_tx_meta(\"k\", 1)"));
  CHECK(metadata_only.code == Code::kNoPostings);
}

TEST_CASE("request metadata may not override what the script sets", "[numscript]") {
  Ledger l;
  auto order = scripted(
      "send [USD 1] (source = @world destination = @b)\n"
      "set_tx_meta(\"channel\", \"script\")");
  order.metadata = {{"channel", std::string("api")}};
  Outcome refused = l.run(order);
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.code == Code::kMetadataOverride);
  order.metadata = {{"batch", std::int64_t{7}}};
  Outcome merged = l.run(order);
  REQUIRE(merged.ok());
  auto metadata = l.transaction(*merged.results[0].transaction_id).metadata;
  CHECK(metadata.at("channel") == domain::MetadataValue(std::string("script")));
  CHECK(metadata.at("batch") == domain::MetadataValue(std::int64_t{7}));
}

TEST_CASE("set_account_meta merges into the account's metadata", "[numscript]") {
  Ledger l;
  REQUIRE(l.run(domain::SetAccountMetadata{"main", "shop", {{"kept", true}}}).ok());
  Outcome outcome = l.run(scripted(R"(send [USD 5] (source = @world destination = @shop)
      set_account_meta(@shop, "tier", "gold")
      set_account_meta(@shop, "credit", [USD 5]))"));
  REQUIRE(outcome.ok());
  auto metadata = l.account_metadata("shop");
  CHECK(metadata.at("kept") == domain::MetadataValue(true));
  CHECK(metadata.at("tier") == domain::MetadataValue(std::string("gold")));
  CHECK(metadata.at("credit") == domain::MetadataValue(std::string("USD 5")));
  l.require_checker_clean();
}

TEST_CASE("a scripted transaction's reference is unique like any other", "[numscript]") {
  Ledger l;
  auto order = scripted("send [USD 1] (source = @world destination = @b)");
  order.reference = "inv-1";
  REQUIRE(l.run(order).ok());
  // Refused at admission, and by apply for a proposal admitted before the first applied.
  auto refused = l.node.admit(plan::Request{{order}, std::nullopt});
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.error().code == Code::kConflict);
  Outcome again = testing::applied_outcome(l.node.submit_unrefused(order));
  REQUIRE_FALSE(again.ok());
  CHECK(again.code == Code::kConflict);
}

TEST_CASE("metadata-driven variables read the account metadata apply sees", "[numscript]") {
  Ledger l;
  REQUIRE(l.run(domain::SetAccountMetadata{"main", "sales:1", {{"seller", std::string("shops:2")}}})
              .ok());
  REQUIRE(l.run(domain::SetAccountMetadata{"main", "shops:2", {{"fee", std::string("20%")}}}).ok());
  REQUIRE(l.run(scripted("send [USD 100] (source = @world destination = @sales:1)")).ok());
  Outcome outcome = l.run(scripted(R"(vars {
        account $sale
        account $seller = meta($sale, "seller")
        portion $fee = meta($seller, "fee")
      }
      send [USD 100] (source = $sale destination = { $fee to @platform remaining to $seller }))",
                                   {{"sale", "sales:1"}}));
  REQUIRE(outcome.ok());
  CHECK(l.balance("platform") == "20");
  CHECK(l.balance("shops:2") == "80");
  l.require_checker_clean();
}

TEST_CASE("a footprint moved by an in-flight proposal makes the script stale, not a bypass",
          "[numscript]") {
  Ledger l;
  REQUIRE(l.run(domain::SetAccountMetadata{"main", "router", {{"next", std::string("a")}}}).ok());
  const auto script = scripted(R"(vars { account $to = meta(@router, "next") }
      send [USD 10] (source = @world destination = $to))");
  std::uint64_t next = l.node.applied() + 1;
  // In flight: the router is re-pointed at b; the script is admitted meanwhile and sees a.
  auto repoint = l.node.admit(
      plan::Request{{domain::SetAccountMetadata{"main", "router", {{"next", std::string("b")}}}},
                    std::nullopt},
      next);
  REQUIRE(repoint.ok());
  auto script_proposal = l.node.admit(plan::Request{{script}, std::string("pay-1")}, next + 1);
  REQUIRE(script_proposal.ok());
  REQUIRE(testing::applied_outcome(l.node.apply(*repoint)).ok());
  fsm::ApplyReport stale = l.node.apply(*script_proposal);
  CHECK(stale.status == fsm::ApplyReport::Status::kStale);
  REQUIRE(stale.rejection.has_value());
  CHECK(stale.rejection->code == Code::kStaleProposal);
  CHECK_FALSE(stale.audit.has_value());
  CHECK(l.balance("a") == "0");
  CHECK(l.balance("b") == "0");
  l.node.require_parity();
  // The client retries with the same key: admission now sees b, and nothing was remembered.
  Outcome retried =
      testing::applied_outcome(l.node.submit(plan::Request{{script}, std::string("pay-1")}));
  REQUIRE(retried.ok());
  CHECK_FALSE(retried.is_replay());
  CHECK(l.balance("b") == "10");
  CHECK(l.balance("a") == "0");
  l.require_checker_clean();
}

TEST_CASE("a metadata value that moves without moving the footprint is read as it is at apply",
          "[numscript]") {
  Ledger l;
  REQUIRE(
      l.run(domain::SetAccountMetadata{"main", "plan", {{"price", std::string("USD 5")}}}).ok());
  const auto script = scripted(R"(vars { monetary $price = meta(@plan, "price") }
      send $price (source = @world destination = @vendor))");
  std::uint64_t next = l.node.applied() + 1;
  auto reprice = l.node.admit(
      plan::Request{{domain::SetAccountMetadata{"main", "plan", {{"price", std::string("USD 7")}}}},
                    std::nullopt},
      next);
  auto pay = l.node.admit(plan::Request{{script}, std::nullopt}, next + 1);
  REQUIRE(reprice.ok());
  REQUIRE(pay.ok());
  REQUIRE(testing::applied_outcome(l.node.apply(*reprice)).ok());
  REQUIRE(testing::applied_outcome(l.node.apply(*pay)).ok());
  CHECK(l.balance("vendor") == "7");
}

TEST_CASE("a script reads the metadata an earlier order of its bulk sets", "[numscript]") {
  Ledger l;
  plan::Request bulk;
  bulk.orders.push_back(domain::SetAccountMetadata{"main", "router", {{"next", std::string("c")}}});
  bulk.orders.push_back(scripted(R"(vars { account $to = meta(@router, "next") }
      send [USD 3] (source = @world destination = $to)
      set_account_meta(@router, "last", $to))"));
  bulk.orders.push_back(scripted(R"(vars { account $to = meta(@router, "last") }
      send [USD 1] (source = @world destination = $to))"));
  auto report = l.node.submit(bulk);
  REQUIRE(testing::applied_outcome(report).ok());
  CHECK(l.balance("c") == "4");
  l.require_checker_clean();
}

TEST_CASE("an idempotent retry of a scripted transaction answers the first outcome",
          "[numscript]") {
  Ledger l;
  plan::Request request{{scripted("send [USD 2] (source = @world destination = @b)")},
                        std::string("k-1")};
  Outcome first = testing::applied_outcome(l.node.submit(request));
  Outcome second = testing::applied_outcome(l.node.submit(request));
  REQUIRE(first.ok());
  CHECK(second.is_replay());
  CHECK(second.results == first.results);
  CHECK(l.balance("b") == "2");
  plan::Request other{{scripted("send [USD 3] (source = @world destination = @b)")},
                      std::string("k-1")};
  auto refused = l.node.admit(other);
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.error().code == Code::kIdempotencyConflict);
  Outcome conflict = testing::applied_outcome(l.node.submit_unrefused(other));
  CHECK(conflict.code == Code::kIdempotencyConflict);
}

TEST_CASE("the checker re-derives a history mixing scripts and postings", "[numscript]") {
  Ledger l;
  REQUIRE(l.run(testing::transfer("main", {testing::posting("world", "alice", 100)})).ok());
  REQUIRE(l.run(scripted(R"(send [USD 60] (
      source = { @alice allowing overdraft up to [USD 10] @world }
      destination = { 1/3 to @x 1/3 to @y remaining kept }))"))
              .ok());
  REQUIRE_FALSE(l.run(scripted("send [USD 1000] (source = @alice destination = @x)")).ok());
  REQUIRE(l.run(domain::RevertTransaction{"main", 1, false, false}).ok());
  l.node.noop();
  REQUIRE(l.run(scripted("send [USD *] (source = @alice destination = @y)")).ok());
  l.require_checker_clean();
  l.node.restart();
  l.require_checker_clean();
}

}  // namespace
}  // namespace tally
