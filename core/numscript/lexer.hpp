// The Numscript lexer (after Formance's Lexer.g4): longest match, keywords before
// identifiers, whitespace and comments skipped, and the account mode that follows '@' and
// ':' (one segment [a-zA-Z0-9_-]+ or one $variable, with no space before it).
//
// Linear in the input; the token count is bounded by the script's size. Errors are
// kInterpreterParse with the position of the offending byte.
#pragma once

#include <string_view>
#include <vector>

#include "core/numscript/token.hpp"
#include "core/result.hpp"

namespace tally::numscript {

// REQUIRES: script.size() <= limits::kScriptBytesMax (the caller checks, with its own error).
Result<std::vector<Token>> tokenize(std::string_view script);

}  // namespace tally::numscript
