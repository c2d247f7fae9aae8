// [cli] The `tally` CLI against a running node (one tallyd started with `tally cluster up 1`):
// create, read, list, bulk, and --json output that parses.
#include <catch2/catch.hpp>

#include <fstream>

#include "tests/service/processes.hpp"
#include "tests/support/temp_dir.hpp"

namespace tally::testing {
namespace {

TEST_CASE("the CLI creates, reads, lists and bulks against a node", "[cli]") {
  TempDir dir;
  const int base = free_base_port(1);
  REQUIRE(base != 0);
  const std::string tally =
      tally_binary() + " --node http://127.0.0.1:" + std::to_string(base + 101);
  auto up = run_command(tally_binary() + " cluster up 1 --dir " + dir.file("c") + " --base-port " +
                        std::to_string(base) + " --tallyd " + tallyd_binary());
  INFO(up.output);
  REQUIRE(up.exit_code == 0);
  struct Down {
    std::string dir;
    ~Down() { run_command(tally_binary() + " cluster down --dir " + dir + " >/dev/null"); }
  } down{dir.file("c")};

  CHECK(run_command(tally + " ledger create main --metadata team=ops").exit_code == 0);
  auto created = run_command(tally +
                             " --json tx create main -p 'world users:1 100 USD/2' "
                             "-p 'world users:2 5 USD/2' --reference r1 --metadata k=3");
  INFO(created.output);
  REQUIRE(created.exit_code == 0);
  auto tx = http::parse_json(created.output);
  REQUIRE(tx.ok());
  CHECK(tx.value().find("data")->find("postings")->items.size() == 2);
  CHECK(tx.value().find("data")->find("metadata")->find("k")->text == "3");

  auto got = run_command(tally + " --json tx get main 0");
  REQUIRE(got.exit_code == 0);
  REQUIRE(http::parse_json(got.output).ok());
  auto readable = run_command(tally + " tx get main 0");
  CHECK(readable.output.find("reference: r1") != std::string::npos);

  auto account = run_command(tally + " --json account get main users:1");
  auto parsed_account = http::parse_json(account.output);
  REQUIRE(parsed_account.ok());
  CHECK(parsed_account.value().find("data")->find("balances")->find("USD/2")->text == "100");

  std::ofstream(dir.file("bulk.json"))
      << R"([{"action":"CREATE_TRANSACTION","data":{"postings":[{"source":"users:1",)"
         R"("destination":"users:3","amount":40,"asset":"USD/2"}]}},)"
         R"({"action":"ADD_METADATA","data":{"targetType":"ACCOUNT","targetId":"users:3",)"
         R"("metadata":{"vip":true}}}])";
  auto bulk = run_command(tally + " --json bulk main " + dir.file("bulk.json") + " --atomic");
  INFO(bulk.output);
  REQUIRE(bulk.exit_code == 0);
  auto bulk_json = http::parse_json(bulk.output);
  REQUIRE(bulk_json.ok());
  CHECK(bulk_json.value().find("data")->items.size() == 2);

  auto list = run_command(tally + " --json tx list main --page-size 1");
  auto list_json = http::parse_json(list.output);
  REQUIRE(list_json.ok());
  CHECK(list_json.value().find("cursor")->find("data")->items.size() == 1);
  CHECK(list_json.value().find("cursor")->find("hasMore")->boolean);
  auto table = run_command(tally + " account list main");
  CHECK(table.output.find("users:3") != std::string::npos);
  CHECK(table.output.find("address") != std::string::npos);

  CHECK(run_command(tally + " metadata set main --account users:1 tier=gold").exit_code == 0);
  CHECK(run_command(tally + " metadata delete main tier --account users:1").exit_code == 0);
  auto refused = run_command(tally + " tx create main -p 'users:9 users:1 5 USD/2' 2>/dev/null");
  CHECK(refused.exit_code == 1);

  auto info = run_command(tally + " --json info");
  auto info_json = http::parse_json(info.output);
  REQUIRE(info_json.ok());
  CHECK(info_json.value().find("data")->find("role")->text == "leader");
  auto check = run_command(tally + " --json check");
  auto check_json = http::parse_json(check.output);
  REQUIRE(check_json.ok());
  CHECK(check_json.value().find("data")->find("ok")->boolean);
  auto again = http::parse_json(run_command(tally + " --json check").output);
  REQUIRE(again.ok());
  CHECK(again.value().find("data")->find("mode")->text == "incremental");
  auto full = http::parse_json(run_command(tally + " --json check --full").output);
  REQUIRE(full.ok());
  CHECK(full.value().find("data")->find("mode")->text == "full");
  CHECK(full.value().find("data")->find("ok")->boolean);
  auto exported = run_command(tally + " trace export --out " + dir.file("trace.json"));
  INFO(exported.output);
  REQUIRE(exported.exit_code == 0);
  std::ifstream trace_file(dir.file("trace.json"));
  std::string trace_text((std::istreambuf_iterator<char>(trace_file)), {});
  auto trace = http::parse_json(trace_text);
  REQUIRE(trace.ok());
  CHECK(trace.value().find("format")->text == "tally-trace/1");
  CHECK(trace.value().find("steps")->items.size() >= 5);  // ledger, tx, bulk, 2 metadata, ...
  auto status = run_command(tally_binary() + " cluster status --dir " + dir.file("c"));
  CHECK(status.output.find("leader") != std::string::npos);
}

}  // namespace
}  // namespace tally::testing
