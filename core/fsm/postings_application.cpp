#include "core/fsm/postings_application.hpp"

#include <map>
#include <string_view>

#include "core/domain/validation.hpp"
#include "core/keys/attribute_key.hpp"

namespace tally::fsm {

namespace {

// The (account, asset) of a volume, as views into the postings, which outlive the call.
using VolumeSlot = std::pair<std::string_view, std::string_view>;

struct SlotVolume {
  keys::AttributeKey key;  // built once: read, then written
  domain::Volume volume;
  bool is_source = false;
};

Error overflow(const VolumeSlot& slot) {
  return make_error(Code::kValidation, "volume of " + std::string(slot.first) + " in " +
                                           std::string(slot.second) + " would overflow 2^256");
}

}  // namespace

Status apply_postings(GatedScope& scope, const std::string& ledger,
                      const std::vector<domain::Posting>& postings, bool force) {
  std::map<VolumeSlot, SlotVolume> volumes;  // ordered: checks and writes in a stable order
  auto load = [&](const VolumeSlot& slot) -> Result<SlotVolume*> {
    auto it = volumes.find(slot);
    if (it != volumes.end()) return &it->second;
    keys::AttributeKey key = keys::volume_key(ledger, slot.first, slot.second);
    auto stored = scope.get<domain::Volume>(key);
    if (!stored.ok()) return std::move(stored).error();
    SlotVolume loaded{std::move(key), stored->value_or(domain::Volume{}), false};
    return &volumes.emplace(slot, std::move(loaded)).first->second;
  };
  for (const domain::Posting& posting : postings) {
    const VolumeSlot source{posting.source, posting.asset};
    const VolumeSlot destination{posting.destination, posting.asset};
    auto from = load(source);
    if (!from.ok()) return std::move(from).error();
    auto out = domain::Amount::checked_add((*from)->volume.output, posting.amount);
    if (!out) return overflow(source);
    (*from)->volume.output = *out;
    (*from)->is_source = true;
    auto to = load(destination);
    if (!to.ok()) return std::move(to).error();
    auto in = domain::Amount::checked_add((*to)->volume.input, posting.amount);
    if (!in) return overflow(destination);
    (*to)->volume.input = *in;
  }
  for (const auto& [slot, loaded] : volumes) {
    if (!loaded.is_source) continue;
    domain::SignedAmount balance = loaded.volume.balance();
    if (balance.negative && !force && !domain::is_world(slot.first)) {
      return make_error(Code::kInsufficientFunds, "account " + std::string(slot.first) +
                                                      " would hold " + balance.to_decimal() + " " +
                                                      std::string(slot.second));
    }
  }
  for (const auto& [slot, loaded] : volumes) {
    scope.put(loaded.key, loaded.volume);
  }
  return ok_status();
}

}  // namespace tally::fsm
