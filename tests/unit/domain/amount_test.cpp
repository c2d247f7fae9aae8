// Amounts are unsigned 256-bit integers (docs/design.md §6): exact decimal round trips, checked
// arithmetic at every limb boundary, exactly one binary encoding per value. A seeded property
// test compares the limb code against decimal-string arithmetic written here, independently.
#include <catch2/catch.hpp>

#include <cstdint>
#include <random>
#include <string>
#include <string_view>

#include "core/domain/amount.hpp"

namespace Catch {
template <>
struct StringMaker<tally::domain::Amount> {
  static std::string convert(const tally::domain::Amount& a) { return a.to_decimal(); }
};
template <>
struct StringMaker<tally::domain::SignedAmount> {
  static std::string convert(const tally::domain::SignedAmount& a) {
    return (a.negative ? "{negative, " : "{non-negative, ") + a.magnitude.to_decimal() + "}";
  }
};
}  // namespace Catch

namespace tally {
namespace {

using domain::Amount;
using domain::SignedAmount;

constexpr std::string_view kTwo64 = "18446744073709551616";
constexpr std::string_view kTwo128 = "340282366920938463463374607431768211456";
constexpr std::string_view kTwo192 = "6277101735386680763835789423207666416102355444464034512896";
constexpr std::string_view kMax =  // 2^256 - 1
    "115792089237316195423570985008687907853269984665640564039457584007913129639935";
constexpr std::string_view kTwo256 =
    "115792089237316195423570985008687907853269984665640564039457584007913129639936";

Amount parse(std::string_view text) {
  auto result = Amount::parse_decimal(text);
  INFO(std::string(text));
  REQUIRE(result.ok());
  return result.value();
}

// 2^bit.
Amount power_of_two(int bit) {
  Amount::Limbs limbs{};
  limbs[bit / 64] = std::uint64_t{1} << (bit % 64);
  return Amount::from_limbs(limbs);
}

// 2^bits - 1: the low `bits` bits set.
Amount low_ones(int bits) {
  Amount::Limbs limbs{};
  for (int i = 0; i < bits; ++i)
    limbs[i / 64] |= std::uint64_t{1} << (i % 64);
  return Amount::from_limbs(limbs);
}

Amount add(const Amount& a, const Amount& b) {
  auto sum = Amount::checked_add(a, b);
  REQUIRE(sum.has_value());
  return *sum;
}

Amount sub(const Amount& a, const Amount& b) {
  auto difference = Amount::checked_sub(a, b);
  REQUIRE(difference.has_value());
  return *difference;
}

// --- The reference: non-negative integers as decimal strings, no leading zeros. ---

std::string dec_strip(std::string s) {
  std::size_t first = s.find_first_not_of('0');
  return first == std::string::npos ? "0" : s.substr(first);
}

int dec_compare(const std::string& a, const std::string& b) {
  if (a.size() != b.size()) return a.size() < b.size() ? -1 : 1;
  return a.compare(b) < 0 ? -1 : (a.compare(b) > 0 ? 1 : 0);
}

std::string dec_add(const std::string& a, const std::string& b) {
  std::string out;
  int carry = 0;
  for (std::size_t i = 0; i < a.size() || i < b.size() || carry != 0; ++i) {
    int digit = carry;
    digit += i < a.size() ? a[a.size() - 1 - i] - '0' : 0;
    digit += i < b.size() ? b[b.size() - 1 - i] - '0' : 0;
    out.push_back(static_cast<char>('0' + digit % 10));
    carry = digit / 10;
  }
  return dec_strip(std::string(out.rbegin(), out.rend()));
}

// REQUIRES: a >= b.
std::string dec_sub(const std::string& a, const std::string& b) {
  std::string out;
  int borrow = 0;
  for (std::size_t i = 0; i < a.size(); ++i) {
    int digit = (a[a.size() - 1 - i] - '0') - borrow;
    digit -= i < b.size() ? b[b.size() - 1 - i] - '0' : 0;
    borrow = digit < 0 ? 1 : 0;
    out.push_back(static_cast<char>('0' + digit + 10 * borrow));
  }
  return dec_strip(std::string(out.rbegin(), out.rend()));
}

// The decimal value of limbs, bit by bit from the top: s = 2s + bit.
std::string dec_of_limbs(const Amount::Limbs& limbs) {
  std::string s = "0";
  for (int bit = 255; bit >= 0; --bit) {
    s = dec_add(s, s);
    if ((limbs[bit / 64] >> (bit % 64)) & 1) s = dec_add(s, "1");
  }
  return s;
}

// Random limbs of a random width, biased to zero and all-ones limbs so carries and borrows
// run through whole limbs often.
Amount::Limbs random_limbs(std::mt19937_64& rng) {
  int width = static_cast<int>(rng() % 257);
  Amount::Limbs limbs{};
  for (int i = 0; i < 4; ++i) {
    std::uint64_t kind = rng() % 4;
    limbs[i] = kind == 0 ? 0 : (kind == 1 ? ~std::uint64_t{0} : rng());
    int kept = width - 64 * i;  // bits of this limb below the width
    if (kept <= 0)
      limbs[i] = 0;
    else if (kept < 64)
      limbs[i] &= (std::uint64_t{1} << kept) - 1;
  }
  return limbs;
}

TEST_CASE("an amount defaults to zero, which prints as 0", "[domain]") {
  Amount zero;
  CHECK(zero.is_zero());
  CHECK(zero.to_decimal() == "0");
  CHECK(zero == Amount::from_u64(0));
  CHECK_FALSE(Amount(1).is_zero());
  CHECK(Amount::from_u64(42) == Amount(42));
}

TEST_CASE("decimal text round trips at every power-of-two boundary", "[domain]") {
  struct Case {
    std::string_view text;
    Amount value;
  };
  for (const auto& c : {Case{"0", Amount()}, Case{"1", Amount(1)},
                        Case{"18446744073709551615", Amount(~std::uint64_t{0})},
                        Case{kTwo64, power_of_two(64)}, Case{kTwo128, power_of_two(128)},
                        Case{kTwo192, power_of_two(192)}, Case{kMax, Amount::max()}}) {
    INFO(std::string(c.text));
    Amount parsed = parse(c.text);
    CHECK(parsed == c.value);
    CHECK(parsed.to_decimal() == c.text);
  }
}

TEST_CASE("leading zeros are accepted and not printed back", "[domain]") {
  CHECK(parse("007") == Amount(7));
  CHECK(parse("0000") == Amount());
  CHECK(parse("007").to_decimal() == "7");
  // Only significant digits count against the 78-digit limit.
  CHECK(parse(std::string(200, '0') + std::string(kMax)) == Amount::max());
}

TEST_CASE("parsing rejects empty text, signs, spaces and any non-digit", "[domain]") {
  auto text = GENERATE(as<std::string>{}, "", "-1", "+1", " 1", "1 ", "1,000", "1_000", "1.5",
                       "1e3", "0x10", "12a", std::string("1\0", 2), "\xd9\xa1" /* Arabic 1 */);
  auto result = Amount::parse_decimal(text);
  REQUIRE_FALSE(result.ok());
  CHECK(result.error().code == Code::kValidation);
  CHECK_THAT(result.error().message, Catch::Contains("amount"));
}

TEST_CASE("parsing rejects 2^256 and anything above", "[domain]") {
  for (const std::string& text : {std::string(kTwo256), std::string(78, '9')}) {
    auto result = Amount::parse_decimal(text);
    REQUIRE_FALSE(result.ok());
    CHECK(result.error().code == Code::kValidation);
    CHECK_THAT(result.error().message, Catch::Contains("exceeds 2^256 - 1"));
  }
}

TEST_CASE("parsing rejects more than 78 significant digits", "[domain]") {
  auto result = Amount::parse_decimal("1" + std::string(78, '0'));
  REQUIRE_FALSE(result.ok());
  CHECK(result.error().code == Code::kValidation);
  CHECK_THAT(result.error().message, Catch::Contains("79 significant digits"));
}

TEST_CASE("comparison is numeric: the high limb decides first", "[domain]") {
  CHECK(power_of_two(64) > Amount(~std::uint64_t{0}));
  CHECK(Amount::from_limbs({0, 0, 0, 1}) > Amount::from_limbs({~0ULL, ~0ULL, ~0ULL, 0}));
  CHECK(Amount::from_limbs({5, 0, 1, 0}) < Amount::from_limbs({4, 0, 2, 0}));
  CHECK(Amount::from_limbs({5, 0, 1, 0}) > Amount::from_limbs({4, 0, 1, 0}));
  CHECK(Amount(3) == Amount(3));
  CHECK(Amount(3) != Amount(4));
  CHECK((Amount::max() <=> Amount::max()) == std::strong_ordering::equal);
}

TEST_CASE("addition carries across every limb boundary", "[domain]") {
  for (int bit : {64, 128, 192}) {
    INFO("bit " << bit);
    CHECK(add(low_ones(bit), Amount(1)) == power_of_two(bit));
    CHECK(add(Amount(1), low_ones(bit)) == power_of_two(bit));
    CHECK(add(power_of_two(bit - 1), power_of_two(bit - 1)) == power_of_two(bit));
  }
  CHECK(add(low_ones(255), Amount(1)) == power_of_two(255));
  CHECK(add(low_ones(255), power_of_two(255)) == Amount::max());
}

TEST_CASE("subtraction borrows across every limb boundary", "[domain]") {
  for (int bit : {64, 128, 192}) {
    INFO("bit " << bit);
    CHECK(sub(power_of_two(bit), Amount(1)) == low_ones(bit));
    CHECK(sub(power_of_two(bit), low_ones(bit)) == Amount(1));
  }
  CHECK(sub(Amount::max(), Amount::max()).is_zero());
  CHECK(sub(Amount::max(), low_ones(255)) == power_of_two(255));
}

TEST_CASE("addition past 2^256 - 1 overflows", "[domain]") {
  CHECK_FALSE(Amount::checked_add(Amount::max(), Amount(1)).has_value());
  CHECK_FALSE(Amount::checked_add(Amount(1), Amount::max()).has_value());
  CHECK_FALSE(Amount::checked_add(Amount::max(), Amount::max()).has_value());
  CHECK_FALSE(Amount::checked_add(power_of_two(255), power_of_two(255)).has_value());
  CHECK(add(sub(Amount::max(), Amount(1)), Amount(1)) == Amount::max());
  CHECK(add(Amount::max(), Amount()) == Amount::max());
}

TEST_CASE("subtracting a larger amount underflows", "[domain]") {
  CHECK_FALSE(Amount::checked_sub(Amount(), Amount(1)).has_value());
  CHECK_FALSE(Amount::checked_sub(Amount(5), Amount(6)).has_value());
  CHECK_FALSE(Amount::checked_sub(power_of_two(64), power_of_two(128)).has_value());
  CHECK_FALSE(Amount::checked_sub(low_ones(255), Amount::max()).has_value());
  CHECK(sub(Amount(6), Amount(6)).is_zero());
}

TEST_CASE("add, sub, compare and to_decimal agree with decimal-string arithmetic", "[domain]") {
  constexpr std::uint64_t kSeed = 0x7a11'2025;
  constexpr int kRounds = 3000;
  const std::string max(kMax);
  std::mt19937_64 rng(kSeed);
  for (int round = 0; round < kRounds; ++round) {
    Amount::Limbs a_limbs = random_limbs(rng);
    Amount::Limbs b_limbs = random_limbs(rng);
    Amount a = Amount::from_limbs(a_limbs);
    Amount b = Amount::from_limbs(b_limbs);
    std::string ra = dec_of_limbs(a_limbs);
    std::string rb = dec_of_limbs(b_limbs);
    INFO("seed " << kSeed << " round " << round << ": a = " << ra << ", b = " << rb);

    REQUIRE(a.to_decimal() == ra);
    REQUIRE(parse(ra) == a);
    int order = dec_compare(ra, rb);
    REQUIRE((a < b) == (order < 0));
    REQUIRE((a == b) == (order == 0));

    std::string sum = dec_add(ra, rb);
    auto checked_sum = Amount::checked_add(a, b);
    REQUIRE(checked_sum.has_value() == (dec_compare(sum, max) <= 0));
    if (checked_sum) REQUIRE(checked_sum->to_decimal() == sum);

    auto checked_difference = Amount::checked_sub(a, b);
    REQUIRE(checked_difference.has_value() == (order >= 0));
    if (checked_difference) REQUIRE(checked_difference->to_decimal() == dec_sub(ra, rb));
  }
}

TEST_CASE("the minimal little-endian encoding round trips with one byte form per value",
          "[domain]") {
  CHECK(Amount().to_minimal_le().empty());
  CHECK(Amount(1).to_minimal_le() == Bytes{1});
  CHECK(Amount(256).to_minimal_le() == Bytes{0, 1});
  CHECK(Amount::max().to_minimal_le() == Bytes(32, 0xff));
  for (int bit = 0; bit < 256; ++bit) {
    INFO("2^" << bit);
    Bytes encoded = power_of_two(bit).to_minimal_le();
    CHECK(encoded.size() == static_cast<std::size_t>(bit / 8 + 1));
    auto decoded = Amount::from_minimal_le(encoded);
    REQUIRE(decoded.ok());
    CHECK(decoded.value() == power_of_two(bit));
  }
  auto empty = Amount::from_minimal_le(Bytes{});
  REQUIRE(empty.ok());
  CHECK(empty.value().is_zero());
}

TEST_CASE("decoding rejects a non-minimal encoding (a trailing zero byte)", "[domain]") {
  Bytes max_with_zero(32, 0xff);
  max_with_zero.back() = 0;
  for (const Bytes& bytes : {Bytes{0}, Bytes{1, 0}, Bytes(32, 0), max_with_zero}) {
    auto result = Amount::from_minimal_le(bytes);
    REQUIRE_FALSE(result.ok());
    CHECK(result.error().code == Code::kCorrupt);
    CHECK_THAT(result.error().message, Catch::Contains("not minimal"));
  }
}

TEST_CASE("decoding rejects more than 32 bytes", "[domain]") {
  Bytes wide(33, 0xff);
  Bytes wide_one(33, 0);
  wide_one.back() = 1;
  for (const Bytes& bytes : {wide, wide_one}) {
    auto result = Amount::from_minimal_le(bytes);
    REQUIRE_FALSE(result.ok());
    CHECK(result.error().code == Code::kCorrupt);
    CHECK_THAT(result.error().message, Catch::Contains("33 bytes"));
  }
}

TEST_CASE("a balance is input minus output, negative when output exceeds input", "[domain]") {
  CHECK(domain::balance_of(Amount(5), Amount(3)) == SignedAmount{false, Amount(2)});
  CHECK(domain::balance_of(Amount(3), Amount(5)) == SignedAmount{true, Amount(2)});
  CHECK(domain::balance_of(Amount(3), Amount(5)).to_decimal() == "-2");
  CHECK(domain::balance_of(Amount(5), Amount(3)).to_decimal() == "2");
  CHECK(domain::balance_of(Amount(), Amount::max()).to_decimal() == "-" + std::string(kMax));
  CHECK(domain::balance_of(Amount::max(), Amount()).to_decimal() == kMax);
}

TEST_CASE("a zero balance is never negative", "[domain]") {
  SignedAmount balance = domain::balance_of(Amount(7), Amount(7));
  CHECK_FALSE(balance.negative);
  CHECK(balance.to_decimal() == "0");
  SignedAmount negative_zero{true, Amount()};
  CHECK(negative_zero.to_decimal() == "0");
  CHECK(negative_zero == SignedAmount{});
  CHECK_FALSE(SignedAmount{true, Amount(1)} == SignedAmount{false, Amount(1)});
}

}  // namespace
}  // namespace tally
