#include "core/sim/trace_timeline.hpp"

#include <algorithm>
#include <limits>
#include <map>

#include "core/invariant.hpp"
#include "core/keys/attribute_kind.hpp"
#include "core/sim/key_names.hpp"
#include "core/sim/node_compare.hpp"

namespace tally::sim {

namespace {

bool is_absent(const CacheSlot& slot) {
  return !slot.present && !slot.unknown;
}

// Orders a frame's (key, row) entries by key.
constexpr auto kByKey = [](const auto& entry, const auto& key) { return entry.first < key; };

const CacheSlot kAbsent;
const CacheSlot kUnknown = [] {
  CacheSlot slot;
  slot.unknown = true;
  return slot;
}();

bool known_pair_differs(const CacheSlot& memory, const CacheSlot& disk) {
  return !memory.unknown && !disk.unknown && !same_bytes(memory, disk);
}

// A live slot read without its words (tally-trace/3) gets them here, from its bytes.
CacheSlot with_words(const std::optional<keys::AttributeKind>& kind, const CacheSlot& slot) {
  if (!kind || !slot.present || slot.tombstone || slot.malformed || !slot.decoded.empty())
    return slot;
  CacheSlot out = slot;
  if (auto bytes = from_hex(slot.value_hex)) out.decoded = describe_value(*kind, *bytes);
  return out;
}

// A plan entry's seed read without its words (tally-trace/3) gets them here, from its bytes.
void put_seed_in_words(PlanEntryStep& entry) {
  if (!entry.seeded || !entry.seed_decoded.empty()) return;
  auto kind = keys::kind_named(entry.kind);
  auto bytes = from_hex(entry.seed_hex);
  if (kind && bytes) entry.seed_decoded = describe_value(*kind, *bytes);
}

std::string short_digest(const std::string& digest) {
  return digest.substr(0, 12);
}

std::string event_of(const TraceStepRecord& s) {
  return "step " + std::to_string(s.step) + ": " + s.action +
         (s.node >= 0 ? " on node " + std::to_string(s.node) : "") +
         (s.index > 0 ? " @" + std::to_string(s.index) : "") + " - " + s.detail;
}

std::string plan_counts(const ProposalStep& p) {
  std::size_t hits = 0, seeds = 0, absent = 0;
  for (const PlanEntryStep& e : p.entries) {
    hits += e.verdict == "Hit";
    seeds += e.seeded;
    absent += e.source == "absent";
  }
  return std::to_string(hits) + " Hit, " + std::to_string(seeds) + " Miss with a seed, " +
         std::to_string(absent) + " Miss found nowhere";
}

}  // namespace

TraceTimeline::TraceTimeline(TraceFile file) : file_(std::move(file)) {
  TALLY_INVARIANT(!file_.steps.empty(), "a timeline of an empty trace");
  for (const TraceStepRecord& s : file_.steps)
    TALLY_INVARIANT(s.nodes.size() == file_.node_names.size(), "a trace step without its nodes");
  total_ = file_.steps.size();
  index_keys();
  scan_frame_.resize(file_.node_names.size());
  checkpoints_.push_back({0, scan_frame_});
  added(0);
}

TraceTimeline::TraceTimeline(TraceFile head, std::size_t total, const std::vector<RowKey>& keys)
    : file_(std::move(head)), total_(total), table_(keys) {
  TALLY_INVARIANT(total_ > 0, "a timeline of an empty trace");
  file_.steps.clear();
  // Frames point into the steps' records: the steps never move once added.
  file_.steps.reserve(total_);
  using Names = std::pair<std::string_view, std::string_view>;
  std::map<Names, Key> by_name;
  for (const RowKey& key : table_)
    by_name.try_emplace(Names{key.kind(), key.id_hex()}, 0);
  TALLY_INVARIANT(by_name.size() <= std::numeric_limits<Key>::max(), "too many keys to number");
  keys_.reserve(by_name.size());
  for (auto& [names, number] : by_name) {
    number = static_cast<Key>(keys_.size());
    keys_.push_back(names);
  }
  for (const RowKey& key : table_)
    numbers_.emplace(key.identity(), by_name.at(Names{key.kind(), key.id_hex()}));
  scan_frame_.resize(file_.node_names.size());
  checkpoints_.push_back({0, scan_frame_});
}

void TraceTimeline::append(std::vector<TraceStepRecord> steps) {
  TALLY_INVARIANT(size() + steps.size() <= total_, "more steps than the trace holds");
  std::size_t from = size();
  for (TraceStepRecord& s : steps) {
    TALLY_INVARIANT(s.nodes.size() == file_.node_names.size(), "a trace step without its nodes");
    file_.steps.push_back(std::move(s));
  }
  number_rows(from);
  added(from);
}

// The keys of the rows of the steps from `from` on, by the numbers of the file's table.
void TraceTimeline::number_rows(std::size_t from) {
  for (std::size_t n = from; n < file_.steps.size(); ++n) {
    for (const std::optional<NodeRecord>& record : file_.steps[n].nodes) {
      first_rows_.push_back(row_keys_.size());
      if (!record) continue;
      for (const RowChange& change : record->rows) {
        auto number = numbers_.find(change.key.identity());
        TALLY_INVARIANT(number != numbers_.end(), "a row naming a key outside the table");
        row_keys_.push_back(number->second);
      }
    }
  }
}

// The steps from `from` on, added: their proposals indexed, their changes scanned.
void TraceTimeline::added(std::size_t from) {
  index_proposals(from);
  scan(from);
  if (complete()) {  // the scan's memory is needed no more
    digests_.clear();
    first_verdicts_.clear();
    scan_frame_.clear();
  }
}

void TraceTimeline::index_keys() {
  // Rows that share their names (RowKey::identity) are looked up once by name.
  using Names = std::pair<std::string_view, std::string_view>;
  std::map<Names, Key> by_name;
  std::map<const void*, std::map<Names, Key>::iterator> by_identity;
  std::vector<std::map<Names, Key>::iterator> named;  // each row's entry in by_name
  first_rows_.reserve(file_.steps.size() * file_.node_names.size());
  for (const TraceStepRecord& s : file_.steps) {
    for (const std::optional<NodeRecord>& record : s.nodes) {
      first_rows_.push_back(named.size());
      if (!record) continue;
      for (const RowChange& change : record->rows) {
        auto [known, added] = by_identity.try_emplace(change.key.identity(), by_name.end());
        if (added) {
          known->second =
              by_name.try_emplace(Names{change.key.kind(), change.key.id_hex()}, 0).first;
        }
        named.push_back(known->second);
      }
    }
  }
  TALLY_INVARIANT(by_name.size() <= std::numeric_limits<Key>::max(), "too many keys to number");
  keys_.reserve(by_name.size());
  for (auto& [names, key] : by_name) {
    key = static_cast<Key>(keys_.size());
    keys_.push_back(names);
  }
  row_keys_.reserve(named.size());
  for (const auto& entry : named)
    row_keys_.push_back(entry->second);
}

std::string TraceTimeline::label(const std::string& key) const {
  auto found = file_.labels.find(key);
  if (found != file_.labels.end()) return found->second;
  std::size_t space = key.find(' ');
  return space == std::string::npos ? key : key.substr(0, space + 9);
}

void TraceTimeline::index_proposals(std::size_t from) {
  for (std::size_t n = from; n < file_.steps.size(); ++n) {
    const TraceStepRecord& s = file_.steps[n];
    if (s.admitted) {
      proposal_at_[s.admitted->id] = proposals_.size();
      proposals_.push_back(Proposal{n, {}});
    }
    for (const VerdictRecord& v : s.verdicts) {
      auto found = proposal_at_.find(v.proposal);
      if (found != proposal_at_.end()) proposals_[found->second].verdicts.emplace_back(n, v);
    }
  }
}

const TraceTimeline::Row* TraceTimeline::find_row(const NodeFrame& frame, const Key& key) {
  auto at = std::lower_bound(frame.rows.begin(), frame.rows.end(), key, kByKey);
  return at != frame.rows.end() && at->first == key ? &at->second : nullptr;
}

void TraceTimeline::apply_step(Frame& frame, std::size_t n) const {
  const TraceStepRecord& s = file_.steps[n];
  // A key first met: absent in a trace from empty stores, else unknown until set.
  const Row fresh = file_.complete ? Row{&kAbsent, &kAbsent, &kAbsent, &kAbsent}
                                   : Row{&kUnknown, &kUnknown, &kUnknown, &kUnknown};
  for (std::size_t i = 0; i < s.nodes.size(); ++i) {
    if (!s.nodes[i]) continue;
    const NodeRecord& record = *s.nodes[i];
    NodeFrame& node = frame[i];
    node.counters = &record;
    if (record.advance == "rotation") {
      for (auto& [key, row] : node.rows)
        row = Row{&kAbsent, row.memory_gen0, &kAbsent, row.disk_gen0};
    } else if (record.advance == "dropped") {
      node.rows.clear();
    }
    for (std::size_t r = 0; r < record.rows.size(); ++r) {
      const RowChange& change = record.rows[r];
      Key key = key_of(n, i, r);
      auto at = std::lower_bound(node.rows.begin(), node.rows.end(), key, kByKey);
      if (at == node.rows.end() || at->first != key) at = node.rows.insert(at, {key, fresh});
      Row& row = at->second;
      if (change.memory_gen0) row.memory_gen0 = &*change.memory_gen0;
      if (change.memory_gen1) row.memory_gen1 = &*change.memory_gen1;
      if (change.disk_gen0) row.disk_gen0 = &*change.disk_gen0;
      if (change.disk_gen1) row.disk_gen1 = &*change.disk_gen1;
    }
    std::erase_if(node.rows, [](const auto& entry) {
      const Row& row = entry.second;
      return is_absent(*row.memory_gen0) && is_absent(*row.memory_gen1) &&
             is_absent(*row.disk_gen0) && is_absent(*row.disk_gen1);
    });
  }
}

const TraceTimeline::Checkpoint& TraceTimeline::checkpoint_for(std::size_t n) const {
  auto after =
      std::upper_bound(checkpoints_.begin(), checkpoints_.end(), n,
                       [](std::size_t step, const Checkpoint& c) { return step < c.before_step; });
  TALLY_INVARIANT(after != checkpoints_.begin(), "a timeline without its first checkpoint");
  return *(after - 1);
}

std::size_t TraceTimeline::replayed_for(std::size_t n) const {
  return n + 1 - checkpoint_for(n).before_step;
}

TraceTimeline::Frame TraceTimeline::frame_at(std::size_t n) const {
  const Checkpoint& from = checkpoint_for(n);
  Frame frame = from.frame;
  for (std::size_t k = from.before_step; k <= n; ++k)
    apply_step(frame, k);
  return frame;
}

NodeStep TraceTimeline::node_step(const NodeFrame& frame, std::size_t i) const {
  NodeStep node;
  node.name = file_.node_names[i];
  if (frame.counters == nullptr) {
    node.up = false;
    node.keys_known = false;
    node.parity_detail = "no record of this node yet";
    return node;
  }
  const NodeRecord& c = *frame.counters;
  node.up = c.up;
  node.applied_index = c.applied_index;
  node.generation = c.generation;
  node.epoch = c.epoch;
  node.threshold = c.threshold;
  node.gen0_entries = c.gen0_entries;
  node.gen1_entries = c.gen1_entries;
  node.parity_ok = !c.parity.has_value() || *c.parity;
  node.parity_detail = c.parity_detail;
  node.digest = c.digest;
  node.keys_known = c.rows_recorded;
  for (const auto& [key, row] : frame.rows) {
    KeyRow k;
    k.kind = std::string(keys_[key].first);
    k.id_hex = std::string(keys_[key].second);
    k.label = label(label_key(k.kind, k.id_hex));
    auto kind = keys::kind_named(k.kind);
    k.memory_gen0 = with_words(kind, *row.memory_gen0);
    k.memory_gen1 = with_words(kind, *row.memory_gen1);
    k.disk_gen0 = with_words(kind, *row.disk_gen0);
    k.disk_gen1 = with_words(kind, *row.disk_gen1);
    k.gen0_differs = node.up && known_pair_differs(k.memory_gen0, k.disk_gen0);
    k.gen1_differs = node.up && known_pair_differs(k.memory_gen1, k.disk_gen1);
    if ((k.gen0_differs || k.gen1_differs) && node.parity_ok) {
      node.parity_ok = false;
      node.parity_detail = k.label + (k.gen0_differs ? " at gen0" : " at gen1") +
                           ": memory holds " +
                           say_slot(k.gen0_differs ? k.memory_gen0 : k.memory_gen1) + ", disk " +
                           say_slot(k.gen0_differs ? k.disk_gen0 : k.disk_gen1);
    }
    node.keys.push_back(std::move(k));
  }
  node.mirror_rows = node.keys.size();
  return node;
}

std::vector<NodeStep> TraceTimeline::node_steps(const Frame& frame) const {
  std::vector<NodeStep> nodes;
  for (std::size_t i = 0; i < frame.size(); ++i)
    nodes.push_back(node_step(frame[i], i));
  mark_node_differences(nodes);
  return nodes;
}

std::vector<ProposalStep> TraceTimeline::proposals_at(std::size_t n) const {
  auto newest =
      std::upper_bound(proposals_.begin(), proposals_.end(), n,
                       [](std::size_t step, const Proposal& p) { return step < p.admitted_step; });
  std::vector<ProposalStep> out;
  for (auto it = newest; it != proposals_.begin() && out.size() < kProposalsShown;) {
    --it;
    ProposalStep view = *file_.steps[it->admitted_step].admitted;
    for (PlanEntryStep& e : view.entries) {
      e.label = label(label_key(e.kind, e.id_hex));
      put_seed_in_words(e);
    }
    for (const auto& [step, verdict] : it->verdicts) {
      if (step > n) break;
      if (view.status != "in flight") continue;  // the first verdict is the proposal's
      view.status = verdict.status;
      view.outcome = verdict.outcome;
      view.applied_at = file_.steps[step].index;
    }
    out.push_back(std::move(view));
  }
  std::reverse(out.begin(), out.end());
  return out;
}

std::vector<InvariantStep> TraceTimeline::invariants_at(std::size_t n,
                                                        const std::vector<NodeStep>& nodes) const {
  std::vector<InvariantStep> out;
  for (const NodeStep& node : nodes) {
    std::string name = "inv#1 cache mirror parity on " + node.name;
    if (!node.up) {
      out.push_back({name, true,
                     node.keys_known ? "not checked: the node is down"
                                     : "not checked: " + node.parity_detail});
    } else if (!node.parity_ok) {
      out.push_back({name, false, node.parity_detail});
    } else {
      out.push_back({name, true,
                     node.keys_known
                         ? "memory equals the disk mirror in every recorded row"
                         : "memory equals the disk mirror (the trace records no rows)"});
    }
  }
  std::vector<NodeStep> compared = nodes;
  std::string rows = mark_node_differences(compared);
  std::string digests;
  for (std::size_t a = 0; a < nodes.size() && digests.empty(); ++a) {
    for (std::size_t b = a + 1; b < nodes.size(); ++b) {
      const NodeStep &x = nodes[a], &y = nodes[b];
      if (x.up && y.up && x.applied_index == y.applied_index && !x.digest.empty() &&
          !y.digest.empty() && x.digest != y.digest) {
        digests = x.name + " and " + y.name + " differ at index " +
                  std::to_string(x.applied_index) + ": digests " + short_digest(x.digest) +
                  "... and " + short_digest(y.digest) + "...";
        break;
      }
    }
  }
  if (nodes.size() > 1) {
    bool agree = rows.empty() && digests.empty();
    out.push_back({"inv#1 every node equals every other at the same index", agree,
                   agree ? "the nodes at each applied index agree"
                         : (digests.empty() ? rows : digests + (rows.empty() ? "" : "; " + rows))});
  }
  const TraceStepRecord& s = file_.steps[n];
  for (const CheckRecord& check : s.checks) {
    out.push_back(
        {"checker on " +
             (check.node >= 0 && static_cast<std::size_t>(check.node) < file_.node_names.size()
                  ? file_.node_names[check.node]
                  : std::string("the cluster")) +
             " (inv#7)",
         check.ok, check.detail});
  }
  if (divergence_ && divergence_->step == n) {
    out.push_back({"first divergence (" + divergence_->what + ")", false, divergence_->detail});
  } else if (s.action == "VIOLATION") {
    out.push_back({"the simulator's checks", false, s.detail});
  }
  return out;
}

// Whether the record says parity broke, or a row it changed now holds memory unlike disk: the
// rows the step did not touch were checked at the step that last did.
bool TraceTimeline::parity_broken(const NodeFrame& frame, std::size_t n, std::size_t i) const {
  const NodeRecord& record = *file_.steps[n].nodes[i];
  if (record.parity.has_value() && !*record.parity) return true;
  for (std::size_t r = 0; r < record.rows.size(); ++r) {
    const Row* row = find_row(frame, key_of(n, i, r));
    if (row == nullptr) continue;
    if (known_pair_differs(*row->memory_gen0, *row->disk_gen0) ||
        known_pair_differs(*row->memory_gen1, *row->disk_gen1)) {
      return true;
    }
  }
  return false;
}

std::optional<Divergence> TraceTimeline::check_step(std::size_t n, const Frame& frame) {
  const TraceStepRecord& s = file_.steps[n];
  for (std::size_t i = 0; i < s.nodes.size(); ++i) {
    if (!s.nodes[i] || !s.nodes[i]->up) continue;
    const NodeRecord& record = *s.nodes[i];
    if (parity_broken(frame[i], n, i)) {
      NodeStep node = node_step(frame[i], i);
      return Divergence{n, "parity", parity_key(node),
                        node.name + ": memory differs from its disk mirror: " + node.parity_detail};
    }
    if (record.digest.empty()) continue;
    auto [first, inserted] = digests_.try_emplace(record.applied_index, record.digest,
                                                  std::make_pair(static_cast<int>(i), n));
    if (inserted || first->second.first == record.digest) continue;
    auto [other, other_step] = first->second.second;
    Frame then = frame_at(other_step);
    NodeStep node = node_step(frame[i], i);
    std::vector<NodeStep> pair = {node_step(then[other], other), node};
    std::string rows = mark_node_differences(pair);
    return Divergence{n, "digest", differing_key(pair),
                      file_.node_names[other] + " and " + node.name + " disagree at index " +
                          std::to_string(record.applied_index) + ": " + file_.digest_of +
                          " digests " + short_digest(first->second.first) + "... and " +
                          short_digest(record.digest) + "..." + (rows.empty() ? "" : "; " + rows)};
  }
  for (const CheckRecord& check : s.checks) {
    if (!check.ok) return Divergence{n, "checker", "", "the checker: " + check.detail};
  }
  for (const VerdictRecord& v : s.verdicts) {
    auto [first, inserted] = first_verdicts_.try_emplace(v.proposal, v);
    const VerdictRecord& f = first->second;
    if (inserted || (f.status == v.status && f.outcome == v.outcome)) continue;
    if (v.status == "lost" || f.status == "lost") continue;
    return Divergence{n, "verdict", "",
                      "node " + std::to_string(f.node) + " answered " + f.status + " (" +
                          f.outcome + "), node " + std::to_string(v.node) + " " + v.status + " (" +
                          v.outcome + ")"};
  }
  if (s.action == "VIOLATION") {
    std::vector<NodeStep> nodes = node_steps(frame);
    std::string key = differing_key(nodes);
    for (const NodeStep& node : nodes) {
      if (key.empty()) key = parity_key(node);
    }
    return Divergence{n, "violation", key, "the simulator stopped: " + s.detail};
  }
  return std::nullopt;
}

void TraceTimeline::scan(std::size_t from) {
  Frame& frame = scan_frame_;
  std::size_t& rows = scan_rows_;  // in the frame, when last counted
  for (std::size_t n = from; n < file_.steps.size(); ++n) {
    apply_step(frame, n);
    if (!divergence_) divergence_ = check_step(n, frame);
    std::size_t since = n + 1 - checkpoints_.back().before_step;
    if (since >= kCheckpointEvery && since * kRowsPerStepMax >= rows) {
      rows = 0;
      for (const NodeFrame& node : frame)
        rows += node.rows.size();
      if (since * kRowsPerStepMax >= rows) checkpoints_.push_back({n + 1, frame});
    }
  }
}

StepState TraceTimeline::state_at(std::size_t n) const {
  TALLY_INVARIANT(n < size(), "a trace step past the end");
  const TraceStepRecord& s = file_.steps[n];
  StepState step;
  step.number = n;
  step.kind = "trace";
  step.event = event_of(s);
  step.nodes = node_steps(frame_at(n));
  step.proposals = proposals_at(n);
  if (s.admitted) step.proposal = s.admitted->id;
  if (!s.verdicts.empty()) step.proposal = s.verdicts.front().proposal;
  for (const NodeStep& node : step.nodes) {
    step.applied_index = std::max(step.applied_index, node.applied_index);
    step.threshold = std::max(step.threshold, node.threshold);
  }
  step.log_end = std::max(step.applied_index, s.index);
  for (const ProposalStep& p : step.proposals) {
    if (p.status == "in flight") step.log_end = std::max(step.log_end, p.predicted_index);
  }
  step.invariants = invariants_at(n, step.nodes);
  std::string why;
  if (divergence_ && divergence_->step == n) {
    why = "FIRST DIVERGENCE (" + divergence_->what + "): " + divergence_->detail + ". ";
  }
  if (s.admitted) {
    why += "Admission predicted index " + std::to_string(s.admitted->predicted_index) + " for " +
           s.admitted->label + ": " + plan_counts(*s.admitted) + ". ";
  }
  for (const VerdictRecord& v : s.verdicts) {
    why += (v.node >= 0 && static_cast<std::size_t>(v.node) < file_.node_names.size()
                ? file_.node_names[v.node]
                : std::string("a node")) +
           ": " + v.status + (v.outcome.empty() ? "" : ", " + v.outcome) + ". ";
  }
  for (const CheckRecord& check : s.checks)
    why += std::string("Checker: ") + (check.ok ? "clean, " : "FAILED, ") + check.detail + ". ";
  if (s.action == "VIOLATION") why += "The simulator stopped here: " + s.detail;
  if (why.empty()) {
    why = file_.source == "cluster" ? "A log index of a live cluster: what each node recorded."
                                    : "A recorded step of a simulator run.";
  }
  step.explanation = why;
  step.chapter = file_.title;
  return step;
}

}  // namespace tally::sim
