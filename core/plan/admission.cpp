#include "core/plan/admission.hpp"

#include <map>

#include "core/domain/validation.hpp"
#include "core/numscript/script_request.hpp"
#include "core/plan/admission_rules.hpp"
#include "core/plan/order_footprint.hpp"
#include "core/plan/script_state.hpp"
#include "core/plan/state_lookup.hpp"
#include "core/store/layout.hpp"

namespace tally::plan {

namespace {

using Slot = std::pair<std::uint8_t, keys::Id128>;

struct Declared {
  keys::AttributeKey key;
  keys::Tag tag;
  std::vector<std::size_t> orders;  // which orders declared it
};

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

// The declarations of a plan, sorted by (kind, id): the plan's entry order.
class Declarations {
 public:
  // The entry of key, declared once and covered for order; false when another canonical key
  // holds its id (kCollisionDetected for the caller).
  bool declare(const keys::AttributeKey& key, std::optional<std::size_t> order) {
    Declared* entry = find_or_add(key);
    if (entry == nullptr) return false;
    if (order && (entry->orders.empty() || entry->orders.back() != *order))
      entry->orders.push_back(*order);
    return true;
  }
  Declared* find_or_add(const keys::AttributeKey& key) {
    Slot slot{keys::kind_byte(key.kind), keys::attribute_id(key.canonical)};
    auto [it, inserted] =
        declared_.try_emplace(slot, Declared{key, keys::attribute_tag(key.canonical), {}});
    if (!inserted && it->second.key.canonical != key.canonical) return nullptr;
    return &it->second;
  }
  const std::map<Slot, Declared>& all() const { return declared_; }

 private:
  std::map<Slot, Declared> declared_;
};

Error collision() {
  return make_error(Code::kCollisionDetected, "attribute ids collide");
}

// Declares what each order reads or deletes, and each key.
Status declare_orders(const Proposal& proposal, const StateLookup& state, Declarations& plan) {
  TransactionLookup lookup = [&](const std::string& ledger, std::uint64_t id) {
    return state.get<domain::TransactionState>(keys::transaction_key(ledger, id));
  };
  // Scripts read the ledger through the account metadata the request's earlier orders write.
  MetadataOverlay overlay;
  std::map<std::string, AdmissionScriptState> script_states;
  ScriptStateLookup script_state = [&](const std::string& ledger) -> numscript::StateView& {
    return script_states.try_emplace(ledger, state, overlay, ledger).first->second;
  };
  // Each order's own footprint; the volumes the bulk's transactions may move, per ledger.
  std::map<std::string, std::vector<keys::AttributeKey>> bulk_volumes;
  std::vector<std::size_t> unseen_reverts;
  for (std::size_t i = 0; i < proposal.orders.size(); ++i) {
    const domain::Order& order = proposal.orders[i].order;
    auto footprint = order_footprint(order, lookup, script_state);
    if (!footprint.ok()) return std::move(footprint).error();
    overlay.apply(order);
    if (const std::string* ledger = domain::order_ledger(order)) {
      overlay.apply_script(*ledger, footprint->script_metadata_writes);
    }
    for (const keys::AttributeKey& key : footprint->keys) {
      if (!plan.declare(key, i)) return collision();
    }
    if (const std::string* ledger = domain::order_ledger(order)) {
      add_bulk_volumes(order, *footprint, bulk_volumes[*ledger]);
    }
    if (footprint->needs_bulk_volumes) unseen_reverts.push_back(i);
    if (const auto& key = proposal.orders[i].idempotency_key) {
      if (!plan.declare(keys::idempotency_key(*key), i)) return collision();
    }
  }
  // Declared once per ledger, covered for every revert that needs them: linear in the bulk.
  std::map<std::string, std::vector<Declared*>> shared;
  for (std::size_t i : unseen_reverts) {
    const std::string& ledger = *domain::order_ledger(proposal.orders[i].order);
    auto [it, first] = shared.try_emplace(ledger);
    if (first) {
      for (const keys::AttributeKey& key : bulk_volumes[ledger]) {
        Declared* entry = plan.find_or_add(key);
        if (entry == nullptr) return collision();
        it->second.push_back(entry);
      }
    }
    for (Declared* entry : it->second) {
      if (entry->orders.empty() || entry->orders.back() != i) entry->orders.push_back(i);
    }
  }
  if (proposal.idempotency_key &&
      !plan.declare(keys::idempotency_key(*proposal.idempotency_key), std::nullopt)) {
    return collision();
  }
  return ok_status();
}

// The rules for order i: its own validity (orders that apply on their own are validated one
// by one), then its key, then the state rules (none for a retry the state machine replays).
Status judge(const Request& request, std::size_t i, bool request_replays, const StateLookup& state,
             RequestSoFar& so_far, bool rules) {
  const domain::Order& order = request.orders[i];
  if (request.mode != domain::BulkMode::kAtomic) {
    TALLY_TRY(domain::validate_order(order));
    // A script that cannot compile refuses its order alone (an atomic request is refused
    // whole when its footprint is declared).
    const auto* create = std::get_if<domain::CreateTransaction>(&order);
    if (create != nullptr && create->script) TALLY_TRY(numscript::check_script(*create->script));
  }
  if (!rules) return ok_status();
  if (i < request.order_keys.size() && request.order_keys[i]) {
    auto replays = replays_key(*request.order_keys[i], {order}, state);
    if (!replays.ok()) return std::move(replays).error();
    if (*replays) return ok_status();
  }
  if (request_replays) return ok_status();
  return check_order_rules(order, state, so_far);
}

Error at_order(Error error, std::size_t index, std::size_t count) {
  if (count > 1) error.message = "order " + std::to_string(index) + ": " + error.message;
  return error;
}

// Judges every order: an atomic request is refused whole, the others order by order.
Result<Verdicts> judge_all(const Request& request, const StateLookup& state, bool rules) {
  bool request_replays = false;
  if (request.idempotency_key && rules) {
    auto replays = replays_key(*request.idempotency_key, request.orders, state);
    if (!replays.ok()) return std::move(replays).error();
    request_replays = *replays;
  }
  const std::size_t count = request.orders.size();
  Verdicts verdicts(count);
  RequestSoFar so_far;
  bool stopped = false;
  for (std::size_t i = 0; i < count; ++i) {
    if (stopped) {
      verdicts[i].kind = OrderVerdict::Kind::kNotRun;
      continue;
    }
    Status verdict = judge(request, i, request_replays, state, so_far, rules);
    if (verdict.ok()) continue;
    Error error = std::move(verdict).error();
    if (!is_business(error.code) || request.mode == domain::BulkMode::kAtomic) {
      return at_order(std::move(error), i, count);
    }
    verdicts[i] = {OrderVerdict::Kind::kRefused, std::move(error)};
    stopped = request.mode == domain::BulkMode::kStopOnFailure;
  }
  return verdicts;
}

}  // namespace

Result<Proposal> admit(const Request& request, const AdmissionInput& input, Verdicts* verdicts) {
  TALLY_TRY(domain::validate_bulk_shape(request.mode, request.idempotency_key, request.order_keys,
                                        request.orders));
  if (request.mode == domain::BulkMode::kAtomic) TALLY_TRY(domain::validate_orders(request.orders));
  if (request.idempotency_key)
    TALLY_TRY(domain::validate_idempotency_key(*request.idempotency_key));
  if (beyond_horizon(input)) return horizon_exceeded(input);

  StateLookup state(input.cache, input.store);
  auto judged = judge_all(request, state, input.refusal_rules);
  if (!judged.ok()) return std::move(judged).error();
  Proposal proposal;
  proposal.idempotency_key = request.idempotency_key;
  proposal.timestamp_us = input.timestamp_us;
  proposal.mode = request.mode;
  proposal.plan.base_index = input.cache.gen0_base_index();
  proposal.plan.epoch = input.cache.epoch();
  proposal.plan.predicted_index = input.predicted_index;
  for (std::size_t i = 0; i < request.orders.size(); ++i) {
    if (judged->at(i).kind != OrderVerdict::Kind::kProposed) {
      // Without a place for verdicts, a refusal can only refuse the whole request.
      if (verdicts == nullptr && judged->at(i).refusal) return *judged->at(i).refusal;
      continue;
    }
    std::optional<std::string> key;
    if (i < request.order_keys.size()) key = request.order_keys[i];
    proposal.orders.push_back({request.orders[i], {}, std::move(key)});
  }
  if (verdicts != nullptr) *verdicts = std::move(judged).value();
  if (proposal.orders.empty()) return proposal;

  Declarations declarations;
  TALLY_TRY(declare_orders(proposal, state, declarations));
  for (const auto& [slot, entry] : declarations.all()) {
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

domain::Outcome answer_per_order(const Verdicts& verdicts, const domain::Outcome* applied) {
  std::vector<domain::Outcome> answers;
  std::size_t next = 0;
  for (const OrderVerdict& verdict : verdicts) {
    switch (verdict.kind) {
      case OrderVerdict::Kind::kRefused:
        answers.push_back(domain::Outcome::failure(0, *verdict.refusal));
        break;
      case OrderVerdict::Kind::kNotRun: answers.push_back(domain::Outcome::not_applied()); break;
      case OrderVerdict::Kind::kProposed:
        TALLY_INVARIANT(applied != nullptr && applied->kind == domain::Outcome::Kind::kPerOrder &&
                            next < applied->per_order.size(),
                        "a proposed order has its outcome in the applied proposal's");
        answers.push_back(applied->per_order[next++]);
        break;
    }
  }
  return domain::Outcome::each(std::move(answers));
}

}  // namespace tally::plan
