#include "native/http/views_json.hpp"

#include "core/overloaded.hpp"
#include "native/http/orders_json.hpp"

namespace tally::http {

void write_signed(JsonWriter& out, const domain::SignedAmount& amount) {
  out.number_text(amount.to_decimal());
}

void write_metadata(JsonWriter& out, const domain::Metadata& metadata) {
  out.begin_object();
  for (const auto& [key, value] : metadata) {
    out.key(key);
    std::visit(Overloaded{[&](const domain::MetadataNull&) { out.null(); },
                          [&](const std::string& text) { out.string(text); },
                          [&](std::int64_t number) { out.i64(number); },
                          [&](bool flag) { out.boolean(flag); }},
               value);
  }
  out.end_object();
}

void write_transaction(JsonWriter& out, const domain::TransactionState& transaction) {
  out.begin_object();
  out.key("id");
  out.u64(transaction.id);
  out.key("postings");
  out.begin_array();
  for (const auto& posting : transaction.postings) {
    out.begin_object();
    out.key("source");
    out.string(posting.source);
    out.key("destination");
    out.string(posting.destination);
    out.key("amount");
    out.number_text(posting.amount.to_decimal());
    out.key("asset");
    out.string(posting.asset);
    out.end_object();
  }
  out.end_array();
  if (transaction.reference) {
    out.key("reference");
    out.string(*transaction.reference);
  }
  out.key("metadata");
  write_metadata(out, transaction.metadata);
  out.key("timestamp");
  out.string(format_timestamp(transaction.timestamp_us));
  out.key("reverted");
  out.boolean(transaction.reverted_by.has_value());
  if (transaction.reverted_by) {
    out.key("revertedBy");
    out.u64(*transaction.reverted_by);
  }
  if (transaction.reverts) {
    out.key("reverts");
    out.u64(*transaction.reverts);
  }
  out.end_object();
}

void write_account(JsonWriter& out, const query::AccountView& account) {
  out.begin_object();
  out.key("address");
  out.string(account.address);
  out.key("balances");
  out.begin_object();
  for (const auto& [asset, volume] : account.volumes) {
    out.key(asset);
    write_signed(out, volume.balance());
  }
  out.end_object();
  out.key("volumes");
  out.begin_object();
  for (const auto& [asset, volume] : account.volumes) {
    out.key(asset);
    out.begin_object();
    out.key("input");
    out.number_text(volume.input.to_decimal());
    out.key("output");
    out.number_text(volume.output.to_decimal());
    out.key("balance");
    write_signed(out, volume.balance());
    out.end_object();
  }
  out.end_object();
  out.key("metadata");
  write_metadata(out, account.metadata);
  out.end_object();
}

void write_ledger(JsonWriter& out, const query::LedgerView& ledger) {
  out.begin_object();
  out.key("name");
  out.string(ledger.info.name);
  out.key("createdAt");
  out.string(format_timestamp(ledger.info.created_at_us));
  out.key("deleted");
  out.boolean(ledger.info.deleted);
  if (ledger.info.deleted) {
    out.key("deletedAt");
    out.string(format_timestamp(ledger.info.deleted_at_us));
  }
  out.key("metadata");
  write_metadata(out, ledger.metadata);
  out.end_object();
}

void write_balances(JsonWriter& out, const std::map<std::string, domain::SignedAmount>& balances) {
  out.begin_object();
  for (const auto& [asset, amount] : balances) {
    out.key(asset);
    write_signed(out, amount);
  }
  out.end_object();
}

void write_check_report(JsonWriter& out, const check::CheckReport& report) {
  out.begin_object();
  out.key("ok");
  out.boolean(report.ok());
  out.key("mode");
  out.string(report.incremental ? "incremental" : "full");
  if (!report.incremental) {
    out.key("fullReason");
    out.string(report.full_reason);
  }
  // The sequences this run walked, null when it walked none (an incremental check with
  // nothing new, or an empty chain); lastSequence is the chain's last, checked either way.
  const bool walked = report.from_sequence <= report.to_sequence;
  out.key("fromSequence");
  walked ? out.u64(report.from_sequence) : out.null();
  out.key("toSequence");
  walked ? out.u64(report.to_sequence) : out.null();
  out.key("lastSequence");
  out.u64(report.to_sequence);
  out.key("entriesVerified");
  out.u64(report.entries_verified);
  out.key("rowsCompared");
  out.u64(report.rows_compared);
  out.key("cacheEntriesChecked");
  out.u64(report.cache_entries_checked);
  out.key("hashesVerified");
  out.boolean(report.hashes_verified);
  out.key("replayComplete");
  out.boolean(report.replay_complete);
  out.key("mismatchesOmitted");
  out.u64(report.mismatches_omitted);
  out.key("mismatches");
  out.begin_array();
  for (const auto& mismatch : report.mismatches) {
    out.begin_object();
    out.key("kind");
    out.string(check::mismatch_name(mismatch.kind));
    out.key("key");
    out.string(mismatch.key);
    out.key("expected");
    out.string(mismatch.expected);
    out.key("actual");
    out.string(mismatch.actual);
    out.end_object();
  }
  out.end_array();
  out.end_object();
}

}  // namespace tally::http
