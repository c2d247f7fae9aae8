// Numscript's numbers: bounded big integers (|n| < 2^256) and portions (rationals in lowest
// terms), over a fixed-capacity natural. Checked against values worked out by hand and
// against the core's own 256-bit Amount.
#include <catch2/catch.hpp>

#include <random>
#include <string>

#include "core/numscript/integer.hpp"

namespace tally {
namespace {

using numscript::Integer;
using numscript::Natural;
using numscript::Portion;

constexpr const char* kTwo256Minus1 =
    "115792089237316195423570985008687907853269984665640564039457584007913129639935";
constexpr const char* kTwo256 =
    "115792089237316195423570985008687907853269984665640564039457584007913129639936";

Integer integer(const std::string& text) {
  auto parsed = Integer::parse(text);
  INFO(text);
  REQUIRE(parsed.has_value());
  return *parsed;
}

Portion portion(const std::string& text) {
  auto parsed = Portion::parse_value(text);
  INFO(text);
  REQUIRE(parsed.has_value());
  return *parsed;
}

TEST_CASE("integers read and print in decimal with a sign, up to 2^256 - 1", "[numscript]") {
  CHECK(integer("0").to_decimal() == "0");
  CHECK(integer("-0").to_decimal() == "0");
  CHECK(integer("+42").to_decimal() == "42");
  CHECK(integer("-1000000000000").to_decimal() == "-1000000000000");
  CHECK(integer("007").to_decimal() == "7");
  CHECK(integer(kTwo256Minus1).to_decimal() == kTwo256Minus1);
  CHECK(integer(std::string("-") + kTwo256Minus1).to_decimal() == std::string("-") + kTwo256Minus1);
}

TEST_CASE("an integer of 2^256 or more, or with stray bytes, does not parse", "[numscript]") {
  CHECK_FALSE(Integer::parse(kTwo256));
  CHECK_FALSE(Integer::parse(std::string("-") + kTwo256));
  CHECK_FALSE(Integer::parse(""));
  CHECK_FALSE(Integer::parse("-"));
  CHECK_FALSE(Integer::parse("1_000"));
  CHECK_FALSE(Integer::parse("12a"));
  CHECK_FALSE(Integer::parse(" 1"));
  CHECK_FALSE(Integer::parse(std::string(200, '9')));
}

TEST_CASE("integer sums cross zero and report when they reach 2^256", "[numscript]") {
  CHECK(Integer::add(integer("5"), integer("-8"))->to_decimal() == "-3");
  CHECK(Integer::sub(integer("-5"), integer("-8"))->to_decimal() == "3");
  CHECK(Integer::sub(integer("5"), integer("5"))->to_decimal() == "0");
  CHECK_FALSE(Integer::sub(integer("5"), integer("5"))->negative);
  auto top = Integer::add(integer(kTwo256Minus1), integer("0"));
  CHECK(top->fits());
  auto past = Integer::add(integer(kTwo256Minus1), integer("1"));
  REQUIRE(past.has_value());
  CHECK(past->to_decimal() == kTwo256);
  CHECK_FALSE(past->fits());
}

TEST_CASE("integers order by value, negatives first", "[numscript]") {
  CHECK(integer("-10") < integer("-2"));
  CHECK(integer("-1") < integer("0"));
  CHECK(integer("3") < integer("12"));
  CHECK(numscript::min(integer("4"), integer("-4")).to_decimal() == "-4");
  CHECK(numscript::max(integer("4"), integer("-4")).to_decimal() == "4");
  CHECK(integer("-9").non_negative().to_decimal() == "0");
}

TEST_CASE("naturals agree with the core's 256-bit amounts on random values", "[numscript]") {
  std::mt19937_64 rng(20);
  for (int i = 0; i < 300; ++i) {
    domain::Amount::Limbs a{rng(), rng() >> (rng() % 64), 0, rng() % 3 == 0 ? rng() : 0};
    domain::Amount::Limbs b{rng(), rng() % 5 == 0 ? rng() : 0, rng() >> 7, 0};
    auto x = domain::Amount::from_limbs(a);
    auto y = domain::Amount::from_limbs(b);
    Natural nx = Natural::from_amount(x);
    Natural ny = Natural::from_amount(y);
    CHECK(nx.to_decimal() == x.to_decimal());
    CHECK(nx.to_amount() == x);
    auto sum = domain::Amount::checked_add(x, y);
    if (sum) CHECK(Natural::add(nx, ny)->to_decimal() == sum->to_decimal());
    CHECK((nx < ny) == (x < y));
    if (!ny.is_zero()) {
      auto [quotient, remainder] = Natural::divmod(nx, ny);
      auto back = Natural::add(*Natural::mul(quotient, ny), remainder);
      CHECK(*back == nx);
      CHECK(remainder < ny);
    }
  }
}

TEST_CASE("a natural of 2^256 or more is no amount", "[numscript]") {
  auto big = Natural::parse_decimal(kTwo256, 300);
  REQUIRE(big.has_value());
  CHECK_FALSE(big->to_amount().has_value());
  CHECK(big->bit_length() == 257);
  CHECK_FALSE(Natural::parse_decimal(kTwo256, 256).has_value());
}

TEST_CASE("percentages and fractions read as portions in lowest terms", "[numscript]") {
  CHECK(portion("12.5%").to_string() == "1/8");
  CHECK(portion("100%").to_string() == "1/1");
  CHECK(portion("0%").to_string() == "0/1");
  CHECK(portion("0.019%").to_string() == "19/100000");
  CHECK(portion("3/6").to_string() == "1/2");
  CHECK(portion("2 / 7").to_string() == "2/7");
  CHECK(portion("1/1").is_one());
}

TEST_CASE("a portion outside [0, 1] or malformed is refused", "[numscript]") {
  for (const char* text :
       {"101%", "4/3", "1/0", "-1/2", "1.%", ".5%", "50", "1//2", "1  /2", "%"}) {
    INFO(text);
    CHECK_FALSE(Portion::parse_value(text).has_value());
  }
}

TEST_CASE("portions add, subtract and floor their share of an amount", "[numscript]") {
  Portion third = portion("1/3");
  Portion sum = *Portion::add(third, portion("1/6"));
  CHECK(sum.to_string() == "1/2");
  CHECK(Portion::sub(portion("1/1"), sum)->to_string() == "1/2");
  CHECK(third.floor_times(Natural(100))->to_decimal() == "33");
  CHECK(portion("99%").floor_times(Natural(1))->to_decimal() == "0");
  CHECK(third < sum);
}

TEST_CASE("portion terms past their bound are refused", "[numscript]") {
  // 10^160 needs more than 512 bits: a percentage with that many decimals cannot be held.
  std::string tiny = "0." + std::string(160, '0') + "1%";
  CHECK_FALSE(Portion::parse_percent(tiny).has_value());
  std::string fine = "0." + std::string(100, '0') + "1%";
  CHECK(Portion::parse_percent(fine).has_value());
}

}  // namespace
}  // namespace tally
