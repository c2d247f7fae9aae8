#include "tests/service/processes.hpp"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <sstream>
#include <thread>

#include "native/auth/cluster_credentials.hpp"

namespace tally::testing {

std::string read_text(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

namespace {

bool port_free(int port) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = htons(static_cast<std::uint16_t>(port));
  const bool ok = ::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0;
  ::close(fd);
  return ok;
}

}  // namespace

// TALLY_BIN_DIR points the tests at other builds' binaries (a release cluster's throughput).
std::string binary_dir() {
  if (const char* dir = std::getenv("TALLY_BIN_DIR")) return dir;
  return std::string(TALLY_BINARY_DIR) + "/native";
}

std::string tally_binary() {
  return binary_dir() + "/tally";
}

std::string tallyd_binary() {
  return binary_dir() + "/tallyd";
}

CommandResult run_command(const std::string& command) {
  CommandResult result;
  FILE* pipe = ::popen(command.c_str(), "r");
  if (pipe == nullptr) return result;
  char buffer[4096];
  for (std::size_t n; (n = std::fread(buffer, 1, sizeof buffer, pipe)) > 0;)
    result.output.append(buffer, n);
  const int status = ::pclose(pipe);
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return result;
}

std::string peer_tls_flags(const std::string& cluster_dir, std::uint64_t id) {
  const auth::PeerCredentials files = auth::node_credentials(cluster_dir, id);
  return " --peer-cert=" + files.certificate + " --peer-key=" + files.key +
         " --peer-ca=" + files.ca;
}

std::string token_key_flag(const std::string& cluster_dir) {
  return " --token-key-file=" + auth::token_key_path(cluster_dir);
}

namespace {

// Base URL ("https://127.0.0.1:PORT") -> the token its cluster's nodes accept.
std::map<std::string, std::string>& node_tokens() {
  static std::map<std::string, std::string> tokens;
  return tokens;
}

// Base URL -> the CA its cluster's certificates verify under.
std::map<std::string, std::string>& node_cas() {
  static std::map<std::string, std::string> cas;
  return cas;
}

}  // namespace

std::string use_cluster_token(const std::string& dir) {
  const std::string ca = auth::ca_certificate_path(dir);
  for (const ClusterNode& node : read_cluster(dir))
    node_cas()[node.http] = ca;
  ::setenv("TALLY_CA_CERT", ca.c_str(), 1);
  std::string token = read_text(dir + "/admin.token");
  if (token.empty()) return token;
  for (const ClusterNode& node : read_cluster(dir))
    node_tokens()[node.http] = token;
  ::setenv("TALLY_TOKEN", token.c_str(), 1);
  return token;
}

void trust_ca(const std::string& base, const std::string& ca_file) {
  node_cas()[base] = ca_file;
}

std::string api_tls_flags(const std::string& cluster_dir, std::uint64_t id) {
  const auth::CertificateFiles files = auth::api_credentials(cluster_dir, id);
  return " --api-cert=" + files.certificate + " --api-key=" + files.key;
}

int connect_to(int port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<std::uint16_t>(port));
  ::inet_pton(AF_INET, "127.0.0.1", &address.sin_addr);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

bool send_all(int fd, const std::string& bytes) {
  return ::send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(bytes.size());
}

bool reads_to_close(int fd, std::chrono::steady_clock::time_point deadline) {
  timeval tick{0, 100 * 1000};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tick, sizeof tick);
  char buffer[4096];
  while (std::chrono::steady_clock::now() < deadline) {
    const ssize_t n = ::recv(fd, buffer, sizeof buffer, 0);
    if (n == 0) return true;
    if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK) return true;
  }
  return false;
}

namespace {

// Whether one task (thread) of a process has yet to exit: its stat's state is neither zombie
// nor dead.
bool task_running(const std::string& stat_path) {
  std::ifstream stat(stat_path);
  std::string line;
  if (!std::getline(stat, line)) return false;
  // pid (comm) state ...: the command may hold spaces and parentheses, the state follows the
  // last ')'.
  const std::size_t close = line.rfind(')');
  if (close == std::string::npos || close + 2 >= line.size()) return false;
  const char state = line[close + 2];
  return state != 'Z' && state != 'X';
}

}  // namespace

bool process_running(long pid) {
  // Every thread, not the first alone: the first can be a zombie while another still tears the
  // process down (its memory, then its files: a listening socket stays open until the last).
  std::error_code error;
  std::filesystem::directory_iterator tasks("/proc/" + std::to_string(pid) + "/task", error);
  if (error) return false;
  for (const auto& task : tasks) {
    if (task_running(task.path().string() + "/stat")) return true;
  }
  return false;
}

bool exited_by(long pid, std::chrono::steady_clock::time_point deadline) {
  while (process_running(pid)) {
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return true;
}

int free_base_port(int n) {
  std::random_device device;
  std::mt19937 random(device());
  std::uniform_int_distribution<int> pick(20000, 55000);
  for (int attempt = 0; attempt < 200; ++attempt) {
    const int base = pick(random) / 10 * 10;
    bool free = true;
    for (int i = 1; i <= n && free; ++i)
      free = port_free(base + i) && port_free(base + 100 + i);
    if (free) return base;
  }
  return 0;
}

LocalCluster::LocalCluster(int nodes, std::string cluster_dir, const std::string& flags,
                           const std::string& env)
    : dir(std::move(cluster_dir)), base_port(free_base_port(nodes)) {
  if (base_port == 0) return;
  up = run_command(env + (env.empty() ? "" : " ") + tally_binary() + " cluster up " +
                   std::to_string(nodes) + " --dir " + dir + " --base-port " +
                   std::to_string(base_port) + " --tallyd " + tallyd_binary() +
                   (flags.empty() ? "" : " " + flags));
  if (up.exit_code == 0) token = use_cluster_token(dir);
}

LocalCluster::~LocalCluster() {
  if (base_port != 0) run_command(tally_binary() + " cluster down --dir " + dir + " >/dev/null");
}

std::string single_node_base(const LocalCluster& cluster) {
  REQUIRE(cluster.base_port != 0);
  INFO(cluster.up.output);
  REQUIRE(cluster.up.exit_code == 0);
  const auto nodes = read_cluster(cluster.dir);
  REQUIRE(nodes.size() == 1);
  return nodes[0].http;
}

CliCluster::CliCluster(int nodes, const std::string& dir, const std::string& state_dir,
                       const std::string& flags)
    : cluster(nodes, dir, flags, "XDG_STATE_HOME=" + state_dir),
      cli("XDG_STATE_HOME=" + state_dir + " TALLY_TOKEN=" + cluster.token +
          " TALLY_CA_CERT=" + auth::ca_certificate_path(cluster.dir) + " " + tally_binary()),
      tally(cli + " --node " + api_scheme(cluster.dir) +
            "127.0.0.1:" + std::to_string(cluster.base_port + 101)) {}

namespace {

json::Json cluster_file(const std::string& dir) {
  std::ifstream file(dir + "/cluster.json");
  std::stringstream text;
  text << file.rdbuf();
  auto json = json::parse_json(text.str());
  return json.ok() ? std::move(json).value() : json::Json{};
}

}  // namespace

std::string api_scheme(const std::string& dir) {
  const json::Json json = cluster_file(dir);
  const json::Json* scheme = json.find("apiScheme");
  return scheme != nullptr && scheme->text == "https" ? "https://" : "http://";
}

std::string read_cluster_id(const std::string& dir) {
  const json::Json json = cluster_file(dir);
  const json::Json* id = json.find("clusterId");
  return id == nullptr ? "" : id->text;
}

std::uint64_t leader_of(const std::vector<ClusterNode>& nodes) {
  for (const auto& node : nodes) {
    auto info = get_json(node.http, "/_tally/info");
    const json::Json* data = info.json.find("data");
    const json::Json* role = data == nullptr ? nullptr : data->find("role");
    if (info.status == 200 && role != nullptr && role->text == "leader") return node.id;
  }
  return 0;
}

std::vector<ClusterNode> read_cluster(const std::string& dir) {
  std::vector<ClusterNode> nodes;
  const json::Json root = cluster_file(dir);
  const json::Json* list = root.find("nodes");
  if (list == nullptr) return nodes;
  const std::string scheme = api_scheme(dir);
  for (const auto& item : list->items) {
    ClusterNode node;
    node.id = std::stoull(item.find("id")->text);
    node.http = scheme + item.find("http")->text;
    node.pid = std::stol(item.find("pid")->text);
    nodes.push_back(node);
  }
  return nodes;
}

JsonAnswer send_json(const std::string& method, const std::string& base, const std::string& path,
                     const std::string& body,
                     std::vector<std::pair<std::string, std::string>> headers) {
  cli::HttpRequest request;
  request.method = method;
  request.url = base + path;
  request.body = body;
  bool named = false;
  for (const auto& [name, value] : headers)
    named = named || strcasecmp(name.c_str(), "authorization") == 0;
  for (const auto& [name, value] : headers) {
    if (strcasecmp(name.c_str(), "authorization") != 0 || !value.empty())
      request.headers.emplace_back(name, value);
  }
  if (auto token = node_tokens().find(base); !named && token != node_tokens().end())
    request.headers.emplace_back("Authorization", "Bearer " + token->second);
  request.timeout_ms = 15000;
  if (auto ca = node_cas().find(base); ca != node_cas().end()) request.ca_file = ca->second;
  JsonAnswer answer;
  auto response = cli::http_call(request);
  if (!response.ok()) return answer;
  answer.status = response.value().status;
  answer.body = response.value().body;
  answer.headers = response.value().headers;
  if (!answer.body.empty()) {
    auto parsed = json::parse_json(answer.body);
    if (parsed.ok()) answer.json = std::move(parsed).value();
  }
  return answer;
}

JsonAnswer get_json(const std::string& base, const std::string& path) {
  return send_json("GET", base, path, "");
}

}  // namespace tally::testing
