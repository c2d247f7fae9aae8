// The Numscript type checker: every static error is COMPILATION_FAILED with a position, before
// anything runs; experimental constructs need their flag; what Tally does not support is
// refused by name.
#include <catch2/catch.hpp>

#include <string>

#include "core/numscript/program.hpp"

namespace tally {
namespace {

std::string compile_error(const std::string& script) {
  auto compiled = numscript::compile(script);
  INFO(script);
  REQUIRE_FALSE(compiled.ok());
  CHECK(compiled.error().code == Code::kCompilationFailed);
  return compiled.error().message;
}

void compiles(const std::string& script) {
  auto compiled = numscript::compile(script);
  INFO(script);
  if (!compiled.ok()) INFO(compiled.error().message);
  CHECK(compiled.ok());
}

bool mentions(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

TEST_CASE("variable declarations are checked: types, duplicates, order of use", "[numscript]") {
  CHECK(mentions(compile_error("vars { money $m }"), "unknown type"));
  CHECK(mentions(compile_error("vars { number $n number $n }"), "declared twice"));
  CHECK(mentions(compile_error("vars { account $b = meta($a, \"k\") account $a }"), "unbound"));
  CHECK(mentions(compile_error("set_tx_meta(\"k\", $nowhere)"), "unbound variable $nowhere"));
  compiles("vars { account $a account $b = meta($a, \"k\") } set_tx_meta(\"k\", $b)");
}

TEST_CASE("expressions are typed: a send moves a monetary, arithmetic matches", "[numscript]") {
  CHECK(mentions(compile_error("send 10 (source = @world destination = @b)"), "monetary"));
  CHECK(
      mentions(compile_error("send [COIN \"ten\"] (source = @world destination = @b)"), "number"));
  CHECK(mentions(compile_error("send [10 10] (source = @world destination = @b)"), "asset"));
  CHECK(mentions(compile_error("set_tx_meta(\"k\", [COIN 1] + 2)"), "monetary"));
  CHECK(mentions(compile_error("set_tx_meta(\"k\", \"a\" + \"b\")"), "numbers or monetaries"));
  CHECK(mentions(compile_error("set_tx_meta(\"k\", [COIN 1] / 2)"), "number"));
  CHECK(mentions(compile_error("set_tx_meta(\"k\", -@a)"), "'-'"));
  CHECK(mentions(compile_error("send [COIN 1] (source = \"a\" destination = @b)"), "account"));
  CHECK(mentions(compile_error("send [COIN 1] (source = { 1 from @a } destination = @b)"),
                 "portion"));
  CHECK(mentions(compile_error("send [COIN 1] (source = max 3 from @a destination = @b)"),
                 "monetary"));
  CHECK(mentions(compile_error("save [COIN 1] from \"x\""), "account"));
  compiles("send [COIN 3] - [COIN 1] (source = @world destination = { 1/2 to @a 50% to @b })");
}

TEST_CASE("functions are known by name and arity", "[numscript]") {
  CHECK(mentions(compile_error("vars { monetary $m = saldo(@a, COIN) }"), "unknown function"));
  CHECK(mentions(compile_error("vars { monetary $m = balance(@a) }"), "takes 2 arguments"));
  CHECK(mentions(compile_error("vars { number $m = balance(@a, COIN) }"), "declared number"));
  CHECK(mentions(compile_error("send_mail(\"x\")"), "unknown statement function"));
  CHECK(mentions(compile_error("set_tx_meta(\"k\")"), "takes 2 arguments"));
  CHECK(mentions(compile_error("set_account_meta(\"a\", \"k\", 1)"), "account"));
}

TEST_CASE("meta() is only a whole variable origin", "[numscript]") {
  CHECK(mentions(compile_error("#![feature(\"experimental-mid-script-function-call\")]\n"
                               "vars { number $n = 1 + meta(@a, \"k\") }"),
                 "meta()"));
  CHECK(mentions(compile_error("#![feature(\"experimental-mid-script-function-call\")]\n"
                               "set_tx_meta(\"k\", meta(@a, \"k\"))"),
                 "meta()"));
}

TEST_CASE("experimental constructs need their feature flag", "[numscript]") {
  CHECK(mentions(compile_error("send [COIN 1] (source = oneof { @a @b } destination = @c)"),
                 "experimental-oneof"));
  CHECK(mentions(compile_error("vars { monetary $m = overdraft(@a, COIN) }"),
                 "experimental-overdraft-function"));
  CHECK(mentions(compile_error("vars { asset $a = get_asset([COIN 1]) }"),
                 "experimental-get-asset-function"));
  CHECK(mentions(compile_error("vars { number $n = get_amount([COIN 1]) }"),
                 "experimental-get-amount-function"));
  CHECK(mentions(compile_error("vars { number $id } send [COIN 1] (source = @world destination = "
                               "@user:$id)"),
                 "experimental-account-interpolation"));
  CHECK(mentions(compile_error("send balance(@a, COIN) (source = @a destination = @b)"),
                 "experimental-mid-script-function-call"));
  CHECK(mentions(compile_error("vars { number $n = 2 }"), "experimental-mid-script-function-call"));
  CHECK(mentions(compile_error("#![feature(\"experimental-teleport\")]"), "unknown feature"));
}

TEST_CASE("with their flags, the experimental constructs Tally runs compile", "[numscript]") {
  compiles(R"(#![feature("experimental-oneof", "experimental-overdraft-function",
      "experimental-get-asset-function", "experimental-get-amount-function",
      "experimental-account-interpolation", "experimental-mid-script-function-call")]
    vars {
      number $id
      monetary $debt = overdraft(@user:$id, USD)
      asset $unit = get_asset($debt)
      number $size = get_amount($debt) + 1
    }
    send [$unit 1] (
      source = oneof { @user:$id max balance(@pool, USD) from @pool @world }
      destination = oneof { max $debt to @user:$id remaining kept }
    ))");
}

TEST_CASE("asset colors and asset scaling are refused as unsupported", "[numscript]") {
  CHECK(mentions(compile_error("#![feature(\"experimental-asset-colors\")]\n"
                               "send [COIN 1] (source = @a \\ \"RED\" destination = @b)"),
                 "not supported by Tally"));
  CHECK(mentions(compile_error("#![feature(\"experimental-asset-scaling\")]\n"
                               "send [COIN 1] (source = @a with scaling through @swap "
                               "destination = @b)"),
                 "not supported by Tally"));
}

TEST_CASE("a checked script is compiled once per thread and shared", "[numscript]") {
  auto first = numscript::compile("send [COIN 1] (source = @world destination = @shared)");
  auto second = numscript::compile("send [COIN 1] (source = @world destination = @shared)");
  REQUIRE(first.ok());
  REQUIRE(second.ok());
  CHECK(first->get() == second->get());
}

}  // namespace
}  // namespace tally
