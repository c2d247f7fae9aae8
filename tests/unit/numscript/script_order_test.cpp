// A scripted transaction as an order: its limits, its one encoding (format 2, after the
// fields every transaction has), and the old encoding of transactions given as postings.
#include <catch2/catch.hpp>

#include <algorithm>

#include "core/codec/order_codec.hpp"
#include "core/domain/order.hpp"
#include "core/limits.hpp"
#include "core/numscript/script_request.hpp"

namespace tally {
namespace {

domain::CreateTransaction scripted(std::string plain =
                                       "send [USD 1] (source = @world "
                                       "destination = @b)") {
  domain::CreateTransaction order;
  order.ledger = "main";
  order.script =
      domain::Script{std::move(plain), {{"a", "1"}, {"b", "two"}}, domain::ScriptRuntime::kMachine};
  return order;
}

TEST_CASE("a transaction takes postings or a script, not both, not neither", "[numscript]") {
  CHECK(domain::validate_order(scripted()).ok());
  auto both = scripted();
  both.postings.push_back({"world", "b", domain::Amount(1), "USD"});
  CHECK(domain::validate_order(both).error().code == Code::kValidation);
  domain::CreateTransaction neither;
  neither.ledger = "main";
  CHECK(domain::validate_order(neither).error().code == Code::kNoPostings);
}

TEST_CASE("a script's text and variables are bounded", "[numscript]") {
  CHECK_FALSE(domain::validate_order(scripted("")).ok());
  CHECK_FALSE(domain::validate_order(scripted(std::string(limits::kScriptBytesMax + 1, ' '))).ok());
  auto bad_name = scripted();
  bad_name.script->vars["Upper"] = "x";
  CHECK_FALSE(domain::validate_order(bad_name).ok());
  auto long_value = scripted();
  long_value.script->vars["v"] = std::string(limits::kScriptVariableValueBytesMax + 1, 'x');
  CHECK_FALSE(domain::validate_order(long_value).ok());
  auto many = scripted();
  for (std::size_t i = 0; i <= limits::kScriptVariablesMax; ++i)
    many.script->vars["v" + std::to_string(i)] = "1";
  CHECK_FALSE(domain::validate_order(many).ok());
}

TEST_CASE("the runtime is read by its Formance name", "[numscript]") {
  CHECK(*domain::parse_script_runtime("") == domain::ScriptRuntime::kMachine);
  CHECK(*domain::parse_script_runtime("machine") == domain::ScriptRuntime::kMachine);
  CHECK(*domain::parse_script_runtime("experimental-interpreter") ==
        domain::ScriptRuntime::kExperimentalInterpreter);
  CHECK(domain::parse_script_runtime("vm").error().code == Code::kValidation);
}

TEST_CASE("a scripted transaction encodes as format 2 and round-trips", "[numscript]") {
  auto order = scripted();
  Bytes encoded = codec::encode_order(order);
  CHECK(encoded[0] == codec::kOrderTrailingFormat);
  auto decoded = codec::decode_order(encoded);
  REQUIRE(decoded.ok());
  CHECK(*decoded == domain::Order(order));
}

TEST_CASE("a transaction given as postings keeps format 1 and its bytes", "[numscript]") {
  domain::CreateTransaction order;
  order.ledger = "m";
  order.postings.push_back({"a", "b", domain::Amount(5), "USD"});
  Bytes encoded = codec::encode_order(order);
  // [format 1][type 2][ledger "m"][1 posting: "a" "b" amount 5 "USD"][no reference]
  // [no metadata][no timestamp][force false]: nothing after the force byte.
  Bytes expected{1, 2,   1, 0, 0, 0, 'm', 1, 0,   0,   0,   1, 0, 0, 0, 'a', 1, 0, 0,
                 0, 'b', 1, 5, 3, 0, 0,   0, 'U', 'S', 'D', 0, 0, 0, 0, 0,   0, 0};
  CHECK(encoded == expected);
}

TEST_CASE(
    "a script's encoding is canonical: sorted variables, known runtime, format 2 only for "
    "scripts",
    "[numscript]") {
  Bytes encoded = codec::encode_order(scripted());
  // The runtime is the last byte.
  Bytes unknown_runtime = encoded;
  unknown_runtime.back() = 9;
  CHECK_FALSE(codec::decode_order(unknown_runtime).ok());
  // Format 2 on an order that is not a transaction.
  Bytes ledger = codec::encode_order(domain::DeleteLedger{"main"});
  ledger[0] = codec::kOrderTrailingFormat;
  CHECK_FALSE(codec::decode_order(ledger).ok());
  // Format 1 on a scripted transaction leaves the script's bytes trailing.
  Bytes demoted = encoded;
  demoted[0] = codec::kOrderFormat;
  CHECK_FALSE(codec::decode_order(demoted).ok());
  // Variables out of order: swap "a" and "b" (same lengths, so only the order changes).
  Bytes swapped = encoded;
  auto a_at = std::search(swapped.begin(), swapped.end(), std::begin("\x01\0\0\0a"),
                          std::begin("\x01\0\0\0a") + 5);
  auto b_at = std::search(swapped.begin(), swapped.end(), std::begin("\x01\0\0\0b"),
                          std::begin("\x01\0\0\0b") + 5);
  REQUIRE(a_at != swapped.end());
  REQUIRE(b_at != swapped.end());
  a_at[4] = 'b';
  b_at[4] = 'a';
  CHECK_FALSE(codec::decode_order(swapped).ok());
}

TEST_CASE("the API's script fields become an order, checked without the ledger", "[numscript]") {
  numscript::ScriptRequest request;
  request.plain = "vars { account $to monetary $m } send $m (source = @world destination = $to)";
  request.vars = {{"to", "users:1"}, {"m", numscript::monetary_variable("USD/2", "120")}};
  request.runtime = "experimental-interpreter";
  auto order = numscript::scripted_transaction("main", request);
  REQUIRE(order.ok());
  CHECK(order->script->vars.at("m") == "USD/2 120");
  CHECK(order->script->runtime == domain::ScriptRuntime::kExperimentalInterpreter);
  CHECK(order->postings.empty());

  auto missing = request;
  missing.vars.erase("to");
  CHECK(numscript::scripted_transaction("main", missing).error().code == Code::kInterpreterRuntime);
  missing.runtime = "";
  CHECK(numscript::scripted_transaction("main", missing).error().code == Code::kCompilationFailed);
  auto unparsable = request;
  unparsable.plain = "send (";
  CHECK(numscript::scripted_transaction("main", unparsable).error().code ==
        Code::kInterpreterParse);
  auto unknown_runtime = request;
  unknown_runtime.runtime = "jvm";
  CHECK(numscript::scripted_transaction("main", unknown_runtime).error().code == Code::kValidation);
  CHECK(numscript::scripted_transaction("bad ledger!", request).error().code == Code::kValidation);
}

}  // namespace
}  // namespace tally
