#include "core/numscript/interpreter.hpp"

#include <utility>

#include "core/domain/validation.hpp"
#include "core/limits.hpp"
#include "core/numscript/allotment.hpp"
#include "core/numscript/evaluator.hpp"
#include "core/numscript/funds_queue.hpp"

namespace tally::numscript {

namespace {

constexpr std::string_view kWorld = "world";

Integer integer_of(const Natural& n) {
  return Integer(n);
}

class Run final : public BalanceReader {
 public:
  Run(const Bindings& bindings, StateView& state) : state_(&state), evaluator_(bindings, *this) {}

  Result<ScriptOutput> run(const Program& program) {
    for (const Statement& statement : program.statements)
      TALLY_TRY(preload(statement));
    for (const Statement& statement : program.statements)
      TALLY_TRY(execute(statement));
    return std::move(output_);
  }

  // balance() and overdraft(): the running balance, read from the ledger on first use.
  Result<Integer> read_balance(const std::string& account, const std::string& asset) override {
    TALLY_TRY(query(account, asset));
    return fetch(account, asset);
  }

 private:
  using Slot = std::pair<std::string, std::string>;  // account, asset

  Status query(const std::string& account, const std::string& asset) {
    if (account == kWorld) return ok_status();
    Slot slot{account, asset};
    if (balances_.count(slot) != 0) return ok_status();
    auto stored = state_->balance(account, asset);
    if (!stored.ok()) return std::move(stored).error();
    balances_.emplace(std::move(slot), std::move(stored).value());
    return ok_status();
  }
  Integer& fetch(const std::string& account, const std::string& asset) {
    return balances_[Slot{account, asset}];
  }

  // ---- Before the statements: read every balance a source or a save may need --------------

  Status preload(const Statement& statement) {
    if (statement.kind == Statement::Kind::kCall) return ok_status();
    auto asset = sent_asset(statement.sent);
    if (!asset.ok()) return std::move(asset).error();
    asset_ = std::move(asset).value();
    if (statement.kind == Statement::Kind::kSave) {
      auto account = evaluator_.account(*statement.account);
      if (!account.ok()) return std::move(account).error();
      return query(*account, asset_);
    }
    return preload_source(*statement.source);
  }

  Result<std::string> sent_asset(const SentValue& sent) {
    if (sent.all) return evaluator_.asset(*sent.asset);
    auto monetary = evaluator_.monetary(*sent.monetary);
    if (!monetary.ok()) return std::move(monetary).error();
    return std::move(monetary->asset);
  }

  Status preload_source(const Source& source) {
    switch (source.kind) {
      case Source::Kind::kOverdraft:
        if (!source.bound) return ok_status();  // unbounded: its balance never matters
        [[fallthrough]];
      case Source::Kind::kAccount: {
        auto account = evaluator_.account(*source.address);
        if (!account.ok()) return std::move(account).error();
        return query(*account, asset_);
      }
      default:
        for (const SourcePtr& child : source.children)
          TALLY_TRY(preload_source(*child));
        return ok_status();
    }
  }

  // ---- Statements ---------------------------------------------------------------------------

  Status execute(const Statement& statement) {
    switch (statement.kind) {
      case Statement::Kind::kSend: return send(statement);
      case Statement::Kind::kSave: return save(statement);
      case Statement::Kind::kCall: return set_metadata(*statement.call);
    }
    return ok_status();
  }

  Status send(const Statement& statement) {
    if (statement.sent.all) {
      auto asset = evaluator_.asset(*statement.sent.asset);
      if (!asset.ok()) return std::move(asset).error();
      asset_ = std::move(asset).value();
      auto taken = take_all(*statement.source);
      if (!taken.ok()) return std::move(taken).error();
      return send_to(*statement.destination, *taken);
    }
    auto monetary = evaluator_.monetary(*statement.sent.monetary);
    if (!monetary.ok()) return std::move(monetary).error();
    asset_ = monetary->asset;
    if (monetary->amount.negative) {
      return runtime_error(statement.sent.at,
                           "cannot send a negative amount: " + monetary->amount.to_decimal());
    }
    TALLY_TRY(take_exact(*statement.source, monetary->amount.magnitude));
    return send_to(*statement.destination, monetary->amount.magnitude);
  }

  Status save(const Statement& statement) {
    std::optional<Integer> amount;
    if (statement.sent.all) {
      auto asset = evaluator_.asset(*statement.sent.asset);
      if (!asset.ok()) return std::move(asset).error();
      asset_ = std::move(asset).value();
    } else {
      auto monetary = evaluator_.monetary(*statement.sent.monetary);
      if (!monetary.ok()) return std::move(monetary).error();
      asset_ = monetary->asset;
      amount = monetary->amount;
    }
    auto account = evaluator_.account(*statement.account);
    if (!account.ok()) return std::move(account).error();
    Integer& balance = fetch(*account, asset_);
    if (!amount) {
      if (balance.is_positive()) balance = Integer();
      return ok_status();
    }
    if (amount->negative) {
      return runtime_error(statement.sent.at,
                           "cannot save a negative amount: " + amount->to_decimal());
    }
    balance = Integer::sub(balance, *amount)->non_negative();
    return ok_status();
  }

  Status set_metadata(const Expr& call) {
    std::vector<Value> arguments;
    for (const ExprPtr& operand : call.operands) {
      auto value = evaluator_.evaluate(*operand);
      if (!value.ok()) return std::move(value).error();
      arguments.push_back(std::move(value).value());
    }
    if (call.text == "set_tx_meta") {
      output_.transaction_metadata.insert_or_assign(std::get<Text>(arguments[0]).text,
                                                    value_text(arguments[1]));
      return ok_status();
    }
    output_.account_metadata[std::get<AccountName>(arguments[0]).name].insert_or_assign(
        std::get<Text>(arguments[1]).text, value_text(arguments[2]));
    return ok_status();
  }

  // ---- Sources ------------------------------------------------------------------------------

  void push_sender(const std::string& account, const Natural& amount) {
    if (amount.is_zero()) return;
    Integer& balance = fetch(account, asset_);
    balance = *Integer::sub(balance, integer_of(amount));
    queue_.push(Sender{account, amount});
  }

  // Every source gives what it can, up to amount: an account its balance plus its overdraft
  // allowance (all of amount when unbounded or the world).
  Result<Natural> take_up_to(const Source& source, const Natural& amount);
  Result<Natural> take_from_account(const Source& source, const Natural& amount);
  Result<Natural> take_all(const Source& source);
  Status take_exact(const Source& source, const Natural& amount) {
    auto taken = take_up_to(source, amount);
    if (!taken.ok()) return std::move(taken).error();
    if (*taken == amount) return ok_status();
    return make_error(Code::kInsufficientFunds, describe(source.at) +
                                                    ": not enough funds: needed [" + asset_ + " " +
                                                    amount.to_decimal() + "], only [" + asset_ +
                                                    " " + taken->to_decimal() + "] available");
  }
  // The overdraft a source allows: none (unbounded), or a non-negative bound.
  Result<std::optional<Natural>> overdraft_of(const Source& source) {
    using Allowance = std::optional<Natural>;
    if (source.kind == Source::Kind::kAccount) return Allowance(Natural());
    if (!source.bound) return Allowance();
    auto bound = evaluator_.amount_in(*source.bound, asset_);
    if (!bound.ok()) return std::move(bound).error();
    return Allowance(bound->non_negative().magnitude);
  }

  // ---- Destinations -------------------------------------------------------------------------

  Status send_to(const Destination& destination, const Natural& amount);
  Status send_to_target(const KeptOrDestination& target, const Natural& amount) {
    if (target.kept) return receive({}, amount);
    return send_to(*target.to, amount);
  }
  // Pays account (none: kept, the funds go back to their senders) from the queue.
  Status receive(const std::optional<std::string>& account, const Natural& amount);

  StateView* state_;
  Evaluator evaluator_;
  std::map<Slot, Integer> balances_;  // running balances, as the script has moved them
  FundsQueue queue_;
  std::string asset_;  // the asset of the statement running
  ScriptOutput output_;
};

Result<Natural> Run::take_from_account(const Source& source, const Natural& amount) {
  auto allowance = overdraft_of(source);  // the bound is evaluated before the address
  if (!allowance.ok()) return std::move(allowance).error();
  auto account = evaluator_.account(*source.address);
  if (!account.ok()) return std::move(account).error();
  Natural taken = amount;
  if (*account != kWorld && allowance->has_value()) {
    Integer available =
        Integer::add(fetch(*account, asset_), integer_of(**allowance))->non_negative();
    if (available.magnitude < amount) taken = available.magnitude;
  }
  push_sender(*account, taken);
  return taken;
}

Result<Natural> Run::take_up_to(const Source& source, const Natural& amount) {
  switch (source.kind) {
    case Source::Kind::kAccount:
    case Source::Kind::kOverdraft: return take_from_account(source, amount);
    case Source::Kind::kInOrder: {
      Natural left = amount;
      for (const SourcePtr& child : source.children) {
        auto taken = take_up_to(*child, left);
        if (!taken.ok()) return taken;
        left = Natural::sub(left, *taken);
      }
      return Natural::sub(amount, left);
    }
    case Source::Kind::kOneof: {
      for (std::size_t i = 0; i + 1 < source.children.size(); ++i) {
        FundsQueue queue = queue_;
        std::map<Slot, Integer> balances = balances_;
        auto taken = take_up_to(*source.children[i], amount);
        if (!taken.ok()) return taken;
        if (*taken == amount) return amount;
        queue_ = std::move(queue);  // this branch could not pay it all: undo it
        balances_ = std::move(balances);
      }
      return take_up_to(*source.children.back(), amount);
    }
    case Source::Kind::kAllotment: {
      auto shares = allot(evaluator_, amount, source.allotments, source.at);
      if (!shares.ok()) return std::move(shares).error();
      for (std::size_t i = 0; i < shares->size(); ++i)
        TALLY_TRY(take_exact(*source.children[i], (*shares)[i]));
      return amount;
    }
    case Source::Kind::kCapped: {
      auto cap = evaluator_.amount_in(*source.cap, asset_);
      if (!cap.ok()) return std::move(cap).error();
      Natural limit = cap->non_negative().magnitude;
      return take_up_to(*source.children[0], limit < amount ? limit : amount);
    }
    case Source::Kind::kScaling: break;
  }
  return runtime_error(source.at, "asset scaling is not supported");  // the checker refuses it
}

Result<Natural> Run::take_all(const Source& source) {
  switch (source.kind) {
    case Source::Kind::kAccount:
    case Source::Kind::kOverdraft: {
      auto allowance = overdraft_of(source);
      if (!allowance.ok()) return std::move(allowance).error();
      auto account = evaluator_.account(*source.address);
      if (!account.ok()) return std::move(account).error();
      if (*account == kWorld || !allowance->has_value()) {
        return runtime_error(source.at,
                             "cannot send all of an unbounded source (@" + *account + ")");
      }
      Natural available =
          Integer::add(fetch(*account, asset_), integer_of(**allowance))->non_negative().magnitude;
      push_sender(*account, available);
      return available;
    }
    case Source::Kind::kInOrder: {
      Natural total;
      for (const SourcePtr& child : source.children) {
        auto taken = take_all(*child);
        if (!taken.ok()) return taken;
        total = *Natural::add(total, *taken);
      }
      return total;
    }
    case Source::Kind::kOneof: return take_all(*source.children.front());
    case Source::Kind::kCapped: {
      auto cap = evaluator_.amount_in(*source.cap, asset_);
      if (!cap.ok()) return std::move(cap).error();
      return take_up_to(*source.children[0], cap->non_negative().magnitude);
    }
    case Source::Kind::kAllotment:
      return runtime_error(source.at, "cannot send all of an allotment source");
    case Source::Kind::kScaling: break;
  }
  return runtime_error(source.at, "asset scaling is not supported");  // the checker refuses it
}

Status Run::send_to(const Destination& destination, const Natural& amount) {
  switch (destination.kind) {
    case Destination::Kind::kAccount: {
      auto account = evaluator_.account(*destination.address);
      if (!account.ok()) return std::move(account).error();
      return receive(*account, amount);
    }
    case Destination::Kind::kAllotment: {
      auto shares = allot(evaluator_, amount, destination.allotments, destination.at);
      if (!shares.ok()) return std::move(shares).error();
      for (std::size_t i = 0; i < shares->size(); ++i)
        TALLY_TRY(send_to_target(destination.targets[i], (*shares)[i]));
      return ok_status();
    }
    case Destination::Kind::kInOrder: {
      Natural left = amount;
      for (std::size_t i = 0; i < destination.caps.size() && !left.is_zero(); ++i) {
        auto cap = evaluator_.amount_in(*destination.caps[i], asset_);
        if (!cap.ok()) return std::move(cap).error();
        Natural share = cap->non_negative().magnitude;
        if (left < share) share = left;
        if (share.is_zero()) continue;
        TALLY_TRY(send_to_target(destination.targets[i], share));
        left = Natural::sub(left, share);
      }
      if (left.is_zero()) return ok_status();
      return send_to_target(destination.remaining, left);
    }
    case Destination::Kind::kOneof: {
      for (std::size_t i = 0; i < destination.caps.size(); ++i) {
        auto cap = evaluator_.amount_in(*destination.caps[i], asset_);
        if (!cap.ok()) return std::move(cap).error();
        if (!cap->negative && cap->magnitude >= amount) {
          return send_to_target(destination.targets[i], amount);
        }
      }
      return send_to_target(destination.remaining, amount);
    }
  }
  return ok_status();
}

Status Run::receive(const std::optional<std::string>& account, const Natural& amount) {
  if (amount.is_zero()) return ok_status();
  for (Sender& sender : queue_.pull(amount)) {
    if (!account) {
      Integer& balance = fetch(sender.account, asset_);  // kept: back to its sender
      balance = *Integer::add(balance, integer_of(sender.amount));
      continue;
    }
    Integer& balance = fetch(*account, asset_);
    balance = *Integer::add(balance, integer_of(sender.amount));
    if (output_.postings.size() == limits::kPostingsPerTransactionMax) {
      return make_error(Code::kInterpreterRuntime,
                        "the script makes more than " +
                            std::to_string(limits::kPostingsPerTransactionMax) + " postings");
    }
    auto posted = sender.amount.to_amount();
    if (!posted) {
      return make_error(Code::kInterpreterRuntime, "a posting of " + sender.amount.to_decimal() +
                                                       " " + asset_ + " reaches 2^256");
    }
    output_.postings.push_back(
        domain::Posting{std::move(sender.account), *account, *posted, asset_});
  }
  return ok_status();
}

// Every posting names accounts and an asset Tally accepts (docs/design.md §6).
Status check_postings(const std::vector<domain::Posting>& postings) {
  for (const domain::Posting& posting : postings) {
    Status valid = domain::validate_asset(posting.asset);
    if (valid.ok()) valid = domain::validate_account(posting.source);
    if (valid.ok()) valid = domain::validate_account(posting.destination);
    if (!valid.ok()) {
      return make_error(Code::kInterpreterRuntime,
                        "the script made an invalid posting: " + valid.error().message);
    }
  }
  return ok_status();
}

}  // namespace

Result<ScriptOutput> run_program(const Program& program, const Bindings& bindings,
                                 StateView& state) {
  auto output = Run(bindings, state).run(program);
  if (!output.ok()) return output;
  TALLY_TRY(check_postings(output->postings));
  return output;
}

}  // namespace tally::numscript
