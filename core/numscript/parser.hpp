// The Numscript parser: tokens to a Program (grammar: Formance's Numscript.g4).
//
// Recursive descent with one token of lookahead, plus the two places where the grammar needs
// more: `[asset *]` against `[asset amount]` in a sent value, and an allotment against an
// in-order list inside braces. Expression precedence: prefix '-' binds tightest, then '/',
// then '+' and '-', all left-associative. Nesting (braces, parentheses, prefix operators) is
// bounded by limits::kScriptNestingMax and statements by kScriptStatementsMax, so a hostile
// script cannot exhaust the stack. Errors are kInterpreterParse with a position.
#pragma once

#include <string_view>

#include "core/numscript/ast.hpp"
#include "core/result.hpp"

namespace tally::numscript {

Result<Program> parse(std::string_view script);

}  // namespace tally::numscript
