#include "native/tally/cluster_command.hpp"

#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>

#include "native/tally/client.hpp"

namespace tally::cli {
namespace {

std::string sibling_tallyd() {
  if (const char* env = std::getenv("TALLYD")) return env;
  std::error_code error;
  auto self = std::filesystem::read_symlink("/proc/self/exe", error);
  if (!error) {
    for (auto candidate :
         {self.parent_path() / "tallyd", self.parent_path() / "../tallyd/tallyd"}) {
      if (std::filesystem::exists(candidate)) return candidate.lexically_normal().string();
    }
  }
  return "tallyd";
}

struct ClusterOptions {
  std::string dir;
  int count = 3;
  int base_port = 7000;
  ClusterSettings settings;
  bool api_plaintext = false, insecure_peers = false;
  std::uint64_t node_id = 0;
  std::string tallyd = sibling_tallyd();
};

void add_up(CLI::App* cluster, const std::shared_ptr<ClusterOptions>& o, int& rc) {
  auto* up = cluster->add_subcommand("up", "start N nodes in the background");
  up->add_option("count", o->count, "N")->required();
  up->add_option("--dir", o->dir, "where the nodes keep their data")->required();
  up->add_option("--base-port", o->base_port, "Raft on P+1..P+N, the API on P+101..P+100+N")
      ->capture_default_str()
      ->check(CLI::Range(1, 65400));
  up->add_option("--snapshot-threshold", o->settings.snapshot_threshold)
      ->capture_default_str()
      ->check(CLI::NonNegativeNumber);
  up->add_option("--group-entries-max", o->settings.group_entries_max,
                 "entries applied per store commit (group commit)")
      ->capture_default_str()
      ->check(CLI::NonNegativeNumber);
  up->add_option("--group-commit-ms", o->settings.group_commit_ms,
                 "the open group is committed at least this often")
      ->capture_default_str()
      ->check(CLI::NonNegativeNumber);
  up->add_option("--batches-in-flight", o->settings.batches_in_flight,
                 "leader batches proposed and not yet applied")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  up->add_option("--raft-log-memory-mb", o->settings.raft_log_memory_mb,
                 "the Raft log each node holds in memory (MiB); 0: bounded in entries only")
      ->capture_default_str()
      ->check(CLI::Range(std::uint64_t{0}, std::uint64_t{1} << 20));
  up->add_option("--trace-records", o->settings.trace_records,
                 "applied indexes each node keeps for `tally trace export`; 0: none")
      ->capture_default_str()
      ->check(CLI::NonNegativeNumber);
  up->add_flag("--api-plaintext", o->api_plaintext,
               "serve the API over plain HTTP, not HTTPS (local experiments only)");
  up->add_flag("--insecure-peers", o->insecure_peers,
               "Raft over plaintext TCP, not mutual TLS (local experiments only)");
  up->add_option("--tallyd", o->tallyd, "the tallyd binary")->capture_default_str();
  up->callback([o, &rc] {
    o->settings.https = !o->api_plaintext;
    o->settings.peer_tls = !o->insecure_peers;
    rc = cluster_up(o->count, o->dir, o->base_port, o->settings, o->tallyd);
  });
}

}  // namespace

CLI::App* add_cluster_command(CLI::App& app, int& rc) {
  auto* cluster = app.add_subcommand("cluster", "a local cluster of tallyd processes");
  cluster->require_subcommand(1);
  auto o = std::make_shared<ClusterOptions>();
  add_up(cluster, o, rc);
  auto* down = cluster->add_subcommand("down", "stop the nodes (SIGTERM)");
  down->add_option("--dir", o->dir)->required();
  down->callback([o, &rc] { rc = cluster_down(o->dir); });
  auto* status = cluster->add_subcommand("status", "each node's role, leader and indexes");
  status->add_option("--dir", o->dir)->required();
  status->callback([o, &rc] { rc = cluster_status(o->dir); });
  auto* start = cluster->add_subcommand("start-node", "restart one stopped node");
  start->add_option("id", o->node_id)->required()->check(CLI::NonNegativeNumber);
  start->add_option("--dir", o->dir)->required();
  start->add_option("--tallyd", o->tallyd)->capture_default_str();
  start->callback([o, &rc] { rc = cluster_start_node(o->dir, o->node_id, o->tallyd); });
  return cluster;
}

}  // namespace tally::cli
