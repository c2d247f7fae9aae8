// Helpers of the process-level tests ([cli], [cluster]): the built binaries, shell commands
// with their output, a base port whose Raft and HTTP ports are free, and a local cluster
// started and stopped with `tally cluster`.
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "native/json/json.hpp"
#include "native/tally/http_client.hpp"

namespace tally::testing {

std::string tally_binary();
std::string tallyd_binary();

struct CommandResult {
  int exit_code = -1;
  std::string output;  // stdout (stderr goes to the test's stderr)
};
CommandResult run_command(const std::string& command);
// A whole text file ("" when it cannot be read).
std::string read_text(const std::string& path);

// tallyd's --peer-cert, --peer-key and --peer-ca for node id of the local cluster in
// cluster_dir (the files `tally cluster up` creates), each with a leading space.
std::string peer_tls_flags(const std::string& cluster_dir, std::uint64_t id);

// tallyd's --api-cert and --api-key for node id of the local cluster in cluster_dir (HTTPS;
// `tally cluster up` creates them unless --api-plaintext), with a leading space.
std::string api_tls_flags(const std::string& cluster_dir, std::uint64_t id);

// tallyd's --token-key-file for the local cluster in cluster_dir, with a leading space.
std::string token_key_flag(const std::string& cluster_dir);

// Client tokens: `tally cluster up` writes an admin token to DIR/admin.token. This registers
// it for each node of DIR's cluster (send_json and get_json send it to them unless told
// otherwise) and exports it as TALLY_TOKEN, so the CLI commands the test runs send it too;
// the same for the cluster's CA (send_json trusts it for those nodes; TALLY_CA_CERT).
// LocalCluster calls it; returns the token ("" when there is none).
std::string use_cluster_token(const std::string& dir);

// send_json and get_json verify base's certificate under ca_file (a node started by hand).
void trust_ca(const std::string& base, const std::string& ca_file);

// "https://" or "http://": the scheme DIR/cluster.json's nodes serve.
std::string api_scheme(const std::string& dir);

// A raw TCP connection to 127.0.0.1:port (-1 when it cannot connect).
int connect_to(int port);
// Sends all of bytes in one call (false when it could not).
bool send_all(int fd, const std::string& bytes);
// Reads until the peer closes (true) or the deadline passes (false).
bool reads_to_close(int fd, std::chrono::steady_clock::time_point deadline);

// Whether the process still runs: false once every thread of it has exited (its files closed),
// also while it waits to be reaped (a zombie: a node started by `tally cluster` is reaped by
// whoever inherits it, which on some machines takes a second, and a stop's duration must not
// count that).
bool process_running(long pid);
// Waits until process_running(pid) is false, polling every 5 ms; false if the process
// still runs at deadline.
bool exited_by(long pid, std::chrono::steady_clock::time_point deadline);

// A base port P such that P+1..P+n and P+101..P+100+n are free now.
int free_base_port(int n);

struct ClusterNode {
  std::uint64_t id = 0;
  std::string http;  // https://127.0.0.1:port (http:// for an --api-plaintext cluster)
  long pid = 0;
};

// Reads DIR/cluster.json.
std::vector<ClusterNode> read_cluster(const std::string& dir);
// DIR/cluster.json's cluster id.
std::string read_cluster_id(const std::string& dir);

// The id of the first node that answers as the leader (0 if none).
std::uint64_t leader_of(const std::vector<ClusterNode>& nodes);

// `tally cluster up N --dir DIR --base-port P <flags>` on free ports, and `tally cluster down`
// when it goes out of scope (also when a REQUIRE fails). env prefixes the command (e.g. the
// CLI's XDG_STATE_HOME). The caller REQUIREs up.exit_code == 0.
struct LocalCluster {
  LocalCluster(int nodes, std::string dir, const std::string& flags = "",
               const std::string& env = "");
  ~LocalCluster();
  LocalCluster(const LocalCluster&) = delete;
  LocalCluster& operator=(const LocalCluster&) = delete;

  std::string dir;
  int base_port = 0;  // 0: no free ports were found (and nothing was started)
  CommandResult up;
  std::string token;  // the cluster's admin token (use_cluster_token)
};

// The API base URL of the only node of a 1-node LocalCluster, once REQUIREd that it started.
std::string single_node_base(const LocalCluster& cluster);

// A local cluster for the CLI's tests: the CLI's state file under `state_dir` (never the
// user's), `cli` the command that runs the CLI with it, and `tally` the same pointed at the
// first node.
struct CliCluster {
  CliCluster(int nodes, const std::string& dir, const std::string& state_dir,
             const std::string& flags = "");
  LocalCluster cluster;
  std::string cli;
  std::string tally;
};

// GET url+path and its parsed JSON; status 0 when the node does not answer. Requests carry
// the token registered for base (use_cluster_token) unless headers name an Authorization (an
// empty one: none is sent).
struct JsonAnswer {
  int status = 0;
  json::Json json;
  std::string body;
  std::map<std::string, std::string> headers;
};
JsonAnswer get_json(const std::string& base, const std::string& path);
JsonAnswer send_json(const std::string& method, const std::string& base, const std::string& path,
                     const std::string& body,
                     std::vector<std::pair<std::string, std::string>> headers = {});

}  // namespace tally::testing
