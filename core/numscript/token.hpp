// The tokens of Numscript (after Formance's Lexer.g4): keywords, punctuation, literals.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace tally::numscript {

// Where a token or node starts: 1-based line and column, for error messages.
struct Position {
  std::uint32_t line = 1;
  std::uint32_t column = 1;
};

std::string describe(Position at);  // "line 3, column 7"

enum class TokenKind : std::uint8_t {
  kEnd,
  // Keywords.
  kVars,
  kMax,
  kSource,
  kDestination,
  kSend,
  kFrom,
  kUp,
  kTo,
  kRemaining,
  kAllowing,
  kUnbounded,
  kOverdraft,
  kOneof,
  kKept,
  kSave,
  kWith,
  kScaling,
  kThrough,
  kFeature,
  // Punctuation.
  kLeftParen,
  kRightParen,
  kLeftBracket,
  kRightBracket,
  kLeftBrace,
  kRightBrace,
  kComma,
  kEquals,
  kStar,
  kPlus,
  kMinus,
  kSlash,
  kBackslash,
  kHashBang,
  kAt,
  kColon,
  // Literals and names.
  kPercent,      // 12.5%
  kString,       // "..." (text holds the bytes between the quotes, unescaped as Formance does)
  kIdentifier,   // [a-z]+[a-z_]*
  kNumber,       // 1_000 (text holds the digits, underscores removed)
  kAsset,        // USD/2
  kVariable,     // $name (text holds the name without '$')
  kAccountText,  // a segment of an account literal, after '@' or ':'
};

std::string_view token_name(TokenKind kind);

struct Token {
  TokenKind kind = TokenKind::kEnd;
  std::string text;
  Position at;
};

}  // namespace tally::numscript
