#include "core/check/checker.hpp"

#include <map>

#include "core/audit/audit_entry.hpp"
#include "core/audit/audit_rows.hpp"
#include "core/cache/parity.hpp"
#include "core/check/cache_check.hpp"
#include "core/check/chain_walk.hpp"
#include "core/check/checkpoint.hpp"
#include "core/check/row_description.hpp"
#include "core/check/zone_census.hpp"
#include "core/fsm/fsm_state.hpp"
#include "core/fsm/store_consistency.hpp"
#include "core/store/layout.hpp"

namespace tally::check {

namespace {

using Rows = std::map<Bytes, Bytes>;

Status collect(const store::KeyValueStore& store, Bytes begin, Bytes end, Rows& rows) {
  return store::scan_range(store, begin, end, [&](ByteView k, ByteView v) {
    rows.emplace(k.to_bytes(), v.to_bytes());
    return true;
  });
}

// The rows of the zones the audit chain derives: attributes, idempotency, ledger logs.
Result<Rows> derived_rows(const store::KeyValueStore& store) {
  Rows rows;
  TALLY_TRY(collect(store, store::zone_begin(store::kZoneAttributes),
                    store::zone_end(store::kZoneAttributes), rows));
  TALLY_TRY(collect(store, store::zone_begin(store::kZoneIdempotency),
                    store::zone_end(store::kZoneIdempotency), rows));
  TALLY_TRY(collect(store, Bytes{store::kZoneAudit, 'L'}, Bytes{store::kZoneAudit, 'M'}, rows));
  return rows;
}

}  // namespace

void compare_projections(const Rows& expected, const Rows& actual, CheckReport& report) {
  auto e = expected.begin();
  auto a = actual.begin();
  while (e != expected.end() || a != actual.end()) {
    ++report.rows_compared;
    if (a == actual.end() || (e != expected.end() && e->first < a->first)) {
      report.add({row_kind(e->first), describe_row_key(e->first),
                  describe_row_value(e->first, e->second), "absent"});
      ++e;
    } else if (e == expected.end() || a->first < e->first) {
      report.add({row_kind(a->first), describe_row_key(a->first), "absent",
                  describe_row_value(a->first, a->second)});
      ++a;
    } else {
      if (e->second != a->second) {
        report.add({row_kind(e->first), describe_row_key(e->first),
                    describe_row_value(e->first, e->second),
                    describe_row_value(a->first, a->second)});
      }
      ++e;
      ++a;
    }
  }
}

namespace {

std::string hex(const crypto::Digest& d) {
  return to_hex(ByteView(d.data(), d.size()));
}

// The FSM state row, or nothing (a mismatch says why).
Result<std::optional<fsm::FsmState>> read_state(const store::KeyValueStore& store,
                                                CheckReport& report) {
  using Found = std::optional<fsm::FsmState>;
  auto row = store.get(fsm::fsm_state_key());
  if (!row.ok()) return std::move(row).error();
  if (!row->has_value()) {
    report.add({MismatchKind::kAuditHead, "FSM state row", "a state row", "absent"});
    return Found();
  }
  auto state = fsm::decode_fsm_state(**row);
  if (!state.ok()) {
    report.add({MismatchKind::kMalformedRow,
                "zone 0x05 FSM state row " + to_hex(fsm::fsm_state_key()), "a decodable state row",
                state.error().message});
    return Found();
  }
  return Found(std::move(state).value());
}

void check_configuration(const fsm::FsmState& state, const CheckInput& input, CheckReport& report) {
  if (state.cluster_id != input.cluster_id) {
    report.add({MismatchKind::kConfiguration, "FSM state row cluster id",
                "\"" + input.cluster_id + "\"", "\"" + state.cluster_id + "\""});
  }
  if (input.audit_key) {
    audit::AuditKeyId given = audit::audit_key_id(*input.audit_key);
    if (state.audit_key_id != given) {
      report.add({MismatchKind::kConfiguration, "FSM state row audit key id", hex(given),
                  hex(state.audit_key_id)});
    }
  }
}

void check_head(const fsm::FsmState& state, const ChainWalk& walk, CheckReport& report) {
  if (state.next_audit_sequence != walk.next_sequence() || state.audit_head != walk.head()) {
    report.add(
        {MismatchKind::kAuditHead, "FSM state row",
         "next sequence " + std::to_string(walk.next_sequence()) + " head " + hex(walk.head()),
         "next sequence " + std::to_string(state.next_audit_sequence) + " head " +
             hex(state.audit_head)});
  }
  if (walk.last_log_index() > state.applied_index) {
    report.add({MismatchKind::kAppliedIndex, "FSM state row applied index",
                "at least " + std::to_string(walk.last_log_index()) + " (the last audited entry)",
                std::to_string(state.applied_index)});
  }
}

// Meta row against the state row (store_consistency.hpp), and the epoch and threshold
// against the threshold changes the chain applied.
Status check_meta(const store::KeyValueStore& store, const fsm::FsmState& state,
                  const cache::CacheMeta& meta, const ChainWalk& walk, CheckReport& report) {
  auto found = fsm::find_disagreements(store, state, meta);
  if (!found.ok()) return std::move(found).error();
  for (const fsm::Disagreement& d : *found) {
    if (d.about == fsm::Disagreement::About::kCacheMeta) {
      report.add({MismatchKind::kCacheMeta, d.rows, d.expected, d.actual});
    }  // the audit tail and the applied index are check_head's, from the whole walk
  }
  if (!walk.replayed_all()) return ok_status();
  if (state.cache_epoch != walk.threshold_changes() ||
      (walk.last_threshold() && state.rotation_threshold != *walk.last_threshold())) {
    report.add({MismatchKind::kCacheMeta, "FSM state row epoch and threshold",
                "epoch " + std::to_string(walk.threshold_changes()) +
                    (walk.last_threshold() ? ", threshold " + std::to_string(*walk.last_threshold())
                                           : std::string()) +
                    " (threshold changes in the audit chain)",
                "epoch " + std::to_string(state.cache_epoch) + ", threshold " +
                    std::to_string(state.rotation_threshold)});
  }
  return ok_status();
}

// The live cache, or one restored from the mirror; none when the mirror does not restore.
Status check_cache(const CheckInput& input, const std::optional<fsm::FsmState>& state,
                   const ChainWalk& walk, CheckReport& report) {
  std::optional<cache::Cache> restored;
  const cache::Cache* cache = input.cache;
  if (cache != nullptr) {
    auto parity = cache::check_parity(*cache, input.store);
    if (!parity.ok()) return std::move(parity).error();
    if (!parity->ok) {
      report.add({MismatchKind::kCacheParity, "cache mirror", "memory equal to disk",
                  parity->first_difference});
    }
  } else {
    auto from_mirror = cache::Cache::restore(input.store);
    if (!from_mirror.ok()) {
      if (from_mirror.error().code != Code::kCorrupt) return std::move(from_mirror).error();
      report.add({MismatchKind::kMalformedRow, "zone 0x02 cache mirror", "rows that restore",
                  from_mirror.error().message});
      return ok_status();
    }
    restored.emplace(std::move(from_mirror).value());
    cache = &*restored;
  }
  if (state) TALLY_TRY(check_meta(input.store, *state, cache->meta(), walk, report));
  return check_cache_against_rows(*cache, input.store, report);
}

}  // namespace

namespace {

// Why a checkpoint cannot be resumed from on this store, or empty when it can.
Result<std::string> unusable(const CheckCheckpoint& checkpoint, const CheckInput& input) {
  if (checkpoint_digest(checkpoint) != checkpoint.digest)
    return std::string("checkpoint digest mismatch");
  if (checkpoint.cluster_id != input.cluster_id)
    return std::string("checkpoint of another cluster id");
  std::optional<audit::AuditKeyId> key;
  if (input.audit_key) key = audit::audit_key_id(*input.audit_key);
  if (checkpoint.audit_key_id != key)
    return std::string("checkpoint verified under another audit key");
  // The state row is read again (and reported on) by the check itself; here it only says
  // whether the store's chain reaches the checkpoint at all.
  auto row = input.store.get(fsm::fsm_state_key());
  if (!row.ok()) return std::move(row).error();
  if (!row->has_value()) return std::string("no FSM state row");
  auto state = fsm::decode_fsm_state(**row);
  if (!state.ok()) return std::string("FSM state row does not decode");
  if (state->next_audit_sequence < checkpoint.chain.next_sequence) {
    return std::string("the store's audit chain ends before the checkpoint");
  }
  return std::string();
}

// The stored row of the checkpoint's entry must still be the entry the checkpoint replayed:
// its hash chains the whole prefix, so this binds the checkpoint to the store's prefix.
// False (with a mismatch) when it is not.
Result<bool> reverify_checkpoint_row(const CheckCheckpoint& checkpoint, const CheckInput& input,
                                     CheckReport& report) {
  const std::uint64_t sequence = checkpoint.sequence();
  if (sequence == 0) return true;  // a checkpoint before genesis stands for no row
  const std::string name = "audit " + std::to_string(sequence) + " (the checkpoint)";
  auto row = input.store.get(audit::audit_row_key(sequence));
  if (!row.ok()) return std::move(row).error();
  if (!row->has_value()) {
    report.add({MismatchKind::kAuditSequenceGap, name, "the checkpoint's entry", "absent"});
    return false;
  }
  auto entry = audit::decode_audit_entry(**row);
  if (!entry.ok()) {
    report.add(
        {MismatchKind::kMalformedRow, name, "a decodable audit entry", entry.error().message});
    return false;
  }
  const ChainState& chain = checkpoint.chain;
  if (entry->sequence != sequence || entry->hash != chain.head ||
      entry->log_index != chain.last_log_index) {
    report.add({MismatchKind::kAuditHash, name,
                "hash " + hex(chain.head) + " at log index " + std::to_string(chain.last_log_index),
                "hash " + hex(entry->hash) + " at log index " + std::to_string(entry->log_index) +
                    ", sequence " + std::to_string(entry->sequence)});
    return false;
  }
  if (input.audit_key && audit::compute_hash(*input.audit_key, *entry) != entry->hash) {
    report.add({MismatchKind::kAuditHash, name, "an HMAC that recomputes under the key",
                "hash " + hex(entry->hash)});
    return false;
  }
  return true;
}

// Incremental projections: the rows the new entries touched, by point reads.
Status compare_touched(const ReferenceLedger& model, const store::KeyValueStore& store,
                       CheckReport& report) {
  for (const auto& [key, expected] : model.touched_rows()) {
    auto actual = store.get(key);
    if (!actual.ok()) return std::move(actual).error();
    ++report.rows_compared;
    if (*actual == expected) continue;
    report.add({row_kind(key), describe_row_key(key),
                expected ? describe_row_value(key, *expected) : "absent",
                *actual ? describe_row_value(key, **actual) : "absent"});
  }
  return ok_status();
}

CheckCheckpoint make_checkpoint(ChainWalk&& walk, const CheckInput& input) {
  CheckCheckpoint checkpoint{std::move(walk).take_state(), input.cluster_id, std::nullopt, {}};
  checkpoint.chain.model.track_touched(false);
  if (input.audit_key) checkpoint.audit_key_id = audit::audit_key_id(*input.audit_key);
  checkpoint.digest = checkpoint_digest(checkpoint);
  return checkpoint;
}

Error stopped() {
  return make_error(Code::kStopped, "the check was stopped before it finished");
}

bool asked_to_stop(const std::function<bool()>& stop_requested) {
  return stop_requested && stop_requested();
}

// The store as the later passes read it (the projection's rows, the mirror's restore, parity,
// the cache against its rows, the stray rows): it asks stop_requested at each scan's start,
// every kReadsPerAsk rows or lookups after, and before each lookup batch, and answers kStopped
// once told, so a stop ends any pass within kReadsPerAsk reads, whatever the store's size.
class StoppableReads final : public store::KeyValueStore {
 public:
  static constexpr std::uint64_t kReadsPerAsk = 1024;

  StoppableReads(const store::KeyValueStore& store, const std::function<bool()>& stop_requested)
      : store_(store), stop_requested_(stop_requested) {}

  Result<std::optional<Bytes>> get(ByteView key) const override {
    if (due() && asked_to_stop(stop_requested_)) return stopped();
    return store_.get(key);
  }

  Status scan(ByteView begin, ByteView end, store::ScanOrder order,
              const store::ScanVisitor& visit) const override {
    if (asked_to_stop(stop_requested_)) return stopped();
    bool stop = false;
    TALLY_TRY(store_.scan(begin, end, order, [&](ByteView key, ByteView value) {
      if (due() && asked_to_stop(stop_requested_)) {
        stop = true;
        return false;
      }
      return visit(key, value);
    }));
    if (stop) return stopped();
    return ok_status();
  }

  Status write(const store::Batch&) override {
    return make_error(Code::kInvariantViolation, "a check never writes the store it reads");
  }

 private:
  bool due() const { return ++reads_ % kReadsPerAsk == 0; }

  const store::KeyValueStore& store_;
  const std::function<bool()>& stop_requested_;
  mutable std::uint64_t reads_ = 0;
};

}  // namespace

Result<CheckRun> run_check_from(const CheckInput& input, std::optional<CheckCheckpoint> from,
                                const std::function<bool()>& stop_requested) {
  CheckRun run;
  CheckReport& report = run.report;
  report.full_reason = "no checkpoint";
  if (from) {
    auto why = unusable(*from, input);
    if (!why.ok()) return std::move(why).error();
    report.full_reason = *why;
    if (!why->empty()) from.reset();
  }
  std::optional<ChainWalk> walk;
  if (from) {
    report.incremental = true;
    report.from_sequence = from->chain.next_sequence;
    auto row_ok = reverify_checkpoint_row(*from, input, report);
    if (!row_ok.ok()) return std::move(row_ok).error();
    walk.emplace(input.audit_key, report, std::move(from->chain));
    walk->model().track_touched(true);
    if (!*row_ok) walk->stop();
  } else {
    walk.emplace(input.audit_key, report);
  }
  // A full walk starts at the zone's first row, so a row keyed before sequence 1 is seen.
  const Bytes begin =
      report.incremental ? audit::audit_row_key(report.from_sequence) : audit::audit_rows_begin();
  bool stop = false;
  TALLY_TRY(store::scan_range(
      input.store, begin, audit::audit_rows_end(), [&](ByteView key, ByteView value) {
        walk->visit(key, value);
        stop = asked_to_stop(stop_requested);  // an entry may hold hundreds of orders
        return !stop;
      }));
  if (stop || asked_to_stop(stop_requested)) return stopped();
  report.to_sequence = walk->next_sequence() - 1;
  auto state = read_state(input.store, report);
  if (!state.ok()) return std::move(state).error();
  if (*state) {
    check_configuration(**state, input, report);
    check_head(**state, *walk, report);
  }
  if (asked_to_stop(stop_requested)) return stopped();
  // From here each pass reads through `reads`, so a stop ends it within a bounded number of
  // rows; a pass that turned the stop into something else is caught by the question after it.
  const StoppableReads reads(input.store, stop_requested);
  const CheckInput later{reads, input.cache, input.cluster_id, input.audit_key};
  if (walk->replayed_all()) {
    if (report.incremental) {
      TALLY_TRY(compare_touched(walk->model(), reads, report));
    } else {
      auto actual = derived_rows(reads);
      if (!actual.ok()) return std::move(actual).error();
      if (asked_to_stop(stop_requested)) return stopped();
      compare_projections(walk->model().expected_rows(), *actual, report);
    }
  }
  if (asked_to_stop(stop_requested)) return stopped();
  TALLY_TRY(check_cache(later, *state, *walk, report));
  if (asked_to_stop(stop_requested)) return stopped();
  TALLY_TRY(count_stray_rows(reads, report));
  if (asked_to_stop(stop_requested)) return stopped();
  if (report.ok() && walk->replayed_all())
    run.checkpoint = make_checkpoint(std::move(*walk), input);
  return run;
}

Result<CheckReport> run_check(const CheckInput& input) {
  auto run = run_check_from(input, std::nullopt);
  if (!run.ok()) return std::move(run).error();
  return std::move(run->report);
}

}  // namespace tally::check
