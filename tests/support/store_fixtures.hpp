// Stores for behaviour suites that must hold on every KeyValueStore implementation.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "core/store/key_value_store.hpp"
#include "tests/support/temp_dir.hpp"

namespace tally::testing {

using Rows = std::map<Bytes, Bytes>;

// "memory" (MemoryStore, schema opened) or "sqlite" (a fresh SqliteStore file in dir).
std::unique_ptr<store::KeyValueStore> make_store(const std::string& kind, const TempDir& dir,
                                                 const std::string& file = "store.db");

// The store kinds behaviour suites run on: memory and SQLite natively, memory alone in the
// portable build (WebAssembly has no SQLite). Use with GENERATE(from_range(store_kinds())).
std::vector<std::string> store_kinds();

// The store suites use when the store kind is not what they test: SQLite natively, the
// memory store in the portable build.
std::string durable_store_kind();

// Every row of the store, in key order.
Rows all_rows(const store::KeyValueStore& store);

// Commits a batch, failing the test on error.
void commit(store::KeyValueStore& store, const store::Batch& batch);

Bytes bytes(std::string_view text);

}  // namespace tally::testing
