// The node routes the CLI calls (not the ledger API), in one place.
#pragma once

namespace tally::cli::node_paths {

inline constexpr const char* kInfo = "/_tally/info";
inline constexpr const char* kCheck = "/_tally/check";
inline constexpr const char* kLog = "/_tally/log";      // ?pageSize=..&after=..
inline constexpr const char* kTrace = "/_tally/trace";  // ?from=..&to=..

}  // namespace tally::cli::node_paths
