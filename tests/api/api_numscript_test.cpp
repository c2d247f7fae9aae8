// [api] Numscript through the v2 API: `script: {plain, vars}` and `runtime` on create-transaction
// and on bulk CREATE_TRANSACTION elements. A script that cannot compile is refused before it is
// proposed (400 COMPILATION_FAILED, or INTERPRETER_PARSE under the experimental interpreter);
// what fails while it runs is Formance's runtime code, audited like any failed write.
#include <catch2/catch.hpp>

#include "native/json/json.hpp"
#include "tests/api/api_json.hpp"
#include "tests/api/api_node.hpp"

namespace tally::testing {
namespace {

using json::Json;

// {"script": {"plain": plain, "vars": vars}} plus extra members (each starting with a comma).
std::string script_body(const std::string& plain, const std::string& vars = "{}",
                        const std::string& extra = "") {
  json::JsonWriter out;
  out.string(plain);
  return R"({"script":{"plain":)" + out.take() + R"(,"vars":)" + vars + "}" + extra + "}";
}

const std::string kSend =
    "vars {\n  monetary $amount\n  account $to\n}\n"
    "send $amount (\n  source = @world\n  destination = $to\n)\n";

struct Ledger {
  ApiNode node;
  Ledger() { REQUIRE(node.call("POST", "/v2/main").status == 204); }

  cli::HttpResponse create(const std::string& body, const std::string& query = "") {
    return node.call("POST", "/v2/main/transactions" + query, body);
  }
  // The balance of account in USD/2, as the API shows it ("0" when it holds none).
  std::string balance(const std::string& account) {
    auto answer = node.call("GET", "/v2/main/accounts/" + account + "?expand=volumes");
    if (answer.status == 404) return "0";
    const Json body = json_of(answer);
    const Json& volumes = field(field(body, "data"), "volumes");
    const Json* usd = volumes.find("USD/2");
    return usd == nullptr ? "0" : field(*usd, "balance").text;
  }
  Json account_metadata(const std::string& account) {
    auto answer = node.call("GET", "/v2/main/accounts/" + account);
    return field(field(json_of(answer), "data"), "metadata");
  }
};

std::string error_code(const cli::HttpResponse& answer) {
  return field(json_of(answer), "errorCode").text;
}

TEST_CASE("a script with variables creates the transaction it computes", "[api]") {
  Ledger ledger;
  auto answer = ledger.create(script_body(kSend, R"({"amount":"USD/2 100","to":"users:1"})",
                                          R"(,"reference":"r-1","metadata":{"from":"api"})"));
  INFO(answer.body);
  REQUIRE(answer.status == 200);
  const Json data = field(json_of(answer), "data");
  CHECK(field(data, "id").text == "0");
  CHECK(field(data, "reference").text == "r-1");
  CHECK(field(field(data, "metadata"), "from").text == "api");
  const Json& postings = field(data, "postings");
  REQUIRE(postings.items.size() == 1);
  CHECK(field(postings.items[0], "source").text == "world");
  CHECK(field(postings.items[0], "destination").text == "users:1");
  CHECK(field(postings.items[0], "amount").text == "100");
  CHECK(ledger.balance("users:1") == "100");
}

TEST_CASE("allotments, overdraft bounds and metadata writes run as Formance's do", "[api]") {
  Ledger ledger;
  REQUIRE(ledger.create(script_body(kSend, R"({"amount":"USD/2 30","to":"users:alice"})")).status ==
          200);
  // alice holds 30 and may go 50 below zero: 80 of the 100 come from her, the rest from world;
  // a third of 100 rounds as Formance's allotments do.
  const std::string plain =
      "send [USD/2 100] (\n"
      "  source = {\n    @users:alice allowing overdraft up to [USD/2 50]\n    @world\n  }\n"
      "  destination = {\n    1/3 to @drivers:bob\n    remaining to @platform:fees\n  }\n)\n"
      "set_tx_meta(\"kind\", \"ride\")\n"
      "set_account_meta(@drivers:bob, \"rides\", 1)\n";
  auto answer = ledger.create(script_body(plain));
  INFO(answer.body);
  REQUIRE(answer.status == 200);
  CHECK(field(field(field(json_of(answer), "data"), "metadata"), "kind").text == "ride");
  CHECK(ledger.balance("users:alice") == "-50");
  CHECK(ledger.balance("drivers:bob") == "34");
  CHECK(ledger.balance("platform:fees") == "66");
  CHECK(field(ledger.account_metadata("drivers:bob"), "rides").text == "1");
}

TEST_CASE("a script that cannot compile is refused with the runtime's code, before proposing",
          "[api]") {
  Ledger ledger;
  const std::string before = ledger.node.digest();
  struct Case {
    std::string body;
    std::string code;
  };
  const std::vector<Case> cases = {
      {script_body("send [USD/2 1] ("), "COMPILATION_FAILED"},
      {script_body("send [USD/2 1] (", "{}", R"(,"runtime":"experimental-interpreter")"),
       "INTERPRETER_PARSE"},
      {script_body("send [USD/2 1] (", "{}", R"(,"runtime":"machine")"), "COMPILATION_FAILED"},
      {script_body(kSend, R"({"to":"users:1"})"), "COMPILATION_FAILED"},  // $amount missing
      {script_body(kSend, R"({"amount":"100","to":"users:1"})"), "COMPILATION_FAILED"},  // type
      {script_body("send @world ( source = @world destination = @a )"), "COMPILATION_FAILED"},
  };
  for (const Case& c : cases) {
    INFO(c.body);
    auto answer = ledger.create(c.body);
    INFO(answer.body);
    CHECK(answer.status == 400);
    CHECK(error_code(answer) == c.code);
  }
  CHECK(ledger.node.digest() == before);  // nothing proposed, nothing audited
}

TEST_CASE("malformed script requests are VALIDATION, a template is not implemented", "[api]") {
  Ledger ledger;
  const std::string send = "send [USD/2 1] ( source = @world destination = @a )";
  auto runtime = ledger.create(script_body(send, "{}", R"(,"runtime":"vm")"));
  CHECK(runtime.status == 400);
  CHECK(error_code(runtime) == "VALIDATION");
  auto both = ledger.create(
      R"({"postings":[{"source":"world","destination":"a","amount":1,"asset":"USD/2"}],)"
      R"j("script":{"plain":"send [USD/2 1] ( source = @world destination = @a )"}})j");
  CHECK(both.status == 400);
  CHECK(error_code(both) == "VALIDATION");
  auto vars = ledger.create(script_body(send, R"({"x":[1]})"));
  CHECK(vars.status == 400);
  CHECK(error_code(vars) == "VALIDATION");
  auto stored = ledger.create(R"({"script":{"template":"payout"}})");
  CHECK(stored.status == 501);
}

TEST_CASE("what fails while a script runs is Formance's runtime code", "[api]") {
  Ledger ledger;
  struct Case {
    std::string plain;
    std::string extra;
    std::string code;
  };
  const std::vector<Case> cases = {
      {"send [USD/2 10] ( source = @users:empty destination = @a )", "", "INSUFFICIENT_FUND"},
      {"set_tx_meta(\"k\", \"v\")", "", "NO_POSTINGS"},
      {"send [USD/2 1] ( source = @world destination = @a )\nset_tx_meta(\"k\", \"script\")",
       R"(,"metadata":{"k":"request"})", "METADATA_OVERRIDE"},
      {"vars { account $a = meta(@config, \"target\") }\n"
       "send [USD/2 1] ( source = @world destination = $a )",
       "", "INTERPRETER_RUNTIME"},
  };
  for (const Case& c : cases) {
    INFO(c.plain);
    const std::string before = ledger.node.digest();
    auto answer = ledger.create(script_body(c.plain, "{}", c.extra));
    INFO(answer.body);
    CHECK(answer.status == 400);
    CHECK(error_code(answer) == c.code);
    CHECK(ledger.node.digest() != before);  // audited as a failed write
  }
  CHECK(ledger.balance("a") == "0");
}

TEST_CASE("metadata-driven variables read the account metadata the ledger holds", "[api]") {
  Ledger ledger;
  REQUIRE(ledger.node
              .call("POST", "/v2/main/accounts/config/metadata",
                    R"({"target":"users:bob","fee":"USD/2 7"})")
              .status == 204);
  const std::string plain =
      "vars {\n  account $to = meta(@config, \"target\")\n"
      "  monetary $fee = meta(@config, \"fee\")\n}\n"
      "send $fee ( source = @world destination = $to )\n";
  auto answer = ledger.create(script_body(plain));
  INFO(answer.body);
  REQUIRE(answer.status == 200);
  CHECK(ledger.balance("users:bob") == "7");
}

TEST_CASE("a dry run of a script answers its transaction and changes nothing", "[api]") {
  Ledger ledger;
  const std::string before = ledger.node.digest();
  auto dry = ledger.create(script_body(kSend, R"({"amount":"USD/2 5","to":"a"})"), "?dryRun=true");
  INFO(dry.body);
  REQUIRE(dry.status == 200);
  CHECK(field(field(field(json_of(dry), "data"), "postings").items[0], "amount").text == "5");
  CHECK(ledger.node.digest() == before);
}

TEST_CASE("bulk CREATE_TRANSACTION elements carry scripts, each answered on its own", "[api]") {
  Ledger ledger;
  auto element = [](const std::string& body) {
    return R"({"action":"CREATE_TRANSACTION","data":)" + body + "}";
  };
  const std::string body = "[" + element(script_body(kSend, R"({"amount":"USD/2 5","to":"a"})")) +
                           "," + element(script_body("send [USD/2 1] (")) + "," +
                           element(script_body("send [USD/2 9] ( source = @a destination = @b )")) +
                           "," +
                           element(script_body("send [USD/2 2] ( source = @a destination = @b )",
                                               "{}", R"(,"runtime":"experimental-interpreter")")) +
                           "]";
  auto answer = ledger.node.call("POST", "/v2/main/_bulk?continueOnFailure=true", body);
  INFO(answer.body);
  CHECK(answer.status == 400);
  const Json results = field(json_of(answer), "data");
  REQUIRE(results.items.size() == 4);
  CHECK(field(results.items[0], "responseType").text == "CREATE_TRANSACTION");
  CHECK(field(results.items[1], "errorCode").text == "COMPILATION_FAILED");
  CHECK(field(results.items[2], "errorCode").text == "INSUFFICIENT_FUND");
  CHECK(field(results.items[3], "responseType").text == "CREATE_TRANSACTION");
  CHECK(ledger.balance("a") == "3");
  CHECK(ledger.balance("b") == "2");

  // Atomic: one element that cannot compile refuses the whole bulk, nothing applies.
  const std::string before = ledger.node.digest();
  auto atomic =
      ledger.node.call("POST", "/v2/main/_bulk?atomic=true",
                       "[" + element(script_body(kSend, R"({"amount":"USD/2 5","to":"c"})")) + "," +
                           element(script_body("send (")) + "]");
  INFO(atomic.body);
  CHECK(atomic.status == 400);
  CHECK(atomic.body.find("COMPILATION_FAILED") != std::string::npos);
  CHECK(ledger.node.digest() == before);
  CHECK(ledger.balance("c") == "0");
}

}  // namespace
}  // namespace tally::testing
