#include "core/plan/script_state.hpp"

#include "core/numscript/script_transaction.hpp"

namespace tally::plan {

void MetadataOverlay::apply(const domain::Order& order) {
  if (const auto* create = std::get_if<domain::CreateTransaction>(&order)) {
    for (const auto& [account, metadata] : create->account_metadata) {
      auto& keys = writes_[{create->ledger, account}];
      for (const auto& [key, value] : metadata)
        keys.insert_or_assign(key, numscript::metadata_text(value));
    }
  } else if (const auto* set = std::get_if<domain::SetAccountMetadata>(&order)) {
    auto& keys = writes_[{set->ledger, set->account}];
    for (const auto& [key, value] : set->metadata)
      keys.insert_or_assign(key, numscript::metadata_text(value));
  } else if (const auto* erase = std::get_if<domain::DeleteAccountMetadata>(&order)) {
    writes_[{erase->ledger, erase->account}].insert_or_assign(erase->key, std::nullopt);
  }
}

void MetadataOverlay::apply_script(const std::string& ledger,
                                   const std::vector<numscript::MetadataWrite>& writes) {
  for (const numscript::MetadataWrite& write : writes) {
    writes_[{ledger, write.account}].insert_or_assign(write.key, write.value);
  }
}

const std::optional<std::string>* MetadataOverlay::find(const std::string& ledger,
                                                        const std::string& account,
                                                        const std::string& key) const {
  auto owner = writes_.find({ledger, account});
  if (owner == writes_.end()) return nullptr;
  auto found = owner->second.find(key);
  return found == owner->second.end() ? nullptr : &found->second;
}

Result<numscript::Integer> AdmissionScriptState::balance(const std::string& account,
                                                         const std::string& asset) {
  auto volume = state_->get<domain::Volume>(keys::volume_key(ledger_, account, asset));
  if (!volume.ok()) return std::move(volume).error();
  if (!*volume) return numscript::Integer();
  return numscript::Integer::from_signed_amount((*volume)->balance());
}

Result<std::optional<std::string>> AdmissionScriptState::metadata(const std::string& account,
                                                                  const std::string& key) {
  using Text = std::optional<std::string>;
  if (const Text* written = overlay_->find(ledger_, account, key)) return *written;
  auto metadata = state_->get<domain::Metadata>(keys::account_metadata_key(ledger_, account));
  if (!metadata.ok()) return std::move(metadata).error();
  if (!*metadata) return Text();
  auto found = (*metadata)->find(key);
  if (found == (*metadata)->end()) return Text();
  return numscript::metadata_text(found->second);
}

}  // namespace tally::plan
