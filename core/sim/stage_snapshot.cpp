// The state a ScenarioStage records after each step: the node's cache beside its mirror
// rows, the proposals' plans, and the invariant checks (step_state.hpp).
#include <set>

#include "core/cache/cache_mirror.hpp"
#include "core/cache/parity.hpp"
#include "core/check/checker.hpp"
#include "core/plan/order_footprint.hpp"
#include "core/sim/scenario_stage.hpp"

namespace tally::sim {

namespace {

std::string tag_hex(keys::Tag tag) {
  Bytes bytes;
  for (int shift = 56; shift >= 0; shift -= 8)
    bytes.push_back(static_cast<std::uint8_t>(tag >> shift));
  return to_hex(bytes);
}

CacheSlot slot_of(keys::AttributeKind kind, const cache::CacheEntry* entry) {
  CacheSlot slot;
  if (entry == nullptr) return slot;
  slot.present = true;
  slot.tombstone = entry->deleted;
  slot.tag_hex = tag_hex(entry->tag);
  if (!entry->deleted) {
    slot.value_hex = to_hex(entry->value);
    slot.value_bytes = entry->value.size();
    slot.decoded = describe_value(kind, entry->value);
  }
  return slot;
}

// The disk row of (kind, id) at one gen byte, decoded as restore would.
CacheSlot disk_slot(const store::MemoryStore& store, std::uint8_t gen_byte,
                    keys::AttributeKind kind, const keys::Id128& id) {
  Bytes key = cache::cache_row_key(gen_byte, kind, id);
  const Bytes* value = store.find(key);
  if (value == nullptr) return {};
  auto row = cache::decode_cache_row(key, *value);
  if (!row.ok()) {
    CacheSlot slot;
    slot.present = true;
    slot.malformed = true;
    slot.value_hex = to_hex(*value);
    slot.decoded = row.error().message;
    return slot;
  }
  return slot_of(kind, &row->entry);
}

bool same_slot(const CacheSlot& memory, const CacheSlot& disk) {
  return memory.present == disk.present && memory.tombstone == disk.tombstone &&
         memory.tag_hex == disk.tag_hex && memory.value_hex == disk.value_hex && !disk.malformed;
}

std::string verdict_of(plan::EntrySource source) {
  return source == plan::EntrySource::kCacheHit ? "Hit" : "Miss";
}

std::string metadata_keys(const domain::Metadata& metadata) {
  std::string out;
  for (const auto& [key, value] : metadata)
    out += (out.empty() ? "" : ", ") + key;
  return out;
}

std::string order_summary(const domain::Order& order) {
  if (const auto* o = std::get_if<domain::SetAccountMetadata>(&order))
    return o->account + ": set " + metadata_keys(o->metadata);
  if (const auto* o = std::get_if<domain::DeleteAccountMetadata>(&order))
    return o->account + ": delete " + o->key;
  if (const auto* o = std::get_if<domain::CreateTransaction>(&order)) {
    if (o->script) return "script: " + o->script->plain.substr(0, o->script->plain.find('\n'));
    std::string out;
    for (const domain::Posting& p : o->postings) {
      out += (out.empty() ? "" : "; ") + p.source + " -> " + p.destination + " " +
             p.amount.to_decimal() + " " + p.asset;
    }
    return out;
  }
  if (const auto* o = std::get_if<domain::SetRotationThreshold>(&order))
    return "threshold " + std::to_string(o->threshold);
  if (const auto* o = std::get_if<domain::SetLedgerMetadata>(&order))
    return o->ledger + ": set " + metadata_keys(o->metadata);
  const std::string* ledger = domain::order_ledger(order);
  return ledger != nullptr ? *ledger : "";
}

}  // namespace

std::string ScenarioStage::plan_label(std::uint8_t kind, const Bytes& id, bool* watched) const {
  for (const auto& [label, key] : watched_) {
    auto key_id = keys::attribute_id(key.canonical).to_bytes();
    if (kind == keys::kind_byte(key.kind) && id == Bytes(key_id.begin(), key_id.end())) {
      *watched = true;
      return label;
    }
  }
  *watched = false;
  auto known = keys::kind_from_byte(kind);
  if (!known || id.size() != keys::kIdBytes) return "?";
  return names_.name(*known, keys::Id128::from_bytes(id));
}

ProposalStep ScenarioStage::admitted_view(int id, const plan::Proposal& p) const {
  const cache::Cache& cache = fsm_->cache();
  ProposalStep view;
  view.id = id;
  view.status = "in flight";
  view.admitted_at = fsm_->applied_index();
  view.predicted_index = p.plan.predicted_index;
  view.predicted_generation = cache::generation_of(p.plan.predicted_index, cache.threshold());
  view.cache_generation = cache.generation();
  view.d = static_cast<std::int64_t>(view.predicted_generation) -
           static_cast<std::int64_t>(view.cache_generation);
  view.epoch = p.plan.epoch;
  view.base_index = p.plan.base_index;
  for (const plan::PlanEntry& e : p.plan.entries) {
    PlanEntryStep entry;
    bool watched = false;
    entry.label = plan_label(e.kind, e.id, &watched);
    auto kind = keys::kind_from_byte(e.kind);
    entry.kind = kind ? std::string(keys::kind_name(*kind)) : "?";
    entry.id_hex = to_hex(e.id);
    entry.watched = watched;
    entry.verdict = verdict_of(e.source);
    entry.source = std::string(plan::source_name(e.source));
    entry.seeded = e.seed.has_value();
    if (e.seed) {
      entry.seed_bytes = e.seed->size();
      entry.seed_hex = to_hex(*e.seed);
      if (kind) entry.seed_decoded = describe_value(*kind, *e.seed);
    }
    view.entries.push_back(std::move(entry));
  }
  for (const plan::AdmittedOrder& admitted : p.orders) {
    OrderStep o{std::string(domain::order_name(admitted.order)), order_summary(admitted.order), ""};
    for (std::size_t i = 0; i < p.plan.entries.size(); ++i)
      o.coverage += plan::coverage_bit(admitted.coverage_bits, i) ? '1' : '0';
    view.orders.push_back(std::move(o));
  }
  return view;
}

// A refused admission has no plan: each attribute it would read is shown with CheckCache's
// verdict (Unreachable when the prediction is two generations ahead).
ProposalStep ScenarioStage::refused_view(const domain::Order& order, std::uint64_t predicted,
                                         const Error& error) const {
  const cache::Cache& cache = fsm_->cache();
  ProposalStep view;
  view.id = -1;
  view.status = "refused";
  view.admitted_at = fsm_->applied_index();
  view.predicted_index = predicted;
  view.predicted_generation = cache::generation_of(predicted, cache.threshold());
  view.cache_generation = cache.generation();
  view.d = static_cast<std::int64_t>(view.predicted_generation) -
           static_cast<std::int64_t>(view.cache_generation);
  view.epoch = cache.epoch();
  view.outcome = std::string(code_name(error.code)) + " (" + error.message + ")";
  auto no_lookup = [](const std::string&,
                      std::uint64_t) -> Result<std::optional<domain::TransactionState>> {
    return std::optional<domain::TransactionState>();
  };
  auto footprint = plan::order_footprint(order, no_lookup);
  if (footprint.ok()) {
    for (const keys::AttributeKey& key : footprint->keys) {
      keys::Id128 id = keys::attribute_id(key.canonical);
      auto verdict = cache.check(predicted, key.kind, id);
      PlanEntryStep entry;
      auto id_bytes = id.to_bytes();
      entry.label = plan_label(keys::kind_byte(key.kind), Bytes(id_bytes.begin(), id_bytes.end()),
                               &entry.watched);
      entry.kind = std::string(keys::kind_name(key.kind));
      entry.id_hex = id.to_hex();
      entry.verdict = std::string(cache::verdict_name(verdict));
      entry.source = "none";
      view.entries.push_back(std::move(entry));
    }
  }
  view.orders.push_back({std::string(domain::order_name(order)), order_summary(order), ""});
  return view;
}

NodeStep ScenarioStage::node_state() const {
  NodeStep node;
  node.name = "node";
  node.up = up();
  std::uint64_t generation = 0;
  if (up()) {
    const cache::Cache& cache = fsm_->cache();
    node.applied_index = fsm_->applied_index();
    node.generation = generation = cache.generation();
    node.epoch = cache.epoch();
    node.threshold = cache.threshold();
    node.gen0_entries = cache.gen0_size();
    node.gen1_entries = cache.gen1_size();
    auto parity = cache::check_parity(cache, store_);
    node.parity_ok = parity.ok() && parity->ok;
    node.parity_detail = parity.ok() ? parity->first_difference : parity.error().message;
    node.mirror_rows = parity.ok() ? parity->rows_compared : 0;
  } else {
    const Bytes* meta = store_.find(cache::cache_meta_key());
    if (meta != nullptr) {
      auto decoded = cache::decode_cache_meta(*meta);
      if (decoded.ok()) generation = decoded->generation;
    }
    node.generation = generation;
    node.parity_detail = "the node is down: memory is empty until it restarts";
  }
  // Every (kind, id) in play: watched keys first, then memory and disk in key order.
  std::vector<std::pair<keys::AttributeKind, keys::Id128>> order;
  std::set<std::pair<std::uint8_t, keys::Id128>> seen;
  auto add = [&](keys::AttributeKind kind, const keys::Id128& id) {
    if (seen.insert({keys::kind_byte(kind), id}).second) order.emplace_back(kind, id);
  };
  for (const auto& [label, key] : watched_)
    add(key.kind, keys::attribute_id(key.canonical));
  std::set<std::pair<std::uint8_t, keys::Id128>> others;
  if (up()) {
    for (keys::AttributeKind kind : keys::kAllKinds) {
      for (const auto& [id, entry] : fsm_->cache().kind(kind).gen0())
        others.insert({keys::kind_byte(kind), id});
      for (const auto& [id, entry] : fsm_->cache().kind(kind).gen1())
        others.insert({keys::kind_byte(kind), id});
    }
  }
  Status scanned = store_.scan(
      cache::gen_range_begin(0), cache::gen_range_end(1), store::ScanOrder::kAscending,
      [&others](ByteView key, ByteView) {
        if (key.size != cache::kCacheRowKeyBytes) return true;
        if (keys::kind_from_byte(key.data[2]))
          others.insert({key.data[2], keys::Id128::from_bytes(key.sub(3, keys::kIdBytes))});
        return true;
      });
  TALLY_INVARIANT(scanned.ok(), "a memory store scan cannot fail");
  for (const auto& [kind_byte, id] : others)
    add(*keys::kind_from_byte(kind_byte), id);

  std::uint8_t gen0_byte = cache::gen_byte_of(generation);
  std::uint8_t gen1_byte = cache::gen_byte_of(generation + 1);
  for (const auto& [kind, id] : order) {
    KeyRow row;
    auto id_bytes = id.to_bytes();
    row.label =
        plan_label(keys::kind_byte(kind), Bytes(id_bytes.begin(), id_bytes.end()), &row.watched);
    row.kind = std::string(keys::kind_name(kind));
    row.id_hex = id.to_hex();
    if (up()) {
      const cache::AttributeCache& generations = fsm_->cache().kind(kind);
      row.memory_gen0 = slot_of(kind, generations.find_gen0(id));
      row.memory_gen1 = slot_of(kind, generations.find_gen1(id));
    }
    row.disk_gen0 = disk_slot(store_, gen0_byte, kind, id);
    row.disk_gen1 = disk_slot(store_, gen1_byte, kind, id);
    row.gen0_differs = up() && !same_slot(row.memory_gen0, row.disk_gen0);
    row.gen1_differs = up() && !same_slot(row.memory_gen1, row.disk_gen1);
    node.keys.push_back(std::move(row));
  }
  return node;
}

std::vector<InvariantStep> ScenarioStage::invariants() const {
  std::vector<InvariantStep> out;
  if (!up()) {
    out.push_back({"inv#1 cache mirror parity", true, "not checked: the node is down"});
    return out;
  }
  NodeStep node = node_state();
  out.push_back({"inv#1 cache mirror parity", node.parity_ok,
                 node.parity_ok ? "memory equals the disk mirror (" +
                                      std::to_string(node.mirror_rows) + " rows)"
                                : node.parity_detail});
  auto report = check::run_check({store_, &fsm_->cache(), options_.cluster_id, options_.audit_key});
  bool clean = report.ok() && report->ok();
  out.push_back({"checker: audit chain, projections and cache (inv#7)", clean,
                 clean ? std::to_string(report->entries_verified) + " audit entries verified, " +
                             std::to_string(report->rows_compared) + " rows compared"
                       : (report.ok() ? report->describe() : report.error().message)});
  return out;
}

}  // namespace tally::sim
