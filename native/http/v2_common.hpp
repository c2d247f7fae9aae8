// What the v2 handlers share: the ledger of a request, path ids, bodies, expansions.
#pragma once

#include <optional>
#include <string>

#include "core/query/filter.hpp"
#include "native/http/cursors.hpp"
#include "native/http/server_impl.hpp"
#include "native/json/json.hpp"

namespace tally::http {

// The ledger a ledger-scoped read names, when it exists (deleted ledgers keep their data);
// otherwise answers 404 LEDGER_NOT_FOUND (or the store's error) and returns none.
std::optional<std::string> readable_ledger(Server::Impl& impl, const CallPtr& call);

// A list (or a count) of one ledger's items: the ledger (which must exist), the list's
// parameters (restored from its cursor, if any) and its filter, validated against the
// resource's schema.
struct LedgerList {
  std::string ledger;
  std::string name;  // "transactions/main": what the list's cursors belong to
  ListRequest request;
  std::optional<query::Filter> filter;

  const query::Filter* filter_or_null() const { return filter ? &*filter : nullptr; }
  std::optional<std::string> next(const Server::Impl& impl,
                                  const std::optional<std::string>& position) const {
    return next_cursor(impl, request, name, position);
  }
};
// Answers the error (and returns none) when the ledger, the parameters or the filter are
// wrong, or when a parameter in refused names a point in time (501: Tally keeps no history).
std::optional<LedgerList> open_ledger_list(Server::Impl& impl, const CallPtr& call,
                                           std::string_view what, const query::Schema& schema,
                                           std::initializer_list<std::string_view> refused = {});

// The JSON body (kValidation when missing or malformed); an empty body is {} when
// empty_is_object.
Result<json::Json> body_json(const Call& call, bool empty_is_object = false);

// A decimal id from a path parameter.
Result<std::uint64_t> path_id(const Call& call, std::string_view name);

// Whether `expand` (repeated and/or comma-separated) names what.
bool expands(const std::vector<std::pair<std::string, std::string>>& params, std::string_view what);

// A point in time from a query parameter (RFC 3339); none when absent.
Result<std::optional<std::uint64_t>> time_param(const std::optional<std::string>& value,
                                                std::string_view name);

}  // namespace tally::http
