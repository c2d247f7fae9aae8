// [api] The Go ledger's v2 API beyond the happy paths of api_test.cpp: filters (with the
// segment rule for addresses), counts, cursors that carry their filter, expansions, effective
// order, volumes, logs, bulks element by element with keys, dry runs, the gateway prefix, and
// the typed 501s of what Tally does not have.
#include <catch2/catch.hpp>

#include "native/json/json.hpp"
#include "tests/api/api_json.hpp"
#include "tests/api/api_node.hpp"

namespace tally::testing {
namespace {

using json::Json;

std::string transfer(const std::string& source, const std::string& destination,
                     const std::string& amount, const std::string& extra = "") {
  return R"({"postings":[{"source":")" + source + R"(","destination":")" + destination +
         R"(","amount":)" + amount + R"(,"asset":"USD/2"}])" + extra + "}";
}

// The data of a list answer.
std::vector<Json> items(ApiNode& node, const std::string& path, const std::string& body = "") {
  auto answer = node.call("GET", path, body);
  INFO(path << " " << body << ": " << answer.body);
  REQUIRE(answer.status == 200);
  return field(field(json_of(answer), "cursor"), "data").items;
}

std::vector<std::string> texts(const std::vector<Json>& list, std::string_view key) {
  std::vector<std::string> out;
  for (const Json& item : list)
    out.push_back(field(item, key).text);
  return out;
}

std::string count(ApiNode& node, const std::string& path, const std::string& body = "") {
  auto answer = node.call("HEAD", path, body);
  INFO(path << " " << body);
  REQUIRE(answer.status == 204);
  return answer.header("count");
}

// main: users:1 .. users:3 funded by world, bank:eu:1 and a metadata-only account.
struct Populated {
  ApiNode node;
  Populated() {
    REQUIRE(node.call("POST", "/v2/main").status == 204);
    for (int i = 1; i <= 3; ++i) {
      const std::string user = "users:" + std::to_string(i);
      REQUIRE(node.call("POST", "/v2/main/transactions",
                        transfer("world", user, std::to_string(10 * i),
                                 R"(,"metadata":{"n":")" + std::to_string(i) + R"("},)" +
                                     R"("reference":"ref-)" + std::to_string(i) + "\""))
                  .status == 200);
    }
    REQUIRE(
        node.call("POST", "/v2/main/transactions",
                  transfer("users:3", "bank:eu:1", "5", R"(,"timestamp":"2020-01-01T00:00:00Z")"))
            .status == 200);
    REQUIRE(node.call("POST", "/v2/main/accounts/meta:only/metadata", R"({"kind":"x"})").status ==
            204);
  }
};

TEST_CASE("address filters follow the segment rule, not prefixes", "[api]") {
  Populated p;
  auto addresses = [&](const std::string& pattern) {
    return texts(
        items(p.node, "/v2/main/accounts", R"({"$match":{"address":")" + pattern + R"("}})"),
        "address");
  };
  using V = std::vector<std::string>;
  CHECK(addresses("users:") == V{"users:1", "users:2", "users:3"});
  CHECK(addresses("users::") == V{});
  CHECK(addresses(":1") == V{"users:1"});
  CHECK(addresses("bank:...") == V{"bank:eu:1"});
  CHECK(addresses("bank:") == V{});
  CHECK(addresses("users:2") == V{"users:2"});
  CHECK(addresses("users") == V{});
  // The same rule on transactions' accounts, sources and destinations.
  CHECK(texts(items(p.node, "/v2/main/transactions", R"({"$match":{"destination":"bank:..."}})"),
              "id") == V{"3"});
  CHECK(texts(items(p.node, "/v2/main/transactions", R"({"$match":{"source":"users:"}})"), "id") ==
        V{"3"});
  CHECK(texts(items(p.node, "/v2/main/transactions", R"({"$match":{"account":":2"}})"), "id") ==
        V{"1"});
}

TEST_CASE("filters combine $and, $or, $not over metadata, references, ids and dates", "[api]") {
  Populated p;
  using V = std::vector<std::string>;
  const std::string tx = "/v2/main/transactions";
  CHECK(texts(items(p.node, tx, R"({"$match":{"metadata[n]":"2"}})"), "id") == V{"1"});
  CHECK(texts(items(p.node, tx, R"({"$exists":{"metadata":"n"}})"), "id") == V{"2", "1", "0"});
  CHECK(texts(items(p.node, tx, R"({"$like":{"reference":"ref-%"}})"), "id") == V{"2", "1", "0"});
  CHECK(texts(items(p.node, tx, R"({"$in":{"reference":["ref-1","ref-3"]}})"), "id") ==
        V{"2", "0"});
  CHECK(texts(items(p.node, tx, R"({"$or":[{"$match":{"id":0}},{"$gte":{"id":3}}]})"), "id") ==
        V{"3", "0"});
  CHECK(texts(items(p.node, tx, R"({"$and":[{"$gt":{"id":0}},{"$not":{"$match":{"id":2}}}]})"),
              "id") == V{"3", "1"});
  CHECK(texts(items(p.node, tx, R"({"$lt":{"timestamp":"2021-01-01T00:00:00Z"}})"), "id") ==
        V{"3"});
  CHECK(texts(items(p.node, "/v2/main/accounts", R"({"$gte":{"balance[USD/2]":20}})"), "address") ==
        V{"users:2", "users:3"});
  CHECK(texts(items(p.node, "/v2/main/accounts", R"({"$lt":{"balance":0}})"), "address") ==
        V{"world"});
  // The query parameter works as the body does (the SDK sends it so).
  CHECK(texts(items(p.node, tx + "?query=%7B%22%24match%22%3A%7B%22id%22%3A1%7D%7D"), "id") ==
        V{"1"});
  // Counts take the same filters.
  CHECK(count(p.node, tx) == "4");
  CHECK(count(p.node, tx, R"({"$match":{"account":"users:"}})") == "4");
  CHECK(count(p.node, tx, R"({"$match":{"destination":"users:"}})") == "3");
  CHECK(count(p.node, "/v2/main/accounts") == "6");
  CHECK(count(p.node, "/v2/main/accounts", R"({"$exists":{"metadata":"kind"}})") == "1");
}

TEST_CASE("a cursor carries its filter and options: the next page needs only the cursor", "[api]") {
  Populated p;
  auto first = json_of(p.node.call("GET", "/v2/main/transactions?pageSize=2&reverse=true",
                                   R"({"$match":{"destination":"users:"}})"));
  const Json& cursor = field(first, "cursor");
  CHECK(texts(field(cursor, "data").items, "id") == std::vector<std::string>{"0", "1"});
  REQUIRE(field(cursor, "hasMore").boolean);
  CHECK(field(cursor, "pageSize").text == "2");
  auto second =
      json_of(p.node.call("GET", "/v2/main/transactions?cursor=" + field(cursor, "next").text));
  const Json& next = field(second, "cursor");
  CHECK(texts(field(next, "data").items, "id") == std::vector<std::string>{"2"});
  CHECK_FALSE(field(next, "hasMore").boolean);
  // Another list's cursor is refused.
  auto misused = p.node.call("GET", "/v2/main/accounts?cursor=" + field(cursor, "next").text);
  CHECK(misused.status == 400);
}

TEST_CASE("transactions list in effective order and expand their volumes", "[api]") {
  Populated p;
  using V = std::vector<std::string>;
  CHECK(texts(items(p.node, "/v2/main/transactions?order=effective"), "id") ==
        V{"2", "1", "0", "3"});
  CHECK(texts(items(p.node, "/v2/main/transactions?order=effective&reverse=true"), "id") ==
        V{"3", "0", "1", "2"});
  auto one = json_of(p.node.call("GET", "/v2/main/transactions/2?expand=volumes,effectiveVolumes"));
  const Json& data = field(one, "data");
  // By id, users:3 had 30 in and nothing out after tx 2 (tx 3 came later).
  const Json& post = field(field(field(data, "postCommitVolumes"), "users:3"), "USD/2");
  CHECK(field(post, "input").text == "30");
  CHECK(field(post, "output").text == "0");
  // By effective date, tx 3 (dated 2020) comes first: users:3 had already paid out 5.
  const Json& effective =
      field(field(field(data, "postCommitEffectiveVolumes"), "users:3"), "USD/2");
  CHECK(field(effective, "output").text == "5");
  CHECK(field(field(field(field(data, "preCommitVolumes"), "users:3"), "USD/2"), "input").text ==
        "0");
  auto listed = items(p.node, "/v2/main/transactions?expand=volumes&pageSize=1");
  REQUIRE(listed.size() == 1);
  CHECK(field(field(field(field(listed[0], "postCommitVolumes"), "bank:eu:1"), "USD/2"), "input")
            .text == "5");
}

TEST_CASE("volumes list per account and asset, grouped by segments", "[api]") {
  Populated p;
  auto rows = items(p.node, "/v2/main/volumes");
  CHECK(texts(rows, "account") ==
        std::vector<std::string>{"bank:eu:1", "users:1", "users:2", "users:3", "world"});
  CHECK(field(rows[3], "balance").text == "25");
  auto grouped = items(p.node, "/v2/main/volumes?groupBy=1");
  CHECK(texts(grouped, "account") == std::vector<std::string>{"bank", "users", "world"});
  CHECK(field(grouped[1], "input").text == "60");
  CHECK(field(grouped[1], "output").text == "5");
  auto filtered = items(p.node, "/v2/main/volumes", R"({"$lt":{"balance[USD/2]":0}})");
  CHECK(texts(filtered, "account") == std::vector<std::string>{"world"});
  CHECK(p.node.call("GET", "/v2/main/volumes?endTime=2024-01-01T00:00:00Z").status == 501);
}

TEST_CASE("logs show each transaction and metadata change, newest first", "[api]") {
  Populated p;
  REQUIRE(p.node.call("POST", "/v2/main/transactions/0/revert").status == 201);
  REQUIRE(p.node.call("DELETE", "/v2/main/accounts/meta:only/metadata/kind").status == 204);
  auto logs = items(p.node, "/v2/main/logs");
  CHECK(texts(logs, "type") == std::vector<std::string>{"DELETE_METADATA", "REVERTED_TRANSACTION",
                                                        "SET_METADATA", "NEW_TRANSACTION",
                                                        "NEW_TRANSACTION", "NEW_TRANSACTION",
                                                        "NEW_TRANSACTION"});
  CHECK(texts(logs, "id") == std::vector<std::string>{"7", "6", "5", "4", "3", "2", "1"});
  const Json& reverted = field(logs[1], "data");
  CHECK(field(field(reverted, "revertedTransaction"), "id").text == "0");
  CHECK(field(field(reverted, "transaction"), "id").text == "4");
  CHECK(field(field(logs[2], "data"), "targetId").text == "meta:only");
  CHECK(field(field(field(logs[6], "data"), "transaction"), "reference").text == "ref-1");
  CHECK_FALSE(field(logs[0], "hash").text.empty());
  auto ascending = items(p.node, "/v2/main/logs?sort=id:asc&pageSize=2");
  CHECK(texts(ascending, "id") == std::vector<std::string>{"1", "2"});
  auto typed = items(p.node, "/v2/main/logs", R"({"$match":{"type":"SET_METADATA"}})");
  CHECK(typed.size() == 1);
}

TEST_CASE("a bulk with continueOnFailure runs every element, each with its own key", "[api]") {
  ApiNode node;
  REQUIRE(node.call("POST", "/v2/main").status == 204);
  const std::string body =
      R"([{"action":"CREATE_TRANSACTION","ik":"e1","data":)" + transfer("world", "a", "5") +
      R"(},{"action":"CREATE_TRANSACTION","data":)" + transfer("b", "c", "5") +
      R"(},{"action":"ADD_METADATA","ik":"e3","data":{"targetType":"TRANSACTION","targetId":0,)"
      R"("metadata":{"k":"v"}}}])";
  auto first = node.call("POST", "/v2/main/_bulk?continueOnFailure=true", body);
  INFO(first.body);
  CHECK(first.status == 400);
  const Json answers = field(json_of(first), "data");
  REQUIRE(answers.items.size() == 3);
  CHECK(field(answers.items[0], "responseType").text == "CREATE_TRANSACTION");
  CHECK(field(answers.items[1], "errorCode").text == "INSUFFICIENT_FUND");
  CHECK(field(answers.items[1], "logID").text == "0");
  CHECK(field(answers.items[2], "responseType").text == "ADD_METADATA");
  const std::string log_of_metadata = field(answers.items[2], "logID").text;
  // Sent again: the keyed elements replay, the unkeyed one runs (and fails) again.
  const std::string before = node.digest();
  auto again = node.call("POST", "/v2/main/_bulk?continueOnFailure=true", body);
  const Json replayed = field(json_of(again), "data");
  CHECK(field(field(replayed.items[0], "data"), "id").text == "0");
  CHECK(field(replayed.items[2], "logID").text == log_of_metadata);
  CHECK(items(node, "/v2/main/transactions").size() == 1);
  CHECK(node.digest() != before);  // the failing element is audited again
  // A key reused with another element is refused for that element alone.
  auto conflict = node.call(
      "POST", "/v2/main/_bulk?continueOnFailure=true",
      R"([{"action":"CREATE_TRANSACTION","ik":"e1","data":)" + transfer("world", "z", "9") +
          R"(},{"action":"CREATE_TRANSACTION","data":)" + transfer("world", "y", "1") + "}]");
  const Json mixed = field(json_of(conflict), "data");
  CHECK(field(mixed.items[0], "errorCode").text == "VALIDATION");
  CHECK(field(mixed.items[1], "responseType").text == "CREATE_TRANSACTION");
}

TEST_CASE("an atomic bulk keys its elements: all apply or none, a retry replays", "[api]") {
  ApiNode node;
  REQUIRE(node.call("POST", "/v2/main").status == 204);
  const std::string body =
      R"([{"action":"CREATE_TRANSACTION","ik":"a1","data":)" + transfer("world", "a", "5") +
      R"(},{"action":"CREATE_TRANSACTION","ik":"a2","data":)" + transfer("a", "b", "2") + "}]";
  REQUIRE(node.call("POST", "/v2/main/_bulk?atomic=true", body).status == 200);
  auto retried = node.call("POST", "/v2/main/_bulk?atomic=true", body);
  REQUIRE(retried.status == 200);
  CHECK(texts(field(json_of(retried), "data").items, "logID") ==
        std::vector<std::string>{"1", "2"});
  CHECK(items(node, "/v2/main/transactions").size() == 2);
}

TEST_CASE("a bulk on a missing ledger is LEDGER_NOT_FOUND, as a single write is", "[api]") {
  ApiNode node;
  auto answer =
      node.call("POST", "/v2/nope/_bulk",
                R"([{"action":"CREATE_TRANSACTION","data":)" + transfer("world", "a", "1") + "}]");
  CHECK(answer.status == 404);
  CHECK(field(json_of(answer), "errorCode").text == "LEDGER_NOT_FOUND");
}

TEST_CASE("a dry run answers what a write would do and changes nothing", "[api]") {
  ApiNode node;
  REQUIRE(node.call("POST", "/v2/main").status == 204);
  REQUIRE(node.call("POST", "/v2/main/transactions", transfer("world", "a", "5")).status == 200);
  const std::string before = node.digest();
  auto dry = node.call("POST", "/v2/main/transactions?dryRun=true", transfer("a", "b", "2"));
  REQUIRE(dry.status == 200);
  CHECK(field(field(json_of(dry), "data"), "id").text == "1");
  auto refused = node.call("POST", "/v2/main/transactions?dryRun=true", transfer("a", "b", "9"));
  CHECK(refused.status == 400);
  CHECK(field(json_of(refused), "errorCode").text == "INSUFFICIENT_FUND");
  auto revert = node.call("POST", "/v2/main/transactions/0/revert?dryRun=true&force=true");
  REQUIRE(revert.status == 201);
  CHECK(field(field(field(json_of(revert), "data"), "metadata"), "com.formance.spec/state/reverts")
            .text == "0");
  CHECK(node.digest() == before);
  CHECK(items(node, "/v2/main/transactions").size() == 1);
}

TEST_CASE("a transaction sets account metadata with it and reverts at its effective date",
          "[api]") {
  ApiNode node;
  REQUIRE(node.call("POST", "/v2/main").status == 204);
  auto created = node.call(
      "POST", "/v2/main/transactions",
      transfer("world", "a", "5",
               R"(,"timestamp":"2021-06-01T00:00:00Z","accountMetadata":{"a":{"tier":"gold"}})"));
  REQUIRE(created.status == 200);
  auto account = json_of(node.call("GET", "/v2/main/accounts/a"));
  CHECK(field(field(field(account, "data"), "metadata"), "tier").text == "gold");
  auto revert = node.call("POST", "/v2/main/transactions/0/revert?atEffectiveDate=true&force=true");
  REQUIRE(revert.status == 201);
  CHECK(field(field(json_of(revert), "data"), "timestamp").text == "2021-06-01T00:00:00.000000Z");
  auto log = items(node, "/v2/main/logs?sort=id:asc");
  CHECK(field(field(field(field(log[0], "data"), "accountMetadata"), "a"), "tier").text == "gold");
}

TEST_CASE("the gateway prefix, service info, 405 with Allow and typed 501s", "[api]") {
  ApiNode node;
  auto info = json_of(node.call("GET", "/api/ledger/_/info"));
  CHECK(field(info, "server").text == "tally");
  CHECK_FALSE(field(info, "version").text.empty());
  REQUIRE(node.call("POST", "/api/ledger/v2/main").status == 204);
  auto ledger = json_of(node.call("GET", "/api/ledger/v2/main"));
  CHECK(field(field(ledger, "data"), "name").text == "main");
  auto v2_info = json_of(node.call("GET", "/v2/_info"));
  CHECK(field(field(field(field(v2_info, "data"), "config"), "storage"), "ledgers").items.size() ==
        1);
  auto wrong = node.call("PATCH", "/v2/main/transactions");
  CHECK(wrong.status == 405);
  CHECK(wrong.header("allow") == "GET, HEAD, POST");
  for (const auto& [method, path] : std::vector<std::pair<std::string, std::string>>{
           {"GET", "/v2/_/exporters"},
           {"POST", "/v2/main/pipelines"},
           {"DELETE", "/v2/_/buckets/b"},
           {"POST", "/v2/main/schemas/v1"},
           {"POST", "/v2/main/queries/q/run"},
           {"POST", "/v2/main/logs/import"},
           {"GET", "/v2/main/accounts/a?pit=2024-01-01T00:00:00Z"}}) {
    auto answer = node.call(method, path, "{}");
    INFO(method << " " << path << ": " << answer.body);
    CHECK(answer.status == 501);
    CHECK(field(json_of(answer), "details").text == "NOT_IMPLEMENTED");
  }
  auto script = node.call("POST", "/v2/main/transactions", R"({"script":{"template":"t"}})");
  CHECK(script.status == 501);
  auto bucket = node.call("POST", "/v2/other", R"({"bucket":"b1"})");
  CHECK(bucket.status == 501);
}

TEST_CASE("amounts as strings on request (Formance-Bigint-As-String)", "[api]") {
  ApiNode node;
  REQUIRE(node.call("POST", "/v2/main").status == 204);
  auto created = node.call("POST", "/v2/main/transactions", transfer("world", "a", "5"),
                           {{"Formance-Bigint-As-String", "true"}});
  REQUIRE(created.status == 200);
  const Json posting = field(field(json_of(created), "data"), "postings").items.at(0);
  CHECK(field(posting, "amount").type == Json::Type::kString);
  CHECK(field(posting, "amount").text == "5");
}

}  // namespace
}  // namespace tally::testing
