#include "core/numscript/footprint.hpp"

#include "core/numscript/evaluator.hpp"

namespace tally::numscript {

namespace {

// Passes binding's reads to the state and notes them.
class RecordingState final : public StateView {
 public:
  RecordingState(StateView& state, Footprint& footprint) : state_(&state), footprint_(&footprint) {}
  Result<Integer> balance(const std::string& account, const std::string& asset) override {
    footprint_->volumes.emplace(account, asset);
    return state_->balance(account, asset);
  }
  Result<std::optional<std::string>> metadata(const std::string& account,
                                              const std::string& key) override {
    footprint_->metadata_reads.insert(account);
    return state_->metadata(account, key);
  }

 private:
  StateView* state_;
  Footprint* footprint_;
};

// In statements, balance() and overdraft() read the running balance, which amounts alone
// change: only which balance matters here, so it is noted and read as zero.
class NotedBalances final : public BalanceReader {
 public:
  explicit NotedBalances(Footprint& footprint) : footprint_(&footprint) {}
  Result<Integer> read_balance(const std::string& account, const std::string& asset) override {
    if (account != "world") footprint_->volumes.emplace(account, asset);
    return Integer();
  }

 private:
  Footprint* footprint_;
};

// Value errors only cut a statement short; anything else (the state's) is returned.
bool is_value_error(const Error& error) {
  return error.code == Code::kInterpreterRuntime;
}

// Walks the statements: every account a statement names, with the statement's asset. Amounts
// are never needed, and a value error in one expression (a division by a zero balance the
// walk reads as zero) never hides the accounts around it: each expression is evaluated on its
// own and its value errors ignored.
class Walk {
 public:
  Walk(const Bindings& bindings, Footprint& footprint)
      : bindings_(&bindings),
        footprint_(&footprint),
        balances_(footprint),
        evaluator_(bindings, balances_) {}

  Status statement(const Statement& statement) {
    if (statement.kind == Statement::Kind::kCall) return call(*statement.call);
    auto asset = statement.sent.all ? evaluator_.asset(*statement.sent.asset)
                                    : asset_of(*statement.sent.monetary);
    if (!asset.ok()) return ignore_value_error(std::move(asset).error());
    asset_ = std::move(asset).value();
    if (!statement.sent.all) TALLY_TRY(note(statement.sent.monetary.get()));
    if (statement.kind == Statement::Kind::kSave) return account(*statement.account);
    TALLY_TRY(source(*statement.source));
    return destination(*statement.destination);
  }

 private:
  static Status ignore_value_error(Error error) {
    if (is_value_error(error)) return ok_status();
    return error;
  }

  // The asset of a monetary expression, without its amount (which the walk cannot know).
  Result<std::string> asset_of(const Expr& expr) {
    switch (expr.kind) {
      case Expr::Kind::kMonetary: return evaluator_.asset(*expr.operands[0]);
      case Expr::Kind::kNegate: return asset_of(*expr.operands[0]);
      case Expr::Kind::kAdd:
      case Expr::Kind::kSubtract: return asset_of(*expr.operands[0]);
      case Expr::Kind::kVariable: {
        auto found = bindings_->find(expr.text);
        if (found != bindings_->end()) return std::get<Monetary>(found->second).asset;
        break;
      }
      case Expr::Kind::kCall:
        if (expr.text == "balance" || expr.text == "overdraft") {
          return evaluator_.asset(*expr.operands[1]);
        }
        break;
      default: break;
    }
    auto monetary = evaluator_.monetary(expr);
    if (!monetary.ok()) return std::move(monetary).error();
    return std::move(monetary->asset);
  }

  // Evaluates expr for the balances it reads.
  Status note(const Expr* expr) {
    if (expr == nullptr) return ok_status();
    auto value = evaluator_.evaluate(*expr);
    if (!value.ok()) return ignore_value_error(std::move(value).error());
    return ok_status();
  }

  Status account(const Expr& expr) {
    auto name = evaluator_.account(expr);
    if (!name.ok()) return ignore_value_error(std::move(name).error());
    footprint_->volumes.emplace(std::move(name).value(), asset_);
    return ok_status();
  }

  Status source(const Source& node) {
    TALLY_TRY(note(node.bound.get()));
    TALLY_TRY(note(node.cap.get()));
    for (const Allotment& share : node.allotments)
      TALLY_TRY(note(share.portion.get()));
    if (node.address) TALLY_TRY(account(*node.address));
    for (const SourcePtr& child : node.children)
      TALLY_TRY(source(*child));
    return ok_status();
  }

  Status target(const KeptOrDestination& node) {
    return node.to ? destination(*node.to) : ok_status();
  }

  Status destination(const Destination& node) {
    if (node.address) TALLY_TRY(account(*node.address));
    for (const Allotment& share : node.allotments)
      TALLY_TRY(note(share.portion.get()));
    for (const ExprPtr& cap : node.caps)
      TALLY_TRY(note(cap.get()));
    for (const KeptOrDestination& each : node.targets)
      TALLY_TRY(target(each));
    return target(node.remaining);
  }

  Status call(const Expr& expr) {
    for (const ExprPtr& operand : expr.operands)
      TALLY_TRY(note(operand.get()));
    if (expr.text != "set_account_meta") return ok_status();
    auto owner = evaluator_.account(*expr.operands[0]);
    if (!owner.ok()) return ignore_value_error(std::move(owner).error());
    footprint_->metadata_writes.insert(*owner);
    auto key = evaluator_.text(*expr.operands[1]);
    auto value = evaluator_.evaluate(*expr.operands[2]);
    if (key.ok() && value.ok()) {
      footprint_->known_writes.push_back(MetadataWrite{*owner, *key, value_text(*value)});
    }
    return ok_status();
  }

  const Bindings* bindings_;
  Footprint* footprint_;
  NotedBalances balances_;
  Evaluator evaluator_;
  std::string asset_;
};

}  // namespace

Result<Footprint> script_footprint(const CompiledScript& script, const VariableValues& values,
                                   StateView& state) {
  Footprint footprint;
  RecordingState recording(state, footprint);
  auto bindings = bind_variables(script, values, recording);
  if (!bindings.ok()) {
    if (!is_value_error(bindings.error())) return std::move(bindings).error();
    footprint.bound = false;
    return footprint;
  }
  Walk walk(*bindings, footprint);
  for (const Statement& statement : script.program.statements)
    TALLY_TRY(walk.statement(statement));
  return footprint;
}

}  // namespace tally::numscript
