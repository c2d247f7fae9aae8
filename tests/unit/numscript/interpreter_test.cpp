// The Numscript interpreter against a fixed ledger state: what each construct takes from
// which source and pays to which destination, in which order and with which rounding,
// following Formance's interpreter; and every runtime error by code.
#include <catch2/catch.hpp>

#include <string>

#include "tests/support/numscript_state.hpp"

namespace tally {
namespace {

using testing::postings_text;
using testing::run_script;
using testing::TableState;

std::string postings_of(const std::string& script, TableState& state,
                        const std::map<std::string, std::string>& vars = {}) {
  auto output = run_script(script, state, vars);
  INFO(script);
  if (!output.ok()) INFO(output.error().message);
  REQUIRE(output.ok());
  return postings_text(output->postings);
}

Error error_of(const std::string& script, TableState& state,
               const std::map<std::string, std::string>& vars = {}) {
  auto output = run_script(script, state, vars);
  INFO(script);
  REQUIRE_FALSE(output.ok());
  return output.error();
}

TEST_CASE("a send pays its destination from its source", "[numscript]") {
  TableState state;
  state.set_balance("shop:till", "EUR/2", "500");
  CHECK(postings_of("send [EUR/2 120] (source = @shop:till destination = @bank)", state) ==
        "shop:till->bank 120 EUR/2");
}

TEST_CASE("a source short of funds fails with missing funds", "[numscript]") {
  TableState state;
  state.set_balance("alice", "USD", "99");
  Error error = error_of("send [USD 100] (source = @alice destination = @bob)", state);
  CHECK(error.code == Code::kInsufficientFunds);
  CHECK(error.message.find("[USD 100]") != std::string::npos);
  CHECK(error.message.find("[USD 99]") != std::string::npos);
}

TEST_CASE("the world pays any amount and is never read", "[numscript]") {
  TableState state;
  CHECK(postings_of("send [USD 1000000] (source = @world destination = @mint)", state) ==
        "world->mint 1000000 USD");
  CHECK(state.balance_reads == 0);
}

TEST_CASE("cascading sources drain in order, each within its overdraft bound", "[numscript]") {
  TableState state;
  state.set_balance("wallet", "USD", "30");
  state.set_balance("credit", "USD", "-10");
  // wallet gives its 30; credit may go down to -50 so gives 40; savings gives the last 30.
  state.set_balance("savings", "USD", "100");
  CHECK(postings_of(R"(send [USD 100] (
      source = { @wallet  @credit allowing overdraft up to [USD 50]  @savings }
      destination = @merchant))",
                    state) ==
        "wallet->merchant 30 USD, credit->merchant 40 USD, "
        "savings->merchant 30 USD");
}

TEST_CASE("one account listed twice never gives more than its bound allows", "[numscript]") {
  TableState state;
  CHECK(postings_of(R"(send [USD 10] (
      source = { @card allowing overdraft up to [USD 4]  @card allowing overdraft up to [USD 7]
                 @world }
      destination = @shop))",
                    state) == "card->shop 7 USD, world->shop 3 USD");
}

TEST_CASE("unbounded overdraft gives everything asked", "[numscript]") {
  TableState state;
  CHECK(postings_of("send [USD 75] (source = @tab allowing unbounded overdraft "
                    "destination = @bar)",
                    state) == "tab->bar 75 USD");
}

TEST_CASE("an overdraft bound below zero allows none", "[numscript]") {
  TableState state;
  state.set_balance("a", "USD", "5");
  CHECK(postings_of("send [USD 8] (source = { @a allowing overdraft up to [USD -3] @world } "
                    "destination = @b)",
                    state) == "a->b 5 USD, world->b 3 USD");
}

TEST_CASE("max caps what a source gives", "[numscript]") {
  TableState state;
  state.set_balance("fees", "USD", "100");
  CHECK(postings_of("send [USD 50] (source = { max [USD 20] from @fees @world } "
                    "destination = @ops)",
                    state) == "fees->ops 20 USD, world->ops 30 USD");
}

TEST_CASE("source allotments split the amount and each share must be paid", "[numscript]") {
  TableState state;
  state.set_balance("a", "USD", "100");
  state.set_balance("b", "USD", "100");
  CHECK(postings_of("send [USD 10] (source = { 1/3 from @a remaining from @b } "
                    "destination = @c)",
                    state) == "a->c 4 USD, b->c 6 USD");
  state.set_balance("a", "USD", "3");
  CHECK(
      error_of("send [USD 10] (source = { 1/3 from @a remaining from @b } destination = @c)", state)
          .code == Code::kInsufficientFunds);
}

TEST_CASE("allotment remainders go one unit at a time from the first share", "[numscript]") {
  TableState state;
  CHECK(postings_of("send [USD 100] (source = @world destination = { 1/3 to @a 1/3 to @b "
                    "1/3 to @c })",
                    state) == "world->a 34 USD, world->b 33 USD, world->c 33 USD");
  CHECK(postings_of("send [USD 2] (source = @world destination = { 1/3 to @a 1/3 to @b "
                    "1/3 to @c })",
                    state) == "world->a 1 USD, world->b 1 USD");
  CHECK(postings_of("send [USD 7] (source = @world destination = { 12.5% to @a remaining to @b })",
                    state) == "world->a 1 USD, world->b 6 USD");
}

TEST_CASE("destination portions must add up to exactly 1 without remaining", "[numscript]") {
  TableState state;
  Error under =
      error_of("send [USD 10] (source = @world destination = { 50% to @a 40% to @b })", state);
  CHECK(under.code == Code::kInterpreterRuntime);
  CHECK(under.message.find("9/10") != std::string::npos);
  Error over = error_of(
      "send [USD 10] (source = @world destination = { 80% to @a 30% to @b remaining to @c })",
      state);
  CHECK(over.code == Code::kInterpreterRuntime);
}

TEST_CASE("in-order destinations fill each cap, kept funds stay with their source", "[numscript]") {
  TableState state;
  state.set_balance("pool", "USD", "100");
  auto output = run_script(R"(send [USD 100] (
      source = @pool
      destination = { max [USD 10] to @tax  max [USD 15] kept  remaining to @payee }))",
                           state);
  REQUIRE(output.ok());
  CHECK(postings_text(output->postings) == "pool->tax 10 USD, pool->payee 75 USD");
}

TEST_CASE("a cap that reaches nothing makes no posting", "[numscript]") {
  TableState state;
  CHECK(postings_of("send [USD 5] (source = @world destination = { max [USD 0] to @a "
                    "remaining to @b })",
                    state) == "world->b 5 USD");
}

TEST_CASE("send-all takes a source's balance plus its overdraft", "[numscript]") {
  TableState state;
  state.set_balance("a", "USD", "40");
  state.set_balance("b", "USD", "-5");
  CHECK(postings_of("send [USD *] (source = { @a @b allowing overdraft up to [USD 20] } "
                    "destination = @c)",
                    state) == "a->c 40 USD, b->c 15 USD");
  CHECK(postings_of("send [USD *] (source = @b destination = @c)", state).empty());
}

TEST_CASE("send-all of an unbounded source or an allotment is an error", "[numscript]") {
  TableState state;
  CHECK(error_of("send [USD *] (source = @world destination = @c)", state).code ==
        Code::kInterpreterRuntime);
  CHECK(error_of("send [USD *] (source = @a allowing unbounded overdraft destination = @c)", state)
            .code == Code::kInterpreterRuntime);
  CHECK(
      error_of("send [USD *] (source = { 1/2 from @a remaining from @b } destination = @c)", state)
          .code == Code::kInterpreterRuntime);
}

TEST_CASE("balances carry from one statement to the next", "[numscript]") {
  TableState state;
  state.set_balance("a", "USD", "10");
  CHECK(postings_of(R"(send [USD 10] (source = @world destination = @a)
      send [USD *] (source = @a destination = @b))",
                    state) == "world->a 10 USD, a->b 20 USD");
  CHECK(error_of(R"(send [USD 6] (source = @a destination = @b)
      send [USD 6] (source = @a destination = @b))",
                 state)
            .code == Code::kInsufficientFunds);
}

TEST_CASE("one source listed twice in a row yields one posting", "[numscript]") {
  TableState state;
  state.set_balance("a", "USD", "3");
  state.set_balance("b", "USD", "3");
  CHECK(postings_of("send [USD 9] (source = { max [USD 2] from @a @a @b @world } "
                    "destination = @z)",
                    state) == "a->z 3 USD, b->z 3 USD, world->z 3 USD");
}

TEST_CASE("zero amounts never become postings", "[numscript]") {
  TableState state;
  CHECK(postings_of("send [USD 0] (source = { @a @b } destination = @c)", state).empty());
  CHECK(postings_of("send [USD 3] (source = { @empty @world } destination = @c)", state) ==
        "world->c 3 USD");
}

TEST_CASE("save sets funds aside for the rest of the script", "[numscript]") {
  TableState state;
  state.set_balance("alice", "USD", "50");
  CHECK(postings_of(R"(save [USD 20] from @alice
      send [USD 40] (source = { @alice @world } destination = @bob))",
                    state) == "alice->bob 30 USD, world->bob 10 USD");
  CHECK(postings_of(R"(save [USD *] from @alice
      send [USD 5] (source = { @alice @world } destination = @bob))",
                    state) == "world->bob 5 USD");
}

TEST_CASE("a negative amount is refused when sent or saved", "[numscript]") {
  TableState state;
  Error sent = error_of("send [USD -1] (source = @world destination = @b)", state);
  CHECK(sent.code == Code::kInterpreterRuntime);
  CHECK(sent.message.find("negative amount") != std::string::npos);
  CHECK(error_of("save [USD -1] from @a", state).code == Code::kInterpreterRuntime);
  CHECK(postings_of("send -[USD -4] (source = @world destination = @b)", state) ==
        "world->b 4 USD");
}

TEST_CASE("monetary arithmetic needs one currency", "[numscript]") {
  TableState state;
  CHECK(postings_of("send [USD 10] - [USD 3] + [USD 1] (source = @world destination = @b)",
                    state) == "world->b 8 USD");
  CHECK(error_of("send [USD 10] + [EUR 1] (source = @world destination = @b)", state).code ==
        Code::kInterpreterRuntime);
  CHECK(error_of("send [USD 10] (source = max [EUR 1] from @a destination = @b)", state).code ==
        Code::kInterpreterRuntime);
}

TEST_CASE("variables are parsed by their declared type", "[numscript]") {
  TableState state;
  state.set_balance("users:1", "EUR/2", "1000");
  auto output = run_script(R"(vars {
        account $from  account $to  asset $unit  number $n  portion $cut  string $note
        monetary $tip
      }
      send [$unit $n] (source = $from destination = { $cut to $to remaining to @house })
      send $tip (source = @world destination = $to)
      set_tx_meta("note", $note)
      set_tx_meta("cut", $cut))",
                           state,
                           {{"from", "users:1"},
                            {"to", "users:2"},
                            {"unit", "EUR/2"},
                            {"n", "200"},
                            {"cut", "15%"},
                            {"note", "ride"},
                            {"tip", "EUR/2 7"},
                            {"unused", "ignored"}});
  REQUIRE(output.ok());
  CHECK(postings_text(output->postings) ==
        "users:1->users:2 30 EUR/2, users:1->house 170 EUR/2, world->users:2 7 EUR/2");
  CHECK(output->transaction_metadata.at("note") == "ride");
  CHECK(output->transaction_metadata.at("cut") == "3/20");
}

TEST_CASE("a variable missing or malformed is a compilation failure", "[numscript]") {
  TableState state;
  const std::string script = "vars { monetary $m } send $m (source = @world destination = @b)";
  CHECK(error_of(script, state).code == Code::kCompilationFailed);
  for (const char* bad : {"USD", "USD 1 2", "usd 1", "USD x", "USD  1"}) {
    INFO(bad);
    CHECK(error_of(script, state, {{"m", bad}}).code == Code::kCompilationFailed);
  }
  CHECK(error_of("vars { account $a } send [USD 1] (source = @world destination = $a)", state,
                 {{"a", "no spaces"}})
            .code == Code::kCompilationFailed);
  CHECK(error_of("vars { portion $p } send [USD 1] (source = @world destination = { $p to @a "
                 "remaining kept })",
                 state, {{"p", "120%"}})
            .code == Code::kCompilationFailed);
}

TEST_CASE("meta() variables follow the ledger's account metadata", "[numscript]") {
  TableState state;
  state.set_balance("orders:7", "USD", "100");
  state.set_metadata("orders:7", "seller", "shops:3");
  state.set_metadata("shops:3", "fee", "10%");
  const std::string script = R"(vars {
        account $order
        account $seller = meta($order, "seller")
        portion $fee = meta($seller, "fee")
      }
      send [USD 100] (source = $order destination = { $fee to @platform remaining to $seller }))";
  CHECK(postings_of(script, state, {{"order", "orders:7"}}) ==
        "orders:7->platform 10 USD, orders:7->shops:3 90 USD");
  state.set_metadata("orders:7", "seller", "shops:4");
  state.set_metadata("shops:4", "fee", "1/4");
  CHECK(postings_of(script, state, {{"order", "orders:7"}}) ==
        "orders:7->platform 25 USD, orders:7->shops:4 75 USD");
}

TEST_CASE("meta() of an absent or malformed key fails at run time", "[numscript]") {
  TableState state;
  const std::string script =
      "vars { account $to = meta(@cfg, \"target\") } send [USD 1] (source = @world "
      "destination = $to)";
  CHECK(error_of(script, state).code == Code::kInterpreterRuntime);
  state.set_metadata("cfg", "target", "not an account!");
  CHECK(error_of(script, state).code == Code::kInterpreterRuntime);
}

TEST_CASE("balance() reads a balance as a monetary and refuses a negative one", "[numscript]") {
  TableState state;
  state.set_balance("vault", "USD", "42");
  CHECK(postings_of("vars { monetary $all = balance(@vault, USD) } send $all (source = @vault "
                    "destination = @out)",
                    state) == "vault->out 42 USD");
  state.set_balance("vault", "USD", "-1");
  CHECK(error_of("vars { monetary $all = balance(@vault, USD) } send $all (source = @world "
                 "destination = @out)",
                 state)
            .code == Code::kInterpreterRuntime);
}

TEST_CASE("set_tx_meta and set_account_meta write each value's text", "[numscript]") {
  TableState state;
  auto output = run_script(R"(set_tx_meta("amount", [USD/2 1050])
      set_tx_meta("account", @users:1)
      set_tx_meta("asset", USD/2)
      set_tx_meta("number", -3)
      set_tx_meta("portion", 30%)
      set_tx_meta("number", 4)
      set_account_meta(@users:1, "tier", "gold")
      set_account_meta(@users:1, "limit", [USD 5] - [USD 7]))",
                           state);
  REQUIRE(output.ok());
  CHECK(output->transaction_metadata == std::map<std::string, std::string>{{"amount", "USD/2 1050"},
                                                                           {"account", "users:1"},
                                                                           {"asset", "USD/2"},
                                                                           {"number", "4"},
                                                                           {"portion", "3/10"}});
  CHECK(output->account_metadata.at("users:1").at("tier") == "gold");
  CHECK(output->account_metadata.at("users:1").at("limit") == "USD -2");
  CHECK(output->postings.empty());
}

TEST_CASE("amounts near 2^256 are exact, and 2^256 is an error", "[numscript]") {
  TableState state;
  const std::string max =
      "115792089237316195423570985008687907853269984665640564039457584007913129639935";
  CHECK(postings_of("vars { number $n } send [USD $n] (source = @world destination = @b)", state,
                    {{"n", max}}) == "world->b " + max + " USD");
  CHECK(
      postings_of("vars { monetary $m } send $m (source = @world destination = { 1/2 to @a "
                  "remaining to @b })",
                  state, {{"m", "USD " + max}}) ==
      "world->a 57896044618658097711785492504343953926634992332820282019728792003956564819968 "
      "USD, world->b 57896044618658097711785492504343953926634992332820282019728792003956564819967 "
      "USD");
  Error overflow = error_of(
      "vars { number $n } send [USD $n + 1] (source = @world "
      "destination = @b)",
      state, {{"n", max}});
  CHECK(overflow.code == Code::kInterpreterRuntime);
  CHECK(overflow.message.find("2^256") != std::string::npos);
}

TEST_CASE("a posting that would reach 2^256 is an error", "[numscript]") {
  TableState state;
  const std::string max =
      "115792089237316195423570985008687907853269984665640564039457584007913129639935";
  state.set_balance("rich", "USD", max);
  Error error = error_of(
      "vars { monetary $o } send [USD *] (source = @rich allowing overdraft "
      "up to $o destination = @b)",
      state, {{"o", "USD " + max}});
  CHECK(error.code == Code::kInterpreterRuntime);
}

TEST_CASE("division makes a portion and dividing by zero is an error", "[numscript]") {
  TableState state;
  CHECK(postings_of("vars { number $a number $b } send [USD 9] (source = @world destination = "
                    "{ $a/$b to @x remaining to @y })",
                    state, {{"a", "2"}, {"b", "3"}}) == "world->x 6 USD, world->y 3 USD");
  CHECK(error_of("vars { number $a number $b } send [USD 9] (source = @world destination = "
                 "{ $a/$b to @x remaining to @y })",
                 state, {{"a", "2"}, {"b", "0"}})
            .code == Code::kInterpreterRuntime);
}

TEST_CASE("oneof takes the first source that can pay it all", "[numscript]") {
  TableState state;
  state.set_balance("a", "USD", "5");
  state.set_balance("b", "USD", "20");
  CHECK(postings_of("#![feature(\"experimental-oneof\")]\n"
                    "send [USD 10] (source = oneof { @a @b @world } destination = @z)",
                    state) == "b->z 10 USD");
  CHECK(postings_of("#![feature(\"experimental-oneof\")]\n"
                    "send [USD 30] (source = oneof { @a @b { @a @b @world } } destination = @z)",
                    state) == "a->z 5 USD, b->z 20 USD, world->z 5 USD");
  CHECK(postings_of("#![feature(\"experimental-oneof\")]\n"
                    "send [USD 10] (source = @world destination = oneof { max [USD 5] to @p "
                    "max [USD 10] to @q remaining kept })",
                    state) == "world->q 10 USD");
}

TEST_CASE("overdraft(), get_asset() and get_amount() read what they name", "[numscript]") {
  TableState state;
  state.set_balance("debtor", "USD", "-12");
  CHECK(
      postings_of(
          R"(#![feature("experimental-overdraft-function", "experimental-get-asset-function", "experimental-get-amount-function")]
      vars {
        monetary $debt = overdraft(@debtor, USD)
        asset $unit = get_asset($debt)
        number $size = get_amount($debt)
      }
      send [$unit $size] (source = @world destination = @debtor))",
          state) == "world->debtor 12 USD");
}

TEST_CASE("interpolated accounts are built from variables and checked", "[numscript]") {
  TableState state;
  const std::string script =
      "#![feature(\"experimental-account-interpolation\")]\n"
      "vars { number $id string $kind } send [USD 1] (source = @world destination = "
      "@users:$id:$kind)";
  CHECK(postings_of(script, state, {{"id", "42"}, {"kind", "main"}}) ==
        "world->users:42:main 1 USD");
  CHECK(error_of(script, state, {{"id", "42"}, {"kind", "bad name"}}).code ==
        Code::kInterpreterRuntime);
}

TEST_CASE("mid-script balance() sees the balance as the script has moved it", "[numscript]") {
  TableState state;
  state.set_balance("a", "USD", "10");
  CHECK(postings_of(R"(#![feature("experimental-mid-script-function-call")]
      send [USD 4] (source = @a destination = @b)
      send balance(@a, USD) (source = @world destination = @c))",
                    state) == "a->b 4 USD, world->c 6 USD");
}

TEST_CASE("more postings than a transaction holds is an error", "[numscript]") {
  TableState state;
  std::string script;
  for (int i = 0; i < 129; ++i) {
    script += "send [USD 2] (source = @world destination = { 1/2 to @a" + std::to_string(i) +
              " remaining to @b" + std::to_string(i) + " })\n";
  }
  Error error = error_of(script, state);
  CHECK(error.code == Code::kInterpreterRuntime);
  CHECK(error.message.find("postings") != std::string::npos);
}

TEST_CASE("a posting with an asset Tally refuses is a runtime error", "[numscript]") {
  TableState state;
  CHECK(error_of("send [ABCDEFGHIJKLMNOPQRSTUVWXYZ 1] (source = @world destination = @b)", state)
            .code == Code::kInterpreterRuntime);
  CHECK(postings_of("send [ABCDEFGHIJKLMNOPQRSTUVWXYZ 0] (source = @world destination = @b)", state)
            .empty());
}

}  // namespace
}  // namespace tally
