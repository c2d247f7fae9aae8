#include "core/numscript/checker.hpp"

#include <algorithm>
#include <array>
#include <map>
#include <optional>
#include <string_view>

#include "core/numscript/value.hpp"

namespace tally::numscript {

namespace {

constexpr std::array<std::string_view, 8> kFeatureNames{
    "experimental-overdraft-function",    "experimental-get-asset-function",
    "experimental-get-amount-function",   "experimental-oneof",
    "experimental-account-interpolation", "experimental-mid-script-function-call",
    "experimental-asset-colors",          "experimental-asset-scaling",
};

Error failed(Position at, const std::string& message) {
  return make_error(Code::kCompilationFailed, describe(at) + ": " + message);
}

// Where an expression sits: a variable's origin allows function calls without the
// mid-script flag, and meta() only as the origin itself.
enum class Place : std::uint8_t { kOriginTop, kOrigin, kStatement };

class Checker {
 public:
  Result<Features> run(const Program& program) {
    for (const std::string& name : program.features) {
      auto found = std::find(kFeatureNames.begin(), kFeatureNames.end(), name);
      if (found == kFeatureNames.end()) {
        return make_error(Code::kCompilationFailed, "unknown feature \"" + name + "\"");
      }
      features_.add(static_cast<Feature>(found - kFeatureNames.begin()));
    }
    for (const VariableDeclaration& declaration : program.variables) {
      TALLY_TRY(declare(declaration));
    }
    for (const Statement& statement : program.statements) {
      TALLY_TRY(check_statement(statement));
    }
    return features_;
  }

 private:
  Status need(Feature feature, Position at, std::string_view what) const {
    if (features_.has(feature)) return ok_status();
    return failed(at, std::string(what) + " is experimental: it needs #![feature(\"" +
                          std::string(kFeatureNames[static_cast<std::size_t>(feature)]) + "\")]");
  }

  Status declare(const VariableDeclaration& declaration) {
    auto type = type_from_name(declaration.type);
    if (!type) return failed(declaration.at, "unknown type \"" + declaration.type + "\"");
    if (scope_.count(declaration.name) != 0) {
      return failed(declaration.at, "variable $" + declaration.name + " is declared twice");
    }
    if (declaration.origin) {
      const Expr& origin = *declaration.origin;
      bool is_call = origin.kind == Expr::Kind::kCall;
      if (!is_call) {
        TALLY_TRY(need(Feature::kMidScriptFunctionCall, origin.at, "an origin other than a call"));
      }
      std::optional<Type> expected = type;
      auto actual = check_expr(origin, is_call ? Place::kOriginTop : Place::kOrigin, expected);
      if (!actual.ok()) return std::move(actual).error();
      if (*actual != *type) {
        return failed(origin.at, "$" + declaration.name + " is declared " +
                                     std::string(type_name(*type)) + " but its origin gives " +
                                     std::string(type_name(*actual)));
      }
    }
    scope_.emplace(declaration.name, *type);
    return ok_status();
  }

  Status expect(const Expr& expr, Type type, Place place) {
    auto actual = check_expr(expr, place, std::nullopt);
    if (!actual.ok()) return std::move(actual).error();
    if (*actual != type) {
      return failed(expr.at, "expected a value of type " + std::string(type_name(type)) +
                                 ", found " + std::string(type_name(*actual)));
    }
    return ok_status();
  }

  // The type of expr. declared: the variable's type when expr is a meta() origin.
  Result<Type> check_expr(const Expr& expr, Place place, std::optional<Type> declared) {
    Place inner = place == Place::kStatement ? Place::kStatement : Place::kOrigin;
    switch (expr.kind) {
      case Expr::Kind::kVariable: {
        auto found = scope_.find(expr.text);
        if (found == scope_.end()) return failed(expr.at, "unbound variable $" + expr.text);
        return found->second;
      }
      case Expr::Kind::kAsset: return Type::kAsset;
      case Expr::Kind::kString: return Type::kString;
      case Expr::Kind::kNumber: return Type::kNumber;
      case Expr::Kind::kPercent: return Type::kPortion;
      case Expr::Kind::kAccount: {
        TALLY_TRY(check_account_literal(expr));
        return Type::kAccount;
      }
      case Expr::Kind::kMonetary:
        TALLY_TRY(expect(*expr.operands[0], Type::kAsset, inner));
        TALLY_TRY(expect(*expr.operands[1], Type::kNumber, inner));
        return Type::kMonetary;
      case Expr::Kind::kNegate: {
        auto operand = check_expr(*expr.operands[0], inner, std::nullopt);
        if (!operand.ok()) return operand;
        if (*operand != Type::kNumber && *operand != Type::kMonetary) {
          return failed(expr.at, "'-' applies to a number or a monetary");
        }
        return operand;
      }
      case Expr::Kind::kAdd:
      case Expr::Kind::kSubtract: {
        auto left = check_expr(*expr.operands[0], inner, std::nullopt);
        if (!left.ok()) return left;
        if (*left != Type::kNumber && *left != Type::kMonetary) {
          return failed(expr.at, "'+' and '-' apply to numbers or monetaries");
        }
        TALLY_TRY(expect(*expr.operands[1], *left, inner));
        return left;
      }
      case Expr::Kind::kDivide:
        TALLY_TRY(expect(*expr.operands[0], Type::kNumber, inner));
        TALLY_TRY(expect(*expr.operands[1], Type::kNumber, inner));
        return Type::kPortion;
      case Expr::Kind::kCall: return check_call(expr, place, declared);
    }
    return failed(expr.at, "unknown expression");
  }

  Status check_account_literal(const Expr& expr) {
    for (const AccountPart& part : expr.parts) {
      if (!part.is_variable) continue;
      TALLY_TRY(need(Feature::kAccountInterpolation, expr.at, "a variable inside an account"));
      auto found = scope_.find(part.text);
      if (found == scope_.end()) return failed(expr.at, "unbound variable $" + part.text);
      if (found->second != Type::kAccount && found->second != Type::kNumber &&
          found->second != Type::kString) {
        return failed(expr.at, "$" + part.text + " of type " +
                                   std::string(type_name(found->second)) +
                                   " cannot be part of an account name");
      }
    }
    return ok_status();
  }

  Status arguments(const Expr& call, std::initializer_list<std::optional<Type>> types,
                   Place place) {
    if (call.operands.size() != types.size()) {
      return failed(call.at, call.text + "() takes " + std::to_string(types.size()) +
                                 " arguments, not " + std::to_string(call.operands.size()));
    }
    std::size_t i = 0;
    for (const std::optional<Type>& type : types) {
      const Expr& argument = *call.operands[i++];
      if (type) {
        TALLY_TRY(expect(argument, *type, place));
      } else {
        auto any = check_expr(argument, place, std::nullopt);
        if (!any.ok()) return std::move(any).error();
      }
    }
    return ok_status();
  }

  Result<Type> check_call(const Expr& call, Place place, std::optional<Type> declared) {
    Place inner = place == Place::kStatement ? Place::kStatement : Place::kOrigin;
    if (call.text == "meta") {
      if (place != Place::kOriginTop || !declared) {
        return failed(call.at, "meta() may only be a variable's whole origin");
      }
      TALLY_TRY(arguments(call, {Type::kAccount, Type::kString}, inner));
      return *declared;
    }
    if (place == Place::kStatement) {
      TALLY_TRY(need(Feature::kMidScriptFunctionCall, call.at, "a function call in a statement"));
    }
    if (call.text == "balance") {
      TALLY_TRY(arguments(call, {Type::kAccount, Type::kAsset}, inner));
      return Type::kMonetary;
    }
    if (call.text == "overdraft") {
      TALLY_TRY(need(Feature::kOverdraftFunction, call.at, "overdraft()"));
      TALLY_TRY(arguments(call, {Type::kAccount, Type::kAsset}, inner));
      return Type::kMonetary;
    }
    if (call.text == "get_asset") {
      TALLY_TRY(need(Feature::kGetAssetFunction, call.at, "get_asset()"));
      TALLY_TRY(arguments(call, {Type::kMonetary}, inner));
      return Type::kAsset;
    }
    if (call.text == "get_amount") {
      TALLY_TRY(need(Feature::kGetAmountFunction, call.at, "get_amount()"));
      TALLY_TRY(arguments(call, {Type::kMonetary}, inner));
      return Type::kNumber;
    }
    return failed(call.at, "unknown function " + call.text + "()");
  }

  Status check_statement(const Statement& statement) {
    switch (statement.kind) {
      case Statement::Kind::kSend:
        TALLY_TRY(check_sent(statement.sent));
        TALLY_TRY(check_source(*statement.source));
        return check_destination(*statement.destination);
      case Statement::Kind::kSave:
        TALLY_TRY(check_sent(statement.sent));
        return expect(*statement.account, Type::kAccount, Place::kStatement);
      case Statement::Kind::kCall: {
        const Expr& call = *statement.call;
        if (call.text == "set_tx_meta") {
          return arguments(call, {Type::kString, std::nullopt}, Place::kStatement);
        }
        if (call.text == "set_account_meta") {
          return arguments(call, {Type::kAccount, Type::kString, std::nullopt}, Place::kStatement);
        }
        return failed(call.at, "unknown statement function " + call.text + "()");
      }
    }
    return failed(statement.at, "unknown statement");
  }

  Status check_sent(const SentValue& sent) {
    if (sent.all) return expect(*sent.asset, Type::kAsset, Place::kStatement);
    return expect(*sent.monetary, Type::kMonetary, Place::kStatement);
  }

  Status refuse(Position at, std::string_view what) const {
    return failed(at, std::string(what) + " are not supported by Tally");
  }

  Status check_source(const Source& source) {
    switch (source.kind) {
      case Source::Kind::kScaling:
        return refuse(source.at, "asset scaling sources (experimental-asset-scaling)");
      case Source::Kind::kAccount:
      case Source::Kind::kOverdraft:
        if (source.color) {
          return refuse(source.at,
                        "asset colors (experimental-asset-colors: colored assets are not "
                        "valid asset names here)");
        }
        TALLY_TRY(expect(*source.address, Type::kAccount, Place::kStatement));
        if (source.bound) return expect(*source.bound, Type::kMonetary, Place::kStatement);
        return ok_status();
      case Source::Kind::kOneof:
        TALLY_TRY(need(Feature::kOneof, source.at, "oneof"));
        [[fallthrough]];
      case Source::Kind::kInOrder:
        for (const SourcePtr& child : source.children)
          TALLY_TRY(check_source(*child));
        return ok_status();
      case Source::Kind::kAllotment:
        for (std::size_t i = 0; i < source.children.size(); ++i) {
          TALLY_TRY(check_allotment(source.allotments[i]));
          TALLY_TRY(check_source(*source.children[i]));
        }
        return ok_status();
      case Source::Kind::kCapped:
        TALLY_TRY(expect(*source.cap, Type::kMonetary, Place::kStatement));
        return check_source(*source.children[0]);
    }
    return failed(source.at, "unknown source");
  }

  Status check_allotment(const Allotment& allotment) {
    if (!allotment.portion) return ok_status();
    return expect(*allotment.portion, Type::kPortion, Place::kStatement);
  }

  Status check_target(const KeptOrDestination& target) {
    return target.kept ? ok_status() : check_destination(*target.to);
  }

  Status check_destination(const Destination& destination) {
    switch (destination.kind) {
      case Destination::Kind::kAccount:
        return expect(*destination.address, Type::kAccount, Place::kStatement);
      case Destination::Kind::kAllotment:
        for (std::size_t i = 0; i < destination.targets.size(); ++i) {
          TALLY_TRY(check_allotment(destination.allotments[i]));
          TALLY_TRY(check_target(destination.targets[i]));
        }
        return ok_status();
      case Destination::Kind::kOneof:
        TALLY_TRY(need(Feature::kOneof, destination.at, "oneof"));
        [[fallthrough]];
      case Destination::Kind::kInOrder:
        for (std::size_t i = 0; i < destination.targets.size(); ++i) {
          TALLY_TRY(expect(*destination.caps[i], Type::kMonetary, Place::kStatement));
          TALLY_TRY(check_target(destination.targets[i]));
        }
        return check_target(destination.remaining);
    }
    return failed(destination.at, "unknown destination");
  }

  Features features_;
  std::map<std::string, Type> scope_;  // the variables declared so far
};

}  // namespace

Result<Features> check_program(const Program& program) {
  return Checker().run(program);
}

}  // namespace tally::numscript
