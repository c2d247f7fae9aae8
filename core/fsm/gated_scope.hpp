// GatedScope: the only way an order touches state (docs/design.md §5).
//
// Reads and deletes pass the coverage gate, then look in the proposal's write set, then in
// the cache through the key store (never the disk: inv#3). Puts need no gate. Typed
// accessors decode with the core codec; a value the cache holds that does not decode is
// corruption, a hard error. There is no other path from an order to the key store.
#pragma once

#include <optional>

#include "core/codec/value_codec.hpp"
#include "core/fsm/coverage_gate.hpp"
#include "core/fsm/write_set.hpp"

namespace tally::fsm {

class GatedScope {
 public:
  GatedScope(const cache::KeyStore& key_store, WriteSet& writes, const CoverageGate& gate)
      : key_store_(&key_store), writes_(&writes), gate_(&gate) {}

  // The live value, or none when absent or deleted.
  Result<std::optional<Bytes>> get_raw(const keys::AttributeKey& key) const;
  // The same without a copy: none when absent or deleted; valid until the next put or del.
  Result<std::optional<ByteView>> get_view(const keys::AttributeKey& key) const;
  void put_raw(const keys::AttributeKey& key, Bytes value);
  // Deletes a live key; NotFound when it is not live.
  Status del(const keys::AttributeKey& key);

  template <class T>
  Result<std::optional<T>> get(const keys::AttributeKey& key) const {
    auto raw = get_view(key);
    if (!raw.ok()) return std::move(raw).error();
    if (!*raw) return std::optional<T>();
    auto decoded = codec::ValueCodec<T>::decode(**raw);
    if (!decoded.ok()) return std::move(decoded).error();  // kCorrupt: hard
    return std::optional<T>(std::move(decoded).value());
  }

  template <class T>
  void put(const keys::AttributeKey& key, const T& value) {
    put_raw(key, codec::ValueCodec<T>::encode(value));
  }

  const CoverageGate& gate() const { return *gate_; }

 private:
  // Whether the cache (not the write set) holds the key live. Errors: collisions.
  // REQUIRES: slot == slot_of(key), hashed once per access.
  Result<bool> live_in_cache(const AttributeSlot& slot, const keys::AttributeKey& key) const;

  const cache::KeyStore* key_store_;
  WriteSet* writes_;
  const CoverageGate* gate_;
};

}  // namespace tally::fsm
