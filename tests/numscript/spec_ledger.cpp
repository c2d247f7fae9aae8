// A spec case through the whole core: a fresh in-memory node, the case's balances written as
// transactions (from the world for a positive balance, forced to the world for a negative
// one), its metadata as metadata orders, then the script as a CreateTransaction through
// admission and apply. The outcome is read back from the store, and the checker must find
// the store equal to what the audit chain implies.
#include <set>

#include "core/check/checker.hpp"
#include "core/fsm/state_machine.hpp"
#include "core/plan/admission.hpp"
#include "core/query/ledger_reads.hpp"
#include "core/store/memory_store.hpp"
#include "tests/numscript/spec_ledger.hpp"

namespace tally::testing {

namespace {

constexpr const char* kLedger = "specs";

class Node {
 public:
  Node() {
    fsm::FsmOptions options;
    options.audit_key = audit::public_demo_audit_key();
    machine_ = std::move(fsm::StateMachine::open(store_, options)).value();
  }

  // Admits and applies one request; the outcome, or the error admission or apply gave.
  Result<domain::Outcome> submit(domain::Order order) {
    plan::Request request;
    request.orders.push_back(std::move(order));
    std::uint64_t index = machine_->applied_index() + 1;
    auto proposal =
        plan::admit(request, {machine_->cache(), machine_->read_view(), index, clock_us_++});
    if (!proposal.ok()) return std::move(proposal).error();
    auto report = machine_->apply(index, *proposal);
    if (!report.ok()) return std::move(report).error();
    if (report->status != fsm::ApplyReport::Status::kApplied) return *report->rejection;
    return report->outcome;
  }

  Status submit_ok(domain::Order order) {
    auto outcome = submit(std::move(order));
    if (!outcome.ok()) return std::move(outcome).error();
    if (!outcome->ok()) return make_error(outcome->code, outcome->message);
    return ok_status();
  }

  const store::KeyValueStore& store() const { return machine_->read_view(); }

  std::string check() {
    Status committed = machine_->commit_group();
    if (!committed.ok()) return committed.error().message;
    check::CheckInput input{machine_->store(), &machine_->cache(), "tally",
                            audit::public_demo_audit_key()};
    auto report = check::run_check(input);
    if (!report.ok()) return "checker: " + report.error().message;
    if (!report->mismatches.empty()) return "checker: " + report->describe();
    return "";
  }

 private:
  store::MemoryStore store_;
  std::unique_ptr<fsm::StateMachine> machine_;
  std::uint64_t clock_us_ = 1'700'000'000'000'000;
};

Status seed(Node& node, const SpecCase& c) {
  TALLY_TRY(node.submit_ok(domain::CreateLedger{kLedger, {}}));
  for (const SpecBalance& b : c.balances) {
    if (!b.color.empty()) return make_error(Code::kCompilationFailed, "colored balances");
    if (b.account == "world" || b.amount == "0") continue;
    bool negative = b.amount.front() == '-';
    auto amount = domain::Amount::parse_decimal(negative ? b.amount.substr(1) : b.amount);
    if (!amount.ok()) return std::move(amount).error();
    domain::CreateTransaction seed;
    seed.ledger = kLedger;
    seed.postings.push_back(negative ? domain::Posting{b.account, "world", *amount, b.asset}
                                     : domain::Posting{"world", b.account, *amount, b.asset});
    seed.force = negative;
    TALLY_TRY(node.submit_ok(seed));
  }
  for (const auto& [account, keys] : c.metadata) {
    domain::Metadata metadata;
    for (const auto& [key, value] : keys)
      metadata.emplace(key, value);
    TALLY_TRY(node.submit_ok(domain::SetAccountMetadata{kLedger, account, metadata}));
  }
  return ok_status();
}

// What the script set on accounts: the accounts' metadata now, less what the case seeded.
SpecMetadata script_account_metadata(const Node& node, const SpecCase& c,
                                     const domain::TransactionState& transaction) {
  SpecMetadata out;
  std::set<std::string> accounts;
  for (const auto& p : transaction.postings) {
    accounts.insert(p.source);
    accounts.insert(p.destination);
  }
  for (const auto& [account, keys] : c.metadata)
    accounts.insert(account);
  for (const std::string& account : accounts) {
    auto view = query::get_account(node.store(), kLedger, account);
    if (!view.ok() || !*view) continue;
    auto seeded = c.metadata.find(account);
    for (const auto& [key, value] : (*view)->metadata) {
      const auto* text = std::get_if<std::string>(&value);
      if (text == nullptr) continue;
      bool unchanged = seeded != c.metadata.end() && seeded->second.count(key) != 0 &&
                       seeded->second.at(key) == *text;
      if (!unchanged) out[account][key] = *text;
    }
  }
  return out;
}

}  // namespace

SpecOutcome run_in_ledger(const std::string& script, const SpecCase& c) {
  SpecOutcome outcome;
  outcome.end_balances = c.balances;
  Node node;
  Status seeded = seed(node, c);
  if (!seeded.ok()) {
    outcome.error = make_error(seeded.error().code, "seeding: " + seeded.error().message);
    return outcome;
  }
  domain::CreateTransaction order;
  order.ledger = kLedger;
  order.script = domain::Script{script,
                                {c.variables.begin(), c.variables.end()},
                                domain::ScriptRuntime::kExperimentalInterpreter};
  auto answered = node.submit(order);
  if (!answered.ok()) {
    outcome.error = answered.error();
  } else if (!answered->ok()) {
    outcome.error = make_error(answered->code, answered->message);
  } else {
    auto transaction =
        query::get_transaction(node.store(), kLedger, *answered->results[0].transaction_id);
    if (!transaction.ok() || !*transaction) {
      outcome.error = make_error(Code::kNotFound, "the transaction is not in the store");
      return outcome;
    }
    for (const auto& p : (*transaction)->postings) {
      outcome.postings.push_back({p.source, p.destination, p.amount.to_decimal(), p.asset});
    }
    for (const auto& [key, value] : (*transaction)->metadata) {
      if (const auto* text = std::get_if<std::string>(&value)) outcome.tx_metadata[key] = *text;
    }
    outcome.account_metadata = script_account_metadata(node, c, **transaction);
  }
  std::string checked = node.check();
  if (!checked.empty()) outcome.error = make_error(Code::kInvariantViolation, checked);
  return outcome;
}

}  // namespace tally::testing
