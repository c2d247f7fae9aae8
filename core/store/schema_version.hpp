// The storage schema version row (docs/design.md §8): written when a store is created, checked
// on every open. A store of another version is refused with kSchemaMismatch, never
// reinterpreted.
#pragma once

#include "core/result.hpp"
#include "core/store/key_value_store.hpp"

namespace tally::store {

Bytes schema_version_key();

// On an empty store, writes the current version. On a non-empty one, checks it: a missing
// version row is kCorrupt, another version kSchemaMismatch. Changes nothing on error.
Status open_schema(KeyValueStore& store);

}  // namespace tally::store
