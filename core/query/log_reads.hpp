// A ledger's log as the Go ledger's /logs shows it: each logged transaction and metadata
// order, found through the ledger log pointers into the audit chain (audit_rows.hpp). The
// ledger's own orders (created, deleted, its metadata) are in the log too but have no place
// in that view: the list skips them, so ids may jump. See ledger_reads.hpp for pages.
#pragma once

#include "core/query/ledger_reads.hpp"

namespace tally::query {

// Newest first by default.
Result<Page<LogView>> list_logs(const store::KeyValueStore& store, const std::string& ledger,
                                const PageRequest& page);

}  // namespace tally::query
