#include "core/numscript/bindings.hpp"

#include "core/numscript/evaluator.hpp"

namespace tally::numscript {

namespace {

// Origins read balances straight from the ledger: nothing has moved yet. The world account
// is never read (it is unbounded), so its balance reads as zero, as in Formance.
class OriginBalances final : public BalanceReader {
 public:
  explicit OriginBalances(StateView& state) : state_(&state) {}
  Result<Integer> read_balance(const std::string& account, const std::string& asset) override {
    if (account == "world") return Integer();
    return state_->balance(account, asset);
  }

 private:
  StateView* state_;
};

Result<Value> meta_origin(Evaluator& evaluator, const VariableDeclaration& declaration, Type type,
                          StateView& state) {
  const Expr& call = *declaration.origin;
  auto account = evaluator.account(*call.operands[0]);
  if (!account.ok()) return std::move(account).error();
  auto key = evaluator.text(*call.operands[1]);
  if (!key.ok()) return std::move(key).error();
  auto raw = state.metadata(*account, *key);
  if (!raw.ok()) return std::move(raw).error();
  if (!*raw) {
    return runtime_error(call.at, "account @" + *account + " has no metadata \"" + *key + "\"");
  }
  auto value = parse_value(type, **raw, declaration.name);
  if (!value.ok())
    return runtime_error(call.at, "metadata of @" + *account + ": " + value.error().message);
  return value;
}

}  // namespace

Result<Bindings> bind_variables(const CompiledScript& script, const VariableValues& values,
                                StateView& state) {
  Bindings bindings;
  OriginBalances balances(state);
  Evaluator evaluator(bindings, balances);
  for (const VariableDeclaration& declaration : script.program.variables) {
    Type type = *type_from_name(declaration.type);  // the checker knows every type
    Result<Value> value = Error{Code::kInvariantViolation, ""};
    if (!declaration.origin) {
      auto passed = values.find(declaration.name);
      if (passed == values.end()) {
        return make_error(Code::kCompilationFailed,
                          "variable $" + declaration.name + " is missing");
      }
      value = parse_value(type, passed->second, declaration.name);
    } else if (declaration.origin->kind == Expr::Kind::kCall &&
               declaration.origin->text == "meta") {
      value = meta_origin(evaluator, declaration, type, state);
    } else {
      value = evaluator.evaluate(*declaration.origin);
    }
    if (!value.ok()) return std::move(value).error();
    bindings.insert_or_assign(declaration.name, std::move(value).value());
  }
  return bindings;
}

}  // namespace tally::numscript
