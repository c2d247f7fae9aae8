// [raft][security] A poison entry in the replicated log: appended by the leader's libraft, as
// a peer speaking the protocol could append it, it reaches every replica's state machine
// through libraft's own apply path. Each rejects it unaudited, none stops, and the cluster
// goes on applying with identical stores (inv#1).
#include <catch2/catch.hpp>

#include <cstring>
#include <functional>
#include <optional>
#include <set>

#include "core/plan/admission.hpp"
#include "core/query/ledger_reads.hpp"
#include "native/codec/entry_codec.hpp"
#include "tests/cluster/fixture_cluster.hpp"

namespace tally::testing {
namespace {

// Submits through the leader and steps until the reply comes.
replica::Reply submit(FixtureCluster& cluster, const plan::Request& request) {
  unsigned leader = cluster.leader();
  REQUIRE(leader < cluster.size());
  std::optional<replica::Reply> reply;
  cluster.node(leader).submit(request, [&](replica::Reply r) { reply = std::move(r); });
  for (int i = 0; i < 10000 && !reply; ++i)
    cluster.step();
  REQUIRE(reply.has_value());
  return std::move(*reply);
}

// Admits request on the leader, lets poison change it, and appends it raw: no admission of
// any node wrote these bytes. Returns the entry's index.
std::uint64_t append_poisoned(FixtureCluster& cluster, const plan::Request& request,
                              const std::function<void(plan::Proposal&)>& poison) {
  unsigned leader = cluster.leader();
  REQUIRE(leader < cluster.size());
  struct raft* raft = raft_fixture_get(&cluster.fixture(), leader);
  const fsm::StateMachine& machine = cluster.node(leader).state_machine();
  const std::uint64_t index = raft_last_index(raft) + 1;
  auto proposal = plan::admit(request, {machine.cache(), machine.read_view(), index, 1});
  REQUIRE(proposal.ok());
  poison(*proposal);
  Bytes payload = wire::encode_entry({*proposal, 0});
  struct raft_buffer buffer;
  buffer.len = payload.size();
  buffer.base = raft_malloc(buffer.len);
  std::memcpy(buffer.base, payload.data(), payload.size());
  static struct raft_apply request_handle;
  request_handle.data = nullptr;
  REQUIRE(raft_apply(raft, &request_handle, &buffer, 1, nullptr) == 0);
  return index;
}

TEST_CASE("a poison entry in the Raft log is rejected on every replica and the cluster goes on",
          "[raft][security]") {
  FixtureOptions options;
  options.rotation_threshold = 4;
  FixtureCluster cluster(options);
  REQUIRE(raft_fixture_step_until_has_leader(&cluster.fixture(), 10000));
  std::set<std::uint64_t> acknowledged;
  auto transfer = [](const std::string& to) {
    domain::CreateTransaction tx;
    tx.ledger = "main";
    tx.postings.push_back({"world", to, domain::Amount(10), "USD"});
    return plan::Request{{tx}, std::nullopt};
  };
  replica::Reply created = submit(cluster, {{domain::CreateLedger{"main", {}}}, std::nullopt});
  REQUIRE(created.status == replica::Reply::Status::kApplied);
  acknowledged.insert(created.index);

  std::vector<std::pair<const char*, std::function<void(plan::Proposal&)>>> poisons = {
      {"base index past gen0", [](plan::Proposal& p) { p.plan.base_index += 1; }},
      {"base index of 2^64 - 1", [](plan::Proposal& p) { p.plan.base_index = ~std::uint64_t{0}; }},
      {"an id of 15 bytes", [](plan::Proposal& p) { p.plan.entries[0].id.pop_back(); }},
      {"a coverage bit past the plan",
       [](plan::Proposal& p) { plan::set_coverage_bit(p.orders[0].coverage_bits, 64); }},
  };
  for (const auto& [name, poison] : poisons) {
    INFO(name);
    const std::uint64_t index = append_poisoned(cluster, transfer("poisoned"), poison);
    cluster.converge();
    for (unsigned i = 0; i < cluster.size(); ++i) {
      CHECK_FALSE(cluster.node(i).failed());
      CHECK(cluster.node(i).applied_index() >= index);
    }
    replica::Reply after = submit(cluster, transfer("alice"));  // the cluster goes on
    REQUIRE(after.status == replica::Reply::Status::kApplied);
    CHECK(after.report->outcome.ok());
    acknowledged.insert(after.index);
  }
  cluster.converge();
  cluster.require_agreement(acknowledged);  // digests, parity, checker: nothing of "poisoned"
  for (unsigned i = 0; i < cluster.size(); ++i) {
    auto account =
        query::get_account(cluster.node(i).state_machine().read_view(), "main", "poisoned");
    REQUIRE(account.ok());
    CHECK_FALSE(account->has_value());
  }
}

}  // namespace
}  // namespace tally::testing
