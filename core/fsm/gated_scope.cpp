#include "core/fsm/gated_scope.hpp"

namespace tally::fsm {

Result<bool> GatedScope::live_in_cache(const keys::AttributeKey& key) const {
  auto value = key_store_->get(key);
  if (value.ok()) return true;
  if (value.error().code == Code::kNotFound) return false;
  return std::move(value).error();
}

Result<std::optional<Bytes>> GatedScope::get_raw(const keys::AttributeKey& key) const {
  TALLY_TRY(gate_->check(key, "read"));
  if (const PendingWrite* pending = writes_->find(slot_of(key))) return pending->value;
  auto value = key_store_->get(key);
  if (value.ok()) return std::optional<Bytes>(std::move(value).value());
  if (value.error().code == Code::kNotFound) return std::optional<Bytes>();
  return std::move(value).error();
}

void GatedScope::put_raw(const keys::AttributeKey& key, Bytes value) {
  bool was_live = false;
  if (writes_->find(slot_of(key)) == nullptr) {
    auto live = live_in_cache(key);
    // A collision surfaces again, as a hard error, when the write set merges.
    was_live = live.ok() && *live;
  }
  writes_->put(key, std::move(value), was_live);
}

Status GatedScope::del(const keys::AttributeKey& key) {
  TALLY_TRY(gate_->check(key, "delete"));
  if (const PendingWrite* pending = writes_->find(slot_of(key))) {
    if (!pending->value) return make_error(Code::kNotFound, "already deleted");
    writes_->del(key, pending->was_live);
    return ok_status();
  }
  auto live = live_in_cache(key);
  if (!live.ok()) return std::move(live).error();
  if (!*live)
    return make_error(Code::kNotFound, std::string(keys::kind_name(key.kind)) + " absent");
  writes_->del(key, true);
  return ok_status();
}

}  // namespace tally::fsm
