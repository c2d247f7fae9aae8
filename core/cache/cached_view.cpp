#include "core/cache/cached_view.hpp"

#include "core/store/layout.hpp"

namespace tally::cache {

namespace {

struct RowAttribute {
  keys::AttributeKind kind;
  ByteView canonical;
};

// The attribute a row key stands for (store/FORMAT.md), if it is an attribute or idempotency
// row.
std::optional<RowAttribute> attribute_of(ByteView key) {
  if (key.size >= 2 && key.data[0] == store::kZoneAttributes) {
    auto kind = keys::kind_from_byte(key.data[1]);
    if (!kind || *kind == keys::AttributeKind::kIdempotency) return std::nullopt;
    return RowAttribute{*kind, ByteView(key.data + 2, key.size - 2)};
  }
  if (key.size >= 1 && key.data[0] == store::kZoneIdempotency) {
    return RowAttribute{keys::AttributeKind::kIdempotency, ByteView(key.data + 1, key.size - 1)};
  }
  return std::nullopt;
}

}  // namespace

Result<std::optional<Bytes>> CachedView::get(ByteView key) const {
  if (auto attribute = attribute_of(key)) {
    const CacheEntry* entry =
        cache_->get(attribute->kind, keys::attribute_id(attribute->canonical));
    if (entry != nullptr && entry->tag == keys::attribute_tag(attribute->canonical)) {
      if (entry->deleted) return std::optional<Bytes>();
      return std::optional<Bytes>(entry->value.to_bytes());
    }
  }
  return store_->get(key);
}

Status CachedView::write(const store::Batch&) {
  TALLY_UNREACHABLE("a write through the read-only cached view");
}

}  // namespace tally::cache
