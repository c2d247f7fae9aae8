#include "core/fsm/coverage_gate.hpp"

#include <string>

namespace tally::fsm {

PlanIndex::PlanIndex(const plan::Plan& plan) : plan_(&plan) {
  for (std::size_t i = 0; i < plan.entries.size(); ++i) {
    const plan::PlanEntry& entry = plan.entries[i];
    TALLY_INVARIANT(entry.id.size() == keys::kIdBytes, "PlanIndex over an unvalidated plan");
    positions_.emplace(AttributeSlot{entry.kind, keys::Id128::from_bytes(entry.id)}, i);
  }
}

const plan::PlanEntry* PlanIndex::find(const AttributeSlot& slot, std::size_t* entry_index) const {
  auto it = positions_.find(slot);
  if (it == positions_.end()) return nullptr;
  if (entry_index != nullptr) *entry_index = it->second;
  return &plan_->entries[it->second];
}

Status CoverageGate::check(const keys::AttributeKey& key, const char* what) const {
  return check(slot_of(key), key, what);
}

Status CoverageGate::check(const AttributeSlot& slot, const keys::AttributeKey& key,
                           const char* what) const {
  std::size_t entry_index = 0;
  if (index_->find(slot, &entry_index) != nullptr &&
      plan::coverage_bit(*coverage_bits_, entry_index)) {
    return ok_status();
  }
  return make_error(Code::kCoverageMiss, std::string(what) + " of " +
                                             std::string(keys::kind_name(key.kind)) + " " +
                                             slot.second.to_hex() + " was not declared");
}

const plan::PlanEntry* CoverageGate::declared_entry(const keys::AttributeKey& key) const {
  std::size_t entry_index = 0;
  const plan::PlanEntry* entry = index_->find(slot_of(key), &entry_index);
  if (entry == nullptr || !plan::coverage_bit(*coverage_bits_, entry_index)) return nullptr;
  return entry;
}

}  // namespace tally::fsm
