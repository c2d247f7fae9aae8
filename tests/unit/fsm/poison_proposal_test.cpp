// Poison log entries: every field of a proposal that did not pass through this node's
// admission is untrusted. A proposal that breaks a rule or a limit, or whose plan contradicts
// the state it is applied to, is rejected unaudited on every replica, the index advances, and
// the replicas' stores stay identical; one exactly at a limit is applied. Nothing aborts.
#include <catch2/catch.hpp>
#include <functional>

#include "core/codec/value_codec.hpp"
#include "core/limits.hpp"
#include "tests/support/ledger_node.hpp"

namespace tally {
namespace {

using testing::LedgerNode;
using testing::posting;
using testing::TempDir;
using testing::transfer;

// Three replicas of one log: two in memory, one on SQLite. Replica 0 admits.
struct Replicas {
  TempDir dir;
  std::vector<std::unique_ptr<LedgerNode>> nodes;

  Replicas() {
    nodes.push_back(std::make_unique<LedgerNode>("memory", dir, testing::with_threshold(4), "0"));
    nodes.push_back(std::make_unique<LedgerNode>("memory", dir, testing::with_threshold(4), "1"));
    nodes.push_back(
        std::make_unique<LedgerNode>("sqlite", dir, testing::with_threshold(4), "2.db"));
    submit(plan::Request{{domain::CreateLedger{"main", {}}}, std::nullopt});
    submit(plan::Request{{transfer("main", {posting("world", "a", 100)})}, std::nullopt});
  }
  LedgerNode& leader() { return *nodes[0]; }

  plan::Proposal admit(const plan::Request& request) {
    auto proposal = leader().admit(request);
    INFO((proposal.ok() ? std::string() : proposal.error().message));
    REQUIRE(proposal.ok());
    return std::move(proposal).value();
  }
  // Applies on every replica at the next index; all must answer alike.
  fsm::ApplyReport apply(const plan::Proposal& proposal) {
    std::vector<fsm::ApplyReport> reports;
    for (auto& node : nodes) {
      auto report = node->fsm().apply(node->applied() + 1, proposal);
      INFO((report.ok() ? std::string() : report.error().message));
      REQUIRE(report.ok());  // a hard error would stop the replica: never for a bad entry
      reports.push_back(std::move(report).value());
    }
    for (const auto& report : reports)
      CHECK(report.status == reports[0].status);
    return reports[0];
  }
  fsm::ApplyReport submit(const plan::Request& request) { return apply(admit(request)); }
  void require_identical() {
    auto rows = testing::all_rows(nodes[0]->store());
    for (auto& node : nodes) {
      node->require_parity();
      CHECK(testing::all_rows(node->store()) == rows);
    }
  }
};

using Mutation = std::function<void(plan::Proposal&)>;

struct Poison {
  std::string name;
  Mutation mutate;
  Code expected = Code::kMalformedProposal;
  // The request admitted before the mutation; a one-posting transfer on "main" if none.
  std::optional<plan::Request> request = std::nullopt;
};

// The first plan entry of kind (and of source, when given).
plan::PlanEntry& entry_of_kind(plan::Proposal& p, keys::AttributeKind kind,
                               std::optional<plan::EntrySource> source = std::nullopt) {
  for (auto& entry : p.plan.entries) {
    if (entry.kind == keys::kind_byte(kind) && (!source || entry.source == *source)) return entry;
  }
  FAIL("no plan entry of kind " << keys::kind_name(kind));
  return p.plan.entries.front();
}

std::string repeat(std::size_t n, char c = 'a') {
  return std::string(n, c);
}

domain::CreateTransaction& first_transfer(plan::Proposal& p) {
  return std::get<domain::CreateTransaction>(p.orders[0].order);
}

// Turns entry into a seed of value under a tag that is not its key's.
void seed_under_another_tag(plan::PlanEntry& entry, Bytes value) {
  entry.source = plan::EntrySource::kStoreSeed;
  entry.seed = std::move(value);
  entry.tag ^= 1;
}

std::vector<Poison> poisons() {
  using namespace limits;
  std::vector<Poison> list = {
      {"an idempotency key with a NUL",
       [](plan::Proposal& p) { p.idempotency_key = std::string("key\0x", 5); }},
      {"an idempotency key of 257 bytes",
       [](plan::Proposal& p) { p.idempotency_key = repeat(kIdempotencyKeyBytesMax + 1); }},
      {"a ledger name of 64 bytes",
       [](plan::Proposal& p) { first_transfer(p).ledger = repeat(kLedgerNameBytesMax + 1); }},
      {"a ledger name with a NUL",
       [](plan::Proposal& p) { first_transfer(p).ledger = std::string("ma\0in", 5); }},
      {"an account of 257 bytes",
       [](plan::Proposal& p) {
         first_transfer(p).postings[0].destination = repeat(kAccountBytesMax + 1);
       }},
      {"an account with a NUL",
       [](plan::Proposal& p) {
         first_transfer(p).postings[0].destination = std::string("a\0b", 3);
       }},
      {"an asset of 22 bytes",
       [](plan::Proposal& p) {
         first_transfer(p).postings[0].asset = "A" + repeat(17, 'B') + "/12";
       }},
      {"a reference of 257 bytes",
       [](plan::Proposal& p) { first_transfer(p).reference = repeat(kReferenceBytesMax + 1); }},
      {"a metadata key of 257 bytes",
       [](plan::Proposal& p) {
         first_transfer(p).metadata = {{repeat(kMetadataKeyBytesMax + 1), true}};
       }},
      {"a metadata value of 4097 bytes",
       [](plan::Proposal& p) {
         first_transfer(p).metadata = {{"k", repeat(kMetadataValueBytesMax + 1)}};
       }},
      {"257 metadata entries",
       [](plan::Proposal& p) {
         for (std::size_t i = 0; i <= kMetadataEntriesMax; ++i)
           first_transfer(p).metadata["k" + std::to_string(i)] = true;
       }},
      {"257 postings",
       [](plan::Proposal& p) {
         auto& postings = first_transfer(p).postings;
         while (postings.size() <= kPostingsPerTransactionMax)
           postings.push_back(postings[0]);
       }},
      {"no posting", [](plan::Proposal& p) { first_transfer(p).postings.clear(); }},
      {"257 orders",
       [](plan::Proposal& p) {
         while (p.orders.size() <= kOrdersPerProposalMax)
           p.orders.push_back(p.orders[0]);
       }},
      {"no order", [](plan::Proposal& p) { p.orders.clear(); }},
      {"a threshold of 0",
       [](plan::Proposal& p) {
         p.orders = {{domain::SetRotationThreshold{0}, {}}};
       }},
      {"a threshold of 2^30 + 1",
       [](plan::Proposal& p) {
         p.orders = {{domain::SetRotationThreshold{kRotationThresholdMax + 1}, {}}};
       }},
      {"a configuration order beside another",
       [](plan::Proposal& p) {
         p.orders.push_back({domain::SetRotationThreshold{5}, {}});
       }},
      {"an unknown attribute kind", [](plan::Proposal& p) { p.plan.entries[0].kind = 9; }},
      {"attribute kind 0", [](plan::Proposal& p) { p.plan.entries[0].kind = 0; }},
      {"an id of 15 bytes", [](plan::Proposal& p) { p.plan.entries[0].id.pop_back(); }},
      {"an id of 17 bytes", [](plan::Proposal& p) { p.plan.entries[0].id.push_back(0); }},
      {"entries out of order",
       [](plan::Proposal& p) { std::swap(p.plan.entries[0], p.plan.entries[1]); }},
      {"a seed without its source", [](plan::Proposal& p) { p.plan.entries[0].seed = Bytes{}; }},
      {"a seed that does not decode",
       [](plan::Proposal& p) {
         p.plan.entries[0].source = plan::EntrySource::kStoreSeed;
         p.plan.entries[0].seed = Bytes{1, 2, 3};
       }},
      {"a coverage bit past the plan",
       [](plan::Proposal& p) {
         plan::set_coverage_bit(p.orders[0].coverage_bits, p.plan.entries.size());
       }},
      {"coverage bits a byte longer than the plan",
       [](plan::Proposal& p) {
         p.orders[0].coverage_bits.resize((p.plan.entries.size() + 7) / 8 + 1, 0);
       }},
      {"2^18 + 1 plan entries",
       [](plan::Proposal& p) {
         p.plan.entries.clear();
         for (std::size_t i = 0; i <= kPlanEntriesMax; ++i) {
           Bytes id(16, 0);
           for (int b = 0; b < 8; ++b)
             id[15 - b] = static_cast<std::uint8_t>(i >> (8 * b));
           p.plan.entries.push_back({1, id, 0, plan::EntrySource::kCacheHit, std::nullopt});
         }
       }},
      {"an unknown entry source",
       [](plan::Proposal& p) { p.plan.entries[0].source = static_cast<plan::EntrySource>(3); }},
      // The base index must name gen0 or gen1 at apply: multiples of K = 4 here, and at most
      // one rotation away from the admission's (its gen0 base may have become gen1's).
      {"a base index one past gen0's", [](plan::Proposal& p) { p.plan.base_index += 1; }},
      {"a base index two generations ahead", [](plan::Proposal& p) { p.plan.base_index += 8; }},
      {"a base index two generations back",
       [](plan::Proposal& p) {
         p.plan.base_index = p.plan.base_index >= 8 ? p.plan.base_index - 8 : 12 + 8;
       }},
      {"a base index of 2^64 - 1",
       [](plan::Proposal& p) { p.plan.base_index = ~std::uint64_t{0}; }},
      {"a base index inside a generation", [](plan::Proposal& p) { p.plan.base_index = 1; }},
      // What only the state tells: caught while the orders run, rejected all the same.
      {"a seed under another tag than the cache holds",
       [](plan::Proposal& p) {
         // The boundary the good entry before wrote: cached, under its own tag.
         seed_under_another_tag(
             entry_of_kind(p, keys::AttributeKind::kBoundary, plan::EntrySource::kCacheHit),
             codec::ValueCodec<domain::Boundary>::encode({}));
       },
       Code::kCollisionDetected},
      {"a revert declaring as a cache hit a transaction the cache lacks",
       [](plan::Proposal& p) {
         entry_of_kind(p, keys::AttributeKind::kTransaction).source = plan::EntrySource::kCacheHit;
       },
       Code::kMalformedProposal,
       plan::Request{{domain::RevertTransaction{"main", 999, false, false}}, std::nullopt}},
      {"a key of the orders sharing its id with a seed of another tag",
       [](plan::Proposal& p) {
         // The seed enters the cache under its tag; the order's own key then clashes.
         seed_under_another_tag(
             entry_of_kind(p, keys::AttributeKind::kVolume, plan::EntrySource::kStoreAbsent),
             codec::ValueCodec<domain::Volume>::encode({}));
       },
       Code::kCollisionDetected,
       plan::Request{{transfer("main", {posting("world", "fresh", 1)})}, std::nullopt}},
  };
  return list;
}

TEST_CASE("a poison proposal is rejected unaudited on every replica, which stay identical",
          "[fsm][native]") {
  Replicas replicas;
  for (const Poison& poison : poisons()) {
    INFO(poison.name);
    // A good entry first: the replicas go on applying between poisons, and the ledger, its
    // boundary and the accounts are cached when the poison arrives.
    fsm::ApplyReport good = replicas.submit(
        plan::Request{{transfer("main", {posting("world", "b", 1)})}, std::nullopt});
    REQUIRE(good.status == fsm::ApplyReport::Status::kApplied);
    REQUIRE(good.outcome.ok());
    plan::Proposal proposal = replicas.admit(poison.request.value_or(
        plan::Request{{transfer("main", {posting("world", "b", 1)})}, std::nullopt}));
    poison.mutate(proposal);
    std::uint64_t next_sequence = replicas.leader().fsm().state().next_audit_sequence;
    std::uint64_t index = replicas.leader().applied();

    fsm::ApplyReport report = replicas.apply(proposal);

    REQUIRE(report.status == fsm::ApplyReport::Status::kRejectedPlan);
    INFO(report.rejection->message);
    CHECK(code_name(report.rejection->code) == code_name(poison.expected));
    CHECK_FALSE(report.audit.has_value());
    CHECK(replicas.leader().fsm().state().next_audit_sequence == next_sequence);
    CHECK(replicas.leader().applied() == index + 1);  // the index still advanced
    for (auto& node : replicas.nodes)
      CHECK_FALSE(node->fsm().stopped());
  }
  replicas.require_identical();
}

TEST_CASE("a proposal exactly at every limit is applied on every replica", "[fsm][native]") {
  using namespace limits;
  Replicas replicas;
  std::string ledger = repeat(kLedgerNameBytesMax, 'L');
  replicas.submit(plan::Request{{domain::CreateLedger{ledger, {}}}, std::nullopt});
  domain::CreateTransaction at_limits = transfer(ledger, {});
  for (std::size_t i = 0; i < kPostingsPerTransactionMax; ++i) {
    at_limits.postings.push_back(
        posting("world", repeat(kAccountBytesMax - 5, 'x') + ":" + std::to_string(1000 + i % 10), 1,
                "A" + repeat(16, 'B') + "/123"));
  }
  at_limits.reference = repeat(kReferenceBytesMax, 'r');
  for (std::size_t i = 0; i + 1 < kMetadataEntriesMax; ++i)
    at_limits.metadata["k" + std::to_string(i)] = std::int64_t(i);
  at_limits.metadata[repeat(kMetadataKeyBytesMax, 'K')] = repeat(kMetadataValueBytesMax, 'v');
  Status valid = domain::validate_order(at_limits);
  INFO((valid.ok() ? std::string() : valid.error().message));
  REQUIRE(valid.ok());

  plan::Request request{{at_limits}, repeat(kIdempotencyKeyBytesMax, 'i')};
  while (request.orders.size() < kOrdersPerProposalMax) {
    request.orders.push_back(transfer("main", {posting("world", "c", 1)}));
  }
  fsm::ApplyReport report = replicas.submit(request);
  REQUIRE(report.status == fsm::ApplyReport::Status::kApplied);
  INFO(report.outcome.message);
  CHECK(report.outcome.ok());

  for (std::uint64_t threshold : {kRotationThresholdMin, kRotationThresholdMax}) {
    fsm::ApplyReport changed =
        replicas.submit(plan::Request{{domain::SetRotationThreshold{threshold}}, std::nullopt});
    REQUIRE(changed.status == fsm::ApplyReport::Status::kApplied);
    CHECK(changed.outcome.ok());
  }
  replicas.require_identical();
}

}  // namespace
}  // namespace tally
