#include "core/fsm/write_set.hpp"

namespace tally::fsm {

AttributeSlot slot_of(const keys::AttributeKey& key) {
  return {keys::kind_byte(key.kind), keys::attribute_id(key.canonical)};
}

const PendingWrite* WriteSet::find(const AttributeSlot& slot) const {
  auto it = writes_.find(slot);
  return it == writes_.end() ? nullptr : &it->second;
}

void WriteSet::put(const AttributeSlot& slot, const keys::AttributeKey& key, Bytes value,
                   bool was_live) {
  auto [it, inserted] = writes_.try_emplace(slot, PendingWrite{key, {}, was_live});
  it->second.value = std::move(value);
}

void WriteSet::del(const AttributeSlot& slot, const keys::AttributeKey& key, bool was_live) {
  auto [it, inserted] = writes_.try_emplace(slot, PendingWrite{key, {}, was_live});
  it->second.value.reset();
}

Status WriteSet::merge_into(cache::KeyStore& key_store, store::Batch& batch) const {
  // A key written without being read first (a new transaction, a new ledger's boundary)
  // meets the cache only here: clashes are found before anything is merged, so a clash
  // rejects the proposal whole (plan_validation.hpp) and the merge below cannot meet one.
  for (const auto& [slot, write] : writes_)
    TALLY_TRY(key_store.check_tag(write.key, slot.second));
  for (const auto& [slot, write] : writes_) {
    if (write.value) {
      Status put = key_store.put(write.key, slot.second, *write.value, batch);
      TALLY_INVARIANT(put.ok(), "a put after the collision pass: " + put.error().message);
      continue;
    }
    if (!write.was_live) continue;  // created and deleted within this proposal
    Status deleted = key_store.del(write.key, batch);
    if (!deleted.ok() && deleted.error().code == Code::kNotFound) {
      // The order read the key live through the gate; the cache cannot have lost it since.
      return make_error(Code::kInvariantViolation,
                        "merge: delete of " + std::string(keys::kind_name(write.key.kind)) + " " +
                            slot.second.to_hex() + " found nothing in the cache (inv#6)");
    }
    TALLY_TRY(std::move(deleted));
  }
  return ok_status();
}

}  // namespace tally::fsm
