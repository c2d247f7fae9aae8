#include "core/numscript/evaluator.hpp"

#include "core/invariant.hpp"

namespace tally::numscript {

namespace {

template <class T>
Result<T> as(Result<Value> value, Position at, std::string_view type) {
  if (!value.ok()) return std::move(value).error();
  auto* typed = std::get_if<T>(&*value);
  // The checker typed every expression (checker.hpp).
  TALLY_INVARIANT(typed != nullptr, describe(at) + ": expected " + std::string(type));
  return std::move(*typed);
}

Result<Integer> bounded(std::optional<Integer> value, Position at) {
  TALLY_INVARIANT(value.has_value(), "bounded integers exceed the bignum capacity");
  if (!value->fits()) {
    return runtime_error(at, "integer overflow: the result reaches 2^" +
                                 std::to_string(limits::kScriptIntegerBitsMax));
  }
  return *value;
}

}  // namespace

Error runtime_error(Position at, const std::string& message) {
  return make_error(Code::kInterpreterRuntime, describe(at) + ": " + message);
}

Result<Monetary> Evaluator::monetary(const Expr& expr) {
  return as<Monetary>(evaluate(expr), expr.at, "monetary");
}

Result<std::string> Evaluator::account(const Expr& expr) {
  auto value = as<AccountName>(evaluate(expr), expr.at, "account");
  if (!value.ok()) return std::move(value).error();
  return std::move(value->name);
}

Result<std::string> Evaluator::asset(const Expr& expr) {
  auto value = as<AssetName>(evaluate(expr), expr.at, "asset");
  if (!value.ok()) return std::move(value).error();
  return std::move(value->name);
}

Result<std::string> Evaluator::text(const Expr& expr) {
  auto value = as<Text>(evaluate(expr), expr.at, "string");
  if (!value.ok()) return std::move(value).error();
  return std::move(value->text);
}

Result<Portion> Evaluator::portion(const Expr& expr) {
  return as<Portion>(evaluate(expr), expr.at, "portion");
}

Result<Integer> Evaluator::amount_in(const Expr& expr, const std::string& asset) {
  auto value = monetary(expr);
  if (!value.ok()) return std::move(value).error();
  if (value->asset != asset) {
    return runtime_error(expr.at,
                         "mismatched currency: expected " + asset + ", found " + value->asset);
  }
  return std::move(value->amount);
}

Result<Value> Evaluator::evaluate(const Expr& expr) {
  switch (expr.kind) {
    case Expr::Kind::kVariable: {
      auto found = bindings_->find(expr.text);
      if (found == bindings_->end())
        return runtime_error(expr.at, "unbound variable $" + expr.text);
      return found->second;
    }
    case Expr::Kind::kAsset: return Value(AssetName{expr.text});
    case Expr::Kind::kString: return Value(Text{expr.text});
    case Expr::Kind::kNumber: return Value(expr.number);
    case Expr::Kind::kPercent: return Value(expr.portion);
    case Expr::Kind::kAccount: return account_literal(expr);
    case Expr::Kind::kMonetary: {
      auto asset_name = asset(*expr.operands[0]);
      if (!asset_name.ok()) return std::move(asset_name).error();
      auto amount = as<Integer>(evaluate(*expr.operands[1]), expr.at, "number");
      if (!amount.ok()) return std::move(amount).error();
      return Value(Monetary{std::move(asset_name).value(), std::move(amount).value()});
    }
    case Expr::Kind::kNegate: {
      auto operand = evaluate(*expr.operands[0]);
      if (!operand.ok()) return operand;
      if (auto* m = std::get_if<Monetary>(&*operand)) {
        return Value(Monetary{m->asset, m->amount.negated()});
      }
      return Value(std::get<Integer>(*operand).negated());
    }
    case Expr::Kind::kAdd:
    case Expr::Kind::kSubtract: return arithmetic(expr);
    case Expr::Kind::kDivide: return divide(expr);
    case Expr::Kind::kCall: return call(expr);
  }
  TALLY_INVARIANT(false, "unknown expression kind");
  return runtime_error(expr.at, "unknown expression");
}

Result<Value> Evaluator::arithmetic(const Expr& expr) {
  auto left = evaluate(*expr.operands[0]);
  if (!left.ok()) return left;
  auto right = evaluate(*expr.operands[1]);
  if (!right.ok()) return right;
  bool add = expr.kind == Expr::Kind::kAdd;
  auto combine = [&](const Integer& a, const Integer& b) {
    return bounded(add ? Integer::add(a, b) : Integer::sub(a, b), expr.at);
  };
  if (auto* m = std::get_if<Monetary>(&*left)) {
    const auto& other = std::get<Monetary>(*right);
    if (m->asset != other.asset) {
      return runtime_error(expr.at, "mismatched currency: " + m->asset + " and " + other.asset);
    }
    auto amount = combine(m->amount, other.amount);
    if (!amount.ok()) return std::move(amount).error();
    return Value(Monetary{m->asset, std::move(amount).value()});
  }
  auto number = combine(std::get<Integer>(*left), std::get<Integer>(*right));
  if (!number.ok()) return std::move(number).error();
  return Value(std::move(number).value());
}

Result<Value> Evaluator::divide(const Expr& expr) {
  auto left = as<Integer>(evaluate(*expr.operands[0]), expr.at, "number");
  if (!left.ok()) return std::move(left).error();
  auto right = as<Integer>(evaluate(*expr.operands[1]), expr.at, "number");
  if (!right.ok()) return std::move(right).error();
  if (right->is_zero()) {
    return runtime_error(expr.at, "division by zero (" + left->to_decimal() + "/0)");
  }
  if (left->negative != right->negative && !left->is_zero()) {
    return runtime_error(expr.at, "a portion cannot be negative (" + left->to_decimal() + "/" +
                                      right->to_decimal() + ")");
  }
  auto portion = Portion::make(left->magnitude, right->magnitude);
  if (!portion) return runtime_error(expr.at, "portion terms exceed their bound");
  return Value(*portion);
}

Result<Value> Evaluator::account_literal(const Expr& expr) {
  std::string name;
  for (const AccountPart& part : expr.parts) {
    if (!part.is_variable) {
      name += part.text;
      continue;
    }
    auto found = bindings_->find(part.text);
    if (found == bindings_->end()) return runtime_error(expr.at, "unbound variable $" + part.text);
    if (auto* number = std::get_if<Integer>(&found->second)) {
      name += number->to_decimal();
    } else {
      name += value_text(found->second);  // an account or a string (checker.cpp)
    }
  }
  Status valid = check_account_name(name);
  if (!valid.ok()) return runtime_error(expr.at, valid.error().message);
  return Value(AccountName{std::move(name)});
}

Result<Value> Evaluator::call(const Expr& expr) {
  const std::string& name = expr.text;
  if (name == "get_asset" || name == "get_amount") {
    auto m = monetary(*expr.operands[0]);
    if (!m.ok()) return std::move(m).error();
    if (name == "get_asset") return Value(AssetName{m->asset});
    return Value(m->amount);
  }
  if (name != "balance" && name != "overdraft") {
    // meta() is bound by the binder as a whole origin (checker.hpp); nothing else is callable.
    return runtime_error(expr.at, "meta() cannot be nested in an expression");
  }
  auto owner = account(*expr.operands[0]);
  if (!owner.ok()) return std::move(owner).error();
  auto asset_name = asset(*expr.operands[1]);
  if (!asset_name.ok()) return std::move(asset_name).error();
  auto balance = balances_->read_balance(*owner, *asset_name);
  if (!balance.ok()) return std::move(balance).error();
  if (name == "overdraft") {
    Integer debt = balance->is_positive() ? Integer() : balance->negated();
    return Value(Monetary{std::move(asset_name).value(), std::move(debt)});
  }
  if (balance->negative) {
    return runtime_error(expr.at,
                         "cannot read the negative balance of @" + *owner + " as an amount");
  }
  return Value(Monetary{std::move(asset_name).value(), std::move(balance).value()});
}

}  // namespace tally::numscript
