#include "core/domain/order.hpp"

#include "core/domain/validation.hpp"
#include "core/limits.hpp"
#include "core/overloaded.hpp"

namespace tally::domain {

namespace {

Status validate_metadata_change(const std::string& ledger, const Metadata& metadata) {
  TALLY_TRY(validate_ledger_name(ledger));
  if (metadata.empty()) return make_error(Code::kValidation, "metadata to set is empty");
  return validate_metadata(metadata);
}

// Each account valid, each map non-empty and within limits, at most kAccountsWithMetadataMax.
Status validate_account_metadata(const std::map<std::string, Metadata>& account_metadata) {
  if (account_metadata.size() > limits::kAccountsWithMetadataMax) {
    return make_error(Code::kValidation, "account metadata names at most " +
                                             std::to_string(limits::kAccountsWithMetadataMax) +
                                             " accounts");
  }
  for (const auto& [account, metadata] : account_metadata) {
    TALLY_TRY(validate_account(account));
    if (metadata.empty()) {
      return make_error(Code::kValidation,
                        "account metadata of " + quote_input(account) + " is empty");
    }
    TALLY_TRY(validate_metadata(metadata));
  }
  return ok_status();
}

// The revert's own metadata leaves room for the revert key apply adds.
Status validate_revert_metadata(const Metadata& metadata) {
  TALLY_TRY(validate_metadata(metadata));
  if (metadata.size() >= limits::kMetadataEntriesMax &&
      metadata.count(std::string(kRevertMetadataKey)) == 0) {
    return make_error(Code::kValidation, "a revert's metadata holds at most " +
                                             std::to_string(limits::kMetadataEntriesMax - 1) +
                                             " entries besides the revert key");
  }
  return ok_status();
}

}  // namespace

std::string_view order_name(const Order& order) {
  static constexpr std::string_view kNames[] = {
      "CREATE_LEDGER",
      "DELETE_LEDGER",
      "CREATE_TRANSACTION",
      "REVERT_TRANSACTION",
      "SET_ACCOUNT_METADATA",
      "DELETE_ACCOUNT_METADATA",
      "SET_TRANSACTION_METADATA",
      "DELETE_TRANSACTION_METADATA",
      "SET_LEDGER_METADATA",
      "DELETE_LEDGER_METADATA",
      "SET_ROTATION_THRESHOLD",
  };
  static_assert(std::size(kNames) == std::variant_size_v<Order>);
  return kNames[order.index()];
}

const std::string* order_ledger(const Order& order) {
  return std::visit(Overloaded{
                        [](const SetRotationThreshold&) -> const std::string* { return nullptr; },
                        [](const auto& o) -> const std::string* { return &o.ledger; },
                    },
                    order);
}

Status validate_order(const Order& order) {
  return std::visit(
      Overloaded{
          [](const CreateLedger& o) -> Status {
            TALLY_TRY(validate_ledger_name(o.ledger));
            return validate_metadata(o.metadata);
          },
          [](const DeleteLedger& o) -> Status { return validate_ledger_name(o.ledger); },
          [](const CreateTransaction& o) -> Status {
            TALLY_TRY(validate_ledger_name(o.ledger));
            if (o.script) {
              if (!o.postings.empty()) {
                return make_error(Code::kValidation,
                                  "a transaction takes postings or a script, not both");
              }
              TALLY_TRY(validate_script(*o.script));
            } else {
              TALLY_TRY(validate_postings(o.postings));
            }
            if (o.reference) TALLY_TRY(validate_reference(*o.reference));
            TALLY_TRY(validate_metadata(o.metadata));
            return validate_account_metadata(o.account_metadata);
          },
          [](const RevertTransaction& o) -> Status {
            TALLY_TRY(validate_ledger_name(o.ledger));
            return validate_revert_metadata(o.metadata);
          },
          [](const SetAccountMetadata& o) -> Status {
            TALLY_TRY(validate_account(o.account));
            return validate_metadata_change(o.ledger, o.metadata);
          },
          [](const DeleteAccountMetadata& o) -> Status {
            TALLY_TRY(validate_ledger_name(o.ledger));
            TALLY_TRY(validate_account(o.account));
            return validate_metadata_key(o.key);
          },
          [](const SetTransactionMetadata& o) -> Status {
            return validate_metadata_change(o.ledger, o.metadata);
          },
          [](const DeleteTransactionMetadata& o) -> Status {
            TALLY_TRY(validate_ledger_name(o.ledger));
            return validate_metadata_key(o.key);
          },
          [](const SetLedgerMetadata& o) -> Status {
            return validate_metadata_change(o.ledger, o.metadata);
          },
          [](const DeleteLedgerMetadata& o) -> Status {
            TALLY_TRY(validate_ledger_name(o.ledger));
            return validate_metadata_key(o.key);
          },
          [](const SetRotationThreshold& o) -> Status {
            if (o.threshold < limits::kRotationThresholdMin ||
                o.threshold > limits::kRotationThresholdMax) {
              return make_error(Code::kValidation,
                                "rotation threshold " + std::to_string(o.threshold) +
                                    " is outside [" +
                                    std::to_string(limits::kRotationThresholdMin) + ", " +
                                    std::to_string(limits::kRotationThresholdMax) + "]");
            }
            return ok_status();
          },
      },
      order);
}

Status validate_orders(const std::vector<Order>& orders) {
  if (orders.empty()) return make_error(Code::kValidation, "a request needs at least one order");
  if (orders.size() > limits::kOrdersPerProposalMax) {
    return make_error(
        Code::kValidation,
        "a request holds at most " + std::to_string(limits::kOrdersPerProposalMax) + " orders");
  }
  for (std::size_t i = 0; i < orders.size(); ++i) {
    Status valid = validate_order(orders[i]);
    if (!valid.ok()) {
      Error error = std::move(valid).error();
      error.message = "order " + std::to_string(i) + ": " + error.message;
      return error;
    }
    if (std::holds_alternative<SetRotationThreshold>(orders[i]) && orders.size() != 1) {
      return make_error(Code::kValidation, "a cluster configuration order must be alone");
    }
  }
  return ok_status();
}

}  // namespace tally::domain
