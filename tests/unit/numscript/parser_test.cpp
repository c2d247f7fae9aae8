// The Numscript lexer and parser: every construct of the grammar reads into the tree the
// interpreter expects, and bad or hostile input is INTERPRETER_PARSE with a position, never a
// crash or a deep recursion.
#include <catch2/catch.hpp>

#include <string>

#include "core/limits.hpp"
#include "core/numscript/lexer.hpp"
#include "core/numscript/parser.hpp"

namespace tally {
namespace {

using numscript::Destination;
using numscript::Expr;
using numscript::Program;
using numscript::Source;
using numscript::Statement;
using numscript::TokenKind;

Program parsed(const std::string& script) {
  auto program = numscript::parse(script);
  INFO(script);
  if (!program.ok()) INFO(program.error().message);
  REQUIRE(program.ok());
  return std::move(program).value();
}

Error parse_error(const std::string& script) {
  auto program = numscript::parse(script);
  INFO(script);
  REQUIRE_FALSE(program.ok());
  CHECK(program.error().code == Code::kInterpreterParse);
  return program.error();
}

const Statement& only_statement(const Program& program) {
  REQUIRE(program.statements.size() == 1);
  return program.statements[0];
}

TEST_CASE("the lexer tells keywords, names, assets, numbers and percentages apart", "[numscript]") {
  auto tokens = numscript::tokenize("send maxi max USD/2 EUR 1_000 12.5% 3 $x_1 \"a\\\"b\" @a:b");
  REQUIRE(tokens.ok());
  std::vector<TokenKind> kinds;
  for (const auto& token : *tokens)
    kinds.push_back(token.kind);
  CHECK(kinds == std::vector<TokenKind>{TokenKind::kSend, TokenKind::kIdentifier, TokenKind::kMax,
                                        TokenKind::kAsset, TokenKind::kAsset, TokenKind::kNumber,
                                        TokenKind::kPercent, TokenKind::kNumber,
                                        TokenKind::kVariable, TokenKind::kString, TokenKind::kAt,
                                        TokenKind::kAccountText, TokenKind::kColon,
                                        TokenKind::kAccountText, TokenKind::kEnd});
  CHECK((*tokens)[3].text == "USD/2");
  CHECK((*tokens)[5].text == "1000");
  CHECK((*tokens)[8].text == "x_1");
  CHECK((*tokens)[9].text == "a\\\"b");  // kept as written, as Formance keeps it
}

TEST_CASE("comments and newlines are optional layout", "[numscript]") {
  Program p = parsed(
      "/* a /* nested */ comment */ send [USD 1] ( // to the end of the line\n"
      "source = @a destination = @b ) // and at the very end");
  CHECK(p.statements.size() == 1);
}

TEST_CASE("a send reads its amount, its source and its destination", "[numscript]") {
  Program p = parsed("send [EUR/2 100] (source = @users:001 destination = @merchants:42)");
  const Statement& s = only_statement(p);
  CHECK(s.kind == Statement::Kind::kSend);
  CHECK_FALSE(s.sent.all);
  CHECK(s.sent.monetary->kind == Expr::Kind::kMonetary);
  CHECK(s.source->kind == Source::Kind::kAccount);
  REQUIRE(s.source->address->parts.size() == 3);
  CHECK(s.source->address->parts[2].text == "001");
  CHECK(s.destination->kind == Destination::Kind::kAccount);
}

TEST_CASE("send-all reads [ASSET *] and monetary arithmetic reads as an expression",
          "[numscript]") {
  Program all = parsed("send [COIN *] (source = @a destination = @b)");
  CHECK(only_statement(all).sent.all);
  Program sum = parsed("send [COIN 1] + [COIN 2] (source = @world destination = @b)");
  CHECK(only_statement(sum).sent.monetary->kind == Expr::Kind::kAdd);
}

TEST_CASE("[ASSET -n] is an asset and a negative amount, not a subtraction", "[numscript]") {
  Program p = parsed("send -[EUR/2 -100] (source=@world destination=@d)");
  const Expr& negate = *only_statement(p).sent.monetary;
  REQUIRE(negate.kind == Expr::Kind::kNegate);
  const Expr& literal = *negate.operands[0];
  REQUIRE(literal.kind == Expr::Kind::kMonetary);
  CHECK(literal.operands[0]->kind == Expr::Kind::kAsset);
  CHECK(literal.operands[1]->kind == Expr::Kind::kNegate);
}

TEST_CASE("prefix minus binds tightest, then '/', then '+' and '-' from the left", "[numscript]") {
  Program p = parsed("set_tx_meta(\"k\", 10 - 2 - 3)\nset_tx_meta(\"k\", 1 + 6/3)");
  const Expr& left_assoc = *p.statements[0].call->operands[1];
  REQUIRE(left_assoc.kind == Expr::Kind::kSubtract);
  CHECK(left_assoc.operands[0]->kind == Expr::Kind::kSubtract);
  const Expr& division_first = *p.statements[1].call->operands[1];
  REQUIRE(division_first.kind == Expr::Kind::kAdd);
  CHECK(division_first.operands[1]->kind == Expr::Kind::kDivide);
}

TEST_CASE("every source form parses", "[numscript]") {
  Program p = parsed(R"(send [COIN 10] (
    source = {
      @a allowing overdraft up to [COIN 5]
      @b allowing unbounded overdraft
      max [COIN 2] from @c
      oneof { @d @e }
      { 1/3 from @f  remaining from @g }
      @world
    }
    destination = @z
  ))");
  const Source& in_order = *only_statement(p).source;
  REQUIRE(in_order.kind == Source::Kind::kInOrder);
  REQUIRE(in_order.children.size() == 6);
  CHECK(in_order.children[0]->kind == Source::Kind::kOverdraft);
  CHECK(in_order.children[0]->bound != nullptr);
  CHECK(in_order.children[1]->kind == Source::Kind::kOverdraft);
  CHECK(in_order.children[1]->bound == nullptr);
  CHECK(in_order.children[2]->kind == Source::Kind::kCapped);
  CHECK(in_order.children[3]->kind == Source::Kind::kOneof);
  CHECK(in_order.children[4]->kind == Source::Kind::kAllotment);
  CHECK(in_order.children[4]->allotments[1].portion == nullptr);  // remaining
}

TEST_CASE("every destination form parses", "[numscript]") {
  Program p = parsed(R"(send [COIN 10] (
    source = @world
    destination = {
      10% to @a
      20% kept
      remaining to {
        max [COIN 3] to @b
        max [COIN 1] kept
        remaining to oneof { max [COIN 2] to @c remaining kept }
      }
    }
  ))");
  const Destination& d = *only_statement(p).destination;
  REQUIRE(d.kind == Destination::Kind::kAllotment);
  CHECK(d.targets[1].kept);
  const Destination& in_order = *d.targets[2].to;
  REQUIRE(in_order.kind == Destination::Kind::kInOrder);
  CHECK(in_order.caps.size() == 2);
  CHECK(in_order.remaining.to->kind == Destination::Kind::kOneof);
}

TEST_CASE("vars, origins, features, save and function statements parse", "[numscript]") {
  Program p = parsed(R"(#![feature("experimental-oneof")]
    vars {
      account $seller
      portion $fee = meta($seller, "fee")
      monetary $held = balance(@escrow, USD/2)
    }
    save [USD/2 10] from @escrow
    save [USD/2 *] from $seller
    set_tx_meta("fee", $fee)
    set_account_meta($seller, "seen", "yes")
  )");
  CHECK(p.features == std::vector<std::string>{"experimental-oneof"});
  REQUIRE(p.variables.size() == 3);
  CHECK(p.variables[1].origin->kind == Expr::Kind::kCall);
  CHECK(p.statements[0].kind == Statement::Kind::kSave);
  CHECK(p.statements[1].sent.all);
  CHECK(p.statements[3].call->text == "set_account_meta");
}

TEST_CASE("syntax errors name their position", "[numscript]") {
  CHECK(parse_error("send [COIN 10] (source = @a)").message.find("line 1, column 28") !=
        std::string::npos);
  CHECK(parse_error("send [COIN 10] (\n  source = @a\n  destination = )").message.find("line 3") !=
        std::string::npos);
  parse_error("send [COIN 10");
  parse_error("vars { account }");
  parse_error("@ a");
  parse_error("send [COIN 1] (source = { 50% from @a @b } destination = @c)");
  parse_error("send [COIN 1] (source = @a destination = { max [COIN 1] to @b })");
  parse_error("\"unterminated");
  parse_error("/* unterminated");
  parse_error("send [COIN 1.5] (source = @a destination = @b)");
  parse_error("#feature");
}

TEST_CASE("a number literal past 2^256 is a parse error", "[numscript]") {
  parse_error("send [COIN " + std::string(80, '9') + "] (source = @world destination = @b)");
}

TEST_CASE("nesting deeper than the limit is refused without deep recursion", "[numscript]") {
  std::size_t depth = limits::kScriptNestingMax + 1;
  std::string parens =
      "set_tx_meta(\"k\", " + std::string(depth, '(') + "1" + std::string(depth, ')') + ")";
  CHECK(parse_error(parens).message.find("nesting") != std::string::npos);
  std::string sources = "send [COIN 1] (source = " + std::string(depth, '{') + "@a" +
                        std::string(depth, '}') + " destination = @b)";
  CHECK(parse_error(sources).message.find("nesting") != std::string::npos);
  std::string negations = "set_tx_meta(\"k\", " + std::string(1000, '-') + "1)";
  CHECK(parse_error(negations).message.find("nesting") != std::string::npos);
  std::string shallow = "send [COIN 1] (source = " + std::string(10, '{') + "@a" +
                        std::string(10, '}') + " destination = @b)";
  parsed(shallow);
}

TEST_CASE("statement, variable and size limits are parse errors", "[numscript]") {
  std::string many;
  for (std::size_t i = 0; i <= limits::kScriptStatementsMax; ++i)
    many += "set_tx_meta(\"k\", 1)\n";
  CHECK(parse_error(many).message.find("statements") != std::string::npos);
  std::string vars = "vars {";
  for (std::size_t i = 0; i <= limits::kScriptVariablesMax; ++i)
    vars += " number $v" + std::to_string(i);
  CHECK(parse_error(vars + " }").message.find("variables") != std::string::npos);
  std::string huge(limits::kScriptBytesMax + 1, ' ');
  CHECK(parse_error(huge).message.find("bytes") != std::string::npos);
}

}  // namespace
}  // namespace tally
