// Expression evaluation, shared by variable binding, the interpreter and the footprint.
//
// The checker has typed every expression, so a type mismatch here is an invariant error;
// what remains are value errors (kInterpreterRuntime, naming the position): currencies that
// differ, division by zero, an integer past 2^256, an invalid interpolated account name, a
// negative balance read by balance(). Balances come from a BalanceReader, which the
// interpreter backs with its running balances and the footprint with a recorder.
#pragma once

#include <string>

#include "core/numscript/ast.hpp"
#include "core/numscript/value.hpp"

namespace tally::numscript {

class BalanceReader {
 public:
  virtual ~BalanceReader() = default;
  virtual Result<Integer> read_balance(const std::string& account, const std::string& asset) = 0;
};

Error runtime_error(Position at, const std::string& message);

class Evaluator {
 public:
  Evaluator(const Bindings& bindings, BalanceReader& balances)
      : bindings_(&bindings), balances_(&balances) {}

  Result<Value> evaluate(const Expr& expr);
  Result<Monetary> monetary(const Expr& expr);
  Result<std::string> account(const Expr& expr);
  Result<std::string> asset(const Expr& expr);
  Result<std::string> text(const Expr& expr);
  Result<Portion> portion(const Expr& expr);
  // The amount of a monetary that must be in asset (a cap, an overdraft bound).
  Result<Integer> amount_in(const Expr& expr, const std::string& asset);

 private:
  Result<Value> arithmetic(const Expr& expr);
  Result<Value> divide(const Expr& expr);
  Result<Value> call(const Expr& expr);
  Result<Value> account_literal(const Expr& expr);

  const Bindings* bindings_;
  BalanceReader* balances_;
};

}  // namespace tally::numscript
