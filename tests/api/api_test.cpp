// [api] The HTTP/JSON API against one in-process node over real HTTP: the Go ledger's v2
// routes' happy paths and JSON shapes, Tally's node routes, and bad input answered with a 4xx
// JSON error that changes nothing (the store digest is the same before and after).
// api_v2_test.cpp covers filters, counts, expansions, volumes, logs, bulks and dry runs.
#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <functional>
#include <future>
#include <string>
#include <thread>

#include "native/json/json.hpp"
#include "tests/api/api_json.hpp"
#include "tests/api/api_node.hpp"

namespace tally::testing {
namespace {

using json::Json;

const std::string kTransfer =
    R"({"postings":[{"source":"world","destination":"users:1","amount":100,"asset":"USD/2"}]})";

std::string transfer(const std::string& source, const std::string& destination,
                     const std::string& amount) {
  return R"({"postings":[{"source":")" + source + R"(","destination":")" + destination +
         R"(","amount":)" + amount + R"(,"asset":"USD/2"}]})";
}

void create_ledger(ApiNode& node, const std::string& name) {
  auto created = node.call("POST", "/v2/" + name);
  INFO(created.body);
  REQUIRE(created.status == 204);
}

TEST_CASE("ledgers are created, read, listed, described and deleted", "[api]") {
  ApiNode node;
  auto created = node.call("POST", "/v2/main", R"({"metadata":{"team":"ops"}})");
  REQUIRE(created.status == 204);
  CHECK_FALSE(created.header("tally-applied-index").empty());
  auto read = json_of(node.call("GET", "/v2/main"));
  CHECK(field(field(read, "data"), "name").text == "main");
  CHECK(field(field(read, "data"), "bucket").text == "_default");
  CHECK_THAT(field(field(read, "data"), "addedAt").text, Catch::EndsWith("Z"));
  CHECK(field(field(field(read, "data"), "metadata"), "team").text == "ops");
  create_ledger(node, "second");
  auto list = json_of(node.call("GET", "/v2"));
  const Json& cursor = field(list, "cursor");
  REQUIRE(field(cursor, "data").items.size() == 2);
  CHECK(field(cursor, "hasMore").boolean == false);

  REQUIRE(node.call("PUT", "/v2/main/metadata", R"({"region":"eu","tier":"3"})").status == 204);
  REQUIRE(node.call("DELETE", "/v2/main/metadata/team").status == 204);
  auto described = json_of(node.call("GET", "/v2/main"));
  const Json& metadata = field(field(described, "data"), "metadata");
  CHECK(metadata.find("team") == nullptr);
  CHECK(field(metadata, "tier").type == Json::Type::kString);
  CHECK(field(metadata, "tier").text == "3");
  auto info = json_of(node.call("GET", "/v2/main/_info"));
  CHECK(field(field(info, "data"), "name").text == "main");

  // Deleting a ledger is Tally's: it keeps its data, refuses writes and leaves the list.
  REQUIRE(node.call("DELETE", "/v2/second").status == 204);
  auto deleted = json_of(node.call("GET", "/v2/second"));
  CHECK(field(field(deleted, "data"), "deletedAt").type == Json::Type::kString);
  auto refused = node.call("POST", "/v2/second/transactions", kTransfer);
  CHECK(refused.status == 404);
  CHECK(field(json_of(refused), "errorCode").text == "LEDGER_NOT_FOUND");
  CHECK(field(field(json_of(node.call("GET", "/v2")), "cursor"), "data").items.size() == 1);
  CHECK(field(field(json_of(node.call("GET", "/v2?includeDeleted=true")), "cursor"), "data")
            .items.size() == 2);
}

TEST_CASE("transactions are created, read, listed with cursors, reverted and described", "[api]") {
  ApiNode node;
  create_ledger(node, "main");
  auto created = node.call(
      "POST", "/v2/main/transactions",
      R"({"postings":[{"source":"world","destination":"users:1",)"
      R"("amount":"115792089237316195423570985008687907853269984665640564039457584007913129639935",)"
      R"("asset":"ETH/18"}],"reference":"ref-1","metadata":{"k":"v"},)"
      R"("timestamp":"2024-01-02T03:04:05Z"})");
  INFO(created.body);
  REQUIRE(created.status == 200);
  auto tx = json_of(created);
  const Json& data = field(tx, "data");
  CHECK(field(data, "id").text == "0");
  const Json& posting = field(data, "postings").items.at(0);
  CHECK(field(posting, "amount").type == Json::Type::kNumber);
  CHECK(field(posting, "amount").text ==
        "115792089237316195423570985008687907853269984665640564039457584007913129639935");
  CHECK(field(data, "reference").text == "ref-1");
  CHECK(field(data, "timestamp").text == "2024-01-02T03:04:05.000000Z");
  CHECK(field(data, "reverted").boolean == false);
  // The created transaction carries the volumes it left, before and after.
  CHECK(field(field(field(field(data, "postCommitVolumes"), "users:1"), "ETH/18"), "input").text ==
        "115792089237316195423570985008687907853269984665640564039457584007913129639935");
  CHECK(field(field(field(field(data, "preCommitVolumes"), "users:1"), "ETH/18"), "input").text ==
        "0");

  for (int i = 0; i < 3; ++i) {
    REQUIRE(node.call("POST", "/v2/main/transactions", transfer("world", "users:2", "10")).status ==
            200);
  }
  auto read = json_of(node.call("GET", "/v2/main/transactions/2"));
  CHECK(field(field(read, "data"), "id").text == "2");
  CHECK(node.call("GET", "/v2/main/transactions/99").status == 404);

  auto page1 = json_of(node.call("GET", "/v2/main/transactions?pageSize=3"));
  const Json& cursor1 = field(page1, "cursor");
  REQUIRE(field(cursor1, "data").items.size() == 3);
  CHECK(field(field(cursor1, "data").items[0], "id").text == "3");  // newest first
  REQUIRE(field(cursor1, "hasMore").boolean);
  auto page2 = json_of(
      node.call("GET", "/v2/main/transactions?pageSize=3&cursor=" + field(cursor1, "next").text));
  const Json& cursor2 = field(page2, "cursor");
  REQUIRE(field(cursor2, "data").items.size() == 1);
  CHECK(field(field(cursor2, "data").items[0], "id").text == "0");

  auto reverted =
      node.call("POST", "/v2/main/transactions/1/revert", R"({"metadata":{"why":"x"}})");
  REQUIRE(reverted.status == 201);
  const Json revert = field(json_of(reverted), "data");
  CHECK(field(revert, "id").text == "4");
  CHECK(field(field(revert, "metadata"), "com.formance.spec/state/reverts").text == "1");
  CHECK(field(field(revert, "metadata"), "why").text == "x");
  CHECK(field(field(revert, "postings").items.at(0), "source").text == "users:2");
  const Json original = field(json_of(node.call("GET", "/v2/main/transactions/1")), "data");
  CHECK(field(original, "reverted").boolean);
  CHECK(field(original, "revertedAt").text == field(revert, "timestamp").text);
  auto twice = node.call("POST", "/v2/main/transactions/1/revert");  // once only
  CHECK(twice.status == 400);
  CHECK(field(json_of(twice), "errorCode").text == "ALREADY_REVERT");

  REQUIRE(node.call("POST", "/v2/main/transactions/2/metadata", R"({"note":"x"})").status == 204);
  REQUIRE(node.call("DELETE", "/v2/main/transactions/0/metadata/k").status == 204);
  auto described = json_of(node.call("GET", "/v2/main/transactions/2"));
  CHECK(field(field(field(described, "data"), "metadata"), "note").text == "x");
}

TEST_CASE("accounts read back with balances, volumes and metadata, balances aggregate", "[api]") {
  ApiNode node;
  create_ledger(node, "main");
  REQUIRE(node.call("POST", "/v2/main/transactions", transfer("world", "users:1", "100")).status ==
          200);
  REQUIRE(node.call("POST", "/v2/main/transactions", transfer("users:1", "users:2", "30")).status ==
          200);
  REQUIRE(node.call("POST", "/v2/main/accounts/users:1/metadata", R"({"vip":"yes"})").status ==
          204);
  auto account = json_of(node.call("GET", "/v2/main/accounts/users:1?expand=volumes"));
  const Json& data = field(account, "data");
  CHECK(field(data, "address").text == "users:1");
  CHECK(field(field(field(data, "volumes"), "USD/2"), "input").text == "100");
  CHECK(field(field(field(data, "volumes"), "USD/2"), "output").text == "30");
  CHECK(field(field(field(data, "volumes"), "USD/2"), "balance").text == "70");
  CHECK(data.find("effectiveVolumes") == nullptr);
  CHECK(field(field(data, "metadata"), "vip").text == "yes");
  auto plain = json_of(node.call("GET", "/v2/main/accounts/users:1"));
  CHECK(field(plain, "data").find("volumes") == nullptr);
  REQUIRE(node.call("DELETE", "/v2/main/accounts/users:1/metadata/vip").status == 204);
  CHECK(node.call("GET", "/v2/main/accounts/nobody").status == 404);

  auto list = json_of(node.call("GET", "/v2/main/accounts"));
  CHECK(field(field(list, "cursor"), "data").items.size() == 3);  // users:1, users:2, world
  auto world = json_of(node.call("GET", "/v2/main/accounts/world?expand=volumes"));
  CHECK(field(field(field(field(world, "data"), "volumes"), "USD/2"), "balance").text == "-100");
  auto all = json_of(node.call("GET", "/v2/main/aggregate/balances"));
  CHECK(field(field(all, "data"), "USD/2").text == "0");
  auto users = json_of(
      node.call("GET", "/v2/main/aggregate/balances", R"({"$match":{"address":"users:"}})"));
  CHECK(field(field(users, "data"), "USD/2").text == "100");
}

TEST_CASE("bulk applies atomically or element by element", "[api]") {
  ApiNode node;
  create_ledger(node, "main");
  const std::string bulk =
      R"([{"action":"CREATE_TRANSACTION","data":)" + transfer("world", "a", "5") +
      R"(},{"action":"ADD_METADATA","data":{"targetType":"ACCOUNT","targetId":"a","metadata":{"x":"1"}}},)"
      R"({"action":"REVERT_TRANSACTION","data":{"id":0}},)"
      R"({"action":"DELETE_METADATA","data":{"targetType":"ACCOUNT","targetId":"a","key":"x"}}])";
  auto atomic = node.call("POST", "/v2/main/_bulk?atomic=true", bulk);
  INFO(atomic.body);
  REQUIRE(atomic.status == 200);
  auto answers = json_of(atomic);
  const Json& items = field(answers, "data");
  REQUIRE(items.items.size() == 4);
  CHECK(field(items.items[0], "responseType").text == "CREATE_TRANSACTION");
  CHECK(field(items.items[0], "logID").text == "1");  // the ledger's creation is log 0
  CHECK(field(items.items[1], "responseType").text == "ADD_METADATA");
  CHECK(field(items.items[1], "logID").text == "2");
  CHECK(field(field(field(items.items[2], "data"), "metadata"), "com.formance.spec/state/reverts")
            .text == "0");
  CHECK(field(items.items[3], "logID").text == "4");

  // Atomic: a failing element (overdraft) leaves nothing applied; the others say so.
  const std::string before = node.digest();
  auto failing =
      node.call("POST", "/v2/main/_bulk?atomic=true",
                R"([{"action":"CREATE_TRANSACTION","data":)" + transfer("world", "b", "1") +
                    R"(},{"action":"CREATE_TRANSACTION","data":)" + transfer("b", "c", "5") + "}]");
  CHECK(failing.status == 400);
  const Json failed = field(json_of(failing), "data");
  REQUIRE(failed.items.size() == 2);
  CHECK(field(failed.items[0], "responseType").text == "ERROR");
  CHECK(field(failed.items[0], "errorCode").text == "INTERNAL");
  CHECK(field(failed.items[1], "errorCode").text == "INSUFFICIENT_FUND");
  CHECK(node.call("GET", "/v2/main/accounts/b").status == 404);
  CHECK(before != node.digest());  // the failure is audited (docs/design.md §5)

  // Element by element, stopping at the first failure (continueOnFailure=false).
  auto stopped = node.call(
      "POST", "/v2/main/_bulk",
      R"([{"action":"CREATE_TRANSACTION","data":)" + transfer("world", "d", "1") +
          R"(},{"action":"CREATE_TRANSACTION","data":)" + transfer("e", "f", "5") +
          R"(},{"action":"CREATE_TRANSACTION","data":)" + transfer("world", "g", "1") + "}]");
  CHECK(stopped.status == 400);
  const Json elements = field(json_of(stopped), "data");
  REQUIRE(elements.items.size() == 3);
  CHECK(field(elements.items[0], "responseType").text == "CREATE_TRANSACTION");
  CHECK(field(elements.items[1], "errorCode").text == "INSUFFICIENT_FUND");
  CHECK(field(elements.items[2], "responseType").text == "ERROR");
  CHECK(field(elements.items[2], "errorCode").text == "INTERNAL");
  CHECK(node.call("GET", "/v2/main/accounts/d").status == 200);
  CHECK(node.call("GET", "/v2/main/accounts/g").status == 404);
}

TEST_CASE("an idempotency key replays its outcome, reused with another body it is refused",
          "[api]") {
  ApiNode node;
  create_ledger(node, "main");
  auto first = node.call("POST", "/v2/main/transactions", kTransfer, {{"Idempotency-Key", "k1"}});
  REQUIRE(first.status == 200);
  auto again = node.call("POST", "/v2/main/transactions", kTransfer, {{"Idempotency-Key", "k1"}});
  REQUIRE(again.status == 200);
  CHECK(again.header("idempotency-hit") == "true");
  CHECK(field(field(json_of(again), "data"), "id").text ==
        field(field(json_of(first), "data"), "id").text);
  auto list = json_of(node.call("GET", "/v2/main/transactions"));
  CHECK(field(field(list, "cursor"), "data").items.size() == 1);

  const std::string before = node.digest();
  auto conflict = node.call("POST", "/v2/main/transactions", transfer("world", "users:1", "7"),
                            {{"Idempotency-Key", "k1"}});
  CHECK(conflict.status == 400);
  CHECK(field(json_of(conflict), "errorCode").text == "VALIDATION");
  CHECK(node.digest() == before);

  auto reference = node.call("POST", "/v2/main/transactions",
                             R"({"postings":[{"source":"world","destination":"a","amount":1,)"
                             R"("asset":"USD"}],"reference":"r"})");
  REQUIRE(reference.status == 200);
  const std::string referenced = node.digest();
  auto reused = node.call("POST", "/v2/main/transactions",
                          R"({"postings":[{"source":"world","destination":"b","amount":1,)"
                          R"("asset":"USD"}],"reference":"r"})");
  CHECK(reused.status == 409);
  CHECK(field(json_of(reused), "errorCode").text == "CONFLICT");
  CHECK(node.digest() == referenced);  // refused by admission: nothing written
}

TEST_CASE("a read that sends Tally-Applied-Index back waits for it, bounded", "[api]") {
  ApiNode node;
  auto created = node.call("POST", "/v2/main");
  REQUIRE(created.status == 204);
  const std::string index = created.header("tally-applied-index");
  REQUIRE_FALSE(index.empty());
  CHECK(node.call("GET", "/v2/main", "", {{"Tally-Applied-Index", index}}).status == 200);
  auto future = node.call("GET", "/v2/main", "",
                          {{"Tally-Applied-Index", std::to_string(std::stoull(index) + 1000)}});
  CHECK(future.status == 503);
  CHECK(future.header("retry-after") == "1");
  CHECK(field(json_of(future), "errorCode").text == "STALE_READ");
}

TEST_CASE("the node endpoints: info, digest, check and metrics", "[api]") {
  ApiNode node;
  create_ledger(node, "main");
  REQUIRE(node.call("POST", "/v2/main/transactions", kTransfer).status == 200);
  auto info = json_of(node.call("GET", "/_tally/info"));
  const Json& data = field(info, "data");
  CHECK(field(data, "nodeId").text == "1");
  CHECK(field(data, "role").text == "leader");
  CHECK(field(data, "appliedIndex").text == std::to_string(node.node().applied_index()));
  CHECK(data.find("loopStallMaxUs") != nullptr);
  CHECK(data.find("walBytes") != nullptr);
  // info never hashes the store: it reports the last digest computed, and none is yet.
  CHECK(data.find("storeDigest") == nullptr);
  auto digest = json_of(node.call("GET", "/_tally/digest"));
  const Json& fresh = field(digest, "data");
  CHECK(field(fresh, "storeDigest").text == node.digest());
  CHECK(field(fresh, "appliedIndex").text == std::to_string(node.node().applied_index()));
  auto known = json_of(node.call("GET", "/_tally/info"));
  CHECK(field(field(known, "data"), "storeDigest").text == node.digest());
  CHECK(field(field(known, "data"), "storeDigestIndex").text == field(fresh, "appliedIndex").text);
  auto check = json_of(node.call("GET", "/_tally/check"));
  CHECK(field(field(check, "data"), "ok").boolean);
  CHECK(field(field(check, "data"), "hashesVerified").boolean);
  CHECK(field(field(check, "data"), "entriesVerified").text == "2");
  auto metrics = node.call("GET", "/_tally/metrics");
  REQUIRE(metrics.status == 200);
  CHECK(metrics.body.find(R"(tally_http_requests_total{route="POST /v2/{ledger}/transactions",)"
                          R"(status="200"} 1)") != std::string::npos);
  CHECK(metrics.body.find("tally_http_request_duration_seconds_bucket") != std::string::npos);
  CHECK(metrics.body.find("tally_loop_stall_seconds_count ") != std::string::npos);
  CHECK(metrics.body.find("tally_store_wal_bytes ") != std::string::npos);
  CHECK(metrics.body.find("tally_proposals_in_flight 0") != std::string::npos);
}

TEST_CASE("the checker resumes from its checkpoint, and ?full=true replays from genesis", "[api]") {
  ApiNode node;
  create_ledger(node, "main");
  REQUIRE(node.call("POST", "/v2/main/transactions", kTransfer).status == 200);
  auto first = json_of(node.call("GET", "/_tally/check"));
  const Json& a = field(first, "data");
  CHECK(field(a, "ok").boolean);
  CHECK(field(a, "mode").text == "full");
  CHECK(field(a, "fullReason").text == "no checkpoint");
  CHECK(field(a, "fromSequence").text == "1");
  CHECK(field(a, "toSequence").text == "2");
  CHECK(field(a, "durationMs").type == Json::Type::kNumber);
  for (int i = 0; i < 3; ++i)
    REQUIRE(node.call("POST", "/v2/main/transactions", kTransfer).status == 200);
  auto second = json_of(node.call("GET", "/_tally/check"));
  const Json& b = field(second, "data");
  CHECK(field(b, "ok").boolean);
  CHECK(field(b, "mode").text == "incremental");
  CHECK(b.find("fullReason") == nullptr);
  CHECK(field(b, "fromSequence").text == "3");
  CHECK(field(b, "toSequence").text == "5");
  CHECK(field(b, "entriesVerified").text == "3");
  auto full = json_of(node.call("GET", "/_tally/check?full=true"));
  const Json& c = field(full, "data");
  CHECK(field(c, "ok").boolean);
  CHECK(field(c, "mode").text == "full");
  CHECK(field(c, "fullReason").text == "requested");
  CHECK(field(c, "entriesVerified").text == "5");
  // The full check leaves a checkpoint too.
  CHECK(field(field(json_of(node.call("GET", "/_tally/check")), "data"), "mode").text ==
        "incremental");
  auto bad = node.call("GET", "/_tally/check?full=yes");
  CHECK(bad.status == 400);
  CHECK(field(json_of(bad), "errorCode").text == "VALIDATION");
}

// Holds every /_tally/check on its worker thread until released, so a test sees what the loop
// does while a check is in flight (as a check of 10^6 entries would hold it for seconds).
struct CheckLatch {
  std::atomic<bool> entered{false};
  std::atomic<bool> released{false};
  std::function<void()> hook() {
    return [this] {
      entered = true;
      while (!released)
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
    };
  }
};

// A request on its own thread: the test's thread goes on running the loop (the node's Raft
// timers wake it) and making other calls meanwhile.
std::future<Result<cli::HttpResponse>> call_in_background(ApiNode& node, const std::string& path) {
  cli::HttpRequest request;
  request.method = "GET";
  request.url = node.base() + path;
  return std::async(std::launch::async, [request] { return cli::http_call(request); });
}

bool ready(const std::future<Result<cli::HttpResponse>>& future) {
  return future.wait_for(std::chrono::seconds(0)) == std::future_status::ready;
}

TEST_CASE("a check runs off the loop: info, writes and reads are answered meanwhile", "[api]") {
  CheckLatch latch;
  ApiNode node(0, latch.hook());
  create_ledger(node, "main");
  REQUIRE(node.call("POST", "/v2/main/transactions", kTransfer).status == 200);
  const std::uint64_t pinned_at = node.node().applied_index();
  auto check = call_in_background(node, "/_tally/check");
  node.run_until([&] { return latch.entered.load(); });
  // The check is on its worker; the loop answers everything else.
  auto info = node.call("GET", "/_tally/info");
  CHECK(info.status == 200);
  CHECK(field(field(json_of(info), "data"), "role").text == "leader");
  auto written = node.call("POST", "/v2/main/transactions", kTransfer);
  REQUIRE(written.status == 200);
  CHECK(node.call("GET", "/v2/main/transactions/1").status == 200);  // ids from 0
  // One check at a time.
  auto second = node.call("GET", "/_tally/check");
  CHECK(second.status == 503);
  CHECK(second.header("retry-after") == "1");
  CHECK(field(json_of(second), "errorCode").text == "CHECK_RUNNING");
  CHECK_FALSE(ready(check));
  latch.released = true;
  node.run_until([&] { return ready(check); });
  auto answered = check.get();
  REQUIRE(answered.ok());
  REQUIRE(answered.value().status == 200);
  // It checked the store as pinned when it started: the write made meanwhile is not in it.
  const Json first = json_of(answered.value());
  CHECK(field(field(first, "data"), "ok").boolean);
  CHECK(field(field(first, "data"), "toSequence").text == "2");
  CHECK(field(field(first, "data"), "appliedIndex").text == std::to_string(pinned_at));
  CHECK(field(field(first, "data"), "pinMs").type == Json::Type::kNumber);
  // The checkpoint came back: the next check resumes from it and covers that write.
  const Json next = json_of(node.call("GET", "/_tally/check"));
  CHECK(field(field(next, "data"), "ok").boolean);
  CHECK(field(field(next, "data"), "mode").text == "incremental");
  CHECK(field(field(next, "data"), "toSequence").text == "3");
}

// A bulk of 50 transfers with 200 bytes of metadata each: one entry that fills a few dozen
// pages of the write-ahead log.
std::string log_filling_bulk(int n) {
  std::string body = "[";
  for (int i = 0; i < 50; ++i) {
    body += std::string(i > 0 ? "," : "") +
            R"({"action":"CREATE_TRANSACTION","data":{"postings":[{"source":"world",)" +
            R"("destination":"users:)" + std::to_string(n) + "_" + std::to_string(i) +
            R"(","amount":1,"asset":"USD"}],"metadata":{"note":")" + std::string(200, 'x') +
            R"("}}})";
  }
  return body + "]";
}

TEST_CASE(
    "a check whose read view keeps the write-ahead log past its bound is stopped, 503 "
    "VIEW_EXPIRED, and the log comes back down once it ends",
    "[api][liveness]") {
  constexpr std::uint64_t kBound = 512 * 1024;
  CheckLatch latch;
  ApiNode node(0, latch.hook(), std::nullopt, kBound);
  create_ledger(node, "main");
  REQUIRE(node.call("POST", "/v2/main/transactions", kTransfer).status == 200);
  auto check = call_in_background(node, "/_tally/check?full=true");
  node.run_until([&] { return latch.entered.load(); });
  // Writes go on while the check holds its view: nothing can be checkpointed past it.
  int bulks = 0;
  while (node.node().wal_log_bytes() <= kBound) {
    REQUIRE(bulks < 500);
    REQUIRE(node.call("POST", "/v2/main/_bulk", log_filling_bulk(bulks++)).status == 200);
  }
  auto info = field(json_of(node.call("GET", "/_tally/info")), "data");
  CHECK(std::stoull(field(info, "walLogBytes").text) > kBound);
  latch.released = true;
  node.run_until([&] { return ready(check); });
  auto answered = check.get();
  REQUIRE(answered.ok());
  INFO(answered.value().body);
  CHECK(answered.value().status == 503);
  CHECK(answered.value().header("retry-after") == "1");
  CHECK(field(json_of(answered.value()), "errorCode").text == "VIEW_EXPIRED");
  // The view is gone: a checkpoint copies the log into the store and lets it restart, and a
  // check then runs to the end.
  int more = 0;
  while (node.node().wal_log_bytes() > kBound) {
    REQUIRE(more < 500);
    REQUIRE(node.call("POST", "/v2/main/_bulk", log_filling_bulk(bulks + more++)).status == 200);
  }
  auto clean = node.call("GET", "/_tally/check?full=true");
  INFO(clean.body);
  CHECK(clean.status == 200);
  CHECK(field(field(json_of(clean), "data"), "ok").boolean);
  std::printf(
      "a check held while %d bulks were written: 503 VIEW_EXPIRED past %llu bytes of "
      "log; %d bulks later a checkpoint had let the log restart\n",
      bulks, static_cast<unsigned long long>(kBound), more);
}

TEST_CASE("a node stopped during a check waits for it and frees nothing it uses", "[api]") {
  CheckLatch latch;
  std::future<Result<cli::HttpResponse>> check;
  std::thread releaser;
  {
    ApiNode node(0, latch.hook());
    create_ledger(node, "main");
    check = call_in_background(node, "/_tally/check");
    node.run_until([&] { return latch.entered.load(); });
    // The node closes (raft, store) while the worker still holds its pinned view; the server's
    // destructor then waits for the worker (released a little later) before its state goes.
    releaser = std::thread([&] {
      std::this_thread::sleep_for(std::chrono::milliseconds(300));
      latch.released = true;
    });
  }
  releaser.join();
  CHECK(latch.released.load());
  check.wait();  // answered or cut off as the server went: either way, not crashed under ASan
}

// The value of one sample line ("name{labels} value"), or -1 when absent.
double sample(const std::string& metrics, const std::string& series) {
  auto at = metrics.find("\n" + series + " ");
  if (at == std::string::npos) return -1;
  return std::stod(metrics.substr(at + series.size() + 2));
}

TEST_CASE("metrics: apply rate, rotations, admission verdicts and snapshots move", "[api]") {
  ApiNode node(4);  // K = 4: a handful of writes rotates the cache
  auto before = node.call("GET", "/_tally/metrics").body;
  CHECK(sample(before, "tally_cache_rotations_total") == 0);
  CHECK(sample(before, R"(tally_snapshots_total{event="taken"})") == 0);
  CHECK(sample(before, R"(tally_snapshots_total{event="installed"})") == 0);
  CHECK(sample(before, "tally_applied_index") >= 0);  // present
  create_ledger(node, "main");
  for (int i = 0; i < 10; ++i)
    REQUIRE(node.call("POST", "/v2/main/transactions", kTransfer).status == 200);
  REQUIRE(node.call("POST", "/v2/nope/transactions", kTransfer).status == 404);
  auto after = node.call("GET", "/_tally/metrics").body;
  INFO(after);
  CHECK(sample(after, "tally_applied_entries_total") >=
        sample(before, "tally_applied_entries_total") + 11);
  CHECK(sample(after, "tally_applied_index") >= sample(before, "tally_applied_index") + 11);
  CHECK(sample(after, "tally_cache_rotations_total") >= 2);
  CHECK(sample(after, "tally_cache_generation") >= 2);
  CHECK(sample(after, R"(tally_admissions_total{verdict="admitted"})") == 11);
  CHECK(sample(after, R"(tally_admission_plan_entries_total{verdict="hit"})") > 0);
  CHECK(sample(after, R"(tally_admission_plan_entries_total{verdict="absent"})") > 0);
  CHECK(sample(after, R"(tally_write_verdicts_total{verdict="APPLIED"})") == 11);
  CHECK(sample(after, R"(tally_http_requests_total{route="POST /v2/{ledger}/transactions",)"
                      R"(status="200"})") == 10);
  CHECK(sample(after, R"(tally_http_requests_total{route="POST /v2/{ledger}/transactions",)"
                      R"(status="404"})") == 1);
  CHECK(sample(after, R"(tally_http_request_duration_seconds_count{)"
                      R"(route="POST /v2/{ledger}/transactions"})") == 11);
  CHECK(sample(after, "tally_proposals_in_flight") == 0);
  // One request at a time: every batch carried one entry.
  CHECK(sample(after, "tally_leader_batches_total") == 11);
  CHECK(sample(after, "tally_leader_batch_entries_total") == 11);
  CHECK(after.find("# TYPE tally_cache_rotations_total counter") != std::string::npos);
  CHECK(after.find("# TYPE tally_applied_entries_total counter") != std::string::npos);
}

// The JSON body of a raw HTTP answer (after the blank line).
std::string body_of(const std::string& answer) {
  auto at = answer.find("\r\n\r\n");
  return at == std::string::npos ? std::string() : answer.substr(at + 4);
}

TEST_CASE("a body far over the limit, refused by h2o itself, still gets the JSON error shape",
          "[api]") {
  ApiNode node;  // a 64 KiB limit: h2o refuses past 128 KiB from the Content-Length alone
  create_ledger(node, "main");
  const std::string before = node.digest();
  const std::string answer =
      node.raw("POST /v2/main/transactions HTTP/1.1\r\nHost: x\r\nContent-Length: 1000000\r\n\r\n");
  INFO(answer);
  CHECK(answer.rfind("HTTP/1.1 413", 0) == 0);
  CHECK(answer.find("content-type: application/json") != std::string::npos);
  auto parsed = json::parse_json(body_of(answer));
  REQUIRE(parsed.ok());
  CHECK(field(parsed.value(), "errorCode").text == "VALIDATION");
  CHECK_THAT(field(parsed.value(), "errorMessage").text, Catch::Contains("65536 bytes"));
  CHECK(answer.find("Content-Length: " + std::to_string(body_of(answer).size())) !=
        std::string::npos);
  CHECK(node.digest() == before);
  CHECK(node.call("GET", "/_tally/metrics")
            .body.find(R"(tally_http_requests_total{route="refused by h2o",status="413"} 1)") !=
        std::string::npos);
}

TEST_CASE("a request h2o cannot parse gets the JSON error shape", "[api]") {
  ApiNode node;
  const std::string answer = node.raw("POST /v2 HTTP/1.1\r\nContent-Length: abc\r\n\r\n");
  INFO(answer);
  CHECK(answer.rfind("HTTP/1.1 400", 0) == 0);
  auto parsed = json::parse_json(body_of(answer));
  REQUIRE(parsed.ok());
  CHECK(field(parsed.value(), "errorCode").text == "VALIDATION");
}

struct BadInput {
  const char* what;
  const char* method;
  std::string path;
  std::string body;
  int status;
};

TEST_CASE("bad input is answered with a 4xx JSON error and changes nothing", "[api]") {
  ApiNode node;
  create_ledger(node, "main");
  REQUIRE(
      node.call("POST", "/v2/main/transactions", kTransfer, {{"Idempotency-Key", "used"}}).status ==
      200);
  auto page = json_of(node.call("GET", "/v2/main/transactions?pageSize=1"));
  REQUIRE(node.call("POST", "/v2/main/transactions", kTransfer).status == 200);
  std::string cursor =
      field(json_of(node.call("GET", "/v2/main/transactions?pageSize=1")), "cursor")
          .find("next")
          ->text;
  cursor[cursor.size() / 2] = cursor[cursor.size() / 2] == 'a' ? 'b' : 'a';
  std::string nested =
      R"({"postings":[{"source":"world","destination":"a","amount":1,"asset":"USD"}],"metadata":{"k":)";
  for (int i = 0; i < 100; ++i)
    nested += "[";
  for (int i = 0; i < 100; ++i)
    nested += "]";
  nested += "}}";
  const std::string tx = "/v2/main/transactions";
  const std::vector<BadInput> cases = {
      {"malformed JSON", "POST", tx, R"({"postings":[)", 400},
      {"trailing garbage", "POST", tx, kTransfer + "x", 400},
      {"postings not an array", "POST", tx, R"({"postings":{}})", 400},
      {"amount as a boolean", "POST", tx, transfer("world", "a", "true"), 400},
      {"missing postings", "POST", tx, R"({"metadata":{}})", 400},
      {"missing asset", "POST", tx,
       R"({"postings":[{"source":"world","destination":"a","amount":1}]})", 400},
      {"unknown field", "POST", tx,
       R"({"postings":[{"source":"world","destination":"a","amount":1,"asset":"USD","x":1}]})",
       400},
      {"no body", "POST", tx, "", 400},
      {"empty postings", "POST", tx, R"({"postings":[]})", 400},
      {"invalid account", "POST", tx, transfer("world", "a b", "1"), 400},
      {"empty account segment", "POST", tx, transfer("world", "a::b", "1"), 400},
      {"invalid asset", "POST", tx,
       R"({"postings":[{"source":"world","destination":"a","amount":1,"asset":"usd"}]})", 400},
      {"negative amount", "POST", tx, transfer("world", "a", "-5"), 400},
      {"negative amount string", "POST", tx, transfer("world", "a", "\"-5\""), 400},
      {"amount of 2^256", "POST", tx,
       transfer("world", "a",
                "115792089237316195423570985008687907853269984665640564039457584007913129639936"),
       400},
      {"float amount", "POST", tx, transfer("world", "a", "1.5"), 400},
      {"exponent amount", "POST", tx, transfer("world", "a", "1e3"), 400},
      {"page size not a number", "GET", tx + "?pageSize=x", "", 400},
      {"unknown ledger write", "POST", "/v2/nope/transactions", kTransfer, 404},
      {"unknown ledger read", "GET", "/v2/nope/transactions", "", 404},
      {"invalid ledger name", "POST", "/v2/bad%20name", "", 400},
      {"invalid UTF-8 in an account path", "GET", "/v2/main/accounts/%FF%FE", "", 400},
      {"invalid UTF-8 in account metadata path", "POST", "/v2/main/accounts/%C3%28/metadata",
       R"({"a":"b"})", 400},
      {"invalid UTF-8 in metadata", "PUT", "/v2/main/metadata", "{\"k\":\"\xC3\x28\"}", 400},
      {"invalid UTF-8 in a metadata key", "PUT", "/v2/main/metadata", "{\"\xFF\":\"v\"}", 400},
      {"metadata value an object", "PUT", "/v2/main/metadata", R"({"k":{"a":1}})", 400},
      {"metadata float", "PUT", "/v2/main/metadata", R"({"k":1.5})", 400},
      {"deeply nested JSON", "POST", tx, nested, 400},
      {"unknown bulk action", "POST", "/v2/main/_bulk", R"([{"action":"MINT","data":{}}])", 400},
      {"bulk not an array", "POST", "/v2/main/_bulk", R"({"action":"MINT"})", 400},
      {"bulk atomic and parallel", "POST", "/v2/main/_bulk?atomic=true&parallel=true", "[]", 412},
      {"filter with an unknown operator", "GET", tx, R"({"$near":{"id":1}})", 400},
      {"filter on an unknown field", "GET", tx, R"({"$match":{"colour":"red"}})", 400},
      {"filter comparing a string", "GET", tx, R"({"$lt":{"id":"one"}})", 400},
      {"metadata on the wrong method", "POST", "/v2/main/metadata", R"({"k":"v"})", 405},
      {"bad transaction id", "POST", "/v2/main/transactions/x/revert", "", 400},
      {"negative transaction id", "GET", "/v2/main/transactions/-1", "", 400},
      {"duplicate key", "PUT", "/v2/main/metadata", R"({"k":1,"k":2})", 400},
      {"tampered cursor", "GET", tx + "?cursor=" + cursor, "", 400},
      {"garbage cursor", "GET", tx + "?cursor=zz", "", 400},
      {"unknown route", "GET", "/v2/main/nothing", "", 404},
      {"oversize body", "POST", tx, std::string(70 * 1024, ' '), 413},
      {"ledger that exists", "POST", "/v2/main", "", 400},
  };
  for (const BadInput& bad : cases) {
    const std::string before = node.digest();
    auto response = node.call(bad.method, bad.path, bad.body);
    INFO(bad.what << ": " << response.status << " " << response.body);
    CHECK(response.status == bad.status);
    auto parsed = json::parse_json(response.body);
    REQUIRE(parsed.ok());
    CHECK(parsed.value().find("errorCode") != nullptr);
    CHECK(parsed.value().find("errorMessage") != nullptr);
    CHECK(node.digest() == before);
  }
  // An idempotency key reused with another body.
  const std::string before = node.digest();
  auto reused = node.call("POST", tx, transfer("world", "z", "3"), {{"Idempotency-Key", "used"}});
  CHECK(reused.status == 400);
  CHECK(node.digest() == before);
  // Field at fault is named.
  auto named = node.call("POST", tx, transfer("world", "a", "1.5"));
  CHECK(field(json_of(named), "errorMessage").text.find("postings[0].amount") != std::string::npos);
  (void)page;
}

TEST_CASE("a client that leaves before its commit does not make the node touch its request",
          "[api]") {
  ApiNode node;
  create_ledger(node, "main");
  const std::uint64_t before = node.node().applied_index();
  // Requests written and the connection closed at once: the node answers them after the
  // commit, from its callback, when h2o has already disposed the requests (ASan watches).
  for (int i = 0; i < 20; ++i) {
    std::string request =
        "POST /v2/main/transactions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        "Content-Length: " +
        std::to_string(kTransfer.size()) + "\r\n\r\n" + kTransfer;
    node.raw(request, true);
  }
  node.run_until([&] { return node.node().applied_index() >= before + 1; });
  node.run_until([&] { return node.node().in_flight() == 0; });
  CHECK(node.call("GET", "/_tally/info").status == 200);
}

}  // namespace
}  // namespace tally::testing
