// Readable names for attribute keys and values, for the stepping model (step_state.hpp).
//
// An attribute id is a hash: it cannot be turned back into its key. KeyNames remembers the
// canonical keys a session has met (every order's footprint, the keys a scenario watches)
// and names them the way people say them ("alice's metadata", "a's USD volume"). Values are
// decoded with the core's own codec; a value that does not decode says so.
#pragma once

#include <map>
#include <string>

#include "core/bytes.hpp"
#include "core/domain/order.hpp"
#include "core/keys/attribute_key.hpp"
#include "core/keys/key_hash.hpp"

namespace tally::sim {

class KeyNames {
 public:
  // Remembers key under its readable name, or under label when one is given. A label given
  // once wins over later readable names.
  void remember(const keys::AttributeKey& key, const std::string& label = "");
  // Every key the order reads, deletes or writes that can be named without the store.
  void remember_order(const domain::Order& order);

  // The name, or "<Kind> <first 8 hex digits of the id>" for a key never met.
  std::string name(keys::AttributeKind kind, const keys::Id128& id) const;

 private:
  void remember_script(const domain::CreateTransaction& order);
  std::map<std::pair<std::uint8_t, keys::Id128>, std::string> names_;
};

// "alice's metadata", "ledger main", ...: the canonical key's parts put into words.
std::string readable_key(const keys::AttributeKey& key);

// The value of an attribute for people: "input 10, output 0", "{k: true}", ... Empty
// metadata reads "{} (zero bytes)"; an undecodable value reads "undecodable: <reason>".
std::string describe_value(keys::AttributeKind kind, ByteView value);

}  // namespace tally::sim
