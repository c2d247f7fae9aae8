// [cli] The CLI's answers against one node (`tally cluster up 1`): typed metadata values, a
// Numscript file with its variables, replays of an idempotency key, an incremental check with
// nothing new, and the cluster id each `cluster up` chooses.
#include <catch2/catch.hpp>

#include <fstream>

#include "tests/service/processes.hpp"
#include "tests/support/temp_dir.hpp"

namespace tally::testing {
namespace {

void require_up(const CliCluster& node) {
  REQUIRE(node.cluster.base_port != 0);
  INFO(node.cluster.up.output);
  REQUIRE(node.cluster.up.exit_code == 0);
}

json::Json require_json(const CommandResult& result) {
  INFO(result.output);
  REQUIRE(result.exit_code == 0);
  auto json = json::parse_json(result.output);
  REQUIRE(json.ok());
  return std::move(json).value();
}

TEST_CASE("metadata values are strings unless written KEY:=JSON", "[cli]") {
  TempDir dir;
  CliCluster node(1, dir.file("c"), dir.file("state"));
  require_up(node);
  REQUIRE(run_command(node.tally + " ledger create shop --metadata zip=01234").exit_code == 0);
  REQUIRE(run_command(node.tally +
                      " metadata set shop --account users:bob dash=- range=1-2 zip=01234 "
                      "empty= eq=a=b count:=42 negative:=-7 vip:=true gone:=null "
                      "name:='\"a b\"' text=42")
              .exit_code == 0);
  const json::Json account =
      require_json(run_command(node.tally + " --json account get shop users:bob"));
  const json::Json* metadata = account.find("data")->find("metadata");
  REQUIRE(metadata != nullptr);
  using Type = json::Json::Type;
  auto check = [&](const char* key, Type type, const std::string& text) {
    INFO(key);
    const json::Json* value = metadata->find(key);
    REQUIRE(value != nullptr);
    CHECK(value->type == type);
    CHECK(value->text == text);
  };
  check("dash", Type::kString, "-");
  check("range", Type::kString, "1-2");
  check("zip", Type::kString, "01234");
  check("empty", Type::kString, "");
  check("eq", Type::kString, "a=b");
  check("text", Type::kString, "42");
  check("name", Type::kString, "a b");
  // Stored typed; Formance's v2 API answers every metadata value as text (docs/api.md).
  check("count", Type::kString, "42");
  check("negative", Type::kString, "-7");
  check("gone", Type::kString, "");
  check("vip", Type::kString, "true");
  const json::Json ledger = require_json(run_command(node.tally + " --json ledger get shop"));
  CHECK(ledger.find("data")->find("metadata")->find("zip")->text == "01234");
}

TEST_CASE("tx create --script sends a Numscript file and its --var values", "[cli]") {
  TempDir dir;
  CliCluster node(1, dir.file("c"), dir.file("state"));
  require_up(node);
  std::ofstream(dir.file("pay.num"))
      << "vars {\n  monetary $amount\n  account $to\n}\n"
         "send $amount (\n  source = @world\n  destination = $to\n)\n"
         "set_tx_meta(\"via\", \"cli\")\n";
  std::ofstream(dir.file("broken.num")) << "send [USD/2 1] (";
  REQUIRE(run_command(node.tally + " ledger create shop").exit_code == 0);
  const json::Json created = require_json(
      run_command(node.tally + " --json tx create shop --script " + dir.file("pay.num") +
                  " --var 'amount=USD/2 42' --var '$to=users:bob' --metadata k=v"));
  const json::Json* data = created.find("data");
  REQUIRE(data != nullptr);
  const json::Json& posting = data->find("postings")->items.at(0);
  CHECK(posting.find("destination")->text == "users:bob");
  CHECK(posting.find("amount")->text == "42");
  CHECK(data->find("metadata")->find("via")->text == "cli");
  CHECK(data->find("metadata")->find("k")->text == "v");
  auto broken = run_command(node.tally + " tx create shop --script " + dir.file("broken.num") +
                            " --runtime experimental-interpreter 2>&1");
  INFO(broken.output);
  CHECK(broken.exit_code != 0);
  CHECK(broken.output.find("INTERPRETER_PARSE") != std::string::npos);
}

TEST_CASE("a replayed write with the same --ik says it was a replay", "[cli]") {
  TempDir dir;
  CliCluster node(1, dir.file("c"), dir.file("state"));
  require_up(node);
  REQUIRE(run_command(node.tally + " ledger create shop").exit_code == 0);
  const std::string create = " tx create shop -p 'world users:1 5 USD/2' --ik k1";
  auto first = run_command(node.tally + create);
  REQUIRE(first.exit_code == 0);
  CHECK(first.output.find("replayed") == std::string::npos);
  auto again = run_command(node.tally + create);
  INFO(again.output);
  REQUIRE(again.exit_code == 0);
  CHECK(again.output.find("replayed: Idempotency-Key k1 was used before") != std::string::npos);
  CHECK(again.output.find("id: 0") != std::string::npos);  // the first answer, shown again
  const json::Json replay = require_json(run_command(node.tally + " --json" + create));
  CHECK(replay.find("idempotencyHit")->boolean);
  CHECK(replay.find("data")->find("id")->text == "0");
  const json::Json fresh = require_json(
      run_command(node.tally + " --json tx create shop -p 'world users:1 5 USD/2' --ik k2"));
  REQUIRE(fresh.find("idempotencyHit") != nullptr);
  CHECK_FALSE(fresh.find("idempotencyHit")->boolean);
  // Without --ik the CLI sends a key of its own, and says nothing about it.
  const json::Json plain =
      require_json(run_command(node.tally + " --json tx create shop -p 'world users:1 5 USD/2'"));
  CHECK(plain.find("idempotencyHit") == nullptr);
  const json::Json account =
      require_json(run_command(node.tally + " --json account get shop users:1"));
  CHECK(account.find("data")->find("volumes")->find("USD/2")->find("balance")->text == "15");
}

TEST_CASE("an incremental check with nothing new says nothing new since the last sequence",
          "[cli]") {
  TempDir dir;
  CliCluster node(1, dir.file("c"), dir.file("state"));
  require_up(node);
  REQUIRE(run_command(node.tally + " ledger create shop").exit_code == 0);
  REQUIRE(run_command(node.tally + " tx create shop -p 'world users:1 5 USD/2'").exit_code == 0);
  const json::Json full = require_json(run_command(node.tally + " --json check"));
  const std::string last = full.find("data")->find("lastSequence")->text;
  CHECK(last == "2");
  CHECK(full.find("data")->find("fromSequence")->text == "1");
  CHECK(full.find("data")->find("toSequence")->text == "2");

  auto text = run_command(node.tally + " check");
  INFO(text.output);
  CHECK(text.exit_code == 0);
  CHECK(text.output.find("check: ok (incremental)") != std::string::npos);
  CHECK(text.output.find("nothing new since sequence 2") != std::string::npos);
  CHECK(text.output.find("toSequence") == std::string::npos);
  const json::Json empty = require_json(run_command(node.tally + " --json check"));
  const json::Json& data = *empty.find("data");
  CHECK(data.find("fromSequence")->type == json::Json::Type::kNull);
  CHECK(data.find("toSequence")->type == json::Json::Type::kNull);
  CHECK(data.find("lastSequence")->text == "2");
  CHECK(data.find("entriesVerified")->text == "0");

  REQUIRE(run_command(node.tally + " tx create shop -p 'world users:1 5 USD/2'").exit_code == 0);
  auto walked = run_command(node.tally + " check");
  INFO(walked.output);
  CHECK(walked.output.find("walked: sequences 3..3 (1 entries)") != std::string::npos);
}

TEST_CASE("each cluster up names its cluster with an id of its own", "[cli]") {
  TempDir dir;
  CliCluster a(1, dir.file("a"), dir.file("state"));
  require_up(a);
  CliCluster b(1, dir.file("b"), dir.file("state"));
  require_up(b);
  const std::string id_a = read_cluster_id(dir.file("a"));
  const std::string id_b = read_cluster_id(dir.file("b"));
  CHECK(id_a.rfind("tally-", 0) == 0);
  CHECK(id_a.size() == 22);
  CHECK(id_a != id_b);
  CHECK(a.cluster.up.output.find(id_a) != std::string::npos);
  const auto answer = get_json(read_cluster(dir.file("a")).at(0).http, "/_tally/info");
  CHECK(answer.headers.at("tally-cluster-id") == id_a);

  // A's writes are recorded under A's id: B, behind A's index, does not wait for them.
  REQUIRE(run_command(b.tally + " ledger create shop").exit_code == 0);
  REQUIRE(run_command(a.tally + " ledger create shop").exit_code == 0);
  for (int i = 0; i < 3; ++i)
    REQUIRE(run_command(a.tally + " tx create shop -p 'world users:1 1 USD/2'").exit_code == 0);
  auto read = run_command(b.tally + " ledger get shop 2>&1");
  INFO(read.output);
  CHECK(read.exit_code == 0);
  CHECK(read.output.find("STALE_READ") == std::string::npos);
}

TEST_CASE("a cluster started again in its directory keeps its id and its data", "[cli]") {
  TempDir dir;
  CliCluster node(1, dir.file("c"), dir.file("state"));
  require_up(node);
  const std::string id = read_cluster_id(dir.file("c"));
  REQUIRE(run_command(node.tally + " ledger create shop").exit_code == 0);
  REQUIRE(run_command(tally_binary() + " cluster down --dir " + dir.file("c")).exit_code == 0);
  auto again =
      run_command(tally_binary() + " cluster up 1 --dir " + dir.file("c") + " --base-port " +
                  std::to_string(node.cluster.base_port) + " --tallyd " + tallyd_binary());
  INFO(again.output);
  REQUIRE(again.exit_code == 0);
  CHECK(read_cluster_id(dir.file("c")) == id);
  CHECK(run_command(node.tally + " ledger get shop").exit_code == 0);
}

}  // namespace
}  // namespace tally::testing
