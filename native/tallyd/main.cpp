// tallyd: one Tally node (docs/design.md §9): libraft over libuv, the state machine on
// SQLite, and the HTTP/JSON API (over HTTPS: api_tls.hpp) on the same loop. It reads top-down:
// flags (options.hpp) -> configure (configure.hpp: keys, certificates, peers) -> start -> serve
// until a signal -> shut down (daemon.hpp). Exit codes: configure.hpp, and tallyd --help.
#include <sys/resource.h>

#include <csignal>
#include <cstdio>

#include "native/tallyd/configure.hpp"
#include "native/tallyd/daemon.hpp"
#include "native/tallyd/log.hpp"
#include "native/tallyd/options.hpp"

namespace tally::tallyd {
namespace {

// Room for connections_max client connections beside the store, the Raft log and the peers:
// the soft descriptor limit raised as far as the hard one allows (a warning when short).
void raise_descriptor_limit(std::size_t connections_max) {
  constexpr rlim_t kReserve = 256;
  rlimit limit{};
  if (::getrlimit(RLIMIT_NOFILE, &limit) != 0) return;
  const rlim_t wanted = static_cast<rlim_t>(connections_max) + kReserve;
  if (limit.rlim_cur >= wanted) return;
  limit.rlim_cur = limit.rlim_max == RLIM_INFINITY ? wanted : std::min(wanted, limit.rlim_max);
  ::setrlimit(RLIMIT_NOFILE, &limit);
  if (limit.rlim_cur < wanted)
    log_event("warn", "descriptor_limit",
              {{"limit", std::to_string(limit.rlim_cur)},
               {"note", "below --connections-max plus a reserve: raise the hard limit"}});
}

int run(const Options& options) {
  set_log_node(options.id);
  // SIGHUP reads the revoked tokens list again once the node serves (daemon.hpp); until then
  // it must not end the process, as its default action would: the list is read at start.
  std::signal(SIGHUP, SIG_IGN);
  raise_descriptor_limit(options.connections_max);
  auto configured = configure(options);
  if (const auto* refusal = std::get_if<Refusal>(&configured)) {
    log_event("error", refusal->event, {{"reason", refusal->reason}});
    return refusal->exit_code;
  }
  Daemon daemon;
  if (auto refused = daemon.start(std::get<NodeSetup>(std::move(configured)))) return *refused;
  daemon.serve();
  return daemon.shut_down();
}

}  // namespace
}  // namespace tally::tallyd

int main(int argc, char** argv) {
  tally::tallyd::Options options;
  CLI::App app{"tallyd: one node of a Tally cluster (Raft + HTTP/JSON API)"};
  tally::tallyd::add_flags(app, options);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& error) {
    const int code = app.exit(error);
    return code == 0 ? 0 : tally::tallyd::kExitUsage;
  }
  if (auto bad = tally::tallyd::complete(options)) {
    std::fprintf(stderr, "tallyd: %s\n", bad->c_str());
    return tally::tallyd::kExitUsage;
  }
  return tally::tallyd::run(options);
}
