// A script's footprint: once its variables are bound, the accounts and assets it may read or
// move, and the account metadata it reads or writes, whatever the amounts turn out to be.
#include <catch2/catch.hpp>

#include <set>
#include <string>

#include "core/numscript/footprint.hpp"
#include "tests/support/numscript_state.hpp"

namespace tally {
namespace {

using Volumes = std::set<std::pair<std::string, std::string>>;
using testing::TableState;

numscript::Footprint footprint_of(const std::string& script, TableState& state,
                                  const std::map<std::string, std::string>& vars = {}) {
  auto compiled = numscript::compile(script);
  REQUIRE(compiled.ok());
  auto footprint = numscript::script_footprint(**compiled, vars, state);
  INFO(script);
  if (!footprint.ok()) INFO(footprint.error().message);
  REQUIRE(footprint.ok());
  return std::move(footprint).value();
}

TEST_CASE("a footprint names every source and destination with its asset", "[numscript]") {
  TableState state;
  auto footprint = footprint_of(R"(send [USD 10] (
      source = { @a max [USD 2] from @b @c allowing unbounded overdraft { 1/2 from @d remaining from @world } }
      destination = { 10% to @x remaining to { max [USD 1] to @y max [USD 1] kept remaining to @z } }
    )
    send [EUR *] (source = @a destination = @x)
    save [GBP 1] from @s)",
                                state);
  CHECK(footprint.volumes == Volumes{{"a", "USD"},
                                     {"b", "USD"},
                                     {"c", "USD"},
                                     {"d", "USD"},
                                     {"world", "USD"},
                                     {"x", "USD"},
                                     {"y", "USD"},
                                     {"z", "USD"},
                                     {"a", "EUR"},
                                     {"x", "EUR"},
                                     {"s", "GBP"}});
  CHECK(footprint.metadata_reads.empty());
  CHECK(footprint.bound);
  CHECK(state.balance_reads == 0);  // statements are walked, not run
}

TEST_CASE("a footprint does not depend on balances", "[numscript]") {
  const std::string script =
      "send [USD 10] (source = { @a @b @c } destination = { max [USD 3] to @x remaining to @y })";
  TableState rich;
  rich.set_balance("a", "USD", "1000");
  TableState poor;
  CHECK(footprint_of(script, rich).volumes == footprint_of(script, poor).volumes);
}

TEST_CASE("variables, meta() and balance() shape the footprint", "[numscript]") {
  TableState state;
  state.set_metadata("sales:1", "seller", "shops:9");
  auto footprint = footprint_of(R"(vars {
        account $sale
        account $seller = meta($sale, "seller")
        monetary $float = balance(@treasury, EUR)
        asset $unit
      }
      send [$unit 5] (source = $sale destination = $seller)
      set_account_meta($seller, "last_sale", $sale))",
                                state, {{"sale", "sales:1"}, {"unit", "CHF"}});
  CHECK(footprint.volumes == Volumes{{"treasury", "EUR"}, {"sales:1", "CHF"}, {"shops:9", "CHF"}});
  CHECK(footprint.metadata_reads == std::set<std::string>{"sales:1"});
  CHECK(footprint.metadata_writes == std::set<std::string>{"shops:9"});
  REQUIRE(footprint.known_writes.size() == 1);
  CHECK(footprint.known_writes[0].key == "last_sale");
  CHECK(footprint.known_writes[0].value == "sales:1");
}

TEST_CASE("a mid-script balance() names its account", "[numscript]") {
  TableState state;
  auto footprint = footprint_of(R"(#![feature("experimental-mid-script-function-call")]
      send [USD 1] (source = max balance(@reserve, USD) from @pool destination = @out))",
                                state);
  CHECK(footprint.volumes == Volumes{{"reserve", "USD"}, {"pool", "USD"}, {"out", "USD"}});
}

TEST_CASE("a footprint whose metadata is absent keeps what binding read", "[numscript]") {
  TableState state;
  auto footprint = footprint_of(R"(vars { account $to = meta(@router, "next") }
      send [USD 1] (source = @world destination = $to))",
                                state);
  CHECK_FALSE(footprint.bound);
  CHECK(footprint.metadata_reads == std::set<std::string>{"router"});
  CHECK(footprint.volumes.empty());
}

TEST_CASE("a footprint refuses missing variables like a compile error", "[numscript]") {
  TableState state;
  auto compiled = numscript::compile(
      "vars { account $a } send [USD 1] (source = @world "
      "destination = $a)");
  REQUIRE(compiled.ok());
  auto footprint = numscript::script_footprint(**compiled, {}, state);
  REQUIRE_FALSE(footprint.ok());
  CHECK(footprint.error().code == Code::kCompilationFailed);
}

}  // namespace
}  // namespace tally
