#include "core/sim/trace_recorder.hpp"

#include <map>

#include "core/invariant.hpp"

namespace tally::sim {

namespace {

void set_if_changed(SlotChange& change, const CacheSlot& before, const CacheSlot& now,
                    bool& changed) {
  if (before == now) return;
  change = now;
  changed = true;
}

NodeRecord counters_of(const NodeStep& n) {
  NodeRecord r;
  r.up = n.up;
  r.applied_index = n.applied_index;
  r.generation = n.generation;
  r.epoch = n.epoch;
  r.threshold = n.threshold;
  r.gen0_entries = n.gen0_entries;
  r.gen1_entries = n.gen1_entries;
  if (n.up) {
    r.parity = n.parity_ok;
    if (!n.parity_ok) r.parity_detail = n.parity_detail;
  }
  r.digest = n.digest;
  return r;
}

}  // namespace

std::optional<NodeRecord> node_changes(const NodeStep* before, const NodeStep& now) {
  NodeRecord record = counters_of(now);
  std::map<std::pair<std::string, std::string>, const KeyRow*> old_rows;
  if (before != nullptr) {
    for (const KeyRow& row : before->keys)
      old_rows[{row.kind, row.id_hex}] = &row;
  }
  static const KeyRow kAbsent;
  for (const KeyRow& row : now.keys) {
    auto found = old_rows.find({row.kind, row.id_hex});
    const KeyRow& old = found == old_rows.end() ? kAbsent : *found->second;
    if (found != old_rows.end()) old_rows.erase(found);
    RowChange change{RowKey(row.kind, row.id_hex), {}, {}, {}, {}};
    bool changed = false;
    set_if_changed(change.memory_gen0, old.memory_gen0, row.memory_gen0, changed);
    set_if_changed(change.memory_gen1, old.memory_gen1, row.memory_gen1, changed);
    set_if_changed(change.disk_gen0, old.disk_gen0, row.disk_gen0, changed);
    set_if_changed(change.disk_gen1, old.disk_gen1, row.disk_gen1, changed);
    if (changed) record.rows.push_back(std::move(change));
  }
  for (const auto& [key, old] : old_rows) {  // gone from memory and disk
    RowChange change{RowKey(key.first, key.second), {}, {}, {}, {}};
    bool changed = false;
    set_if_changed(change.memory_gen0, old->memory_gen0, CacheSlot{}, changed);
    set_if_changed(change.memory_gen1, old->memory_gen1, CacheSlot{}, changed);
    set_if_changed(change.disk_gen0, old->disk_gen0, CacheSlot{}, changed);
    set_if_changed(change.disk_gen1, old->disk_gen1, CacheSlot{}, changed);
    if (changed) record.rows.push_back(std::move(change));
  }
  if (before != nullptr && record.rows.empty() && counters_of(*before) == record) {
    return std::nullopt;
  }
  return record;
}

TraceRecorder::TraceRecorder(std::vector<std::string> node_names) {
  file_.source = "tally-sim";
  file_.digest_of = "cache";
  file_.complete = true;
  file_.node_names = std::move(node_names);
  last_.resize(file_.node_names.size());
}

TraceStepRecord& TraceRecorder::add_step(TraceStepRecord head,
                                         const std::vector<std::optional<NodeStep>>& now) {
  TALLY_INVARIANT(now.size() == last_.size(), "a trace step without every node's slot");
  head.nodes.assign(now.size(), std::nullopt);
  for (std::size_t i = 0; i < now.size(); ++i) {
    if (!now[i]) continue;
    head.nodes[i] = changes(i, *now[i]);
    for (const KeyRow& row : now[i]->keys)
      remember_label(row.kind, row.id_hex, row.label);
  }
  file_.steps.push_back(std::move(head));
  return file_.steps.back();
}

std::optional<NodeRecord> TraceRecorder::changes(std::size_t node, const NodeStep& now) {
  std::optional<NodeRecord> record = node_changes(last_[node] ? &*last_[node] : nullptr, now);
  last_[node] = now;
  return record;
}

// Only real names: a key never named reads "Kind 0123abcd" without a table entry.
void TraceRecorder::remember_label(const std::string& kind, const std::string& id_hex,
                                   const std::string& label) {
  if (label.empty() || label == kind + " " + id_hex.substr(0, 8)) return;
  file_.labels[label_key(kind, id_hex)] = label;
}

TraceStepRecord& TraceRecorder::last() {
  TALLY_INVARIANT(!file_.steps.empty(), "no trace step yet");
  return file_.steps.back();
}

void TraceRecorder::remember_labels(ProposalStep& proposal) {
  for (PlanEntryStep& e : proposal.entries) {
    remember_label(e.kind, e.id_hex, e.label);
    e.label.clear();
    e.watched = false;  // the file does not carry it
  }
}

TraceFile TraceRecorder::finish(std::string title, bool ok, std::string violation) {
  file_.title = std::move(title);
  file_.ok = ok;
  file_.violation = std::move(violation);
  return std::move(file_);
}

}  // namespace tally::sim
