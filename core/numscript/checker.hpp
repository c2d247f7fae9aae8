// The Numscript type checker: everything about a program that does not depend on its
// variables' values or on the ledger's state, checked once, before anything runs.
//
// It checks the feature flags a script declares, variable declarations (known types, no
// duplicates, origins of the declared type, declared before use), every expression's type,
// function names and arities, and that experimental constructs appear only under their flag.
// Constructs Tally does not support (asset colors, asset scaling) are refused here, whatever
// the flags. A program that passes cannot meet a type error at run time, so the interpreter
// only meets value errors (funds, currencies, division by zero, bounds).
//
// Errors are kCompilationFailed with the position of the offending node.
#pragma once

#include <cstdint>

#include "core/numscript/ast.hpp"
#include "core/result.hpp"

namespace tally::numscript {

// Formance's experimental feature flags (a script turns them on with #![feature("...")]).
enum class Feature : std::uint8_t {
  kOverdraftFunction,      // "experimental-overdraft-function": overdraft(account, asset)
  kGetAssetFunction,       // "experimental-get-asset-function": get_asset(monetary)
  kGetAmountFunction,      // "experimental-get-amount-function": get_amount(monetary)
  kOneof,                  // "experimental-oneof": oneof { ... } sources and destinations
  kAccountInterpolation,   // "experimental-account-interpolation": @users:$id
  kMidScriptFunctionCall,  // "experimental-mid-script-function-call": calls in statements
  kAssetColors,            // "experimental-asset-colors": refused (see checker.cpp)
  kAssetScaling,           // "experimental-asset-scaling": refused (see checker.cpp)
};

// The features a script enabled, one bit each.
struct Features {
  std::uint16_t bits = 0;
  bool has(Feature feature) const { return (bits >> static_cast<unsigned>(feature)) & 1U; }
  void add(Feature feature) {
    bits |= static_cast<std::uint16_t>(1U << static_cast<unsigned>(feature));
  }
};

// Errors: kCompilationFailed.
Result<Features> check_program(const Program& program);

}  // namespace tally::numscript
