// [cli] What the user types, checked before anything is sent: a mistake is a usage error
// (exit 2) whose message names the expected form, never an abort. No node runs here: --node
// points at a closed port, so a command that got past its checks fails to connect (exit 1).
#include <catch2/catch.hpp>

#include <fstream>

#include "tests/service/processes.hpp"
#include "tests/support/temp_dir.hpp"

namespace tally::testing {
namespace {

struct Usage {
  std::string arguments;
  std::string says;  // a part of the message
};

std::string offline_tally(const TempDir& dir) {
  return "XDG_STATE_HOME=" + dir.file("state") + " " + tally_binary() +
         " --write-retry-ms 0 --node http://127.0.0.1:1";
}

void require_usage_errors(const std::string& tally, const std::vector<Usage>& cases) {
  for (const auto& usage : cases) {
    INFO("tally " << usage.arguments);
    auto result = run_command(tally + " " + usage.arguments + " 2>&1");
    INFO(result.output);
    CHECK(result.exit_code == 2);
    CHECK(result.output.find(usage.says) != std::string::npos);
  }
}

TEST_CASE("malformed metadata is a usage error naming the KEY=VALUE form", "[cli]") {
  TempDir dir;
  require_usage_errors(
      offline_tally(dir),
      {{"metadata set shop --account users:bob dash", "KEY=VALUE (a string) or KEY:=JSON"},
       {"metadata set shop =value", "KEY=VALUE (a string) or KEY:=JSON"},
       {"metadata set shop :=1", "KEY=VALUE (a string) or KEY:=JSON"},
       {"metadata set shop --account users:bob dash:=-", "dash:= takes an integer"},
       {"metadata set shop n:=1.5", "n:= takes an integer"},
       {"metadata set shop n:=01234", "n:= takes an integer"},
       {"metadata set shop o:='{\"a\":1}'", "o:= takes an integer"},
       {"ledger create shop --metadata team", "KEY=VALUE"},
       {"tx create shop -p 'world users:1 1 USD' --metadata zip:=x", "zip:= takes"}});
}

TEST_CASE("a posting that is not four words is a usage error naming the form", "[cli]") {
  TempDir dir;
  const std::string form = "SOURCE DESTINATION AMOUNT ASSET";
  require_usage_errors(offline_tally(dir),
                       {{"tx create shop -p 'world users:1 100'", form},
                        {"tx create shop -p 'world users:1 100 USD/2 extra'", form},
                        {"tx create shop -p world users:1 100 USD/2", form},
                        {"tx create shop -p ''", form},
                        {"tx create shop", "--posting"},
                        {"tx create shop --data '{}' -p 'world users:1 1 USD'", "excludes"},
                        {"tx create shop --data '{}' --reference r", "excludes"}});
}

TEST_CASE("a script option that cannot make a request is a usage error", "[cli]") {
  TempDir dir;
  std::ofstream(dir.file("send.num")) << "vars { monetary $m }\nsend $m ( source = @world "
                                         "destination = @a )\n";
  std::ofstream(dir.file("blank.num")) << " \n";
  const std::string script = " --script " + dir.file("send.num");
  require_usage_errors(
      offline_tally(dir),
      {{"tx create shop --script " + dir.file("none.num"), "cannot read the script"},
       {"tx create shop --script " + dir.file("blank.num"), "is empty"},
       {"tx create shop --var m='USD/2 1'", "--script"},
       {"tx create shop --runtime machine", "--script"},
       {"tx create shop" + script + " --var m", "NAME=VALUE"},
       {"tx create shop" + script + " --var =1", "NAME=VALUE"},
       {"tx create shop" + script + " --var m=1 --var '$m=2'", "given twice"},
       {"tx create shop" + script + " -p 'world users:1 1 USD'", "excludes"},
       {"tx create shop" + script + " --data '{}'", "excludes"}});
}

TEST_CASE("malformed numbers and flags are usage errors", "[cli]") {
  TempDir dir;
  std::ofstream(dir.file("not-json.json")) << "[{";
  std::ofstream(dir.file("object.json")) << R"({"action":"CREATE_TRANSACTION"})";
  std::ofstream(dir.file("scalars.json")) << "[1]";
  require_usage_errors(
      offline_tally(dir),
      {{"tx list shop --page-size -3", "page-size"},
       {"tx list shop --page-size ten", "page-size"},
       {"--write-retry-ms -1 ledger list", "write-retry-ms"},
       {"cluster up three --dir " + dir.file("c"), "count"},
       {"cluster up 3 --dir " + dir.file("c") + " --base-port 99999", "base-port"},
       {"cluster start-node one --dir " + dir.file("c"), "id"},
       {"bulk shop " + dir.file("not-json.json"), "malformed JSON"},
       {"bulk shop " + dir.file("object.json"), "not a JSON array"},
       {"bulk shop " + dir.file("scalars.json"), "element 0 is not an object"},
       {"bulk shop " + dir.file("object.json") + " --atomic --continue-on-failure", "excludes"},
       {"--cluster-dir " + dir.file("none") + " tx list shop", "cluster.json"}});
}

TEST_CASE("well-formed input gets past the checks and fails only to connect", "[cli]") {
  TempDir dir;
  std::ofstream(dir.file("send.num")) << "send [USD/2 1] ( source = @world destination = @a )";
  // The input of the report that aborted: "-" is a string value, sent as such.
  for (const std::string& arguments : std::vector<std::string>{
           "metadata set shop --account users:bob dash=- range=1-2 zip=01234",
           "tx create shop -p ' world  users:1 100 USD/2 '", "ledger create shop --metadata a:=-1",
           "tx create shop --script " + dir.file("send.num") + " --var '$m=USD/2 1' --var a=b=c"}) {
    INFO(arguments);
    auto result = run_command(offline_tally(dir) + " " + arguments + " 2>&1");
    INFO(result.output);
    CHECK(result.exit_code == 1);
    CHECK(result.output.find("cannot connect to http://127.0.0.1:1/") != std::string::npos);
  }
}

TEST_CASE("a damaged cluster.json is an error naming the field, not an abort", "[cli]") {
  TempDir dir;
  std::filesystem::create_directories(dir.file("c"));
  std::ofstream(dir.file("c/cluster.json"))
      << R"({"clusterId":"x","nodes":[{"id":"one","pid":0,"http":"127.0.0.1:1"}]})";
  for (const std::string command : {"status", "down", "start-node 1", "up 1"}) {
    auto result =
        run_command(tally_binary() + " cluster " + command + " --dir " + dir.file("c") + " 2>&1");
    INFO(command << ": " << result.output);
    CHECK(result.exit_code == 1);
    CHECK(result.output.find("\"id\" is not a number") != std::string::npos);
  }
  std::ofstream(dir.file("c/cluster.json")) << "{";
  auto result = run_command(tally_binary() + " cluster status --dir " + dir.file("c") + " 2>&1");
  CHECK(result.exit_code == 1);
  CHECK(result.output.find("cluster.json") != std::string::npos);
}

}  // namespace
}  // namespace tally::testing
