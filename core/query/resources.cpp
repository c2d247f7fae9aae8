#include "core/query/resources.hpp"

#include "core/domain/validation.hpp"

namespace tally::query {

namespace {

using Op = Filter::Op;

// A metadata leaf: metadata[key] compared as text, or the map itself ($exists / $match key).
bool metadata_leaf(const Filter& leaf, const domain::Metadata& metadata) {
  if (!leaf.index) return metadata.count(leaf.value.text) != 0;
  auto found = metadata.find(*leaf.index);
  if (found == metadata.end()) return false;
  return string_leaf(leaf, domain::metadata_text(found->second), false);
}

// A balance leaf: balance[asset] on that asset's volume (none: no match), balance on any.
bool balance_leaf(const Filter& leaf, const std::map<std::string, domain::Volume>& volumes) {
  if (leaf.index) {
    auto found = volumes.find(*leaf.index);
    return found != volumes.end() && amount_leaf(leaf, found->second.balance());
  }
  for (const auto& [asset, volume] : volumes) {
    if (amount_leaf(leaf, volume.balance())) return true;
  }
  return false;
}

bool any_posting(const Filter& leaf, const domain::TransactionState& transaction, bool sources,
                 bool destinations) {
  for (const domain::Posting& posting : transaction.postings) {
    if (sources && string_leaf(leaf, posting.source, true)) return true;
    if (destinations && string_leaf(leaf, posting.destination, true)) return true;
  }
  return false;
}

}  // namespace

std::string_view log_type_name(LogView::Type type) {
  switch (type) {
    case LogView::Type::kNewTransaction: return "NEW_TRANSACTION";
    case LogView::Type::kSetMetadata: return "SET_METADATA";
    case LogView::Type::kRevertedTransaction: return "REVERTED_TRANSACTION";
    case LogView::Type::kDeleteMetadata: return "DELETE_METADATA";
  }
  return "?";
}

const Schema& ledger_schema() {
  static const Schema schema = {{"name", FieldType::kString},
                                {"bucket", FieldType::kString},
                                {"metadata", FieldType::kStringMap},
                                {"features", FieldType::kUnsupported}};
  return schema;
}

const Schema& transaction_schema() {
  static const Schema schema = {{"id", FieldType::kNumeric},
                                {"reference", FieldType::kString},
                                {"timestamp", FieldType::kDate},
                                {"reverted", FieldType::kBoolean},
                                {"account", FieldType::kAddress},
                                {"source", FieldType::kAddress},
                                {"destination", FieldType::kAddress},
                                {"metadata", FieldType::kStringMap},
                                {"inserted_at", FieldType::kUnsupported},
                                {"updated_at", FieldType::kUnsupported},
                                {"reverted_at", FieldType::kUnsupported}};
  return schema;
}

const Schema& account_schema() {
  static const Schema schema = {{"address", FieldType::kAddress},
                                {"balance", FieldType::kNumericMap},
                                {"metadata", FieldType::kStringMap},
                                {"first_usage", FieldType::kUnsupported},
                                {"insertion_date", FieldType::kUnsupported},
                                {"updated_at", FieldType::kUnsupported}};
  return schema;
}

const Schema& volume_schema() {
  static const Schema schema = {{"address", FieldType::kAddress},
                                {"account", FieldType::kAddress},
                                {"balance", FieldType::kNumericMap},
                                {"metadata", FieldType::kStringMap},
                                {"first_usage", FieldType::kUnsupported}};
  return schema;
}

const Schema& balance_schema() {
  static const Schema schema = {{"address", FieldType::kAddress},
                                {"metadata", FieldType::kStringMap}};
  return schema;
}

const Schema& log_schema() {
  static const Schema schema = {
      {"id", FieldType::kNumeric}, {"date", FieldType::kDate}, {"type", FieldType::kString}};
  return schema;
}

bool ledger_leaf(const Filter& leaf, const LedgerView& ledger) {
  if (leaf.field == "name") return string_leaf(leaf, ledger.info.name, false);
  if (leaf.field == "bucket") return string_leaf(leaf, "_default", false);
  if (leaf.field == "metadata") return metadata_leaf(leaf, ledger.metadata);
  return false;
}

bool transaction_leaf(const Filter& leaf, const domain::TransactionState& transaction) {
  const std::string& f = leaf.field;
  if (f == "id") return integer_leaf(leaf, transaction.id);
  if (f == "reference") {
    return transaction.reference && string_leaf(leaf, *transaction.reference, false);
  }
  if (f == "timestamp") return date_leaf(leaf, transaction.timestamp_us);
  if (f == "reverted") return transaction.reverted_by.has_value() == leaf.value.boolean;
  if (f == "account") return any_posting(leaf, transaction, true, true);
  if (f == "source") return any_posting(leaf, transaction, true, false);
  if (f == "destination") return any_posting(leaf, transaction, false, true);
  if (f == "metadata") return metadata_leaf(leaf, transaction.metadata);
  return false;
}

bool account_leaf(const Filter& leaf, const AccountView& account) {
  if (leaf.field == "address") return string_leaf(leaf, account.address, true);
  if (leaf.field == "balance") return balance_leaf(leaf, account.volumes);
  if (leaf.field == "metadata") return metadata_leaf(leaf, account.metadata);
  return false;
}

bool volume_leaf(const Filter& leaf, const VolumeRow& row, const domain::Metadata& metadata) {
  if (leaf.field == "address" || leaf.field == "account") {
    return string_leaf(leaf, row.account, true);
  }
  if (leaf.field == "balance") {
    if (leaf.index && *leaf.index != row.asset) return false;
    return amount_leaf(leaf, row.volume.balance());
  }
  if (leaf.field == "metadata") return metadata_leaf(leaf, metadata);
  return false;
}

bool log_leaf(const Filter& leaf, const LogView& log) {
  if (leaf.field == "id") return integer_leaf(leaf, log.id);
  if (leaf.field == "date") return date_leaf(leaf, log.date_us);
  if (leaf.field == "type") return string_leaf(leaf, log_type_name(log.type), false);
  return false;
}

}  // namespace tally::query
