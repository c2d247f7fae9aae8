// The core's views to the API's JSON, in the Go ledger's v2 shapes (what its official SDK
// decodes): amounts as JSON integers (exact, any size; strings with
// Formance-Bigint-As-String), timestamps as RFC 3339 UTC, metadata values as strings.
//
//   transaction: {"id", "postings", "reference"?, "metadata", "timestamp", "reverted",
//                 "revertedAt"?, "postCommitVolumes"?, "preCommitVolumes"?,
//                 "postCommitEffectiveVolumes"?, "preCommitEffectiveVolumes"?}
//   account:     {"address", "metadata", "volumes"?, "effectiveVolumes"?}
//   ledger:      {"name", "addedAt", "bucket", "metadata", "deletedAt"?}
//   volume row:  {"account", "asset", "input", "output", "balance"}
//   log:         {"id", "type", "data", "date", "hash", "idempotencyKey"?}
#pragma once

#include <map>
#include <optional>
#include <string>

#include "core/check/mismatch.hpp"
#include "core/domain/values.hpp"
#include "core/query/ledger_reads.hpp"
#include "core/query/transaction_reads.hpp"
#include "native/json/json.hpp"

namespace tally::json {

struct RenderOptions {
  bool bigint_as_string = false;  // the client sent Formance-Bigint-As-String: true
};

void write_amount(JsonWriter& out, const domain::Amount& amount, const RenderOptions& options);
void write_signed(JsonWriter& out, const domain::SignedAmount& amount,
                  const RenderOptions& options);
void write_metadata(JsonWriter& out, const domain::Metadata& metadata);

struct TransactionView {
  const domain::TransactionState* state = nullptr;
  std::optional<std::uint64_t> reverted_at_us;
  const query::AccountVolumes* post_commit = nullptr;            // expand=volumes
  const query::AccountVolumes* post_commit_effective = nullptr;  // expand=effectiveVolumes
};
void write_transaction(JsonWriter& out, const TransactionView& view, const RenderOptions& options);
void write_ledger(JsonWriter& out, const query::LedgerView& ledger);
void write_account(JsonWriter& out, const query::AccountView& account, bool volumes,
                   bool effective_volumes, const RenderOptions& options);
void write_volume_row(JsonWriter& out, const query::VolumeRow& row, const RenderOptions& options);
void write_balances(JsonWriter& out, const std::map<std::string, domain::SignedAmount>& balances,
                    const RenderOptions& options);
void write_log(JsonWriter& out, const query::LogView& log, const RenderOptions& options);
void write_check_report(JsonWriter& out, const check::CheckReport& report);

// {"data": <json>}.
std::string data_body(const std::string& json);

// {"cursor": {"pageSize", "hasMore", "next"?, "data": [...]}}.
template <class T, class WriteOne>
std::string page_body(const std::vector<T>& data, const std::optional<std::string>& next,
                      std::size_t page_size, WriteOne write_one) {
  JsonWriter out;
  out.begin_object();
  out.key("cursor");
  out.begin_object();
  out.key("pageSize");
  out.u64(page_size);
  out.key("hasMore");
  out.boolean(next.has_value());
  if (next) {
    out.key("next");
    out.string(*next);
  }
  out.key("data");
  out.begin_array();
  for (const T& item : data)
    write_one(out, item);
  out.end_array();
  out.end_object();
  out.end_object();
  return out.take();
}

}  // namespace tally::json
