// What a scripted transaction's variables read at admission (core/numscript/state_view.hpp):
// the ledger as the leader knows it now (state_lookup.hpp), seen through the account
// metadata the request's earlier orders set or delete, so that a script reading a key an
// earlier order of its bulk writes is admitted with the value apply will see.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <utility>

#include "core/domain/order.hpp"
#include "core/numscript/footprint.hpp"
#include "core/numscript/state_view.hpp"
#include "core/plan/state_lookup.hpp"

namespace tally::plan {

// Account metadata a request's orders write, by (ledger, account) then key; none: deleted.
class MetadataOverlay {
 public:
  void apply(const domain::Order& order);
  void apply_script(const std::string& ledger, const std::vector<numscript::MetadataWrite>& writes);
  // Set: the key is written by an earlier order (its value, or none when deleted).
  const std::optional<std::string>* find(const std::string& ledger, const std::string& account,
                                         const std::string& key) const;

 private:
  std::map<std::pair<std::string, std::string>, std::map<std::string, std::optional<std::string>>>
      writes_;
};

class AdmissionScriptState final : public numscript::StateView {
 public:
  AdmissionScriptState(const StateLookup& state, const MetadataOverlay& overlay, std::string ledger)
      : state_(&state), overlay_(&overlay), ledger_(std::move(ledger)) {}

  Result<numscript::Integer> balance(const std::string& account, const std::string& asset) override;
  Result<std::optional<std::string>> metadata(const std::string& account,
                                              const std::string& key) override;

 private:
  const StateLookup* state_;
  const MetadataOverlay* overlay_;
  std::string ledger_;
};

}  // namespace tally::plan
