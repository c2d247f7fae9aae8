#include "core/store/schema_version.hpp"

#include <string>

#include "core/store/layout.hpp"

namespace tally::store {

Bytes schema_version_key() {
  Bytes key{kZoneMeta};
  append(key, std::string_view("schema_version"));
  return key;
}

namespace {

Result<bool> store_is_empty(const KeyValueStore& store) {
  bool empty = true;
  TALLY_TRY(store.scan(Bytes{}, Bytes{}, ScanOrder::kAscending, [&](ByteView, ByteView) {
    empty = false;
    return false;
  }));
  return empty;
}

}  // namespace

Status open_schema(KeyValueStore& store) {
  auto row = store.get(schema_version_key());
  if (!row.ok()) return std::move(row).error();
  if (!row->has_value()) {
    auto empty = store_is_empty(store);
    if (!empty.ok()) return std::move(empty).error();
    if (!*empty) {
      return make_error(Code::kCorrupt, "store holds rows but no schema version row");
    }
    Batch batch;
    Bytes value;
    put_u32_le(value, kSchemaVersion);
    batch.put(schema_version_key(), value);
    return store.write(batch);
  }
  const Bytes& value = **row;
  if (value.size() != 4) {
    return make_error(Code::kCorrupt, "schema version row is " + std::to_string(value.size()) +
                                          " bytes, expected 4");
  }
  std::uint32_t version = get_u32_le(value.data());
  if (version != kSchemaVersion) {
    return make_error(Code::kSchemaMismatch, "store has schema version " + std::to_string(version) +
                                                 ", this build reads version " +
                                                 std::to_string(kSchemaVersion));
  }
  return ok_status();
}

}  // namespace tally::store
