// The apply rate of a 3-node in-process cluster: requests acknowledged per second at a given
// in-flight depth (proposals pipelined between admission and the leader's apply).
//
//   tally-bench-raft uv      REQUESTS DEPTH   libraft's uv disk I/O and TCP on 127.0.0.1,
//                                             SQLite stores (synchronous=FULL), one loop
//   tally-bench-raft uv-tls  REQUESTS DEPTH   the same over the mutual TLS transport
//                                             (native/tls), certificates made for the run
//   tally-bench-raft fixture REQUESTS DEPTH   libraft's in-memory fixture, memory stores: no
//                                             I/O, but the fixture's own per-step safety
//                                             checks dominate, so it is no CPU ceiling
//                                             (run uv under eatmydata for that)
//
// Each request is one transfer from world to one of 97 accounts. Prints one line.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <vector>

extern "C" {
#include <raft/fixture.h>
}

#include "core/audit/audit_key.hpp"
#include "native/auth/cluster_credentials.hpp"
#include "native/raft/uv_host.hpp"

namespace {

using namespace tally;
using Clock = std::chrono::steady_clock;

std::uint64_t wall_clock_us() {
  return static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::microseconds>(
                                        std::chrono::system_clock::now().time_since_epoch())
                                        .count());
}

double cpu_seconds() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return static_cast<double>(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) +
         static_cast<double>(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
}

int free_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) std::abort();
  socklen_t length = sizeof address;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length);
  ::close(fd);
  return ntohs(address.sin_port);
}

replica::NodeConfig node_config(std::uint64_t id, std::size_t depth) {
  replica::NodeConfig config;
  config.id = id;
  config.in_flight_max = depth;
  config.clock_us = wall_clock_us;
  config.fsm.audit_key = audit::public_demo_audit_key();
  return config;
}

// Submits requests to whichever node leads until `count` are applied; `turn` runs the
// cluster once (one loop iteration or one fixture step).
class Load {
 public:
  Load(std::size_t count, std::size_t depth) : count_(count), depth_(depth) {}

  void run(const std::function<replica::Node*()>& leader, const std::function<void()>& turn) {
    while (applied_ < count_ + 1) {
      if (replica::Node* node = leader()) pump(*node);
      turn();
    }
  }
  std::size_t failures = 0, retries = 0;

 private:
  void pump(replica::Node& node) {
    while (node.in_flight() < (ledger_ ? depth_ : 1) && submitted_ < count_ + 1) {
      plan::Request request{{domain::CreateLedger{"main", {}}}, std::nullopt};
      if (ledger_) {
        domain::CreateTransaction tx;
        tx.ledger = "main";
        tx.postings.push_back(
            {"world", "users:" + std::to_string(submitted_ % 97), domain::Amount(1), "USD"});
        request = {{tx}, std::nullopt};
      }
      const std::size_t before = node.in_flight();
      ++submitted_;
      node.submit(std::move(request), [this](replica::Reply reply) {
        if (reply.status == replica::Reply::Status::kApplied) {
          ++applied_;
          ledger_ = true;
          if (!reply.report->outcome.ok()) ++failures;
        } else {
          ++retries;
          --submitted_;
        }
      });
      if (node.in_flight() == before) return;
    }
  }

  std::size_t count_, depth_, submitted_ = 0, applied_ = 0;
  bool ledger_ = false;
};

// Peer TLS for node id, with a CA and certificates made under dir for the run.
tls::PeerTlsConfig peer_tls(const std::string& dir, std::uint64_t id) {
  if (!auth::ensure_cluster_credentials(dir, "tally", {1, 2, 3}).ok()) std::abort();
  auto context = tls::PeerTlsContext::load(auth::node_credentials(dir, id), {id, "tally"});
  if (!context.ok()) std::abort();
  tls::PeerTlsConfig config;
  config.context = *context;
  return config;
}

double run_uv(std::size_t count, std::size_t depth, bool tls) {
  std::string dir = (std::filesystem::temp_directory_path() / "tally-bench-XXXXXX").string();
  if (mkdtemp(dir.data()) == nullptr) std::abort();
  uv_loop_t loop;
  uv_loop_init(&loop);
  std::vector<replica::Peer> voters;
  for (std::uint64_t id = 1; id <= 3; ++id)
    voters.push_back({id, "127.0.0.1:" + std::to_string(free_port())});
  std::vector<std::unique_ptr<replica::UvHost>> hosts;
  for (unsigned i = 0; i < 3; ++i) {
    replica::UvConfig config;
    config.address = voters[i].address;
    config.data_dir = dir + "/node-" + std::to_string(i + 1);
    config.voters = voters;
    config.heartbeat_ms = 50;
    config.election_timeout_ms = 500;
    if (tls) config.peer_tls = peer_tls(dir, i + 1);
    auto host = replica::UvHost::start(&loop, config, node_config(i + 1, depth));
    if (!host.ok()) {
      std::fprintf(stderr, "start: %s\n", host.error().message.c_str());
      std::exit(1);
    }
    hosts.push_back(std::move(host).value());
  }
  auto leader = [&]() -> replica::Node* {
    for (auto& host : hosts)
      if (host->node().is_leader()) return &host->node();
    return nullptr;
  };
  while (leader() == nullptr)
    uv_run(&loop, UV_RUN_ONCE);
  Load load(count, depth);
  const auto started = Clock::now();
  load.run(leader, [&] { uv_run(&loop, UV_RUN_ONCE); });
  const double seconds = std::chrono::duration<double>(Clock::now() - started).count();
  std::size_t closed = 0;
  for (auto& host : hosts)
    host->close([&] { ++closed; });
  while (closed < hosts.size())
    uv_run(&loop, UV_RUN_ONCE);
  uv_run(&loop, UV_RUN_DEFAULT);
  hosts.clear();
  uv_loop_close(&loop);
  std::filesystem::remove_all(dir);
  return seconds;
}

double run_fixture(std::size_t count, std::size_t depth) {
  struct raft_fixture fixture {};
  raft_fixture_initialize(&fixture);
  std::vector<std::unique_ptr<replica::Node>> nodes;
  for (unsigned i = 0; i < 3; ++i) {
    auto host = replica::MemoryHost::open();
    auto node = replica::Node::open(node_config(i + 1, depth), std::move(host).value());
    if (!node.ok()) std::abort();
    nodes.push_back(std::move(node).value());
    replica::declare_io_async_work(&fixture.servers[fixture.n].io);
    raft_fixture_grow(&fixture, nodes.back()->fsm());
  }
  struct raft_configuration configuration;
  raft_fixture_configuration(&fixture, 3, &configuration);
  raft_fixture_bootstrap(&fixture, &configuration);
  raft_configuration_close(&configuration);
  for (unsigned i = 0; i < 3; ++i)
    nodes[i]->attach(raft_fixture_get(&fixture, i));
  raft_fixture_start(&fixture);
  raft_fixture_step_until_has_leader(&fixture, 10000);
  auto leader = [&]() -> replica::Node* {
    for (auto& node : nodes)
      if (node->is_leader()) return node.get();
    return nullptr;
  };
  Load load(count, depth);
  const auto started = Clock::now();
  load.run(leader, [&] { raft_fixture_step(&fixture); });
  const double seconds = std::chrono::duration<double>(Clock::now() - started).count();
  raft_fixture_close(&fixture);
  for (auto& node : nodes)
    node->closed();
  return seconds;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 4) {
    std::fprintf(stderr, "usage: %s uv|uv-tls|fixture REQUESTS DEPTH\n", argv[0]);
    return 2;
  }
  const std::string mode = argv[1];
  const std::size_t count = std::stoul(argv[2]);
  const std::size_t depth = std::stoul(argv[3]);
  const double cpu_before = cpu_seconds();
  const double seconds =
      mode == "fixture" ? run_fixture(count, depth) : run_uv(count, depth, mode == "uv-tls");
  // The process's CPU time (all three nodes, setup included): what TLS costs when the disk
  // or a loaded machine hides it from the rate.
  const double cpu = cpu_seconds() - cpu_before;
  std::printf(
      "%s: 3 nodes, in-flight depth %zu: %zu requests in %.2f s = %.0f requests/s, CPU %.2f s "
      "(%.0f us/request)\n",
      mode.c_str(), depth, count, seconds, static_cast<double>(count) / seconds, cpu,
      1e6 * cpu / static_cast<double>(count));
  return 0;
}
