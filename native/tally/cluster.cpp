// `tally cluster up|down|status|start-node`: N local tallyd in the background, described by
// DIR/cluster.json as {"clusterId", "apiScheme", settings..., "nodes": [{"id", "raft", "http",
// "pid", "dataDir", "log"}]}, with one audit key (DIR/audit.key) shared by every node, and peer
// TLS, the API's HTTPS certificates ("apiScheme": "https", unless --api-plaintext) and the token
// key, and an admin token (cluster_security.hpp). Each new cluster gets its own
// random id (every node runs with --cluster-id), so the stores, checker reports and
// read-your-writes records (client.hpp) of two clusters never mix.
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <limits>
#include <map>
#include <optional>
#include <sstream>
#include <thread>

#include "native/auth/cluster_credentials.hpp"
#include "native/keyfile/audit_key_file.hpp"
#include "native/tally/arguments.hpp"
#include "native/tally/client.hpp"
#include "native/tally/cluster_security.hpp"
#include "native/tally/node_paths.hpp"

namespace tally::cli {
namespace {

struct NodeEntry {
  std::uint64_t id = 0;
  std::string raft, http, data_dir, log;
  long pid = 0;
};

// The id of a cluster.json written before clusters had their own: tallyd's default.
constexpr const char* kLegacyClusterId = "tally";

struct Cluster {
  std::string id;
  std::vector<NodeEntry> nodes;
  ClusterSettings settings;
};

std::string cluster_file(const std::string& dir) {
  return (std::filesystem::path(dir) / "cluster.json").string();
}

Status save(const std::string& dir, const Cluster& cluster) {
  json::JsonWriter out;
  out.begin_object();
  out.key("clusterId");
  out.string(cluster.id);
  out.key("apiScheme");
  out.string(cluster.settings.https ? "https" : "http");
  out.key("peerTls");
  out.boolean(cluster.settings.peer_tls);
  out.key("snapshotThreshold");
  out.u64(cluster.settings.snapshot_threshold);
  out.key("groupEntriesMax");
  out.u64(cluster.settings.group_entries_max);
  out.key("groupCommitMs");
  out.u64(cluster.settings.group_commit_ms);
  out.key("traceRecords");
  out.u64(cluster.settings.trace_records);
  out.key("batchesInFlight");
  out.u64(cluster.settings.batches_in_flight);
  out.key("raftLogMemoryMb");
  out.u64(cluster.settings.raft_log_memory_mb);
  out.key("nodes");
  out.begin_array();
  for (const auto& node : cluster.nodes) {
    out.begin_object();
    out.key("id");
    out.u64(node.id);
    out.key("raft");
    out.string(node.raft);
    out.key("http");
    out.string(node.http);
    out.key("pid");
    out.i64(node.pid);
    out.key("dataDir");
    out.string(node.data_dir);
    out.key("log");
    out.string(node.log);
    out.end_object();
  }
  out.end_array();
  out.end_object();
  const std::string temporary = cluster_file(dir) + ".tmp";
  std::ofstream file(temporary, std::ios::trunc);
  file << out.take() << "\n";
  file.close();
  if (!file) return make_error(Code::kStorage, "cannot write " + temporary);
  std::filesystem::rename(temporary, cluster_file(dir));
  return ok_status();
}

// A number of cluster.json, or an error naming the file and the field.
template <class T>
Result<T> number_field(const json::Json& object, const char* key, const std::string& where,
                       std::optional<T> absent = std::nullopt) {
  const json::Json* value = object.find(key);
  if (value == nullptr && absent) return *absent;
  const auto parsed = value == nullptr ? std::nullopt : parse_u64(value->text);
  if (!parsed || *parsed > std::numeric_limits<T>::max())
    return make_error(Code::kCorrupt, where + ": \"" + key + "\" is not a number in range");
  return static_cast<T>(*parsed);
}

Result<NodeEntry> load_node(const json::Json& item, const std::string& where) {
  NodeEntry node;
  auto id = number_field<std::uint64_t>(item, "id", where);
  auto pid = number_field<long>(item, "pid", where);
  if (!id.ok()) return std::move(id).error();
  if (!pid.ok()) return std::move(pid).error();
  node.id = id.value();
  node.pid = pid.value();
  auto text_of = [&](const char* key) {
    const json::Json* value = item.find(key);
    return value ? value->text : std::string();
  };
  node.raft = text_of("raft");
  node.http = text_of("http");
  node.data_dir = text_of("dataDir");
  node.log = text_of("log");
  return node;
}

Result<Cluster> load(const std::string& dir) {
  const std::string file_name = cluster_file(dir);
  std::ifstream file(file_name);
  if (!file) return make_error(Code::kNotFound, "no " + file_name);
  std::stringstream text;
  text << file.rdbuf();
  auto json = json::parse_json(text.str());
  if (!json.ok()) return make_error(Code::kCorrupt, file_name + ": " + json.error().message);
  const json::Json& root = json.value();
  Cluster cluster;
  const json::Json* id = root.find("clusterId");
  cluster.id = id != nullptr ? id->text : kLegacyClusterId;
  // Files written before a setting existed leave it at tallyd's default.
  const ClusterSettings defaults;
  auto threshold =
      number_field<unsigned>(root, "snapshotThreshold", file_name, defaults.snapshot_threshold);
  auto entries =
      number_field<std::size_t>(root, "groupEntriesMax", file_name, defaults.group_entries_max);
  auto ms = number_field<unsigned>(root, "groupCommitMs", file_name, defaults.group_commit_ms);
  auto trace = number_field<std::size_t>(root, "traceRecords", file_name, defaults.trace_records);
  auto batches =
      number_field<std::size_t>(root, "batchesInFlight", file_name, defaults.batches_in_flight);
  auto log_memory =
      number_field<std::uint64_t>(root, "raftLogMemoryMb", file_name, defaults.raft_log_memory_mb);
  if (!threshold.ok()) return std::move(threshold).error();
  if (!entries.ok()) return std::move(entries).error();
  if (!ms.ok()) return std::move(ms).error();
  if (!trace.ok()) return std::move(trace).error();
  if (!batches.ok()) return std::move(batches).error();
  if (!log_memory.ok()) return std::move(log_memory).error();
  // A file written before the API had HTTPS names no scheme: its nodes serve plain HTTP.
  const json::Json* scheme = root.find("apiScheme");
  if (scheme != nullptr && scheme->text != "https" && scheme->text != "http")
    return make_error(Code::kCorrupt, file_name + ": \"apiScheme\" is neither https nor http");
  const bool https = scheme != nullptr && scheme->text == "https";
  const json::Json* peer_tls = root.find("peerTls");
  cluster.settings = {https,
                      peer_tls == nullptr || peer_tls->text != "false",
                      threshold.value(),
                      entries.value(),
                      ms.value(),
                      trace.value(),
                      batches.value(),
                      log_memory.value()};
  const json::Json* nodes = root.find("nodes");
  if (nodes == nullptr) return make_error(Code::kCorrupt, file_name + ": no nodes");
  for (const auto& item : nodes->items) {
    auto node = load_node(item, file_name);
    if (!node.ok()) return std::move(node).error();
    cluster.nodes.push_back(std::move(node).value());
  }
  return cluster;
}

// A fresh cluster id: "tally-" and 16 random hex digits. The CLI is outside the
// deterministic core; the id only has to differ from every other cluster's.
std::string new_cluster_id() {
  return "tally-" + random_hex(16);
}

// The id for `cluster up` in DIR: the one its nodes' data was made with when DIR holds a
// cluster whose data directories are still there, else a new one.
std::string cluster_id_for(const Result<Cluster>& existing) {
  if (existing.ok()) {
    for (const auto& node : existing.value().nodes) {
      std::error_code error;
      if (!node.data_dir.empty() && !std::filesystem::is_empty(node.data_dir, error) && !error)
        return existing.value().id;
    }
  }
  return new_cluster_id();
}

// A process that exists and is not a zombie.
bool alive(long pid) {
  if (pid <= 0 || ::kill(static_cast<pid_t>(pid), 0) != 0) return false;
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string line;
  std::getline(stat, line);
  std::size_t paren = line.rfind(')');
  return paren == std::string::npos || paren + 2 >= line.size() || line[paren + 2] != 'Z';
}

std::string joined(const Cluster& cluster, bool http) {
  std::string out;
  for (const auto& node : cluster.nodes)
    out +=
        (out.empty() ? "" : ",") + std::to_string(node.id) + "=" + (http ? node.http : node.raft);
  return out;
}

std::string absolute(const std::string& path) {
  return std::filesystem::absolute(path).lexically_normal().string();
}

// Starts one tallyd in the background (its own session, output to its log).
Result<long> spawn(const Cluster& cluster, const NodeEntry& node, const std::string& dir,
                   const std::string& tallyd) {
  std::filesystem::create_directories(node.data_dir);
  std::vector<std::string> args = {
      tallyd,
      "--id=" + std::to_string(node.id),
      "--raft-address=" + node.raft,
      "--http-address=" + node.http,
      "--data-dir=" + node.data_dir,
      "--cluster-id=" + cluster.id,
      "--peers=" + joined(cluster, false),
      "--http-peers=" + joined(cluster, true),
      "--snapshot-threshold=" + std::to_string(cluster.settings.snapshot_threshold),
      "--group-entries-max=" + std::to_string(cluster.settings.group_entries_max),
      "--group-commit-ms=" + std::to_string(cluster.settings.group_commit_ms),
      "--trace-records=" + std::to_string(cluster.settings.trace_records),
      "--batches-in-flight=" + std::to_string(cluster.settings.batches_in_flight),
      "--raft-log-memory-mb=" + std::to_string(cluster.settings.raft_log_memory_mb),
      "--audit-key-file=" + absolute(dir + "/audit.key")};
  for (std::string& flag :
       node_security_flags(dir, node.id, cluster.settings.peer_tls, cluster.settings.https))
    args.push_back(std::move(flag));
  pid_t pid = ::fork();
  if (pid < 0) return make_error(Code::kStorage, "fork failed");
  if (pid == 0) {
    ::setsid();
    int log = ::open(node.log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    int null = ::open("/dev/null", O_RDONLY);
    if (log >= 0) {
      ::dup2(log, 1);
      ::dup2(log, 2);
    }
    if (null >= 0) ::dup2(null, 0);
    std::vector<char*> argv;
    for (auto& arg : args)
      argv.push_back(arg.data());
    argv.push_back(nullptr);
    ::execv(tallyd.c_str(), argv.data());
    std::perror("execv tallyd");
    ::_exit(127);
  }
  return static_cast<long>(pid);
}

std::string base_url(const Cluster& cluster, const NodeEntry& node) {
  return (cluster.settings.https ? "https://" : "http://") + node.http;
}

// A client of one node of the cluster in dir, with its admin token and CA.
Client node_client(const std::string& dir, const Cluster& cluster, const NodeEntry& node) {
  Client client;
  client.node = base_url(cluster, node);
  client.token = admin_token(dir);
  if (cluster.settings.https) client.ca_file = auth::ca_certificate_path(dir);
  return client;
}

// The id of the leader every reachable node agrees on, 0 if none yet.
std::uint64_t agreed_leader(const std::string& dir, const Cluster& cluster) {
  std::uint64_t leader = 0;
  for (const auto& node : cluster.nodes) {
    const Client client = node_client(dir, cluster, node);
    auto info = client.call("GET", node_paths::kInfo);
    if (!info.ok() || info.value().status != 200) return 0;
    auto json = json::parse_json(info.value().body);
    if (!json.ok() || !json.value().find("data")) return 0;
    const json::Json* id = json.value().find("data")->find("leaderId");
    const auto parsed = id == nullptr ? std::nullopt : parse_u64(id->text);
    if (!parsed || *parsed == 0 || (leader != 0 && leader != *parsed)) return 0;
    leader = *parsed;
  }
  return leader;
}

}  // namespace

int cluster_up(int count, const std::string& dir_flag, int base_port,
               const ClusterSettings& settings, const std::string& tallyd) {
  if (count < 1 || count > 9) {
    std::fprintf(stderr, "tally: a local cluster has 1 to 9 nodes\n");
    return 2;
  }
  const std::string dir = absolute(dir_flag);
  const auto existing = load(dir);
  if (!existing.ok() && existing.error().code != Code::kNotFound) {
    std::fprintf(stderr, "tally: %s\n", existing.error().message.c_str());
    return 1;
  }
  if (existing.ok()) {
    for (const auto& node : existing.value().nodes) {
      if (alive(node.pid)) {
        std::fprintf(stderr,
                     "tally: %s already runs node %llu (pid %ld): tally cluster down --dir %s\n",
                     dir.c_str(), static_cast<unsigned long long>(node.id), node.pid, dir.c_str());
        return 1;
      }
    }
  }
  std::filesystem::create_directories(dir);
  const std::string key = dir + "/audit.key";
  if (!std::filesystem::exists(key)) {
    auto created = keyfile::create_audit_key_file(key);
    if (!created.ok()) {
      std::fprintf(stderr, "tally: %s\n", created.error().message.c_str());
      return 1;
    }
    std::printf("created the cluster's audit key %s (mode 0600)\n", key.c_str());
  }
  Cluster cluster;
  cluster.id = cluster_id_for(existing);
  cluster.settings = settings;
  if (!ensure_cluster_security(dir, cluster.id, static_cast<std::uint64_t>(count),
                               settings.https) ||
      !write_admin_token(dir, cluster.id))
    return 1;
  for (int i = 1; i <= count; ++i) {
    NodeEntry node;
    node.id = static_cast<std::uint64_t>(i);
    node.raft = "127.0.0.1:" + std::to_string(base_port + i);
    node.http = "127.0.0.1:" + std::to_string(base_port + 100 + i);
    node.data_dir = dir + "/node-" + std::to_string(i);
    node.log = dir + "/node-" + std::to_string(i) + ".log";
    cluster.nodes.push_back(node);
  }
  for (auto& node : cluster.nodes) {
    auto pid = spawn(cluster, node, dir, tallyd);
    if (!pid.ok()) {
      std::fprintf(stderr, "tally: %s\n", pid.error().message.c_str());
      return 1;
    }
    node.pid = pid.value();
  }
  if (Status saved = save(dir, cluster); !saved.ok()) {
    std::fprintf(stderr, "tally: %s\n", saved.error().message.c_str());
    return 1;
  }
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  std::uint64_t leader = 0;
  while ((leader = agreed_leader(dir, cluster)) == 0) {
    for (const auto& node : cluster.nodes) {
      if (!alive(node.pid)) {
        std::fprintf(stderr, "tally: node %llu exited; see %s\n",
                     static_cast<unsigned long long>(node.id), node.log.c_str());
        return 1;
      }
    }
    if (std::chrono::steady_clock::now() > deadline) {
      std::fprintf(stderr, "tally: no leader after 60 s; see the logs in %s\n", dir.c_str());
      return 1;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  std::printf("cluster %s of %d up in %s, leader: node %llu\n", cluster.id.c_str(), count,
              dir.c_str(), static_cast<unsigned long long>(leader));
  for (const auto& node : cluster.nodes) {
    std::printf("  node %llu  raft %s  api %s  pid %ld  log %s\n",
                static_cast<unsigned long long>(node.id), node.raft.c_str(),
                base_url(cluster, node).c_str(), node.pid, node.log.c_str());
  }
  if (cluster.settings.https)
    std::printf("the API is HTTPS: clients trust the cluster CA %s\n",
                auth::ca_certificate_path(dir).c_str());
  std::printf("admin token (every ledger, read write admin, 30 days) in %s/admin.token\n",
              dir.c_str());
  return 0;
}

std::string recorded_cluster_id(const std::string& dir) {
  auto cluster = load(absolute(dir));
  return cluster.ok() ? cluster.value().id : std::string();
}

Result<SignalledNodes> signal_cluster_nodes(const std::string& dir, int signal,
                                            const std::string& flag) {
  auto cluster = load(absolute(dir));
  if (!cluster.ok()) return std::move(cluster).error();
  SignalledNodes out;
  for (const auto& node : cluster.value().nodes) {
    if (!alive(node.pid)) continue;
    // The recorded pid may since name another process: only a tallyd on this node's data
    // dir is signalled.
    std::ifstream file("/proc/" + std::to_string(node.pid) + "/cmdline", std::ios::binary);
    std::vector<std::string> args;
    for (std::string arg; std::getline(file, arg, '\0');)
      args.push_back(arg);
    auto has = [&](const std::function<bool(const std::string&)>& match) {
      return std::any_of(args.begin(), args.end(), match);
    };
    if (!has([&](const std::string& arg) { return arg == "--data-dir=" + node.data_dir; }))
      continue;
    if (!has([&](const std::string& arg) { return arg.rfind(flag, 0) == 0; })) {
      out.without_flag.push_back(node.id);
      continue;
    }
    if (::kill(static_cast<pid_t>(node.pid), signal) == 0) out.signalled.push_back(node.id);
  }
  return out;
}

int cluster_start_node(const std::string& dir_flag, std::uint64_t id, const std::string& tallyd) {
  const std::string dir = absolute(dir_flag);
  auto cluster = load(dir);
  if (!cluster.ok()) {
    std::fprintf(stderr, "tally: %s\n", cluster.error().message.c_str());
    return 1;
  }
  if (!ensure_cluster_security(dir, cluster.value().id, id, cluster.value().settings.https))
    return 1;
  for (auto& node : cluster.value().nodes) {
    if (node.id != id) continue;
    if (alive(node.pid)) {
      std::fprintf(stderr, "tally: node %llu runs (pid %ld)\n", static_cast<unsigned long long>(id),
                   node.pid);
      return 1;
    }
    auto pid = spawn(cluster.value(), node, dir, tallyd);
    if (!pid.ok()) return 1;
    node.pid = pid.value();
    if (!save(dir, cluster.value()).ok()) return 1;
    std::printf("node %llu started, pid %ld\n", static_cast<unsigned long long>(id), node.pid);
    return 0;
  }
  std::fprintf(stderr, "tally: no node %llu in %s\n", static_cast<unsigned long long>(id),
               cluster_file(dir).c_str());
  return 1;
}

int cluster_down(const std::string& dir) {
  auto cluster = load(dir);
  if (!cluster.ok()) {
    std::fprintf(stderr, "tally: %s\n", cluster.error().message.c_str());
    return 1;
  }
  for (const auto& node : cluster.value().nodes) {
    if (alive(node.pid)) ::kill(static_cast<pid_t>(node.pid), SIGTERM);
  }
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(15);
  for (const auto& node : cluster.value().nodes) {
    while (alive(node.pid) && std::chrono::steady_clock::now() < deadline)
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    if (alive(node.pid)) {
      std::fprintf(stderr, "tally: node %llu did not stop in time: SIGKILL\n",
                   static_cast<unsigned long long>(node.id));
      ::kill(static_cast<pid_t>(node.pid), SIGKILL);
    }
    std::printf("node %llu stopped\n", static_cast<unsigned long long>(node.id));
  }
  return 0;
}

int cluster_status(const std::string& dir) {
  auto cluster = load(dir);
  if (!cluster.ok()) {
    std::fprintf(stderr, "tally: %s\n", cluster.error().message.c_str());
    return 1;
  }
  int rc = 0;
  std::printf("cluster %s\n", cluster.value().id.c_str());
  // Each answering node's revoked-token list, by its digest: every node reads its own file
  // (docs/security.md), and one that missed a revocation still lets the token in.
  std::map<std::string, std::vector<std::uint64_t>> revoked_lists;
  for (const auto& node : cluster.value().nodes) {
    const Client client = node_client(dir, cluster.value(), node);
    auto info = client.call("GET", node_paths::kInfo);
    std::string line = "node " + std::to_string(node.id) + "  " + client.node + "  pid " +
                       std::to_string(node.pid) + "  ";
    auto json = info.ok() ? json::parse_json(info.value().body) : Result<json::Json>(info.error());
    if (!json.ok() || json.value().find("data") == nullptr) {
      line += alive(node.pid) ? "not answering" : "down";
      rc = 1;
    } else {
      const json::Json& data = *json.value().find("data");
      auto text = [&](const char* key) {
        const json::Json* value = data.find(key);
        return value ? value->text : std::string("?");
      };
      // The last store digest the node computed (at a snapshot, or GET /_tally/digest), with
      // the applied index it covers: status never makes a node hash its store.
      const std::string digest =
          data.find("storeDigest") != nullptr
              ? text("storeDigest").substr(0, 16) + " at " + text("storeDigestIndex")
              : std::string("none yet");
      line += text("role") + "  leader " + text("leaderId") + "  term " + text("term") +
              "  applied " + text("appliedIndex") + "  digest " + digest;
      const json::Json* revoked = data.find("revokedTokens");
      const json::Json* count = revoked ? revoked->find("count") : nullptr;
      const json::Json* list_digest = revoked ? revoked->find("digest") : nullptr;
      if (count != nullptr && list_digest != nullptr) {
        const std::string list = count->text + " (" + list_digest->text.substr(0, 16) + ")";
        line += "  revoked " + list;
        revoked_lists[list].push_back(node.id);
      }
    }
    std::printf("%s\n", line.c_str());
  }
  if (revoked_lists.size() > 1) {
    std::string held;
    for (const auto& [list, ids] : revoked_lists) {
      held += held.empty() ? "" : "; ";
      held += ids.size() == 1 ? "node" : "nodes";
      for (std::size_t i = 0; i < ids.size(); ++i)
        held += (i == 0 ? " " : ", ") + std::to_string(ids[i]);
      held += (ids.size() == 1 ? " holds " : " hold ") + list;
    }
    std::fprintf(stderr,
                 "tally: the nodes hold different revoked-token lists (%s): a token revoked on one "
                 "is still taken by another; give every node the same file and send it SIGHUP "
                 "(tally token revoke does both on this machine)\n",
                 held.c_str());
    rc = 1;
  }
  return rc;
}

Result<std::vector<std::string>> cluster_urls(const std::string& dir) {
  auto cluster = load(dir);
  if (!cluster.ok()) return std::move(cluster).error();
  std::vector<std::string> urls;
  for (const auto& node : cluster.value().nodes)
    urls.push_back(base_url(cluster.value(), node));
  return urls;
}

std::string cluster_ca_file(const std::string& dir) {
  auto cluster = load(dir);
  if (!cluster.ok() || !cluster.value().settings.https) return "";
  return auth::ca_certificate_path(dir);
}

}  // namespace tally::cli
