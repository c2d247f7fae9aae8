// [query] The filter language of the list reads (core/query/filter.hpp): the segment rule of
// address patterns, SQL LIKE, comparisons of numbers and dates, the schemas' refusals, and
// $and / $or / $not.
#include <catch2/catch.hpp>

#include "core/query/resources.hpp"

namespace tally::query {
namespace {

Filter leaf(Filter::Op op, std::string field, FilterValue value,
            std::optional<std::string> index = std::nullopt) {
  Filter out;
  out.op = op;
  out.field = std::move(field);
  out.index = std::move(index);
  out.value = std::move(value);
  return out;
}

FilterValue text(std::string value) {
  return {FilterValue::Type::kString, false, std::move(value), {}};
}

FilterValue number(std::string digits) {
  return {FilterValue::Type::kNumber, false, std::move(digits), {}};
}

TEST_CASE("an address pattern with an empty segment or a trailing ... matches by segment",
          "[query]") {
  CHECK(address_matches("users:", "users:1"));
  CHECK_FALSE(address_matches("users:", "users:1:a"));
  CHECK_FALSE(address_matches("users:", "users"));
  CHECK(address_matches("users::", "users:1:a"));
  CHECK_FALSE(address_matches("users::", "users:1"));
  CHECK(address_matches(":bob", "users:bob"));
  CHECK_FALSE(address_matches(":bob", "users:alice"));
  CHECK_FALSE(address_matches(":bob", "bob"));
  CHECK(address_matches("users:...", "users"));
  CHECK(address_matches("users:...", "users:1:a"));
  CHECK_FALSE(address_matches("users:...", "usersx:1"));
  CHECK(address_matches("...", "anything:at:all"));
  CHECK(address_matches("a::c", "a:b:c"));
  // Without an empty segment or a trailing ..., a pattern is the address itself.
  CHECK(address_matches("users:1", "users:1"));
  CHECK_FALSE(address_matches("users", "users:1"));
}

TEST_CASE("LIKE takes % for any run and _ for one byte", "[query]") {
  CHECK(like_matches("ref-%", "ref-12"));
  CHECK(like_matches("%-1_", "ref-12"));
  CHECK_FALSE(like_matches("ref-_", "ref-12"));
  CHECK(like_matches("%", ""));
  CHECK(like_matches("a%b%c", "axxbyyc"));
  CHECK_FALSE(like_matches("a%b%c", "axxbyy"));
}

TEST_CASE("comparisons read numbers exactly, signs included, and dates as instants", "[query]") {
  const domain::SignedAmount minus_five{true, domain::Amount(5)};
  CHECK(amount_leaf(leaf(Filter::Op::kLt, "balance", number("0")), minus_five));
  CHECK(amount_leaf(leaf(Filter::Op::kGte, "balance", number("-5")), minus_five));
  CHECK_FALSE(amount_leaf(leaf(Filter::Op::kGt, "balance", number("-5")), minus_five));
  CHECK(integer_leaf(leaf(Filter::Op::kMatch, "id", number("7")), 7));
  const std::uint64_t noon = 1704196800000000;  // 2024-01-02T12:00:00Z
  CHECK(date_leaf(leaf(Filter::Op::kLt, "timestamp", text("2024-01-02T13:00:00+01:00")), noon) ==
        false);
  CHECK(date_leaf(leaf(Filter::Op::kMatch, "timestamp", text("2024-01-02T13:00:00+01:00")), noon));
  CHECK(date_leaf(leaf(Filter::Op::kGt, "timestamp", text("2024-01-02T11:59:59.999Z")), noon));
}

TEST_CASE("a filter is validated against its resource's schema", "[query]") {
  CHECK(
      validate_filter(leaf(Filter::Op::kMatch, "address", text("users:")), account_schema()).ok());
  CHECK(validate_filter(leaf(Filter::Op::kLt, "balance", number("3"), "USD/2"), account_schema())
            .ok());
  CHECK(validate_filter(leaf(Filter::Op::kExists, "metadata", text("k")), account_schema()).ok());
  auto refused = [](const Filter& filter, const Schema& schema) {
    Status status = validate_filter(filter, schema);
    return !status.ok() && status.error().code == Code::kValidation;
  };
  CHECK(refused(leaf(Filter::Op::kMatch, "colour", text("red")), account_schema()));
  CHECK(refused(leaf(Filter::Op::kLt, "address", text("a")), account_schema()));
  CHECK(refused(leaf(Filter::Op::kLt, "id", text("one")), transaction_schema()));
  CHECK(refused(leaf(Filter::Op::kMatch, "timestamp", text("yesterday")), transaction_schema()));
  CHECK(refused(leaf(Filter::Op::kMatch, "reverted", text("yes")), transaction_schema()));
  CHECK(refused(leaf(Filter::Op::kMatch, "id", number("1"), "x"), transaction_schema()));
  CHECK(refused(leaf(Filter::Op::kMatch, "inserted_at", text("2024-01-01T00:00:00Z")),
                transaction_schema()));
  Filter empty_not;
  empty_not.op = Filter::Op::kNot;
  CHECK(refused(empty_not, transaction_schema()));
}

TEST_CASE("$and, $or and $not combine the leaves of one transaction", "[query]") {
  domain::TransactionState tx;
  tx.id = 3;
  tx.reference = "ref-3";
  tx.postings = {{"world", "users:1", domain::Amount(5), "USD"}};
  tx.metadata = {{"n", std::int64_t{3}}};
  auto answer = [&](const Filter& filter) {
    return evaluate(filter, [&](const Filter& one) { return transaction_leaf(one, tx); });
  };
  Filter both;
  both.op = Filter::Op::kAnd;
  both.children = {leaf(Filter::Op::kMatch, "destination", text("users:")),
                   leaf(Filter::Op::kMatch, "metadata", text("3"), "n")};
  CHECK(answer(both));
  Filter either;
  either.op = Filter::Op::kOr;
  either.children = {leaf(Filter::Op::kMatch, "source", text("users:")),
                     leaf(Filter::Op::kLike, "reference", text("ref-%"))};
  CHECK(answer(either));
  Filter neither;
  neither.op = Filter::Op::kNot;
  neither.children = {either};
  CHECK_FALSE(answer(neither));
  Filter none;
  none.op = Filter::Op::kAnd;
  CHECK(answer(none));  // an empty $and holds
}

}  // namespace
}  // namespace tally::query
