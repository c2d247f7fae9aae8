// The node routes the CLI calls (not the ledger API), in one place.
#pragma once

namespace tally::cli::node_paths {

inline constexpr const char* kInfo = "/v3/_info";
inline constexpr const char* kCheck = "/v3/_check";
inline constexpr const char* kLog = "/v3/_log";         // ?pageSize=..&after=..
inline constexpr const char* kTrace = "/_tally/trace";  // ?from=..&to=..

}  // namespace tally::cli::node_paths
