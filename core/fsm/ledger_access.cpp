#include "core/fsm/ledger_access.hpp"

#include "core/fsm/plan_validation.hpp"
#include "core/keys/attribute_key.hpp"

namespace tally::fsm {

Result<domain::LedgerInfo> require_open_ledger(const GatedScope& scope, const std::string& ledger) {
  auto info = scope.get<domain::LedgerInfo>(keys::ledger_key(ledger));
  if (!info.ok()) return std::move(info).error();
  if (!info->has_value()) return make_error(Code::kNotFound, "ledger " + ledger + " not found");
  if ((*info)->deleted) return make_error(Code::kNotFound, "ledger " + ledger + " is deleted");
  return std::move(**info);
}

Result<domain::Boundary> read_boundary(const GatedScope& scope, const std::string& ledger) {
  auto boundary = scope.get<domain::Boundary>(keys::boundary_key(ledger));
  if (!boundary.ok()) return std::move(boundary).error();
  if (!boundary->has_value()) {
    return malformed_proposal("open ledger " + ledger +
                              " has no boundary in the cache or in the plan's seeds");
  }
  return **boundary;
}

Result<domain::Boundary> open_ledger_boundary(const GatedScope& scope, const std::string& ledger) {
  TALLY_TRY(require_open_ledger(scope, ledger));
  return read_boundary(scope, ledger);
}

std::uint64_t take_log_sequence(GatedScope& scope, const std::string& ledger,
                                domain::Boundary& boundary) {
  std::uint64_t sequence = boundary.next_log_sequence++;
  scope.put(keys::boundary_key(ledger), boundary);
  return sequence;
}

}  // namespace tally::fsm
