// The syntax tree of a Numscript program (after Formance's Numscript.g4), as the parser
// builds it and the checker, the footprint and the interpreter walk it.
//
// Plain owning trees: every node owns its children; depth is bounded by the parser
// (limits::kScriptNestingMax), so recursive walks and destruction stay shallow.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/numscript/integer.hpp"
#include "core/numscript/token.hpp"

namespace tally::numscript {

struct Expr;
using ExprPtr = std::unique_ptr<Expr>;

// One part of an account literal: text ("users", ":") or an interpolated variable.
struct AccountPart {
  bool is_variable = false;
  std::string text;  // the segment, ":" or the variable's name
};

struct Expr {
  enum class Kind : std::uint8_t {
    kVariable,  // text: the name
    kAsset,     // text: the asset
    kString,    // text: the bytes
    kAccount,   // parts
    kNumber,    // number
    kPercent,   // portion
    kMonetary,  // operands: [asset, amount]
    kNegate,    // operands: [operand]
    kAdd,       // operands: [left, right]
    kSubtract,  // operands: [left, right]
    kDivide,    // operands: [left, right]
    kCall,      // text: the function's name; operands: the arguments
  };
  Kind kind = Kind::kVariable;
  Position at;
  std::string text;
  std::vector<AccountPart> parts;
  Integer number;
  Portion portion;
  std::vector<ExprPtr> operands;
};

// A share of an allotment: a portion expression, or `remaining` (no expression).
struct Allotment {
  ExprPtr portion;  // null for remaining
  Position at;
};

struct Source;
using SourcePtr = std::unique_ptr<Source>;

struct Source {
  enum class Kind : std::uint8_t {
    kAccount,    // address [\ color]
    kOverdraft,  // address [\ color] allowing overdraft up to bound | allowing unbounded overdraft
    kScaling,    // address with scaling through through (refused: experimental)
    kInOrder,    // { source* }
    kOneof,      // oneof { source+ }
    kAllotment,  // { allotment from source ... }
    kCapped,     // max cap from source
  };
  Kind kind = Kind::kAccount;
  Position at;
  ExprPtr address;
  ExprPtr color;                      // null when absent
  ExprPtr bound;                      // kOverdraft: null for unbounded
  ExprPtr cap;                        // kCapped
  ExprPtr through;                    // kScaling
  std::vector<SourcePtr> children;    // kInOrder, kOneof, kCapped (one), kAllotment (per share)
  std::vector<Allotment> allotments;  // kAllotment: one per child
};

struct Destination;
using DestinationPtr = std::unique_ptr<Destination>;

// `kept` or `to destination`.
struct KeptOrDestination {
  bool kept = false;
  DestinationPtr to;  // null when kept
};

struct Destination {
  enum class Kind : std::uint8_t {
    kAccount,    // address
    kAllotment,  // { allotment kept|to ... }
    kInOrder,    // { max cap kept|to ... remaining kept|to }
    kOneof,      // oneof { max cap kept|to ... remaining kept|to }
  };
  Kind kind = Kind::kAccount;
  Position at;
  ExprPtr address;
  std::vector<Allotment> allotments;       // kAllotment: one per target
  std::vector<ExprPtr> caps;               // kInOrder, kOneof: one per capped target
  std::vector<KeptOrDestination> targets;  // per allotment or cap
  KeptOrDestination remaining;             // kInOrder, kOneof
};

// What a send or save moves: an amount (a monetary expression) or all of an asset.
struct SentValue {
  bool all = false;
  ExprPtr monetary;  // when !all
  ExprPtr asset;     // when all
  Position at;
};

struct Statement {
  enum class Kind : std::uint8_t { kSend, kSave, kCall };
  Kind kind = Kind::kSend;
  Position at;
  SentValue sent;              // kSend, kSave
  SourcePtr source;            // kSend
  DestinationPtr destination;  // kSend
  ExprPtr account;             // kSave
  ExprPtr call;                // kCall: a kCall expression
};

struct VariableDeclaration {
  std::string type;  // as written: checked later
  std::string name;
  ExprPtr origin;  // null when the value is passed in
  Position at;
};

struct Program {
  std::vector<std::string> features;  // #![feature("...")]
  std::vector<VariableDeclaration> variables;
  std::vector<Statement> statements;
};

}  // namespace tally::numscript
