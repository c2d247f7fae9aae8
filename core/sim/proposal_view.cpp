#include "core/sim/proposal_view.hpp"

#include "core/cache/generation.hpp"

namespace tally::sim {

namespace {

std::string verdict_of(plan::EntrySource source) {
  return source == plan::EntrySource::kCacheHit ? "Hit" : "Miss";
}

std::string metadata_keys(const domain::Metadata& metadata) {
  std::string out;
  for (const auto& [key, value] : metadata)
    out += (out.empty() ? "" : ", ") + key;
  return out;
}

}  // namespace

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

ProposalStep plan_view(const plan::Proposal& p, const KeyNames& names, const WatchedKeys* watched) {
  ProposalStep view;
  view.status = "in flight";
  view.predicted_index = p.plan.predicted_index;
  view.epoch = p.plan.epoch;
  view.base_index = p.plan.base_index;
  for (const plan::PlanEntry& e : p.plan.entries) {
    PlanEntryStep entry;
    auto kind = keys::kind_from_byte(e.kind);
    entry.kind = kind ? std::string(keys::kind_name(*kind)) : "?";
    entry.id_hex = to_hex(e.id);
    if (kind && e.id.size() == keys::kIdBytes) {
      keys::Id128 id = keys::Id128::from_bytes(e.id);
      entry.label = names.name(*kind, id);
      if (watched != nullptr) {
        for (const auto& [label, key] : *watched) {
          if (key.kind == *kind && keys::attribute_id(key.canonical) == id) entry.watched = true;
        }
      }
    } else {
      entry.label = "?";
    }
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

void fill_admission(ProposalStep& view, const cache::Cache& cache, std::uint64_t applied_index) {
  view.admitted_at = applied_index;
  view.predicted_generation = cache::generation_of(view.predicted_index, cache.threshold());
  view.cache_generation = cache.generation();
  view.d = static_cast<std::int64_t>(view.predicted_generation) -
           static_cast<std::int64_t>(view.cache_generation);
}

}  // namespace tally::sim
