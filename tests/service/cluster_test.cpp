// [cluster] Three tallyd processes started with `tally cluster up` on 127.0.0.1: a bank
// workload of 2,000 transfers among 20 accounts from 8 concurrent clients (idempotency keys,
// retries on 503 and on a lost node), the leader killed with SIGKILL mid-load and restarted;
// then every acknowledged transfer is present exactly once, the total is conserved, the
// checker is clean on every node and the store digests are equal. A second case takes a
// snapshot every 100 entries, so the restarted node catches up by installing one.
#include <signal.h>

#include <catch2/catch.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <mutex>
#include <optional>
#include <random>
#include <set>
#include <thread>

#include "tests/service/processes.hpp"
#include "tests/support/temp_dir.hpp"

namespace tally::testing {
namespace {

using Clock = std::chrono::steady_clock;

constexpr int kAccounts = 20;
constexpr int kClients = 8;
constexpr int kTransfers = 2000;
constexpr std::uint64_t kFunding = 1000000;

struct Bank {
  std::vector<ClusterNode> nodes;
  std::mutex mutex;
  std::set<std::uint64_t> acknowledged;  // transaction ids answered 200
  std::vector<double> latencies_ms;
  std::atomic<int> done{0};
  std::atomic<int> retries{0};
  std::vector<std::string> failures;  // Catch2's macros are for the main thread only
};

void fail(Bank& bank, const std::string& why) {
  std::lock_guard<std::mutex> lock(bank.mutex);
  bank.failures.push_back(why);
}

// Posts one transaction until it is acknowledged: 503 and lost connections are retried on
// the next node (the idempotency key makes every retry safe). Returns the transaction id, or
// nothing after recording a failure.
std::optional<std::uint64_t> post(Bank& bank, const std::string& body, const std::string& key,
                                  unsigned& node) {
  const auto deadline = Clock::now() + std::chrono::seconds(120);
  for (;;) {
    if (Clock::now() > deadline) {
      fail(bank, "no answer for " + key + " in 120 s");
      return std::nullopt;
    }
    auto answer = send_json("POST", bank.nodes[node % bank.nodes.size()].http,
                            "/v2/bank/transactions", body, {{"Idempotency-Key", key}});
    if (answer.status == 200) {
      return std::stoull(answer.json.find("data")->find("id")->text);
    }
    if (answer.status != 0 && answer.status != 503) {
      fail(bank, key + ": unexpected answer " + std::to_string(answer.status) + " " + answer.body);
      return std::nullopt;
    }
    ++bank.retries;
    if (answer.status == 0) ++node;  // that node is down: try another
    std::this_thread::sleep_for(std::chrono::milliseconds(answer.status == 0 ? 20 : 50));
  }
}

std::string transfer(int from, int to, std::uint64_t amount) {
  auto name = [](int i) { return i < 0 ? std::string("world") : "users:" + std::to_string(i); };
  return R"({"postings":[{"source":")" + name(from) + R"(","destination":")" + name(to) +
         R"(","amount":)" + std::to_string(amount) + R"(,"asset":"USD/2"}]})";
}

void client(Bank& bank, int id, int count) {
  std::mt19937 random(static_cast<unsigned>(id) * 7919u);
  std::uniform_int_distribution<int> account(0, kAccounts - 1);
  std::uniform_int_distribution<int> amount(1, 10);
  unsigned node = static_cast<unsigned>(id);
  for (int i = 0; i < count; ++i) {
    const int from = account(random);
    int to = account(random);
    if (to == from) to = (to + 1) % kAccounts;
    const std::uint64_t value = static_cast<std::uint64_t>(amount(random));
    const auto started = Clock::now();
    const auto tx = post(bank, transfer(from, to, value),
                         "c" + std::to_string(id) + "-" + std::to_string(i), node);
    if (!tx) {
      ++bank.done;
      continue;
    }
    const double ms = std::chrono::duration<double, std::milli>(Clock::now() - started).count();
    std::lock_guard<std::mutex> lock(bank.mutex);
    if (!bank.acknowledged.insert(*tx).second)  // no two keys share a transaction
      bank.failures.push_back("transaction " + std::to_string(*tx) + " acknowledged twice");
    bank.latencies_ms.push_back(ms);
    ++bank.done;
  }
}

std::string info_text(const json::Json& json, const char* key) {
  const json::Json* data = json.find("data");
  const json::Json* value = data ? data->find(key) : nullptr;
  return value ? value->text : "";
}

// After the load: every node reaches the same applied index with the same store digest, node
// list_from lists exactly the acknowledged transactions (each once), balances are conserved
// and the checker is clean on every node.
void require_consistent(Bank& bank, std::uint64_t list_from) {
  // Convergence: every node applied the same index, with the same digest.
  const auto deadline = Clock::now() + std::chrono::seconds(60);
  std::vector<std::string> digests;
  for (;;) {
    digests.clear();
    std::set<std::string> indexes;
    for (const auto& n : bank.nodes) {
      auto info = get_json(n.http, "/_tally/info");
      indexes.insert(info.status == 200 ? info_text(info.json, "raftAppliedIndex") : "down");
      auto digest = get_json(n.http, "/_tally/digest");
      digests.push_back(info_text(digest.json, "appliedIndex") + " " +
                        info_text(digest.json, "storeDigest"));
    }
    if (indexes.size() == 1 && !indexes.count("down") &&
        std::set<std::string>(digests.begin(), digests.end()).size() == 1)
      break;
    REQUIRE(Clock::now() < deadline);
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  CHECK(!digests[0].empty());

  // Exactly once: the ledger holds the funding and every acknowledged transfer, no more.
  std::set<std::uint64_t> listed;
  std::string cursor;
  for (int page = 0; page < 100; ++page) {
    // Tally-Applied-Index 0: this node's own state (the digests agree), not the leader's.
    auto answer = send_json("GET", bank.nodes[list_from - 1].http,
                            "/v2/bank/transactions?pageSize=1000" +
                                (cursor.empty() ? std::string() : "&cursor=" + cursor),
                            "", {{"Tally-Applied-Index", "0"}});
    REQUIRE(answer.status == 200);
    const json::Json& list = *answer.json.find("cursor");
    for (const auto& tx : list.find("data")->items) {
      REQUIRE(listed.insert(std::stoull(tx.find("id")->text)).second);
    }
    const json::Json* next = list.find("next");
    if (next == nullptr) break;
    cursor = next->text;
  }
  CHECK(listed == bank.acknowledged);

  // Conservation: the users hold exactly what the world gave them.
  for (const auto& n : bank.nodes) {
    const std::vector<std::pair<std::string, std::string>> local = {{"Tally-Applied-Index", "0"}};
    auto users = send_json("GET", n.http, "/v2/bank/aggregate/balances",
                           R"({"$match":{"address":"users:"}})", local);
    CHECK(users.json.find("data")->find("USD/2")->text == std::to_string(kFunding * kAccounts));
    auto all = send_json("GET", n.http, "/v2/bank/aggregate/balances", "", local);
    CHECK(all.json.find("data")->find("USD/2")->text == "0");
    auto check = get_json(n.http, "/_tally/check");
    INFO("node " << n.id << ": " << check.body.substr(0, 2000));
    CHECK(check.json.find("data")->find("ok")->boolean);
    // The first check left a checkpoint: the next one resumes from it.
    auto again = get_json(n.http, "/_tally/check");
    INFO(again.body.substr(0, 2000));
    CHECK(again.json.find("data")->find("ok")->boolean);
    CHECK(again.json.find("data")->find("mode")->text == "incremental");
  }
}

void run_bank(unsigned snapshot_threshold) {
  TempDir dir;
  const std::string cluster_dir = dir.file("cluster");
  LocalCluster cluster(3, cluster_dir,
                       "--snapshot-threshold " + std::to_string(snapshot_threshold));
  REQUIRE(cluster.base_port != 0);
  INFO(cluster.up.output);
  REQUIRE(cluster.up.exit_code == 0);

  Bank bank;
  bank.nodes = read_cluster(cluster_dir);
  REQUIRE(bank.nodes.size() == 3);
  // Sent to node 1: a follower redirects it to the leader.
  auto ledger = send_json("POST", bank.nodes[0].http, "/v2/bank", "");
  REQUIRE(ledger.status == 204);
  unsigned node = 0;
  for (int i = 0; i < kAccounts; ++i) {
    auto funded = post(bank, transfer(-1, i, kFunding), "fund-" + std::to_string(i), node);
    REQUIRE(funded);
    bank.acknowledged.insert(*funded);
  }

  const auto started = Clock::now();
  std::vector<std::thread> clients;
  struct Joiner {  // a failed REQUIRE below must not leave threads unjoined
    std::vector<std::thread>& threads;
    ~Joiner() {
      for (auto& thread : threads)
        if (thread.joinable()) thread.join();
    }
  } joiner{clients};
  for (int c = 0; c < kClients; ++c)
    clients.emplace_back(client, std::ref(bank), c, kTransfers / kClients);
  // Mid-load: kill the leader.
  while (bank.done < kTransfers / 4)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  const std::uint64_t killed = leader_of(bank.nodes);
  REQUIRE(killed != 0);
  ::kill(static_cast<pid_t>(bank.nodes[killed - 1].pid), SIGKILL);
  while (bank.done < kTransfers * 3 / 4)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  // Restart it while the others keep writing.
  auto restarted = run_command(tally_binary() + " cluster start-node " + std::to_string(killed) +
                               " --dir " + cluster_dir + " --tallyd " + tallyd_binary());
  INFO(restarted.output);
  REQUIRE(restarted.exit_code == 0);
  for (auto& thread : clients)
    thread.join();
  const double seconds = std::chrono::duration<double>(Clock::now() - started).count();
  std::sort(bank.latencies_ms.begin(), bank.latencies_ms.end());
  const double p50 = bank.latencies_ms[bank.latencies_ms.size() / 2];
  const double p99 = bank.latencies_ms[bank.latencies_ms.size() * 99 / 100];
  std::printf(
      "[cluster] snapshot threshold %u: %d transfers in %.1f s = %.0f tx/s, p50 %.1f ms, "
      "p99 %.1f ms, %d retries, leader %llu killed\n",
      snapshot_threshold, kTransfers, seconds, kTransfers / seconds, p50, p99, bank.retries.load(),
      static_cast<unsigned long long>(killed));
  for (const auto& failure : bank.failures)
    FAIL_CHECK(failure);
  REQUIRE(bank.failures.empty());
  REQUIRE(bank.acknowledged.size() == kTransfers + kAccounts);

  require_consistent(bank, killed);
  if (snapshot_threshold <= 100) {
    auto info = get_json(bank.nodes[killed - 1].http, "/_tally/info");
    INFO(info.body);
    CHECK(std::stoull(info_text(info.json, "snapshotsInstalled")) >= 1);
  }
}

TEST_CASE(
    "a 3-node cluster keeps every acknowledged transfer exactly once across a leader "
    "kill -9",
    "[cluster]") {
  run_bank(1024);
}

TEST_CASE("a node restarted after a kill -9 catches up by installing a snapshot", "[cluster]") {
  run_bank(100);
}

// The info field key of node's /_tally/info as a number (0 when the node does not answer).
std::uint64_t info_number(const ClusterNode& node, const char* key) {
  auto info = get_json(node.http, "/_tally/info");
  const std::string text = info.status == 200 ? info_text(info.json, key) : "";
  return text.empty() ? 0 : std::stoull(text);
}

// Runs count more transfers from `clients` concurrent clients, keys c<first>.. upwards.
void transfers(Bank& bank, int clients, int per_client, int first_client) {
  std::vector<std::thread> threads;
  for (int c = 0; c < clients; ++c)
    threads.emplace_back(client, std::ref(bank), first_client + c, per_client);
  for (auto& thread : threads)
    thread.join();
}

// A process's command line, its arguments separated by spaces.
std::string command_line(long pid) {
  std::ifstream file("/proc/" + std::to_string(pid) + "/cmdline", std::ios::binary);
  std::string text((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
  std::replace(text.begin(), text.end(), '\0', ' ');
  return text;
}

// Kills node id with SIGKILL while its store lags its applied index (an open group commit),
// runs more transfers without it, and restarts it.
void kill_with_open_group(Bank& bank, const std::string& cluster_dir, std::uint64_t id,
                          int first_client) {
  const ClusterNode& node = bank.nodes[id - 1];
  const std::uint64_t applied = info_number(node, "appliedIndex");
  const std::uint64_t durable = info_number(node, "durableIndex");
  INFO("node " << id << ": applied " << applied << ", durable " << durable);
  REQUIRE(applied > durable + 100);  // hundreds of applied entries only in the Raft log
  ::kill(static_cast<pid_t>(node.pid), SIGKILL);
  transfers(bank, 4, 25, first_client);
  auto restarted = run_command(tally_binary() + " cluster start-node " + std::to_string(id) +
                               " --dir " + cluster_dir + " --tallyd " + tallyd_binary());
  INFO(restarted.output);
  REQUIRE(restarted.exit_code == 0);
  bank.nodes = read_cluster(cluster_dir);  // the new pid
}

TEST_CASE(
    "a follower, then the leader, killed -9 with an applied group not yet in their store "
    "replay it: every acknowledged transfer once, digests equal, checker clean",
    "[cluster]") {
  const auto started = Clock::now();
  TempDir dir;
  const std::string cluster_dir = dir.file("cluster");
  // Groups commit only when a node stops: no count, time or snapshot bound is reached here.
  // Three leader batches in flight: more than the default, so a kill finds several.
  LocalCluster cluster(3, cluster_dir,
                       "--snapshot-threshold 100000 --group-entries-max 100000"
                       " --group-commit-ms 600000 --batches-in-flight 3");
  REQUIRE(cluster.base_port != 0);
  INFO(cluster.up.output);
  REQUIRE(cluster.up.exit_code == 0);

  Bank bank;
  bank.nodes = read_cluster(cluster_dir);
  REQUIRE(bank.nodes.size() == 3);
  REQUIRE(send_json("POST", bank.nodes[0].http, "/v2/bank", "").status == 204);
  unsigned node = 0;
  for (int i = 0; i < kAccounts; ++i) {
    auto funded = post(bank, transfer(-1, i, kFunding), "fund-" + std::to_string(i), node);
    REQUIRE(funded);
    bank.acknowledged.insert(*funded);
  }
  transfers(bank, 4, 40, 0);
  // Followers apply what the leader commits a heartbeat later.
  std::this_thread::sleep_for(std::chrono::milliseconds(500));

  const std::uint64_t leader = leader_of(bank.nodes);
  REQUIRE(leader != 0);
  const std::uint64_t follower = leader % 3 + 1;
  kill_with_open_group(bank, cluster_dir, follower, 4);
  kill_with_open_group(bank, cluster_dir, leader, 8);
  transfers(bank, 4, 10, 12);
  // The setting reached every node, the restarted ones too (from cluster.json).
  for (const ClusterNode& each : bank.nodes)
    CHECK_THAT(command_line(each.pid), Catch::Contains("--batches-in-flight=3"));

  for (const auto& failure : bank.failures)
    FAIL_CHECK(failure);
  REQUIRE(bank.failures.empty());
  REQUIRE(bank.acknowledged.size() == kAccounts + 4 * 40 + 2 * 4 * 25 + 4 * 10);
  require_consistent(bank, leader);
  std::printf(
      "[cluster] follower %llu and leader %llu killed -9 with open groups: %zu "
      "transfers, %d retries, %.1f s\n",
      static_cast<unsigned long long>(follower), static_cast<unsigned long long>(leader),
      bank.acknowledged.size(), bank.retries.load(),
      std::chrono::duration<double>(Clock::now() - started).count());
}

}  // namespace
}  // namespace tally::testing
