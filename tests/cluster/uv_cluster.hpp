// Three uv nodes on 127.0.0.1 in one process, on one libuv loop: libraft's uv disk I/O and
// peer transport (plaintext TCP, or mutual TLS when the Configure hook sets it), SQLite
// stores. Drives a transfer workload through whichever node leads, stops and restarts nodes,
// grows the cluster. For [raft-uv] and [security].
#pragma once

#include <catch2/catch.hpp>

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "core/audit/audit_key.hpp"
#include "native/raft/uv_host.hpp"
#include "tests/support/free_port.hpp"
#include "tests/support/temp_dir.hpp"

namespace tally::testing {

using Clock = std::chrono::steady_clock;

inline std::uint64_t wall_clock_us() {
  return static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::microseconds>(
                                        std::chrono::system_clock::now().time_since_epoch())
                                        .count());
}

class UvCluster {
 public:
  // Changes node i's configuration before each start (the [security] tests: peer TLS).
  using Configure = std::function<void(unsigned i, replica::UvConfig& config)>;

  explicit UvCluster(std::size_t depth, Configure configure = nullptr)
      : depth_(depth), configure_(std::move(configure)) {
    REQUIRE(uv_loop_init(&loop_) == 0);
    for (std::uint64_t id = 1; id <= 3; ++id)
      voters_.push_back({id, "127.0.0.1:" + std::to_string(free_port())});
    hosts_.resize(3);
    for (unsigned i = 0; i < 3; ++i)
      start(i, voters_);
  }

  ~UvCluster() {
    for (auto& host : hosts_) {
      if (host && !host->closed()) host->close(nullptr);
    }
    run_until([&] {
      for (auto& host : hosts_)
        if (host && !host->closed()) return false;
      return true;
    });
    uv_run(&loop_, UV_RUN_DEFAULT);  // lets the closed handles finish
    graveyard_.clear();
    hosts_.clear();
    uv_loop_close(&loop_);
  }

  // voters: the bootstrap configuration; empty for a server joining the running cluster.
  void start(unsigned i, const std::vector<replica::Peer>& voters) {
    std::optional<Error> error = try_start(i, voters);
    INFO((error ? error->message : std::string()));
    REQUIRE(!error);
  }
  // Starts node i, or hands back the error of a start that fails (the node stays down).
  std::optional<Error> try_start(unsigned i, const std::vector<replica::Peer>& voters) {
    replica::UvConfig config;
    config.address = voters_[i].address;
    config.data_dir = data_dir(i);
    config.voters = voters;
    config.snapshot_threshold = 512;
    config.snapshot_trailing = 128;
    config.heartbeat_ms = 50;
    config.election_timeout_ms = 500;
    if (configure_) configure_(i, config);
    replica::NodeConfig node;
    node.id = voters_[i].id;
    node.in_flight_max = depth_;
    node.clock_us = wall_clock_us;
    node.fsm.audit_key = audit::public_demo_audit_key();
    node.fsm.group_entries_max = 32;        // group commit: by count, or every 10 ms
    node.snapshot_chunk_bytes = 64 * 1024;  // snapshots of several chunks through libraft's uv
    node.events = [this, i, id = node.id](const replica::NodeEvent& event) {
      events_.push_back({i, std::string(event.name), event.fields});
      replica::write_event_to_stderr(id, event);
    };
    auto host = replica::UvHost::start(&loop_, config, std::move(node));
    if (!host.ok()) return std::move(host).error();
    hosts_[i] = std::move(host).value();
    return std::nullopt;
  }
  std::string data_dir(unsigned i) { return dir_.file("node-" + std::to_string(i + 1)); }

  // The events the nodes sent (NodeConfig::events), in order; each also goes to stderr.
  struct Event {
    unsigned node = 0;
    std::string name;
    replica::EventFields fields;
    std::string field(const std::string& key) const {
      for (const auto& [k, v] : fields)
        if (k == key) return v;
      return {};
    }
  };
  const std::vector<Event>& events() const { return events_; }
  std::vector<Event> events_of(unsigned i, const std::string& name) const {
    std::vector<Event> found;
    for (const Event& event : events_)
      if (event.node == i && event.name == name) found.push_back(event);
    return found;
  }

  // commit false: a crash with the open group not yet in the store.
  void stop(unsigned i, bool commit = true) {
    hosts_[i]->close(nullptr, commit);
    run_until([&] { return hosts_[i]->closed(); });
    graveyard_.push_back(std::move(hosts_[i]));  // freed once the loop is drained
  }

  void start(unsigned i) { start(i, voters_); }
  std::optional<Error> try_start(unsigned i) { return try_start(i, voters_); }
  // A new, empty server (not bootstrapped) on a new port; the leader adds it. Its index.
  unsigned start_joiner() {
    const auto id = static_cast<std::uint64_t>(voters_.size() + 1);
    voters_.push_back({id, "127.0.0.1:" + std::to_string(free_port())});
    hosts_.emplace_back();
    start(static_cast<unsigned>(hosts_.size() - 1), {});
    return static_cast<unsigned>(hosts_.size() - 1);
  }
  // Node i left the configuration: closed, and no longer expected to converge.
  void retire(unsigned i) {
    stop(i);
    retired_.insert(i);
  }
  const replica::Peer& peer(unsigned i) const { return voters_[i]; }
  unsigned size() const { return static_cast<unsigned>(hosts_.size()); }
  bool active(unsigned i) const { return hosts_[i] != nullptr && retired_.count(i) == 0; }
  replica::Node* node(unsigned i) { return hosts_[i] ? &hosts_[i]->node() : nullptr; }
  replica::UvHost* host(unsigned i) { return hosts_[i].get(); }
  std::string store_path(unsigned i) { return data_dir(i) + "/store.db"; }
  // A host that closed itself (its node failed): kept until the loop is drained.
  void bury(unsigned i) {
    REQUIRE(hosts_[i]->closed());
    graveyard_.push_back(std::move(hosts_[i]));
  }

  replica::Node* leader() {
    for (unsigned i = 0; i < size(); ++i) {
      if (node(i) != nullptr && !host(i)->closed() && node(i)->is_leader()) return node(i);
    }
    return nullptr;
  }

  // Runs the loop, submitting while the leader has room, until `count` more acknowledgements.
  void write(std::size_t count) {
    const std::size_t target = acknowledged_ + count;
    run_until([&] {
      if (replica::Node* lead = leader()) {
        // The ledger is created alone, before any transaction is admitted.
        while (lead->in_flight() < (ledger_created_ ? depth_ : 1) &&
               acknowledged_ + lead->in_flight() < target) {
          const std::size_t before = lead->in_flight();
          submit(*lead);
          if (lead->in_flight() == before) break;  // answered at once: let the loop run
        }
      }
      return acknowledged_ >= target;
    });
  }

  void run_until(const std::function<bool()>& done, int seconds = 600) {
    const auto deadline = Clock::now() + std::chrono::seconds(seconds);
    while (!done()) {
      REQUIRE(Clock::now() < deadline);
      uv_run(&loop_, UV_RUN_NOWAIT);
      if (!done()) uv_run(&loop_, UV_RUN_ONCE);
    }
  }

  // Every node applies the leader's last index, then the state machines catch up.
  void converge() {
    run_until([&] {
      replica::Node* lead = leader();
      if (lead == nullptr) return false;
      for (unsigned i = 0; i < size(); ++i) {
        if (active(i) && node(i)->raft_applied_index() < lead->last_log_index()) return false;
      }
      return true;
    });
    for (unsigned i = 0; i < size(); ++i) {
      if (!active(i)) continue;
      REQUIRE(node(i)->catch_up().ok());
      REQUIRE(node(i)->commit_point().ok());
    }
  }

  std::size_t acknowledged() const { return acknowledged_; }
  std::size_t retries = 0, business_failures = 0;

 private:
  void submit(replica::Node& lead) {
    plan::Request request{{domain::CreateLedger{"main", {}}}, std::nullopt};
    const bool ledger = !ledger_created_;
    if (!ledger) {
      domain::CreateTransaction tx;
      tx.ledger = "main";
      tx.postings.push_back({"world", "users:" + std::to_string(submitted_ % 97),
                             domain::Amount(1 + submitted_ % 13), "USD"});
      request = {{tx}, std::nullopt};
    }
    ++submitted_;
    lead.submit(std::move(request), [this, ledger](replica::Reply reply) {
      if (reply.status == replica::Reply::Status::kApplied) {
        ++acknowledged_;
        if (ledger) ledger_created_ = true;
        if (!reply.report->outcome.ok()) ++business_failures;
      } else {
        ++retries;
      }
    });
  }

  TempDir dir_;
  uv_loop_t loop_{};
  std::vector<Event> events_;
  std::vector<replica::Peer> voters_;
  std::vector<std::unique_ptr<replica::UvHost>> hosts_;
  std::vector<std::unique_ptr<replica::UvHost>> graveyard_;
  std::set<unsigned> retired_;
  std::size_t depth_;
  Configure configure_;
  std::size_t submitted_ = 0, acknowledged_ = 0;
  bool ledger_created_ = false;
};

}  // namespace tally::testing
