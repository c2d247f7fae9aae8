#include "core/fsm/store_consistency.hpp"

#include "core/audit/audit_entry.hpp"
#include "core/audit/audit_rows.hpp"
#include "core/cache/generation.hpp"
#include "core/cache/row_agreement.hpp"
#include "core/domain/validation.hpp"

namespace tally::fsm {

namespace {

std::string meta_text(std::uint64_t generation, std::uint64_t epoch, std::uint64_t threshold) {
  return "generation " + std::to_string(generation) + ", epoch " + std::to_string(epoch) +
         ", threshold " + std::to_string(threshold);
}

std::string hex(const crypto::Digest& d) {
  return to_hex(ByteView(d.data(), d.size()));
}

void check_meta(const FsmState& state, const cache::CacheMeta& meta,
                std::vector<Disagreement>& found) {
  std::uint64_t threshold = state.rotation_threshold;
  if (threshold == 0) {
    found.push_back({Disagreement::About::kCacheMeta, "FSM state row",
                     "a rotation threshold of at least 1", "threshold 0"});
    return;
  }
  std::uint64_t generation = cache::generation_of(state.applied_index, threshold);
  if (meta.generation != generation || meta.epoch != state.cache_epoch ||
      meta.threshold != threshold) {
    found.push_back({Disagreement::About::kCacheMeta, "cache meta row vs FSM state row",
                     meta_text(generation, state.cache_epoch, threshold) + " (Gen(" +
                         std::to_string(state.applied_index) + "))",
                     meta_text(meta.generation, meta.epoch, meta.threshold)});
  }
}

// The last audit row, read with one descending step.
Result<std::optional<std::pair<Bytes, Bytes>>> last_audit_row(const store::KeyValueStore& store) {
  std::optional<std::pair<Bytes, Bytes>> last;
  TALLY_TRY(store.scan(audit::audit_rows_begin(), audit::audit_rows_end(),
                       store::ScanOrder::kDescending, [&](ByteView key, ByteView value) {
                         last.emplace(key.to_bytes(), value.to_bytes());
                         return false;
                       }));
  return last;
}

void check_audit_tail(const std::optional<std::pair<Bytes, Bytes>>& last, const FsmState& state,
                      std::vector<Disagreement>& found) {
  if (state.next_audit_sequence == 0) {
    found.push_back({Disagreement::About::kAuditTail, "FSM state row",
                     "a next audit sequence of at least 1", "0"});
    return;
  }
  const std::uint64_t expected_sequence = state.next_audit_sequence - 1;
  const std::string rows = "last audit row vs FSM state row";
  if (!last) {
    if (expected_sequence != 0) {
      found.push_back({Disagreement::About::kAuditTail, rows,
                       "audit entry " + std::to_string(expected_sequence), "no audit row"});
    }
    return;
  }
  auto entry = audit::decode_audit_entry(last->second);
  if (!entry.ok()) {
    found.push_back({Disagreement::About::kAuditTail, rows, "a decodable audit entry",
                     "row " + to_hex(last->first) + ": " + entry.error().message});
    return;
  }
  if (last->first != audit::audit_row_key(expected_sequence) ||
      entry->sequence != expected_sequence || entry->hash != state.audit_head) {
    found.push_back(
        {Disagreement::About::kAuditTail, rows,
         "sequence " + std::to_string(expected_sequence) + " hash " + hex(state.audit_head),
         "sequence " + std::to_string(entry->sequence) + " at row " + to_hex(last->first) +
             " hash " + hex(entry->hash)});
  }
  // An entry applied after the recorded index means the index was lowered: the log would
  // apply entries twice (issue #7).
  if (entry->log_index > state.applied_index) {
    found.push_back({Disagreement::About::kAppliedIndex, "FSM state row vs last audit row",
                     "applied index at least " + std::to_string(entry->log_index) +
                         " (audit entry " + std::to_string(entry->sequence) + ")",
                     "applied index " + std::to_string(state.applied_index)});
  }
}

}  // namespace

Result<std::vector<Disagreement>> find_disagreements(const store::KeyValueStore& store,
                                                     const FsmState& state,
                                                     const cache::CacheMeta& meta) {
  std::vector<Disagreement> found;
  check_meta(state, meta, found);
  auto last = last_audit_row(store);
  if (!last.ok()) return std::move(last).error();
  check_audit_tail(*last, state, found);
  return found;
}

std::string describe(const Disagreement& d) {
  return d.rows + ": expected " + d.expected + ", store has " + d.actual;
}

namespace {

// Hex of at most 64 bytes: a refusal names the value, it need not print 4 KiB of it.
std::string hex_prefix(ByteView bytes) {
  constexpr std::size_t kShown = 64;
  if (bytes.size <= kShown) return to_hex(bytes);
  return to_hex(bytes.sub(0, kShown)) + "... (" + std::to_string(bytes.size) + " bytes)";
}

std::string entry_text(const cache::RowDisagreement& d) {
  std::string where = d.in_gen0 ? "gen0" : "gen1";
  if (d.entry.deleted) return where + " tombstone, tag " + std::to_string(d.entry.tag);
  return where + " live, tag " + std::to_string(d.entry.tag) + ", value " +
         hex_prefix(d.entry.value);
}

std::string describe(const cache::RowDisagreement& d) {
  std::string entry = "cache entry " + std::string(keys::kind_name(d.kind)) + " " + d.id.to_hex() +
                      " (" + entry_text(d) + ")";
  if (!d.row_key) return entry + ": the store has no attribute row for it";
  std::string row =
      "attribute row " + domain::quote_input(std::string(
                             reinterpret_cast<const char*>(d.row_key->data()), d.row_key->size()));
  if (d.entry.deleted) return entry + ": a tombstone, yet the store holds " + row;
  return entry + " disagrees with " + row + " = " + hex_prefix(*d.row_value);
}

}  // namespace

Status check_cache_rows(const cache::Cache& cache, const store::KeyValueStore& store) {
  std::optional<std::string> first;
  TALLY_TRY(cache::find_row_disagreements(cache, store, [&](const cache::RowDisagreement& d) {
    first = describe(d);
    return false;
  }));
  if (first) return make_error(Code::kCorrupt, "store refused: " + *first);
  return ok_status();
}

}  // namespace tally::fsm
