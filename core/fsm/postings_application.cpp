#include "core/fsm/postings_application.hpp"

#include <map>
#include <set>

#include "core/domain/validation.hpp"
#include "core/keys/attribute_key.hpp"

namespace tally::fsm {

namespace {

using VolumeSlot = std::pair<std::string, std::string>;  // (account, asset)

Error overflow(const VolumeSlot& slot) {
  return make_error(Code::kValidation,
                    "volume of " + slot.first + " in " + slot.second + " would overflow 2^256");
}

}  // namespace

Status apply_postings(GatedScope& scope, const std::string& ledger,
                      const std::vector<domain::Posting>& postings, bool force) {
  std::map<VolumeSlot, domain::Volume> volumes;  // ordered: writes in a stable order
  std::set<VolumeSlot> sources;
  auto load = [&](const VolumeSlot& slot) -> Result<domain::Volume*> {
    auto it = volumes.find(slot);
    if (it != volumes.end()) return &it->second;
    auto stored = scope.get<domain::Volume>(keys::volume_key(ledger, slot.first, slot.second));
    if (!stored.ok()) return std::move(stored).error();
    return &volumes.emplace(slot, stored->value_or(domain::Volume{})).first->second;
  };
  for (const domain::Posting& posting : postings) {
    VolumeSlot source{posting.source, posting.asset};
    VolumeSlot destination{posting.destination, posting.asset};
    auto from = load(source);
    if (!from.ok()) return std::move(from).error();
    auto out = domain::Amount::checked_add((*from)->output, posting.amount);
    if (!out) return overflow(source);
    (*from)->output = *out;
    auto to = load(destination);
    if (!to.ok()) return std::move(to).error();
    auto in = domain::Amount::checked_add((*to)->input, posting.amount);
    if (!in) return overflow(destination);
    (*to)->input = *in;
    sources.insert(source);
  }
  for (const VolumeSlot& slot : sources) {
    domain::SignedAmount balance = volumes.at(slot).balance();
    if (balance.negative && !force && !domain::is_world(slot.first)) {
      return make_error(Code::kInsufficientFunds, "account " + slot.first + " would hold " +
                                                      balance.to_decimal() + " " + slot.second);
    }
  }
  for (const auto& [slot, volume] : volumes) {
    scope.put(keys::volume_key(ledger, slot.first, slot.second), volume);
  }
  return ok_status();
}

}  // namespace tally::fsm
