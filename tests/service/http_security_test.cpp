// [security] What a node's HTTP API refuses before any route runs, over a real tallyd: paths
// that would leave their ledger, bodies not sent as JSON, writes from a web page, methods a
// path does not have (native/http/canonical_request.hpp, docs/security.md).
#include <catch2/catch.hpp>

#include "tests/service/processes.hpp"
#include "tests/support/temp_dir.hpp"

namespace tally::testing {
namespace {

// A one-node cluster, up and leading.
struct OneNode {
  TempDir dir;
  LocalCluster cluster{1, dir.file("c")};
  std::string node;

  OneNode() {
    REQUIRE(cluster.base_port != 0);
    INFO(cluster.up.output);
    REQUIRE(cluster.up.exit_code == 0);
    node = api_scheme(cluster.dir) + "127.0.0.1:" + std::to_string(cluster.base_port + 101);
  }

  // What the node has applied and the store's digest: equal before and after means nothing
  // was written.
  std::string state() {
    auto info = get_json(node, "/_tally/digest");
    REQUIRE(info.status == 200);
    const json::Json* data = info.json.find("data");
    REQUIRE(data != nullptr);
    return data->find("appliedIndex")->text + " " + data->find("storeDigest")->text;
  }
};

std::string error_code(const JsonAnswer& answer) {
  const json::Json* code = answer.json.find("errorCode");
  return code == nullptr ? "" : code->text;
}

std::string error_message(const JsonAnswer& answer) {
  const json::Json* message = answer.json.find("errorMessage");
  return message == nullptr ? "" : message->text;
}

std::string metadata_of(const JsonAnswer& answer, const std::string& key) {
  const json::Json* data = answer.json.find("data");
  const json::Json* metadata = data == nullptr ? nullptr : data->find("metadata");
  const json::Json* value = metadata == nullptr ? nullptr : metadata->find(key);
  return value == nullptr ? "" : value->text;
}

TEST_CASE("an encoded path cannot reach another ledger: 400 naming the segment, nothing written",
          "[service][security]") {
  OneNode one;
  REQUIRE(send_json("POST", one.node, "/v2/good", "").status == 204);
  REQUIRE(send_json("POST", one.node, "/v2/other", "").status == 204);
  REQUIRE(send_json("PUT", one.node, "/v2/good/metadata", R"({"k":"v"})").status == 204);
  const std::string before = one.state();
  struct Attack {
    std::string method, path, body, segment;
  };
  const std::vector<Attack> attacks = {
      {"POST", "/v2/good/accounts/..%2F..%2Fother/metadata", R"({"k":"x"})", "..%2F..%2Fother"},
      {"POST", "/v2/zz%2F..%2Fgood/transactions",
       R"({"postings":[{"source":"world","destination":"a","amount":1,"asset":"USD"}]})",
       "zz%2F..%2Fgood"},
      {"DELETE", "/v2/zz%2F..%2Fgood/metadata/k", "", "zz%2F..%2Fgood"},
      {"PUT", "/api/ledger/v2/zz%2f..%2fgood/metadata", R"({"k":"x"})", "zz%2f..%2fgood"},
      {"POST", "/v2/good/accounts/a%00b/metadata", R"({"k":"x"})", "a%00b"},
      {"POST", "/v2/good/../other/metadata", R"({"k":"x"})", ".."},
      {"GET", "/v2/good/accounts/%zz", "", "%zz"},
  };
  for (const Attack& attack : attacks) {
    auto answer = send_json(attack.method, one.node, attack.path, attack.body);
    INFO(attack.method << " " << attack.path << ": " << answer.body);
    CHECK(answer.status == 400);
    CHECK(error_code(answer) == "VALIDATION");
    CHECK_THAT(error_message(answer), Catch::Contains("\"" + attack.segment + "\""));
  }
  CHECK(one.state() == before);
  CHECK(metadata_of(get_json(one.node, "/v2/good"), "k") == "v");
  CHECK(metadata_of(get_json(one.node, "/v2/other"), "k") == "");
}

TEST_CASE("a body not sent as application/json is refused with 415 and nothing is posted",
          "[service][security]") {
  OneNode one;
  REQUIRE(send_json("POST", one.node, "/v2/good", "").status == 204);
  const std::string before = one.state();
  const std::string transfer =
      R"({"postings":[{"source":"world","destination":"a","amount":1,"asset":"USD"}]})";
  for (const std::string type :
       {"text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x",
        "text/plain; charset=utf-8", "application/jsonp"}) {
    auto answer =
        send_json("POST", one.node, "/v2/good/transactions", transfer, {{"Content-Type", type}});
    INFO(type << ": " << answer.body);
    CHECK(answer.status == 415);
    CHECK(error_code(answer) == "VALIDATION");
    CHECK_THAT(error_message(answer), Catch::Contains("application/json"));
  }
  CHECK(one.state() == before);
  auto typed = send_json("POST", one.node, "/v2/good/transactions", transfer,
                         {{"Content-Type", "application/json; charset=utf-8"}});
  INFO(typed.body);
  CHECK(typed.status == 200);
}

TEST_CASE("a write from a web page (it sends Origin) is refused and no CORS header is ever sent",
          "[service][security]") {
  OneNode one;
  const std::string before = one.state();
  auto write = send_json("POST", one.node, "/v2/good", "", {{"Origin", "http://evil.example"}});
  INFO(write.body);
  CHECK(write.status == 403);
  CHECK(error_code(write) == "FORBIDDEN");
  CHECK(one.state() == before);
  auto preflight =
      send_json("OPTIONS", one.node, "/v2/good/transactions", "",
                {{"Origin", "http://evil.example"}, {"Access-Control-Request-Method", "POST"}});
  CHECK(preflight.status == 405);
  auto read = send_json("GET", one.node, "/v2", "", {{"Origin", "http://evil.example"}});
  CHECK(read.status == 200);
  for (const auto* answer : {&write, &preflight, &read}) {
    for (const auto& [name, value] : answer->headers) {
      INFO(name << ": " << value);
      CHECK(name.rfind("access-control-", 0) == std::string::npos);
    }
  }
}

TEST_CASE("every route checks its method: 405 with the route table's Allow",
          "[service][security]") {
  OneNode one;
  REQUIRE(send_json("POST", one.node, "/v2/good", "").status == 204);
  const std::string before = one.state();
  struct Wrong {
    std::string method, path, allow;
  };
  for (const Wrong& wrong :
       std::vector<Wrong>{{"DELETE", "/_tally/info", "GET"},
                          {"POST", "/_tally/check", "GET"},
                          {"PUT", "/_tally/log", "GET"},
                          {"POST", "/_tally/metrics", "GET"},
                          {"POST", "/api/ledger/_/info", "GET"},
                          {"PUT", "/v2/good", "POST, GET, DELETE"},
                          {"DELETE", "/v2/good/transactions", "GET, HEAD, POST"}}) {
    auto answer = send_json(wrong.method, one.node, wrong.path, "");
    INFO(wrong.method << " " << wrong.path << ": " << answer.body);
    CHECK(answer.status == 405);
    CHECK(answer.headers["allow"] == wrong.allow);
    CHECK(error_code(answer) == "VALIDATION");
  }
  CHECK(one.state() == before);
}

}  // namespace
}  // namespace tally::testing
