// The parameters of a list request and the cursors that carry them (the Go ledger's
// pagination): a page size, a filter (the `query` parameter, else the body), the list's own
// options (order, expand, ...). A cursor holds them all with the position where its page
// stopped, signed (HMAC under a key derived from the cluster's audit key for cursors alone, so
// every node accepts every node's cursors, an altered one is refused, and no cursor is ever
// an HMAC under the audit chain's own key), so the next page is asked for with the cursor
// alone; a pageSize sent beside it still applies, as in the Go ledger.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/query/filter.hpp"
#include "native/http/server_impl.hpp"

namespace tally::http {

struct ListRequest {
  std::vector<std::pair<std::string, std::string>> params;  // the request's query parameters
  std::string filter_text;                                  // the filter's JSON; "" for none
  std::optional<std::string> position;                      // where the previous page stopped
  std::size_t page_size = 0;

  std::optional<std::string> param(std::string_view name) const;
  // A boolean parameter: absent, "false" or "0" false; "", "true" or "1" true.
  Result<bool> flag(std::string_view name) const;
  // The filter, validated against the resource's schema; none when the request has none.
  Result<std::optional<query::Filter>> filter(const query::Schema& schema) const;
};

// The key cursors are signed with: HMAC(audit key, "tally/cursor-key/v1").
crypto::Digest derive_cursor_key(const audit::AuditKey& audit_key);

// list names what is listed ("transactions/main"): a cursor of another list is refused.
Result<ListRequest> open_list(const Server::Impl& impl, const Call& call, std::string_view list);
// The cursor of the page after the one that stopped at position (none: the last page).
std::optional<std::string> next_cursor(const Server::Impl& impl, const ListRequest& request,
                                       std::string_view list,
                                       const std::optional<std::string>& position);

// A boolean query parameter of any request (flag's rules); kValidation otherwise.
Result<bool> flag_param(const Call& call, std::string_view name);

}  // namespace tally::http
