#include "core/numscript/parser.hpp"

#include "core/limits.hpp"
#include "core/numscript/lexer.hpp"

namespace tally::numscript {

namespace {

using K = TokenKind;

class Parser {
 public:
  explicit Parser(std::vector<Token> tokens) : tokens_(std::move(tokens)) {}

  Result<Program> program() {
    Program program;
    if (is(K::kHashBang)) TALLY_TRY(features(program));
    if (is(K::kVars)) TALLY_TRY(variables(program));
    while (!is(K::kEnd)) {
      if (program.statements.size() == limits::kScriptStatementsMax) {
        return make_error(Code::kInterpreterParse,
                          describe(peek().at) + ": a script holds at most " +
                              std::to_string(limits::kScriptStatementsMax) + " statements");
      }
      auto one = statement();
      if (!one.ok()) return std::move(one).error();
      program.statements.push_back(std::move(one).value());
    }
    return program;
  }

 private:
  // Depth guard: one level per nested construct.
  class Nested {
   public:
    explicit Nested(Parser& parser) : parser_(&parser) { ++parser_->depth_; }
    ~Nested() { --parser_->depth_; }
    Nested(const Nested&) = delete;
    Nested& operator=(const Nested&) = delete;
    Status check() const {
      if (parser_->depth_ <= limits::kScriptNestingMax) return ok_status();
      return make_error(Code::kInterpreterParse,
                        describe(parser_->peek().at) + ": nesting deeper than " +
                            std::to_string(limits::kScriptNestingMax) + " levels");
    }

   private:
    Parser* parser_;
  };

  const Token& peek(std::size_t ahead = 0) const {
    std::size_t index = std::min(next_ + ahead, tokens_.size() - 1);
    return tokens_[index];
  }
  bool is(K kind, std::size_t ahead = 0) const { return peek(ahead).kind == kind; }
  Token take() {
    Token token = peek();
    if (next_ < tokens_.size() - 1) ++next_;
    return token;
  }
  Error unexpected(std::string_view expected) const {
    const Token& found = peek();
    std::string what(token_name(found.kind));
    if (found.kind == K::kIdentifier || found.kind == K::kAsset || found.kind == K::kNumber) {
      what += " \"" + found.text + "\"";
    }
    return make_error(Code::kInterpreterParse, describe(found.at) + ": expected " +
                                                   std::string(expected) + ", found " + what);
  }
  Result<Token> expect(K kind) {
    if (!is(kind)) return unexpected(token_name(kind));
    return take();
  }

  Status features(Program& program) {
    TALLY_TRY(expect(K::kHashBang));
    TALLY_TRY(expect(K::kLeftBracket));
    TALLY_TRY(expect(K::kFeature));
    TALLY_TRY(expect(K::kLeftParen));
    if (is(K::kString)) {
      program.features.push_back(take().text);
      while (is(K::kComma)) {
        take();
        auto flag = expect(K::kString);
        if (!flag.ok()) return std::move(flag).error();
        program.features.push_back(flag->text);
      }
    }
    TALLY_TRY(expect(K::kRightParen));
    return expect(K::kRightBracket).ok() ? ok_status() : unexpected("']'");
  }

  Status variables(Program& program) {
    TALLY_TRY(expect(K::kVars));
    TALLY_TRY(expect(K::kLeftBrace));
    while (is(K::kIdentifier)) {
      if (program.variables.size() == limits::kScriptVariablesMax) {
        return make_error(Code::kInterpreterParse,
                          describe(peek().at) + ": a script declares at most " +
                              std::to_string(limits::kScriptVariablesMax) + " variables");
      }
      VariableDeclaration declaration;
      declaration.at = peek().at;
      declaration.type = take().text;
      auto name = expect(K::kVariable);
      if (!name.ok()) return std::move(name).error();
      declaration.name = name->text;
      if (is(K::kEquals)) {
        take();
        auto origin = expression();
        if (!origin.ok()) return std::move(origin).error();
        declaration.origin = std::move(origin).value();
      }
      program.variables.push_back(std::move(declaration));
    }
    return expect(K::kRightBrace).ok() ? ok_status() : unexpected("a variable declaration or '}'");
  }

  Result<Statement> statement() {
    Statement s;
    s.at = peek().at;
    if (is(K::kSend)) {
      take();
      s.kind = Statement::Kind::kSend;
      auto sent = sent_value();
      if (!sent.ok()) return std::move(sent).error();
      s.sent = std::move(sent).value();
      TALLY_TRY(expect(K::kLeftParen));
      TALLY_TRY(expect(K::kSource));
      TALLY_TRY(expect(K::kEquals));
      auto from = source();
      if (!from.ok()) return std::move(from).error();
      s.source = std::move(from).value();
      TALLY_TRY(expect(K::kDestination));
      TALLY_TRY(expect(K::kEquals));
      auto to = destination();
      if (!to.ok()) return std::move(to).error();
      s.destination = std::move(to).value();
      TALLY_TRY(expect(K::kRightParen));
      return s;
    }
    if (is(K::kSave)) {
      take();
      s.kind = Statement::Kind::kSave;
      auto sent = sent_value();
      if (!sent.ok()) return std::move(sent).error();
      s.sent = std::move(sent).value();
      TALLY_TRY(expect(K::kFrom));
      auto account = expression();
      if (!account.ok()) return std::move(account).error();
      s.account = std::move(account).value();
      return s;
    }
    if ((is(K::kIdentifier) || is(K::kOverdraft)) && is(K::kLeftParen, 1)) {
      s.kind = Statement::Kind::kCall;
      auto call = function_call();
      if (!call.ok()) return std::move(call).error();
      s.call = std::move(call).value();
      return s;
    }
    return unexpected("'send', 'save' or a function call");
  }

  // `[asset *]`, or a monetary expression (which may itself start with `[asset amount]`).
  Result<SentValue> sent_value() {
    SentValue sent;
    sent.at = peek().at;
    if (!is(K::kLeftBracket)) {
      auto monetary = expression();
      if (!monetary.ok()) return std::move(monetary).error();
      sent.monetary = std::move(monetary).value();
      return sent;
    }
    Position at = take().at;
    auto asset = asset_position();
    if (!asset.ok()) return std::move(asset).error();
    if (is(K::kStar)) {
      take();
      TALLY_TRY(expect(K::kRightBracket));
      sent.all = true;
      sent.asset = std::move(asset).value();
      return sent;
    }
    auto literal = monetary_rest(at, std::move(asset).value());
    if (!literal.ok()) return std::move(literal).error();
    auto monetary = binary_rest(std::move(literal).value(), 1);
    if (!monetary.ok()) return std::move(monetary).error();
    sent.monetary = std::move(monetary).value();
    return sent;
  }

  Result<SourcePtr> source() {
    Nested nested(*this);
    TALLY_TRY(nested.check());
    auto node = std::make_unique<Source>();
    node->at = peek().at;
    if (is(K::kLeftBrace)) return source_braces();
    if (is(K::kOneof)) {
      take();
      node->kind = Source::Kind::kOneof;
      TALLY_TRY(expect(K::kLeftBrace));
      do {
        auto child = source();
        if (!child.ok()) return std::move(child).error();
        node->children.push_back(std::move(child).value());
      } while (!is(K::kRightBrace));
      take();
      return node;
    }
    if (is(K::kMax)) {
      take();
      node->kind = Source::Kind::kCapped;
      auto cap = expression();
      if (!cap.ok()) return std::move(cap).error();
      node->cap = std::move(cap).value();
      TALLY_TRY(expect(K::kFrom));
      auto child = source();
      if (!child.ok()) return std::move(child).error();
      node->children.push_back(std::move(child).value());
      return node;
    }
    auto address = expression();
    if (!address.ok()) return std::move(address).error();
    return account_source(std::move(node), std::move(address).value());
  }

  // After a source's address: `\ color`, `allowing ...`, `with scaling through ...`.
  Result<SourcePtr> account_source(SourcePtr node, ExprPtr address) {
    node->kind = Source::Kind::kAccount;
    node->address = std::move(address);
    if (is(K::kWith)) {
      take();
      TALLY_TRY(expect(K::kScaling));
      TALLY_TRY(expect(K::kThrough));
      auto through = expression();
      if (!through.ok()) return std::move(through).error();
      node->kind = Source::Kind::kScaling;
      node->through = std::move(through).value();
      return node;
    }
    if (is(K::kBackslash)) {
      take();
      auto color = expression();
      if (!color.ok()) return std::move(color).error();
      node->color = std::move(color).value();
    }
    if (!is(K::kAllowing)) return node;
    take();
    node->kind = Source::Kind::kOverdraft;
    if (is(K::kUnbounded)) {
      take();
      TALLY_TRY(expect(K::kOverdraft));
      return node;
    }
    TALLY_TRY(expect(K::kOverdraft));
    TALLY_TRY(expect(K::kUp));
    TALLY_TRY(expect(K::kTo));
    auto bound = expression();
    if (!bound.ok()) return std::move(bound).error();
    node->bound = std::move(bound).value();
    return node;
  }

  // `{ source* }` or `{ allotment from source ... }`: the first item decides.
  Result<SourcePtr> source_braces() {
    auto node = std::make_unique<Source>();
    node->at = take().at;
    node->kind = Source::Kind::kInOrder;
    bool first = true;
    while (!is(K::kRightBrace)) {
      Position at = peek().at;
      bool remaining = is(K::kRemaining);
      ExprPtr lead;  // a portion, or the address of an account source
      if (!remaining && !is(K::kLeftBrace) && !is(K::kOneof) && !is(K::kMax)) {
        auto expr = expression();
        if (!expr.ok()) return std::move(expr).error();
        lead = std::move(expr).value();
      }
      bool allotment = remaining || (lead && is(K::kFrom));
      if (first) node->kind = allotment ? Source::Kind::kAllotment : Source::Kind::kInOrder;
      first = false;
      if (allotment != (node->kind == Source::Kind::kAllotment)) {
        return make_error(Code::kInterpreterParse,
                          describe(at) + ": allotments and sources cannot mix in one block");
      }
      Result<SourcePtr> child =
          allotment ? allotment_tail(remaining) : inorder_item(std::move(lead), at);
      if (!child.ok()) return std::move(child).error();
      if (allotment) node->allotments.push_back(Allotment{std::move(lead), at});
      node->children.push_back(std::move(child).value());
    }
    take();
    return node;
  }

  // The rest of an allotment share: `from source` (after `remaining` or the portion).
  Result<SourcePtr> allotment_tail(bool remaining) {
    if (remaining) take();
    TALLY_TRY(expect(K::kFrom));
    return source();
  }

  Result<SourcePtr> inorder_item(ExprPtr lead, Position at) {
    if (!lead) return source();
    Nested nested(*this);
    TALLY_TRY(nested.check());
    auto node = std::make_unique<Source>();
    node->at = at;
    return account_source(std::move(node), std::move(lead));
  }

  Result<DestinationPtr> destination() {
    Nested nested(*this);
    TALLY_TRY(nested.check());
    auto node = std::make_unique<Destination>();
    node->at = peek().at;
    if (is(K::kOneof)) {
      take();
      TALLY_TRY(expect(K::kLeftBrace));
      node->kind = Destination::Kind::kOneof;
      TALLY_TRY(capped_targets(*node));
      return node;
    }
    if (!is(K::kLeftBrace)) {
      auto address = expression();
      if (!address.ok()) return std::move(address).error();
      node->address = std::move(address).value();
      return node;
    }
    take();
    if (is(K::kMax)) {
      node->kind = Destination::Kind::kInOrder;
      TALLY_TRY(capped_targets(*node));
      return node;
    }
    node->kind = Destination::Kind::kAllotment;
    do {
      Allotment share{nullptr, peek().at};
      if (is(K::kRemaining)) {
        take();
      } else {
        auto portion = expression();
        if (!portion.ok()) return std::move(portion).error();
        share.portion = std::move(portion).value();
      }
      auto target = kept_or_destination();
      if (!target.ok()) return std::move(target).error();
      node->allotments.push_back(std::move(share));
      node->targets.push_back(std::move(target).value());
    } while (!is(K::kRightBrace));
    take();
    return node;
  }

  // `max cap kept|to ...`* then `remaining kept|to ...` and '}'.
  Status capped_targets(Destination& node) {
    while (is(K::kMax)) {
      take();
      auto cap = expression();
      if (!cap.ok()) return std::move(cap).error();
      auto target = kept_or_destination();
      if (!target.ok()) return std::move(target).error();
      node.caps.push_back(std::move(cap).value());
      node.targets.push_back(std::move(target).value());
    }
    if (!is(K::kRemaining)) return unexpected("'max' or 'remaining'");
    take();
    auto remaining = kept_or_destination();
    if (!remaining.ok()) return std::move(remaining).error();
    node.remaining = std::move(remaining).value();
    return expect(K::kRightBrace).ok() ? ok_status() : unexpected("'}'");
  }

  Result<KeptOrDestination> kept_or_destination() {
    KeptOrDestination target;
    if (is(K::kKept)) {
      take();
      target.kept = true;
      return target;
    }
    TALLY_TRY(expect(K::kTo));
    auto to = destination();
    if (!to.ok()) return std::move(to).error();
    target.to = std::move(to).value();
    return target;
  }

  // ---- Expressions --------------------------------------------------------------------------

  static int precedence(K kind) {
    switch (kind) {
      case K::kSlash: return 2;
      case K::kPlus:
      case K::kMinus: return 1;
      default: return 0;
    }
  }

  Result<ExprPtr> expression() {
    auto left = unary();
    if (!left.ok()) return std::move(left).error();
    return binary_rest(std::move(left).value(), 1);
  }

  // Precedence climbing from an operand already read: takes the operators of precedence
  // min or more, left-associative.
  Result<ExprPtr> binary_rest(ExprPtr left, int min) {
    for (int level = precedence(peek().kind); level > 0 && level >= min;
         level = precedence(peek().kind)) {
      Token op = take();
      auto right = unary();
      if (!right.ok()) return std::move(right).error();
      auto tighter = binary_rest(std::move(right).value(), level + 1);
      if (!tighter.ok()) return std::move(tighter).error();
      auto node = std::make_unique<Expr>();
      node->at = op.at;
      node->kind = op.kind == K::kSlash  ? Expr::Kind::kDivide
                   : op.kind == K::kPlus ? Expr::Kind::kAdd
                                         : Expr::Kind::kSubtract;
      node->operands.push_back(std::move(left));
      node->operands.push_back(std::move(tighter).value());
      left = std::move(node);
    }
    return left;
  }

  Result<ExprPtr> unary() {
    Nested nested(*this);
    TALLY_TRY(nested.check());
    if (!is(K::kMinus)) return primary();
    auto node = std::make_unique<Expr>();
    node->at = take().at;
    node->kind = Expr::Kind::kNegate;
    auto operand = unary();
    if (!operand.ok()) return std::move(operand).error();
    node->operands.push_back(std::move(operand).value());
    return node;
  }

  Result<ExprPtr> primary() {
    auto node = std::make_unique<Expr>();
    node->at = peek().at;
    switch (peek().kind) {
      case K::kVariable:
        node->kind = Expr::Kind::kVariable;
        node->text = take().text;
        return node;
      case K::kAsset:
        node->kind = Expr::Kind::kAsset;
        node->text = take().text;
        return node;
      case K::kString:
        node->kind = Expr::Kind::kString;
        node->text = take().text;
        return node;
      case K::kNumber:
      case K::kPercent: return literal();
      case K::kAt: return account_literal();
      case K::kLeftBracket: {
        Position at = take().at;
        auto asset = asset_position();
        if (!asset.ok()) return std::move(asset).error();
        return monetary_rest(at, std::move(asset).value());
      }
      case K::kLeftParen: {
        take();
        auto inner = expression();
        if (!inner.ok()) return std::move(inner).error();
        TALLY_TRY(expect(K::kRightParen));
        return inner;
      }
      case K::kIdentifier:
      case K::kOverdraft:
        if (is(K::kLeftParen, 1)) return function_call();
        break;
      default: break;
    }
    return unexpected("a value");
  }

  // The asset of `[asset amount]`: an operand, never an infix expression (no infix operator
  // yields an asset), so `[USD/2 -100]` reads as USD/2 and -100.
  Result<ExprPtr> asset_position() { return unary(); }

  Result<ExprPtr> monetary_rest(Position at, ExprPtr asset) {
    auto amount = expression();
    if (!amount.ok()) return std::move(amount).error();
    TALLY_TRY(expect(K::kRightBracket));
    auto node = std::make_unique<Expr>();
    node->at = at;
    node->kind = Expr::Kind::kMonetary;
    node->operands.push_back(std::move(asset));
    node->operands.push_back(std::move(amount).value());
    return node;
  }

  // A number or a percentage, within the bounds of its value (core/limits.hpp).
  Result<ExprPtr> literal() {
    auto node = std::make_unique<Expr>();
    Token token = take();
    node->at = token.at;
    bool percent = token.kind == K::kPercent;
    node->kind = percent ? Expr::Kind::kPercent : Expr::Kind::kNumber;
    bool bounded = false;
    if (percent) {
      auto portion = Portion::parse_percent(token.text);
      bounded = portion.has_value();
      if (bounded) node->portion = *portion;
    } else {
      auto number = Integer::parse(token.text);
      bounded = number.has_value();
      if (bounded) node->number = *number;
    }
    if (bounded) return node;
    return make_error(Code::kInterpreterParse,
                      describe(token.at) + ": " + (percent ? "percentage " : "number ") +
                          token.text.substr(0, 40) + " is beyond the bounds of its value (" +
                          std::to_string(percent ? limits::kScriptPortionBitsMax
                                                 : limits::kScriptIntegerBitsMax) +
                          " bits)");
  }

  // '@' part (':' part)*, each part a segment or a $variable.
  Result<ExprPtr> account_literal() {
    auto node = std::make_unique<Expr>();
    node->at = take().at;
    node->kind = Expr::Kind::kAccount;
    while (true) {
      if (is(K::kAccountText)) {
        node->parts.push_back(AccountPart{false, take().text});
      } else if (is(K::kVariable)) {
        node->parts.push_back(AccountPart{true, take().text});
      } else {
        return unexpected("an account segment");
      }
      if (!is(K::kColon)) break;
      take();
      node->parts.push_back(AccountPart{false, ":"});
    }
    return node;
  }

  Result<ExprPtr> function_call() {
    auto node = std::make_unique<Expr>();
    Token name = take();
    node->at = name.at;
    node->kind = Expr::Kind::kCall;
    node->text = name.text;
    TALLY_TRY(expect(K::kLeftParen));
    if (!is(K::kRightParen)) {
      do {
        if (!node->operands.empty()) take();  // ','
        auto argument = expression();
        if (!argument.ok()) return std::move(argument).error();
        node->operands.push_back(std::move(argument).value());
      } while (is(K::kComma));
    }
    TALLY_TRY(expect(K::kRightParen));
    return node;
  }

  std::vector<Token> tokens_;
  std::size_t next_ = 0;
  std::size_t depth_ = 0;
};

}  // namespace

Result<Program> parse(std::string_view script) {
  if (script.size() > limits::kScriptBytesMax) {
    return make_error(Code::kInterpreterParse,
                      "script is " + std::to_string(script.size()) + " bytes, more than the " +
                          std::to_string(limits::kScriptBytesMax) + " allowed");
  }
  auto tokens = tokenize(script);
  if (!tokens.ok()) return std::move(tokens).error();
  return Parser(std::move(tokens).value()).program();
}

}  // namespace tally::numscript
