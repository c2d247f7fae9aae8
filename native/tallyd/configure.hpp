// From tallyd's flags to what a node runs with: the Raft host's, the node's and the API
// server's settings, every file they name read (the audit key, the token key, certificates).
// Nothing is opened or started here.
#pragma once

#include <cstddef>
#include <string>
#include <variant>

#include "native/http/server.hpp"
#include "native/raft/uv_host.hpp"
#include "native/tallyd/options.hpp"

namespace tally::tallyd {

// tallyd's exit codes (its --help footer says what each means).
inline constexpr int kExitFailure = 1;
inline constexpr int kExitUsage = 2;
inline constexpr int kExitConfiguration = 3;
inline constexpr int kExitSchema = 4;
inline constexpr int kExitDamaged = 5;

// The exit code of a store or configuration the node refused.
int exit_code_of(Code code);

struct NodeSetup {
  replica::UvConfig raft;
  replica::NodeConfig node;
  http::ServerConfig server;
  std::string revoked_tokens_file;  // read again on SIGHUP; empty: none
};

// Flags that cannot run: the event logged, its reason, the exit code.
struct Refusal {
  int exit_code = kExitUsage;
  std::string event;
  std::string reason;
};

std::variant<NodeSetup, Refusal> configure(const Options& options);

}  // namespace tally::tallyd
