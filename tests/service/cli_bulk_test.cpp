// [cli] `tally bulk` against one node: a non-atomic file stops at its first failed element
// (unless --continue-on-failure), and running a file again never applies an element twice.
#include <catch2/catch.hpp>

#include <fstream>

#include "tests/service/processes.hpp"
#include "tests/support/temp_dir.hpp"

namespace tally::testing {
namespace {

std::string transfer(const std::string& source, const std::string& destination, int amount) {
  return R"({"action":"CREATE_TRANSACTION","data":{"postings":[{"source":")" + source +
         R"(","destination":")" + destination + R"(","amount":)" + std::to_string(amount) +
         R"(,"asset":"USD/2"}]}})";
}

std::string tag(const std::string& account) {
  return R"({"action":"ADD_METADATA","data":{"targetType":"ACCOUNT","targetId":")" + account +
         R"(","metadata":{"tagged":"yes"}}})";
}

void write_file(const std::string& path, const std::vector<std::string>& elements) {
  std::string text = "[";
  for (std::size_t i = 0; i < elements.size(); ++i)
    text += (i ? ",\n" : "\n") + elements[i];
  std::ofstream(path) << text << "\n]\n";
}

// users:X's USD/2 balance ("" when it has none) and whether it is tagged.
std::string balance(const CliCluster& node, const std::string& account) {
  auto json =
      json::parse_json(run_command(node.tally + " --json account get shop " + account).output);
  if (!json.ok()) return "?";
  const json::Json* value =
      json.value().find("data")->find("volumes")->find("USD/2")->find("balance");
  return value == nullptr ? "" : value->text;
}

bool tagged(const CliCluster& node, const std::string& account) {
  auto json =
      json::parse_json(run_command(node.tally + " --json account get shop " + account).output);
  return json.ok() && json.value().find("data")->find("metadata")->find("tagged") != nullptr;
}

// One node with a ledger "shop", and DIR/f.json: a transfer, one that fails (users:b has
// nothing), another transfer and a tag.
void require_shop(const CliCluster& node, const TempDir& dir) {
  REQUIRE(node.cluster.base_port != 0);
  INFO(node.cluster.up.output);
  REQUIRE(node.cluster.up.exit_code == 0);
  REQUIRE(run_command(node.tally + " ledger create shop").exit_code == 0);
  write_file(dir.file("f.json"),
             {transfer("world", "users:a", 10), transfer("users:b", "users:c", 5),
              transfer("world", "users:a", 1), tag("users:a")});
}

TEST_CASE("a non-atomic bulk stops at its first failed element", "[cli]") {
  TempDir dir;
  CliCluster bulk(1, dir.file("c"), dir.file("state"));
  require_shop(bulk, dir);
  auto run = run_command(bulk.tally + " bulk shop " + dir.file("f.json") + " 2>&1");
  INFO(run.output);
  CHECK(run.exit_code == 1);
  CHECK(run.output.find("[0] CREATE_TRANSACTION: ok, tx 0") != std::string::npos);
  CHECK(run.output.find("[1] CREATE_TRANSACTION: FAILED INSUFFICIENT") != std::string::npos);
  CHECK(run.output.find("[2] CREATE_TRANSACTION: not applied") != std::string::npos);
  CHECK(run.output.find("[3] ADD_METADATA: not applied") != std::string::npos);
  CHECK(run.output.find("tally: bulk element 1 (CREATE_TRANSACTION) failed") != std::string::npos);
  CHECK(balance(bulk, "users:a") == "10");
  CHECK_FALSE(tagged(bulk, "users:a"));

  auto json = run_command(bulk.tally + " --json bulk shop " + dir.file("f.json"));
  CHECK(json.exit_code == 1);
  auto parsed = json::parse_json(json.output);
  REQUIRE(parsed.ok());
  const auto& results = parsed.value().find("data")->items;
  REQUIRE(results.size() == 4);
  CHECK(results[0].find("responseType")->text == "CREATE_TRANSACTION");
  CHECK(results[1].find("responseType")->text == "ERROR");
  CHECK(results[2].find("responseType")->text == "SKIPPED");
  CHECK(parsed.value().find("firstFailure")->text == "1");
  CHECK(balance(bulk, "users:a") == "10");
}

TEST_CASE("running a bulk file again never applies an element twice", "[cli]") {
  TempDir dir;
  CliCluster bulk(1, dir.file("c"), dir.file("state"));
  require_shop(bulk, dir);
  // Two identical elements are two transfers, and stay two on every run.
  const std::vector<std::string> head = {transfer("world", "users:a", 10),
                                         transfer("world", "users:a", 10)};
  write_file(dir.file("f.json"), {head[0], head[1], transfer("users:b", "users:c", 5),
                                  transfer("world", "users:a", 1)});
  CHECK(run_command(bulk.tally + " bulk shop " + dir.file("f.json")).exit_code == 1);
  CHECK(run_command(bulk.tally + " bulk shop " + dir.file("f.json")).exit_code == 1);
  CHECK(balance(bulk, "users:a") == "20");
  // The failed element fixed: the two that applied are answered from their records, the rest
  // apply; then the whole file again changes nothing.
  write_file(dir.file("f.json"),
             {head[0], head[1], transfer("world", "users:c", 5), transfer("world", "users:a", 1)});
  auto fixed = run_command(bulk.tally + " bulk shop " + dir.file("f.json"));
  INFO(fixed.output);
  CHECK(fixed.exit_code == 0);
  CHECK(run_command(bulk.tally + " bulk shop " + dir.file("f.json")).exit_code == 0);
  CHECK(balance(bulk, "users:a") == "21");
  CHECK(balance(bulk, "users:c") == "5");
  // --ik names a new run of the same file: it applies again, once.
  CHECK(run_command(bulk.tally + " bulk shop " + dir.file("f.json") + " --ik june").exit_code == 0);
  CHECK(run_command(bulk.tally + " bulk shop " + dir.file("f.json") + " --ik june").exit_code == 0);
  CHECK(balance(bulk, "users:a") == "42");
  // An atomic file is one request under one key: the second run is a replay.
  write_file(dir.file("atomic.json"), {transfer("world", "users:d", 3), tag("users:d")});
  CHECK(run_command(bulk.tally + " bulk shop " + dir.file("atomic.json") + " --atomic").exit_code ==
        0);
  auto replay = run_command(bulk.tally + " bulk shop " + dir.file("atomic.json") + " --atomic");
  CHECK(replay.exit_code == 0);
  CHECK(replay.output.find("replayed") != std::string::npos);
  CHECK(balance(bulk, "users:d") == "3");
}

TEST_CASE("a bulk with --continue-on-failure sends every element", "[cli]") {
  TempDir dir;
  CliCluster bulk(1, dir.file("c"), dir.file("state"));
  require_shop(bulk, dir);
  auto run =
      run_command(bulk.tally + " bulk shop " + dir.file("f.json") + " --continue-on-failure 2>&1");
  INFO(run.output);
  CHECK(run.exit_code == 1);
  CHECK(run.output.find("[3] ADD_METADATA: ok") != std::string::npos);
  CHECK(run.output.find("tally: bulk element 1 (CREATE_TRANSACTION) failed") != std::string::npos);
  CHECK(balance(bulk, "users:a") == "11");
  CHECK(tagged(bulk, "users:a"));
  CHECK(run_command(bulk.tally + " bulk shop " + dir.file("f.json") + " --continue-on-failure")
            .exit_code == 1);
  CHECK(balance(bulk, "users:a") == "11");
}

}  // namespace
}  // namespace tally::testing
