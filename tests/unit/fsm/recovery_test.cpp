// Recovery (inv#9): a crash may land between any two batches. For every prefix of a
// log, a node reopened on the store as it stood after that prefix (cache restored from the
// mirror) and fed the rest of the log ends byte-identical to a node that never stopped.
#include <catch2/catch.hpp>

#include "core/cache/parity.hpp"
#include "core/store/memory_store.hpp"
#include "tests/support/ledger_node.hpp"

namespace tally {
namespace {

using testing::posting;
using testing::transfer;

struct Entry {
  std::optional<plan::Proposal> proposal;  // none: a configuration entry
};

TEST_CASE("a node restarted after any batch catches up to the same bytes", "[fsm]") {
  fsm::FsmOptions options = testing::node_options();
  options.rotation_threshold = 3;
  store::MemoryStore leader_store;
  auto leader = fsm::StateMachine::open(leader_store, options).value();
  std::vector<Entry> log;
  std::vector<store::MemoryStore::Rows> after;  // the store after each batch
  after.push_back(leader_store.rows());
  std::uint64_t clock = 1'700'000'000'000'000;
  auto propose = [&](std::vector<domain::Order> orders, std::optional<std::string> key = {}) {
    std::uint64_t index = leader->applied_index() + 1;
    auto proposal =
        plan::admit({orders, key}, {leader->cache(), leader_store, index, clock += 1000});
    REQUIRE(proposal.ok());
    REQUIRE(leader->apply(index, *proposal).ok());
    log.push_back({*proposal});
    after.push_back(leader_store.rows());
  };
  auto configuration = [&] {
    REQUIRE(leader->apply_noop(leader->applied_index() + 1).ok());
    log.push_back({});
    after.push_back(leader_store.rows());
  };
  propose({domain::CreateLedger{"main", {}}});
  for (int round = 0; round < 6; ++round) {
    propose({transfer("main", {posting("world", "a", 10), posting("a", "b", 3)})});
    propose({domain::SetAccountMetadata{"main", "a", {{"k", std::int64_t(round)}}}});
    configuration();
    propose({domain::DeleteAccountMetadata{"main", "a", "k"}}, "key-" + std::to_string(round % 2));
    propose({domain::RevertTransaction{"main", static_cast<std::uint64_t>(round), false, false}});
    if (round == 3) propose({domain::SetRotationThreshold{4}});
  }

  for (std::size_t crash_after = 0; crash_after < log.size(); ++crash_after) {
    INFO("crash after batch " << crash_after);
    store::MemoryStore store;
    store.set_rows(after[crash_after]);
    auto node = fsm::StateMachine::open(store, options);
    REQUIRE(node.ok());
    REQUIRE((*node)->applied_index() == crash_after);
    for (std::size_t i = crash_after; i < log.size(); ++i) {
      if (log[i].proposal) {
        REQUIRE((*node)->apply(i + 1, *log[i].proposal).ok());
      } else {
        REQUIRE((*node)->apply_noop(i + 1).ok());
      }
      auto parity = cache::check_parity((*node)->cache(), store);
      REQUIRE(parity.ok());
      REQUIRE(parity->ok);
    }
    REQUIRE(store.rows() == leader_store.rows());
  }
}

}  // namespace
}  // namespace tally
