#include "core/numscript/lexer.hpp"

#include <array>
#include <utility>

#include "core/domain/validation.hpp"

namespace tally::numscript {

std::string describe(Position at) {
  return "line " + std::to_string(at.line) + ", column " + std::to_string(at.column);
}

std::string_view token_name(TokenKind kind) {
  switch (kind) {
    case TokenKind::kEnd: return "end of script";
    case TokenKind::kVars: return "'vars'";
    case TokenKind::kMax: return "'max'";
    case TokenKind::kSource: return "'source'";
    case TokenKind::kDestination: return "'destination'";
    case TokenKind::kSend: return "'send'";
    case TokenKind::kFrom: return "'from'";
    case TokenKind::kUp: return "'up'";
    case TokenKind::kTo: return "'to'";
    case TokenKind::kRemaining: return "'remaining'";
    case TokenKind::kAllowing: return "'allowing'";
    case TokenKind::kUnbounded: return "'unbounded'";
    case TokenKind::kOverdraft: return "'overdraft'";
    case TokenKind::kOneof: return "'oneof'";
    case TokenKind::kKept: return "'kept'";
    case TokenKind::kSave: return "'save'";
    case TokenKind::kWith: return "'with'";
    case TokenKind::kScaling: return "'scaling'";
    case TokenKind::kThrough: return "'through'";
    case TokenKind::kFeature: return "'feature'";
    case TokenKind::kLeftParen: return "'('";
    case TokenKind::kRightParen: return "')'";
    case TokenKind::kLeftBracket: return "'['";
    case TokenKind::kRightBracket: return "']'";
    case TokenKind::kLeftBrace: return "'{'";
    case TokenKind::kRightBrace: return "'}'";
    case TokenKind::kComma: return "','";
    case TokenKind::kEquals: return "'='";
    case TokenKind::kStar: return "'*'";
    case TokenKind::kPlus: return "'+'";
    case TokenKind::kMinus: return "'-'";
    case TokenKind::kSlash: return "'/'";
    case TokenKind::kBackslash: return "'\\'";
    case TokenKind::kHashBang: return "'#!'";
    case TokenKind::kAt: return "'@'";
    case TokenKind::kColon: return "':'";
    case TokenKind::kPercent: return "a percentage";
    case TokenKind::kString: return "a string";
    case TokenKind::kIdentifier: return "an identifier";
    case TokenKind::kNumber: return "a number";
    case TokenKind::kAsset: return "an asset";
    case TokenKind::kVariable: return "a variable";
    case TokenKind::kAccountText: return "an account segment";
  }
  return "a token";
}

namespace {

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}
bool is_lower(char c) {
  return c >= 'a' && c <= 'z';
}
bool is_upper(char c) {
  return c >= 'A' && c <= 'Z';
}
bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}
bool is_account_char(char c) {
  return is_lower(c) || is_upper(c) || is_digit(c) || c == '_' || c == '-';
}

constexpr std::array<std::pair<std::string_view, TokenKind>, 19> kKeywords{{
    {"vars", TokenKind::kVars},
    {"max", TokenKind::kMax},
    {"source", TokenKind::kSource},
    {"destination", TokenKind::kDestination},
    {"send", TokenKind::kSend},
    {"from", TokenKind::kFrom},
    {"up", TokenKind::kUp},
    {"to", TokenKind::kTo},
    {"remaining", TokenKind::kRemaining},
    {"allowing", TokenKind::kAllowing},
    {"unbounded", TokenKind::kUnbounded},
    {"overdraft", TokenKind::kOverdraft},
    {"oneof", TokenKind::kOneof},
    {"kept", TokenKind::kKept},
    {"save", TokenKind::kSave},
    {"with", TokenKind::kWith},
    {"scaling", TokenKind::kScaling},
    {"through", TokenKind::kThrough},
    {"feature", TokenKind::kFeature},
}};

class Lexer {
 public:
  explicit Lexer(std::string_view text) : text_(text) {}

  Result<std::vector<Token>> run() {
    std::vector<Token> tokens;
    bool account_mode = false;  // the previous token was '@' or ':'
    while (true) {
      if (!account_mode) TALLY_TRY(skip_blanks());
      if (at_end()) break;
      Position at = position_;
      auto token = account_mode ? account_part() : next();
      if (!token.ok()) return std::move(token).error();
      token->at = at;
      account_mode = token->kind == TokenKind::kAt || token->kind == TokenKind::kColon;
      tokens.push_back(std::move(token).value());
    }
    if (account_mode) return error("an account segment after '@' or ':'");
    tokens.push_back(Token{TokenKind::kEnd, "", position_});
    return tokens;
  }

 private:
  bool at_end() const { return offset_ >= text_.size(); }
  char peek(std::size_t ahead = 0) const {
    return offset_ + ahead < text_.size() ? text_[offset_ + ahead] : '\0';
  }
  void advance() {
    if (text_[offset_] == '\n') {
      ++position_.line;
      position_.column = 1;
    } else {
      ++position_.column;
    }
    ++offset_;
  }
  std::string take_while(bool (*accept)(char)) {
    std::size_t start = offset_;
    while (!at_end() && accept(peek()))
      advance();
    return std::string(text_.substr(start, offset_ - start));
  }
  Error error(const std::string& expected) const {
    std::string found =
        at_end() ? "the end of the script" : domain::quote_input(text_.substr(offset_, 1));
    return make_error(Code::kInterpreterParse,
                      describe(position_) + ": expected " + expected + ", found " + found);
  }

  // Whitespace, "// ..." up to a line end, and "/* ... */" (which nest).
  Status skip_blanks() {
    while (!at_end()) {
      if (is_space(peek())) {
        advance();
      } else if (peek() == '/' && peek(1) == '/') {
        while (!at_end() && peek() != '\n' && peek() != '\r')
          advance();
      } else if (peek() == '/' && peek(1) == '*') {
        TALLY_TRY(skip_block_comment());
      } else {
        break;
      }
    }
    return ok_status();
  }

  Status skip_block_comment() {
    std::size_t depth = 0;
    do {
      if (at_end()) return error("'*/' to close a comment");
      if (peek() == '/' && peek(1) == '*') {
        advance();
        advance();
        ++depth;
      } else if (peek() == '*' && peek(1) == '/') {
        advance();
        advance();
        --depth;
      } else {
        advance();
      }
    } while (depth > 0);
    return ok_status();
  }

  Result<Token> account_part() {
    if (peek() == '$') return variable();
    if (!is_account_char(peek())) return error("an account segment after '@' or ':'");
    return Token{TokenKind::kAccountText, take_while(is_account_char), {}};
  }

  Result<Token> variable() {
    advance();  // '$'
    if (!is_lower(peek()) && peek() != '_') return error("a variable name after '$'");
    auto name_char = [](char c) { return is_lower(c) || is_digit(c) || c == '_'; };
    return Token{TokenKind::kVariable, take_while(name_char), {}};
  }

  Result<Token> next() {
    char c = peek();
    if (is_digit(c)) return number_or_percent();
    if (is_lower(c)) return word();
    if (is_upper(c)) return asset();
    if (c == '$') return variable();
    if (c == '"') return string();
    if (c == '#' && peek(1) == '!') {
      advance();
      advance();
      return Token{TokenKind::kHashBang, "#!", {}};
    }
    static constexpr std::array<std::pair<char, TokenKind>, 15> kSingles{{
        {'(', TokenKind::kLeftParen},
        {')', TokenKind::kRightParen},
        {'[', TokenKind::kLeftBracket},
        {']', TokenKind::kRightBracket},
        {'{', TokenKind::kLeftBrace},
        {'}', TokenKind::kRightBrace},
        {',', TokenKind::kComma},
        {'=', TokenKind::kEquals},
        {'*', TokenKind::kStar},
        {'+', TokenKind::kPlus},
        {'-', TokenKind::kMinus},
        {'/', TokenKind::kSlash},
        {'\\', TokenKind::kBackslash},
        {'@', TokenKind::kAt},
        {':', TokenKind::kColon},
    }};
    for (const auto& [single, kind] : kSingles) {
      if (c == single) {
        advance();
        return Token{kind, std::string(1, c), {}};
      }
    }
    return error("a token");
  }

  // NUMBER [0-9]+('_'[0-9]+)* or PERCENT [0-9]+('.'[0-9]+)?'%', whichever is longer.
  Result<Token> number_or_percent() {
    std::string digits = take_while(is_digit);
    if (peek() == '%') {
      advance();
      return Token{TokenKind::kPercent, digits + "%", {}};
    }
    if (peek() == '.' && is_digit(peek(1))) {
      std::size_t fraction_length = 0;
      while (is_digit(peek(1 + fraction_length)))
        ++fraction_length;
      if (peek(1 + fraction_length) == '%') {
        advance();
        std::string fraction = take_while(is_digit);
        advance();
        return Token{TokenKind::kPercent, digits + "." + fraction + "%", {}};
      }
    }
    while (peek() == '_' && is_digit(peek(1))) {
      advance();
      digits += take_while(is_digit);
    }
    return Token{TokenKind::kNumber, digits, {}};
  }

  Result<Token> word() {
    std::string name = take_while(is_lower);
    auto tail = [](char c) { return is_lower(c) || c == '_'; };
    name += take_while(tail);
    for (const auto& [keyword, kind] : kKeywords) {
      if (name == keyword) return Token{kind, name, {}};
    }
    return Token{TokenKind::kIdentifier, name, {}};
  }

  // ASSET [A-Z][A-Z0-9]*('/'[0-9]+)?
  Result<Token> asset() {
    auto symbol_char = [](char c) { return is_upper(c) || is_digit(c); };
    std::string name = take_while(symbol_char);
    if (peek() == '/' && is_digit(peek(1))) {
      advance();
      name += "/" + take_while(is_digit);
    }
    return Token{TokenKind::kAsset, name, {}};
  }

  // '"' ('\\"' | ~[\r\n"])* '"', kept as written between the quotes.
  Result<Token> string() {
    advance();
    std::size_t start = offset_;
    while (true) {
      if (at_end() || peek() == '\r' || peek() == '\n') return error("'\"' to close a string");
      if (peek() == '"') break;
      if (peek() == '\\' && peek(1) == '"') advance();
      advance();
    }
    std::string text(text_.substr(start, offset_ - start));
    advance();
    return Token{TokenKind::kString, std::move(text), {}};
  }

  std::string_view text_;
  std::size_t offset_ = 0;
  Position position_;
};

}  // namespace

Result<std::vector<Token>> tokenize(std::string_view script) {
  return Lexer(script).run();
}

}  // namespace tally::numscript
