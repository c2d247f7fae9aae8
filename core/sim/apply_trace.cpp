#include "core/sim/apply_trace.hpp"

#include <set>

#include "core/cache/cache_mirror.hpp"
#include "core/crypto/sha256.hpp"
#include "core/sim/node_snapshot.hpp"
#include "core/sim/proposal_view.hpp"

namespace tally::sim {

namespace {

void hash_text(crypto::Sha256& hash, const std::string& text) {
  Bytes length;
  put_u64_le(length, text.size());
  hash.update(length);
  hash.update(ByteView(reinterpret_cast<const std::uint8_t*>(text.data()), text.size()));
}

void hash_slot(crypto::Sha256& hash, const SlotChange& slot) {
  const CacheSlot s = slot ? *slot : CacheSlot{};
  hash_text(hash, std::string(s.present ? "p" : "-") + (s.tombstone ? "t" : "-") +
                      (s.malformed ? "m" : "-"));
  hash_text(hash, s.tag_hex);
  hash_text(hash, s.value_hex);
}

std::string status_of(const fsm::ApplyReport& r) {
  return r.status == fsm::ApplyReport::Status::kStale          ? "stale"
         : r.status == fsm::ApplyReport::Status::kRejectedPlan ? "rejected"
         : r.outcome.ok()                                      ? "applied"
                                                               : "failed";
}

std::string outcome_of(const fsm::ApplyReport& r) {
  if (r.rejection) return r.rejection->message;
  return domain::describe_outcome(r.outcome);
}

// The plan's keys, each once, in plan order.
std::vector<std::pair<keys::AttributeKind, keys::Id128>> plan_keys(const plan::Proposal& p) {
  std::vector<std::pair<keys::AttributeKind, keys::Id128>> out;
  std::set<std::pair<std::uint8_t, keys::Id128>> seen;
  for (const plan::PlanEntry& e : p.plan.entries) {
    auto kind = keys::kind_from_byte(e.kind);
    if (!kind || e.id.size() != keys::kIdBytes) continue;
    keys::Id128 id = keys::Id128::from_bytes(e.id);
    if (seen.insert({e.kind, id}).second) out.emplace_back(*kind, id);
  }
  return out;
}

}  // namespace

std::string rows_digest(const std::vector<RowChange>& rows) {
  crypto::Sha256 hash;
  for (const RowChange& row : rows) {
    hash_text(hash, row.key.kind());
    hash_text(hash, row.key.id_hex());
    hash_slot(hash, row.memory_gen0);
    hash_slot(hash, row.memory_gen1);
    hash_slot(hash, row.disk_gen0);
    hash_slot(hash, row.disk_gen1);
  }
  crypto::Digest digest = hash.finish();
  return to_hex(ByteView(digest.data(), digest.size()));
}

ApplyTrace::ApplyTrace(std::string node_name, std::size_t records_max)
    : node_name_(std::move(node_name)), records_max_(records_max) {}

void ApplyTrace::opened(std::uint64_t applied_index) {
  if (ring_.empty()) {
    fresh_ = applied_index == 0;
    return;
  }
  if (ring_.back().index == applied_index) return;  // the same state, reopened
  ring_.clear();
  dropped_any_ = true;
}

void ApplyTrace::record(std::uint64_t index, const plan::Proposal* proposal,
                        const fsm::ApplyReport* report, const fsm::StateMachine& machine) {
  if (records_max_ == 0) return;
  if (ring_.empty() && !fresh_) dropped_any_ = true;
  const cache::Cache& cache = machine.cache();
  NodeRecord node;
  node.applied_index = index;
  node.generation = cache.generation();
  node.epoch = cache.epoch();
  node.threshold = cache.threshold();
  node.gen0_entries = cache.gen0_size();
  node.gen1_entries = cache.gen1_size();
  if (!ring_.empty() && node.generation != last_generation_) {
    node.advance = node.generation == last_generation_ + 1 ? "rotation" : "dropped";
  }
  last_generation_ = node.generation;
  TraceStepRecord step;
  step.step = index;
  step.action = "apply";
  step.index = index;
  step.node = 0;
  if (proposal != nullptr) {
    for (const domain::Order& order : plan::orders_of(*proposal))
      names_.remember_order(order);
    const store::KeyValueStore& store = machine.read_view();
    const std::uint8_t gen0 = cache::gen_byte_of(node.generation);
    const std::uint8_t gen1 = cache::gen_byte_of(node.generation + 1);
    for (const auto& [kind, id] : plan_keys(*proposal)) {
      const cache::AttributeCache& generations = cache.kind(kind);
      node.rows.push_back({RowKey(std::string(keys::kind_name(kind)), id.to_hex()),
                           slot_of(kind, generations.find_gen0(id)),
                           slot_of(kind, generations.find_gen1(id)),
                           disk_slot(store, gen0, kind, id), disk_slot(store, gen1, kind, id)});
      std::string name = names_.name(kind, id);
      if (name != std::string(keys::kind_name(kind)) + " " + id.to_hex().substr(0, 8))
        labels_[label_key(std::string(keys::kind_name(kind)), id.to_hex())] = name;
    }
    ProposalStep view = plan_view(*proposal, names_, nullptr);
    view.id = static_cast<int>(index);
    view.label = "entry " + std::to_string(index);
    step.admitted = std::move(view);
  }
  node.digest = rows_digest(node.rows);
  if (report != nullptr) {
    step.verdicts.push_back({0, static_cast<int>(index), status_of(*report), outcome_of(*report)});
    step.detail = step.verdicts.back().status + ": " + step.verdicts.back().outcome;
  } else {
    step.detail = proposal == nullptr ? "a no-op" : "";
  }
  step.nodes.push_back(std::move(node));
  ring_.push_back(std::move(step));
  while (ring_.size() > records_max_) {
    ring_.pop_front();
    dropped_any_ = true;
  }
}

TraceFile ApplyTrace::window(std::uint64_t from, std::uint64_t to) const {
  TraceFile file;
  file.source = "cluster";
  file.title = node_name_ + ", log indexes " + std::to_string(from) + " to " + std::to_string(to);
  file.digest_of = "rows";
  file.node_names = {node_name_};
  file.window_from = from;
  file.window_to = to;
  file.complete = !dropped_any_ && from <= 1;
  for (const TraceStepRecord& step : ring_) {
    if (step.index < from || step.index > to) continue;
    if (file.steps.size() == kPageMax) {
      file.truncated = true;
      break;
    }
    file.steps.push_back(step);
    if (step.admitted) {
      for (const PlanEntryStep& e : step.admitted->entries) {
        auto label = labels_.find(label_key(e.kind, e.id_hex));
        if (label != labels_.end()) file.labels.insert(*label);
      }
    }
  }
  return file;
}

}  // namespace tally::sim
