// The syntax of names and strings a client sends (docs/design.md §6, core/limits.hpp): each rule
// with inputs it accepts, inputs it rejects, and the bounds at max and max + 1.
#include <catch2/catch.hpp>

#include <initializer_list>
#include <string>
#include <string_view>

#include "core/domain/validation.hpp"
#include "core/limits.hpp"

namespace tally {
namespace {

using Validator = Status (*)(std::string_view);

void require_accepted(Validator validate, std::initializer_list<std::string> texts) {
  for (const std::string& text : texts) {
    Status status = validate(text);
    INFO("input " << domain::quote_input(text) << ": "
                  << (status.ok() ? std::string() : status.error().message));
    CHECK(status.ok());
  }
}

void require_rejected(Validator validate, std::initializer_list<std::string> texts) {
  for (const std::string& text : texts) {
    Status status = validate(text);
    INFO("input " << domain::quote_input(text));
    REQUIRE_FALSE(status.ok());
    CHECK(status.error().code == Code::kValidation);
    CHECK_FALSE(status.error().message.empty());
  }
}

const std::string kNul("a\0b", 3);

TEST_CASE("a ledger name is 1 to 63 of A-Z a-z 0-9 _ -", "[domain]") {
  require_accepted(domain::validate_ledger_name, {"main", "a", "Z", "0", "my-ledger_2", "-_-",
                                                  std::string(limits::kLedgerNameBytesMax, 'x')});
}

TEST_CASE("a ledger name rejects empty, too long, and any other byte", "[domain]") {
  require_rejected(domain::validate_ledger_name,
                   {std::string(), std::string(limits::kLedgerNameBytesMax + 1, 'x'), "my ledger",
                    "a:b", "a.b", "a/b", "caf\xc3\xa9", kNul});
}

TEST_CASE("an account is colon-separated segments of A-Z a-z 0-9 _ -", "[domain]") {
  std::string longest(limits::kAccountBytesMax, 'a');
  longest[100] = ':';
  require_accepted(domain::validate_account, {"world", "users:001", "a:b:c", "Bank_1:acc-2:X",
                                              std::string(limits::kAccountBytesMax, 'a'), longest});
}

TEST_CASE("an account rejects empty segments: colons at the edges or doubled", "[domain]") {
  require_rejected(domain::validate_account, {":", ":a", "a:", "a::b", "a:b:", "::"});
  CHECK_THAT(domain::validate_account(":a").error().message, Catch::Contains("starts with ':'"));
  CHECK_THAT(domain::validate_account("a:").error().message, Catch::Contains("ends with ':'"));
  CHECK_THAT(domain::validate_account("a::b").error().message, Catch::Contains("empty segment"));
}

TEST_CASE("an account rejects empty, too long, and any other byte", "[domain]") {
  require_rejected(domain::validate_account,
                   {std::string(), std::string(limits::kAccountBytesMax + 1, 'a'), "a b", "a/b",
                    "a.b", "users:\xc3\xa9", kNul});
}

TEST_CASE("an asset is an upper-case symbol with an optional /precision", "[domain]") {
  std::string symbol_max = "A" + std::string(16, '9');
  require_accepted(domain::validate_asset, {"USD", "A", "USD/2", "ETH/18", "BTC/008", "X1/0",
                                            symbol_max, symbol_max + "/999"});
  CHECK((symbol_max + "/999").size() == limits::kAssetBytesMax);
}

TEST_CASE("an asset rejects lower case, a leading digit and a symbol over 17", "[domain]") {
  require_rejected(domain::validate_asset,
                   {std::string(), "usd", "Usd", "uSD", "1USD", "/2", "US D", "USD-2", "USD.2",
                    "A" + std::string(17, 'B'), std::string("USD\0", 4)});
  CHECK_THAT(domain::validate_asset("usd").error().message, Catch::Contains("upper-case"));
}

TEST_CASE("an asset precision is 1 to 3 digits", "[domain]") {
  require_rejected(domain::validate_asset,
                   {"USD/", "USD/1234", "USD/a", "USD/2/3", "USD/-1", "USD/ 2"});
  CHECK_THAT(domain::validate_asset("USD/1234").error().message, Catch::Contains("4 digits"));
}

struct TextRule {
  const char* name;
  Validator validate;
  std::size_t bytes_max;
};

// References, metadata keys and idempotency keys share one rule, with their own length.
TextRule text_rule() {
  return GENERATE(
      TextRule{"reference", domain::validate_reference, limits::kReferenceBytesMax},
      TextRule{"metadata key", domain::validate_metadata_key, limits::kMetadataKeyBytesMax},
      TextRule{"idempotency key", domain::validate_idempotency_key,
               limits::kIdempotencyKeyBytesMax});
}

TEST_CASE("free text accepts 1 to max printable bytes, UTF-8 included", "[domain]") {
  TextRule rule = text_rule();
  INFO(rule.name);
  require_accepted(rule.validate, {"a", "order #42: paid (50%)", "caf\xc3\xa9", " ", "~",
                                   std::string(rule.bytes_max, 'x')});
}

TEST_CASE("free text rejects empty, max + 1, NUL, control bytes and DEL", "[domain]") {
  TextRule rule = text_rule();
  INFO(rule.name);
  require_rejected(rule.validate, {std::string(), std::string(rule.bytes_max + 1, 'x'), kNul,
                                   std::string(1, '\0'), "a\nb", "a\tb", "\x1f", "a\x7f"});
  CHECK_THAT(rule.validate(kNul).error().message, Catch::Contains(rule.name));
}

TEST_CASE("a rejection quotes the input, escaped and truncated", "[domain]") {
  CHECK_THAT(domain::validate_account("a::b").error().message, Catch::Contains("\"a::b\""));
  CHECK_THAT(domain::validate_reference(kNul).error().message,
             Catch::Contains("\"a\\x00b\"") && Catch::Contains("offset 1"));
  std::string message = domain::validate_reference(std::string(1000, 'x') + '\n').error().message;
  CHECK_THAT(message, Catch::Contains("...\" (1001 bytes)"));
  CHECK(message.size() < 200);
}

TEST_CASE("only the exact account name world is world", "[domain]") {
  CHECK(domain::is_world("world"));
  for (std::string_view account : {"", "World", "WORLD", "world:1", "worlds", " world", "users"})
    CHECK_FALSE(domain::is_world(account));
}

}  // namespace
}  // namespace tally
