#include "core/fsm/transaction_access.hpp"

#include "core/fsm/plan_validation.hpp"
#include "core/keys/attribute_key.hpp"

namespace tally::fsm {

Result<domain::TransactionState> read_transaction(const GatedScope& scope,
                                                  const std::string& ledger, std::uint64_t id) {
  auto key = keys::transaction_key(ledger, id);
  auto state = scope.get<domain::TransactionState>(key);
  if (!state.ok()) return std::move(state).error();
  if (state->has_value()) return std::move(**state);
  const plan::PlanEntry* declared = scope.gate().declared_entry(key);
  TALLY_INVARIANT(declared != nullptr, "a read that passed the gate has a declaring entry");
  if (declared->source != plan::EntrySource::kStoreAbsent) {
    return malformed_proposal("transaction " + std::to_string(id) + " of " + ledger +
                              " is declared as seen by admission (" +
                              std::string(plan::source_name(declared->source)) +
                              ") but the cache lacks it");
  }
  return make_error(Code::kNotFound,
                    "transaction " + std::to_string(id) + " not found in ledger " + ledger);
}

}  // namespace tally::fsm
