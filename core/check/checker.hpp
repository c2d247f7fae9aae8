// The checker (DESIGN.md §7, inv#7): proves a store's state from its audit chain alone.
//
// 1. Verifies the hash chain from genesis: every entry decodes, sequences run 1, 2, 3 with no
//    gap, every previous-hash link holds and every HMAC recomputes under the cluster key; the
//    FSM state's head names the last entry.
// 2. Replays the chain into a fresh ReferenceLedger (an independent, plain implementation of
//    the business rules): every entry's recorded outcome must be what the replay computes.
// 3. Compares every projection the replay implies (volumes, account metadata, transactions
//    with postings and revert links, references, ledgers, ledger metadata, boundaries,
//    idempotency records, ledger logs) with the store's rows, byte for byte.
// 4. With a cache, checks its parity with the mirror (inv#1).
// Reads only; runs on demand on a live node and in every test.
#pragma once

#include <map>
#include <string>

#include "core/cache/cache.hpp"
#include "core/check/mismatch.hpp"
#include "core/domain/outcome.hpp"
#include "core/store/key_value_store.hpp"

namespace tally::check {

struct CheckInput {
  const store::KeyValueStore& store;
  const cache::Cache* cache = nullptr;  // parity is checked when given
  std::string cluster_id = "tally";
};

// Errors only when the store cannot be read; everything found wrong is in the report.
Result<CheckReport> run_check(const CheckInput& input);

// Compares the rows a replay implies with the rows a store holds (both limited to the derived
// zones, see is_derived_row), adding one typed mismatch per differing row.
void compare_projections(const std::map<Bytes, Bytes>& expected,
                         const std::map<Bytes, Bytes>& actual, CheckReport& report);

}  // namespace tally::check
