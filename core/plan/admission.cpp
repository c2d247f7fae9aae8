#include "core/plan/admission.hpp"

#include <map>

#include "core/codec/value_codec.hpp"
#include "core/domain/validation.hpp"
#include "core/plan/order_footprint.hpp"
#include "core/store/layout.hpp"

namespace tally::plan {

namespace {

using Slot = std::pair<std::uint8_t, keys::Id128>;

struct Declared {
  keys::AttributeKey key;
  keys::Tag tag;
  std::vector<std::size_t> orders;  // which orders declared it
};

// A transaction as the leader knows it now: its cache first (fresher), else its store.
Result<std::optional<domain::TransactionState>> lookup_transaction(const AdmissionInput& input,
                                                                   const std::string& ledger,
                                                                   std::uint64_t id) {
  using Found = std::optional<domain::TransactionState>;
  auto key = keys::transaction_key(ledger, id);
  const cache::CacheEntry* cached = input.cache.get(key.kind, keys::attribute_id(key.canonical));
  std::optional<Bytes> raw;
  if (cached != nullptr) {
    if (cached->tag != keys::attribute_tag(key.canonical)) {
      return make_error(Code::kCollisionDetected, "transaction id collides in the cache");
    }
    if (!cached->deleted) raw = cached->value.to_bytes();
  } else {
    auto stored = input.store.get(store::attribute_row_key(key));
    if (!stored.ok()) return std::move(stored).error();
    raw = std::move(stored).value();
  }
  if (!raw) return Found();
  auto state = codec::ValueCodec<domain::TransactionState>::decode(*raw);
  if (!state.ok()) return std::move(state).error();
  return Found(std::move(state).value());
}

Error horizon_exceeded(const AdmissionInput& input) {
  return make_error(Code::kCacheHorizonExceeded,
                    "index " + std::to_string(input.predicted_index) +
                        " is two or more cache generations ahead; retry");
}

// The plan's base index must name gen0 or gen1 at apply, whatever the orders read: a request
// with no attribute at all (a threshold change) is bounded like any other.
bool beyond_horizon(const AdmissionInput& input) {
  std::uint64_t target = cache::generation_of(input.predicted_index, input.cache.threshold());
  return target >= input.cache.generation() + 2;
}

Result<PlanEntry> classify(const Declared& declared, const AdmissionInput& input) {
  keys::Id128 id = keys::attribute_id(declared.key.canonical);
  auto id_bytes = id.to_bytes();
  PlanEntry entry{keys::kind_byte(declared.key.kind), Bytes(id_bytes.begin(), id_bytes.end()),
                  declared.tag, EntrySource::kCacheHit, std::nullopt};
  switch (input.cache.check(input.predicted_index, declared.key.kind, id)) {
    case cache::CacheVerdict::kHit: return entry;
    case cache::CacheVerdict::kUnreachable: return horizon_exceeded(input);
    case cache::CacheVerdict::kMiss: break;
  }
  auto stored = input.store.get(store::attribute_row_key(declared.key));
  if (!stored.ok()) return std::move(stored).error();
  if (stored->has_value()) {
    entry.source = EntrySource::kStoreSeed;
    entry.seed = std::move(**stored);
  } else {
    entry.source = EntrySource::kStoreAbsent;
  }
  return entry;
}

}  // namespace

Result<Proposal> admit(const Request& request, const AdmissionInput& input) {
  TALLY_TRY(domain::validate_orders(request.orders));
  if (beyond_horizon(input)) return horizon_exceeded(input);
  if (request.idempotency_key)
    TALLY_TRY(domain::validate_idempotency_key(*request.idempotency_key));

  std::map<Slot, Declared> declared;  // sorted by (kind, id): the plan's entry order
  // The entry of key, declared once; false when another canonical key holds its id.
  auto declare = [&](const keys::AttributeKey& key) -> Declared* {
    Slot slot{keys::kind_byte(key.kind), keys::attribute_id(key.canonical)};
    auto [it, inserted] =
        declared.try_emplace(slot, Declared{key, keys::attribute_tag(key.canonical), {}});
    if (!inserted && it->second.key.canonical != key.canonical) return nullptr;
    return &it->second;
  };
  TransactionLookup lookup = [&](const std::string& ledger, std::uint64_t id) {
    return lookup_transaction(input, ledger, id);
  };
  // Each order's own footprint; the volumes the bulk's transactions may move, per ledger.
  std::map<std::string, std::vector<keys::AttributeKey>> bulk_volumes;
  std::vector<std::size_t> unseen_reverts;
  for (std::size_t i = 0; i < request.orders.size(); ++i) {
    auto footprint = order_footprint(request.orders[i], lookup);
    if (!footprint.ok()) return std::move(footprint).error();
    for (const keys::AttributeKey& key : footprint->keys) {
      Declared* entry = declare(key);
      if (entry == nullptr) return make_error(Code::kCollisionDetected, "attribute ids collide");
      entry->orders.push_back(i);
    }
    if (const std::string* ledger = domain::order_ledger(request.orders[i])) {
      add_bulk_volumes(request.orders[i], *footprint, bulk_volumes[*ledger]);
    }
    if (footprint->needs_bulk_volumes) unseen_reverts.push_back(i);
  }
  // Declared once per ledger, covered for every revert that needs them: linear in the bulk.
  std::map<std::string, std::vector<Declared*>> shared;
  for (std::size_t i : unseen_reverts) {
    const std::string& ledger = *domain::order_ledger(request.orders[i]);
    auto [it, first] = shared.try_emplace(ledger);
    if (first) {
      for (const keys::AttributeKey& key : bulk_volumes[ledger]) {
        Declared* entry = declare(key);
        if (entry == nullptr) return make_error(Code::kCollisionDetected, "attribute ids collide");
        it->second.push_back(entry);
      }
    }
    for (Declared* entry : it->second) {
      if (entry->orders.empty() || entry->orders.back() != i) entry->orders.push_back(i);
    }
  }
  if (request.idempotency_key &&
      declare(keys::idempotency_key(*request.idempotency_key)) == nullptr) {
    return make_error(Code::kCollisionDetected, "attribute ids collide");
  }

  Proposal proposal;
  proposal.idempotency_key = request.idempotency_key;
  proposal.timestamp_us = input.timestamp_us;
  proposal.plan.base_index = input.cache.gen0_base_index();
  proposal.plan.epoch = input.cache.epoch();
  proposal.plan.predicted_index = input.predicted_index;
  for (const domain::Order& order : request.orders)
    proposal.orders.push_back({order, {}});
  for (const auto& [slot, entry] : declared) {
    auto classified = classify(entry, input);
    if (!classified.ok()) return std::move(classified).error();
    std::size_t position = proposal.plan.entries.size();
    proposal.plan.entries.push_back(std::move(classified).value());
    for (std::size_t order : entry.orders) {
      set_coverage_bit(proposal.orders[order].coverage_bits, position);
    }
  }
  return proposal;
}

}  // namespace tally::plan
