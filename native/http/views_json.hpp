// The core's views to the API's JSON (DESIGN.md §9): amounts as JSON integers (exact, any
// size), timestamps as RFC 3339 UTC, metadata with its types.
//
//   transaction: {"id", "postings": [...], "reference"?, "metadata", "timestamp", "reverted",
//                 "revertedBy"?, "reverts"?}
//   account:     {"address", "balances": {"USD/2": 100}, "volumes": {"USD/2": {"input",
//                 "output", "balance"}}, "metadata"}
//   ledger:      {"name", "createdAt", "deleted", "deletedAt"?, "metadata"}
#pragma once

#include <map>
#include <string>

#include "core/check/mismatch.hpp"
#include "core/domain/values.hpp"
#include "core/query/ledger_reads.hpp"
#include "native/http/json.hpp"

namespace tally::http {

void write_signed(JsonWriter& out, const domain::SignedAmount& amount);
void write_metadata(JsonWriter& out, const domain::Metadata& metadata);
void write_transaction(JsonWriter& out, const domain::TransactionState& transaction);
void write_account(JsonWriter& out, const query::AccountView& account);
void write_ledger(JsonWriter& out, const query::LedgerView& ledger);
void write_balances(JsonWriter& out, const std::map<std::string, domain::SignedAmount>& balances);
void write_check_report(JsonWriter& out, const check::CheckReport& report);

// {"data": <one>} and {"cursor": {"data": [...], "next"?, "hasMore", "pageSize"}}.
template <class T, class WriteOne>
std::string page_body(const query::Page<T>& page, std::size_t page_size, WriteOne write_one) {
  JsonWriter out;
  out.begin_object();
  out.key("cursor");
  out.begin_object();
  out.key("pageSize");
  out.u64(page_size);
  out.key("hasMore");
  out.boolean(page.next.has_value());
  if (page.next) {
    out.key("next");
    out.string(*page.next);
  }
  out.key("data");
  out.begin_array();
  for (const T& item : page.data)
    write_one(out, item);
  out.end_array();
  out.end_object();
  out.end_object();
  return out.take();
}

}  // namespace tally::http
