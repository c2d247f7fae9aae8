#include "native/json/views_json.hpp"

#include "core/domain/timestamp.hpp"
#include "core/overloaded.hpp"

namespace tally::json {
namespace {

std::string base64(const Bytes& bytes) {
  static constexpr char kDigits[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  for (std::size_t i = 0; i < bytes.size(); i += 3) {
    std::uint32_t chunk = static_cast<std::uint32_t>(bytes[i]) << 16;
    if (i + 1 < bytes.size()) chunk |= static_cast<std::uint32_t>(bytes[i + 1]) << 8;
    if (i + 2 < bytes.size()) chunk |= bytes[i + 2];
    out += kDigits[(chunk >> 18) & 63];
    out += kDigits[(chunk >> 12) & 63];
    out += i + 1 < bytes.size() ? kDigits[(chunk >> 6) & 63] : '=';
    out += i + 2 < bytes.size() ? kDigits[chunk & 63] : '=';
  }
  return out;
}

void write_volume(JsonWriter& out, const domain::Volume& volume, const RenderOptions& options) {
  out.begin_object();
  out.key("input");
  write_amount(out, volume.input, options);
  out.key("output");
  write_amount(out, volume.output, options);
  out.key("balance");
  write_signed(out, volume.balance(), options);
  out.end_object();
}

void write_volumes_by_asset(JsonWriter& out, const std::map<std::string, domain::Volume>& volumes,
                            const RenderOptions& options) {
  out.begin_object();
  for (const auto& [asset, volume] : volumes) {
    out.key(asset);
    write_volume(out, volume, options);
  }
  out.end_object();
}

void write_account_volumes(JsonWriter& out, const query::AccountVolumes& volumes,
                           const RenderOptions& options) {
  out.begin_object();
  for (const auto& [account, by_asset] : volumes) {
    out.key(account);
    write_volumes_by_asset(out, by_asset, options);
  }
  out.end_object();
}

void write_postings(JsonWriter& out, const std::vector<domain::Posting>& postings,
                    const RenderOptions& options) {
  out.begin_array();
  for (const auto& posting : postings) {
    out.begin_object();
    out.key("source");
    out.string(posting.source);
    out.key("destination");
    out.string(posting.destination);
    out.key("amount");
    write_amount(out, posting.amount, options);
    out.key("asset");
    out.string(posting.asset);
    out.end_object();
  }
  out.end_array();
}

void write_volumes_pair(JsonWriter& out, const char* post_key, const char* pre_key,
                        const query::AccountVolumes& post,
                        const std::vector<domain::Posting>& postings,
                        const RenderOptions& options) {
  out.key(post_key);
  write_account_volumes(out, post, options);
  out.key(pre_key);
  write_account_volumes(out, query::pre_commit_volumes(post, postings), options);
}

void write_target(JsonWriter& out, const std::string* account,
                  std::optional<std::uint64_t> transaction) {
  out.key("targetType");
  out.string(account != nullptr ? "ACCOUNT" : "TRANSACTION");
  out.key("targetId");
  if (account != nullptr) {
    out.string(*account);
  } else {
    out.u64(*transaction);
  }
}

void write_log_data(JsonWriter& out, const query::LogView& log, const RenderOptions& options) {
  out.begin_object();
  std::visit(
      Overloaded{
          [&](const domain::CreateTransaction& o) {
            out.key("transaction");
            write_transaction(out, {&*log.transaction, std::nullopt, nullptr, nullptr}, options);
            out.key("accountMetadata");
            out.begin_object();
            for (const auto& [account, metadata] : o.account_metadata) {
              out.key(account);
              write_metadata(out, metadata);
            }
            out.end_object();
          },
          [&](const domain::RevertTransaction&) {
            out.key("revertedTransaction");
            write_transaction(out, {&*log.reverted, std::nullopt, nullptr, nullptr}, options);
            out.key("transaction");
            write_transaction(out, {&*log.transaction, std::nullopt, nullptr, nullptr}, options);
          },
          [&](const domain::SetAccountMetadata& o) {
            write_target(out, &o.account, std::nullopt);
            out.key("metadata");
            write_metadata(out, o.metadata);
          },
          [&](const domain::SetTransactionMetadata& o) {
            write_target(out, nullptr, o.transaction_id);
            out.key("metadata");
            write_metadata(out, o.metadata);
          },
          [&](const domain::DeleteAccountMetadata& o) {
            write_target(out, &o.account, std::nullopt);
            out.key("key");
            out.string(o.key);
          },
          [&](const domain::DeleteTransactionMetadata& o) {
            write_target(out, nullptr, o.transaction_id);
            out.key("key");
            out.string(o.key);
          },
          [](const auto&) {},
      },
      log.order);
  out.end_object();
}

}  // namespace

void write_amount(JsonWriter& out, const domain::Amount& amount, const RenderOptions& options) {
  if (options.bigint_as_string) {
    out.string(amount.to_decimal());
  } else {
    out.number_text(amount.to_decimal());
  }
}

void write_signed(JsonWriter& out, const domain::SignedAmount& amount,
                  const RenderOptions& options) {
  if (options.bigint_as_string) {
    out.string(amount.to_decimal());
  } else {
    out.number_text(amount.to_decimal());
  }
}

void write_metadata(JsonWriter& out, const domain::Metadata& metadata) {
  out.begin_object();
  for (const auto& [key, value] : metadata) {
    out.key(key);
    out.string(domain::metadata_text(value));
  }
  out.end_object();
}

void write_transaction(JsonWriter& out, const TransactionView& view, const RenderOptions& options) {
  const domain::TransactionState& transaction = *view.state;
  out.begin_object();
  out.key("id");
  out.u64(transaction.id);
  out.key("postings");
  write_postings(out, transaction.postings, options);
  if (transaction.reference) {
    out.key("reference");
    out.string(*transaction.reference);
  }
  out.key("metadata");
  write_metadata(out, transaction.metadata);
  out.key("timestamp");
  out.string(domain::format_rfc3339(transaction.timestamp_us));
  out.key("reverted");
  out.boolean(transaction.reverted_by.has_value());
  if (view.reverted_at_us) {
    out.key("revertedAt");
    out.string(domain::format_rfc3339(*view.reverted_at_us));
  }
  if (view.post_commit != nullptr) {
    write_volumes_pair(out, "postCommitVolumes", "preCommitVolumes", *view.post_commit,
                       transaction.postings, options);
  }
  if (view.post_commit_effective != nullptr) {
    write_volumes_pair(out, "postCommitEffectiveVolumes", "preCommitEffectiveVolumes",
                       *view.post_commit_effective, transaction.postings, options);
  }
  out.end_object();
}

void write_ledger(JsonWriter& out, const query::LedgerView& ledger) {
  out.begin_object();
  out.key("name");
  out.string(ledger.info.name);
  out.key("addedAt");
  out.string(domain::format_rfc3339(ledger.info.created_at_us));
  out.key("bucket");
  out.string("_default");
  out.key("metadata");
  write_metadata(out, ledger.metadata);
  if (ledger.info.deleted) {
    out.key("deletedAt");
    out.string(domain::format_rfc3339(ledger.info.deleted_at_us));
  }
  out.end_object();
}

void write_account(JsonWriter& out, const query::AccountView& account, bool volumes,
                   bool effective_volumes, const RenderOptions& options) {
  out.begin_object();
  out.key("address");
  out.string(account.address);
  out.key("metadata");
  write_metadata(out, account.metadata);
  if (volumes) {
    out.key("volumes");
    write_volumes_by_asset(out, account.volumes, options);
  }
  if (effective_volumes) {
    // Without points in time, the volumes by effective date are the volumes.
    out.key("effectiveVolumes");
    write_volumes_by_asset(out, account.volumes, options);
  }
  out.end_object();
}

void write_volume_row(JsonWriter& out, const query::VolumeRow& row, const RenderOptions& options) {
  out.begin_object();
  out.key("account");
  out.string(row.account);
  out.key("asset");
  out.string(row.asset);
  out.key("input");
  write_amount(out, row.volume.input, options);
  out.key("output");
  write_amount(out, row.volume.output, options);
  out.key("balance");
  write_signed(out, row.volume.balance(), options);
  out.end_object();
}

void write_balances(JsonWriter& out, const std::map<std::string, domain::SignedAmount>& balances,
                    const RenderOptions& options) {
  out.begin_object();
  for (const auto& [asset, amount] : balances) {
    out.key(asset);
    write_signed(out, amount, options);
  }
  out.end_object();
}

void write_log(JsonWriter& out, const query::LogView& log, const RenderOptions& options) {
  out.begin_object();
  out.key("id");
  out.u64(log.id);
  out.key("type");
  out.string(query::log_type_name(log.type));
  out.key("data");
  write_log_data(out, log, options);
  out.key("date");
  out.string(domain::format_rfc3339(log.date_us));
  out.key("hash");
  out.string(base64(log.hash));
  if (log.idempotency_key) {
    out.key("idempotencyKey");
    out.string(*log.idempotency_key);
  }
  out.end_object();
}

std::string data_body(const std::string& json) {
  return "{\"data\":" + json + "}";
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

}  // namespace tally::json
