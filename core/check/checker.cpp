#include "core/check/checker.hpp"

#include <map>

#include "core/audit/audit_entry.hpp"
#include "core/audit/audit_rows.hpp"
#include "core/cache/parity.hpp"
#include "core/check/cache_check.hpp"
#include "core/check/chain_walk.hpp"
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

Result<CheckReport> run_check(const CheckInput& input) {
  CheckReport report;
  ChainWalk walk(input.audit_key, report);
  TALLY_TRY(store::scan_range(input.store, audit::audit_rows_begin(), audit::audit_rows_end(),
                              [&](ByteView key, ByteView value) {
                                walk.visit(key, value);
                                return true;
                              }));
  auto state = read_state(input.store, report);
  if (!state.ok()) return std::move(state).error();
  if (*state) {
    check_configuration(**state, input, report);
    check_head(**state, walk, report);
  }
  if (walk.replayed_all()) {
    auto actual = derived_rows(input.store);
    if (!actual.ok()) return std::move(actual).error();
    compare_projections(walk.model().expected_rows(), *actual, report);
  }
  TALLY_TRY(check_cache(input, *state, walk, report));
  TALLY_TRY(count_stray_rows(input.store, report));
  return report;
}

}  // namespace tally::check
