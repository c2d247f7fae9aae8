#include "core/fsm/gated_scope.hpp"

namespace tally::fsm {

Result<bool> GatedScope::live_in_cache(const AttributeSlot& slot,
                                       const keys::AttributeKey& key) const {
  auto value = key_store_->get_live(key, slot.second);  // a presence test: nothing is copied
  if (!value.ok()) return std::move(value).error();
  return value->has_value();
}

Result<std::optional<ByteView>> GatedScope::get_view(const keys::AttributeKey& key) const {
  const AttributeSlot slot = slot_of(key);
  TALLY_TRY(gate_->check(slot, key, "read"));
  if (const PendingWrite* pending = writes_->find(slot)) {
    if (!pending->value) return std::optional<ByteView>();
    return std::optional<ByteView>(ByteView(*pending->value));
  }
  return key_store_->get_live(key, slot.second);
}

Result<std::optional<Bytes>> GatedScope::get_raw(const keys::AttributeKey& key) const {
  auto value = get_view(key);
  if (!value.ok()) return std::move(value).error();
  if (!*value) return std::optional<Bytes>();
  return std::optional<Bytes>((*value)->to_bytes());
}

void GatedScope::put_raw(const keys::AttributeKey& key, Bytes value) {
  const AttributeSlot slot = slot_of(key);
  bool was_live = false;
  if (writes_->find(slot) == nullptr) {
    auto live = live_in_cache(slot, key);
    // A collision surfaces again, as a hard error, when the write set merges.
    was_live = live.ok() && *live;
  }
  writes_->put(slot, key, std::move(value), was_live);
}

Status GatedScope::del(const keys::AttributeKey& key) {
  const AttributeSlot slot = slot_of(key);
  TALLY_TRY(gate_->check(slot, key, "delete"));
  if (const PendingWrite* pending = writes_->find(slot)) {
    if (!pending->value) return make_error(Code::kNotFound, "already deleted");
    writes_->del(slot, key, pending->was_live);
    return ok_status();
  }
  auto live = live_in_cache(slot, key);
  if (!live.ok()) return std::move(live).error();
  if (!*live)
    return make_error(Code::kNotFound, std::string(keys::kind_name(key.kind)) + " absent");
  writes_->del(slot, key, true);
  return ok_status();
}

}  // namespace tally::fsm
