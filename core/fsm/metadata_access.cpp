#include "core/fsm/metadata_access.hpp"

namespace tally::fsm {

Status merge_metadata_at(GatedScope& scope, const keys::AttributeKey& key,
                         const domain::Metadata& changes) {
  auto current = scope.get<domain::Metadata>(key);
  if (!current.ok()) return std::move(current).error();
  auto merged = domain::merge_metadata(current->value_or(domain::Metadata{}), changes);
  if (!merged.ok()) return std::move(merged).error();
  scope.put(key, *merged);
  return ok_status();
}

Status erase_metadata_key_at(GatedScope& scope, const keys::AttributeKey& key,
                             const std::string& name, WhenEmpty when_empty) {
  auto current = scope.get<domain::Metadata>(key);
  if (!current.ok()) return std::move(current).error();
  if (!current->has_value() || (*current)->erase(name) == 0) return ok_status();
  if ((*current)->empty() && when_empty == WhenEmpty::kDeleteAttribute) return scope.del(key);
  scope.put(key, **current);
  return ok_status();
}

}  // namespace tally::fsm
