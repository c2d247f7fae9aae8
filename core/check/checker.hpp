// The checker (docs/design.md §7, inv#7): proves a store's state from its audit chain alone.
//
// 1. Walks the audit chain (chain_walk.hpp): every row decodes, sequences run 1, 2, 3, each
//    link and (with the audit key) each HMAC holds, log indexes increase; replays what
//    verified into an independent ReferenceLedger, checking every recorded outcome.
// 2. The FSM state row: decodes, names this cluster and this audit key, agrees with the
//    chain's tail (sequence, head, last log index <= applied index) and with the cache meta
//    row (generation = Gen(applied index), epoch, threshold; fsm/store_consistency.hpp),
//    and the epoch and threshold agree with the threshold changes the chain applied.
// 3. Compares every projection the replay implies (volumes, metadata, transactions,
//    references, ledgers, boundaries, idempotency records, ledger logs) with the store's
//    rows, byte for byte — when the whole chain replayed.
// 4. The cache: the given live cache, else one restored from the mirror. Parity with the
//    mirror (inv#1) for a live cache; for either, every visible entry against its attribute
//    row (cache_check.hpp).
// 5. Every other row is accounted for (zone_census.hpp).
// Reads only; never aborts on stored bytes; runs on demand on a live node and in every test.
#pragma once

#include <map>
#include <optional>
#include <string>

#include "core/audit/audit_key.hpp"
#include "core/cache/cache.hpp"
#include "core/check/mismatch.hpp"
#include "core/domain/outcome.hpp"
#include "core/store/key_value_store.hpp"

namespace tally::check {

struct CheckInput {
  const store::KeyValueStore& store;
  const cache::Cache* cache = nullptr;  // the live cache; without one, restored from the mirror
  std::string cluster_id = "tally";
  // The cluster's audit key. Without it HMACs are not verified; the report says so
  // (hashes_verified) and everything else is checked.
  std::optional<audit::AuditKey> audit_key;
};

// Errors only when the store cannot be read; everything found wrong is in the report.
Result<CheckReport> run_check(const CheckInput& input);

// Compares the rows a replay implies with the rows a store holds (both limited to the derived
// zones, see is_derived_row), adding one typed mismatch per differing row.
void compare_projections(const std::map<Bytes, Bytes>& expected,
                         const std::map<Bytes, Bytes>& actual, CheckReport& report);

}  // namespace tally::check
