#include "core/cache/key_store.hpp"

#include <string>

#include "core/store/layout.hpp"

namespace tally::cache {

namespace {

Error not_found(const keys::AttributeKey& key) {
  return make_error(Code::kNotFound,
                    std::string(keys::kind_name(key.kind)) + " " + to_hex(key.canonical));
}

}  // namespace

Result<const CacheEntry*> KeyStore::find(const keys::AttributeKey& key, const keys::Id128& id,
                                         keys::Tag tag) const {
  const CacheEntry* entry = cache_->get(key.kind, id);
  if (entry != nullptr && entry->tag != tag) {
    return make_error(Code::kCollisionDetected, std::string(keys::kind_name(key.kind)) + " id " +
                                                    id.to_hex() +
                                                    " is held under another key's tag");
  }
  return entry;
}

Result<Bytes> KeyStore::get(const keys::AttributeKey& key) const {
  auto live = get_live(key);
  if (!live.ok()) return std::move(live).error();
  if (!*live) return not_found(key);
  return (*live)->to_bytes();
}

Result<std::optional<ByteView>> KeyStore::get_live(const keys::AttributeKey& key) const {
  return get_live(key, keys::attribute_id(key.canonical));
}

Result<std::optional<ByteView>> KeyStore::get_live(const keys::AttributeKey& key,
                                                   const keys::Id128& id) const {
  auto entry = find(key, id, keys::attribute_tag(key.canonical));
  if (!entry.ok()) return std::move(entry).error();
  if (*entry == nullptr || (*entry)->deleted) return std::optional<ByteView>();
  return std::optional<ByteView>((*entry)->value.view());
}

Status KeyStore::check_tag(const keys::AttributeKey& key, const keys::Id128& id) const {
  auto entry = find(key, id, keys::attribute_tag(key.canonical));
  if (!entry.ok()) return std::move(entry).error();
  return ok_status();
}

Status KeyStore::put(const keys::AttributeKey& key, Bytes value, store::Batch& batch) {
  return put(key, keys::attribute_id(key.canonical), std::move(value), batch);
}

Status KeyStore::put(const keys::AttributeKey& key, const keys::Id128& id, Bytes value,
                     store::Batch& batch) {
  keys::Tag tag = keys::attribute_tag(key.canonical);
  TALLY_TRY(find(key, id, tag));
  batch.put(store::attribute_row_key(key), value);
  cache_->put(key.kind, id, tag, std::move(value), batch);
  return ok_status();
}

Status KeyStore::del(const keys::AttributeKey& key, store::Batch& batch) {
  keys::Id128 id = keys::attribute_id(key.canonical);
  auto entry = find(key, id, keys::attribute_tag(key.canonical));
  if (!entry.ok()) return std::move(entry).error();
  if (*entry == nullptr || (*entry)->deleted) return not_found(key);
  if (delete_mode_ == DeleteMode::kPreFixForTeaching) {
    bool deleted = cache_->del_pre_fix_for_teaching(key.kind, id, batch);
    TALLY_INVARIANT(deleted, "pre-fix delete found nothing the tag check had found");
  } else {
    DelOutcome outcome = cache_->del(key.kind, id, batch);
    TALLY_INVARIANT(outcome != DelOutcome::kNotFound, "Del found nothing the tag check had found");
  }
  batch.del(store::attribute_row_key(key));
  return ok_status();
}

}  // namespace tally::cache
