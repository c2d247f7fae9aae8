// The two metadata edits every metadata order makes, on any map-valued attribute (account
// or ledger metadata): merge changes in, or erase one key.
#pragma once

#include <string>

#include "core/domain/metadata.hpp"
#include "core/fsm/gated_scope.hpp"

namespace tally::fsm {

// Merges changes into the map at key (an absent map is empty). VALIDATION past the limits.
Status merge_metadata_at(GatedScope& scope, const keys::AttributeKey& key,
                         const domain::Metadata& changes);

enum class WhenEmpty {
  kDeleteAttribute,  // account metadata: no empty maps linger; the delete passes the gate
  kKeepEmpty,        // ledger metadata lives as long as its ledger
};

// Erases one key from the map at key; an absent key or map changes nothing.
Status erase_metadata_key_at(GatedScope& scope, const keys::AttributeKey& key,
                             const std::string& name, WhenEmpty when_empty);

}  // namespace tally::fsm
