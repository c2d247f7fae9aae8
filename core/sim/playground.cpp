#include "core/sim/playground.hpp"

#include <algorithm>

namespace tally::sim {

namespace {

const std::vector<std::string> kAccounts = {"alice", "bob", "carol"};

bool known_account(const std::string& account) {
  return std::find(kAccounts.begin(), kAccounts.end(), account) != kAccounts.end();
}

Error invalid(const std::string& message) {
  return make_error(Code::kValidation, message);
}

}  // namespace

Playground::Playground(bool pre_fix) : pre_fix_(pre_fix) {
  stage_ = std::make_unique<ScenarioStage>(
      kPlaygroundThreshold,
      pre_fix ? cache::DeleteMode::kPreFixForTeaching : cache::DeleteMode::kLazyGen0);
  for (const std::string& account : kAccounts)
    stage_->watch(account + "'s metadata", keys::account_metadata_key("main", account));
  stage_->say(std::string("Free play, K = ") + std::to_string(kPlaygroundThreshold) + ", " +
              (pre_fix ? "with the PRE-FIX delete" : "with the lazy gen0 tombstone") +
              ": ledger main exists; save, delete and read alice's, bob's and carol's "
              "metadata, apply, rotate, crash and restart.");
  stage_->apply(stage_->admit(domain::CreateLedger{"main", {}}, 1), "create ledger main");
}

Status Playground::admit(const domain::Order& order) {
  if (in_flight_.size() >= kPlaygroundInFlightMax)
    return invalid("at most " + std::to_string(kPlaygroundInFlightMax) + " proposals in flight");
  std::uint64_t predicted = stage_->machine().applied_index() + in_flight_.size() + 1;
  auto handle = stage_->try_admit(order, predicted);
  if (handle.ok()) in_flight_.push_back(*handle);
  return ok_status();  // a refusal is a recorded step, not an error of the session
}

Status Playground::apply_next() {
  if (in_flight_.empty()) return invalid("nothing in flight: propose something first");
  int handle = in_flight_.front();
  in_flight_.erase(in_flight_.begin());
  const plan::Proposal& p = stage_->proposal(handle);
  stage_->apply(handle, std::string(domain::order_name(p.orders[0].order)));
  return ok_status();
}

Status Playground::rotate() {
  const cache::Cache& cache = stage_->machine().cache();
  std::uint64_t applied = stage_->machine().applied_index();
  std::uint64_t boundary = (cache.generation() + 1) * cache.threshold() + 1;
  stage_->say("Forced rotation: configuration entries up to index " + std::to_string(boundary) +
              ", the first of the next generation.");
  stage_->noop(boundary - applied);
  return ok_status();
}

Status Playground::act(const std::string& action) {
  if (actions_.size() >= kPlaygroundActionsMax) return invalid("the session is full");
  std::string verb = action.substr(0, action.find(':'));
  std::string argument =
      action.find(':') == std::string::npos ? "" : action.substr(action.find(':') + 1);
  if (verb == "restart") {
    if (stage_->up()) return invalid("the node is up");
    stage_->restart();
  } else if (!stage_->up()) {
    return invalid("the node is down: restart it first");
  } else if ((verb == "save" || verb == "delete" || verb == "read") && !known_account(argument)) {
    return invalid("unknown account '" + argument + "' (alice, bob or carol)");
  } else if (verb == "save") {
    ++saves_;
    Status s = admit(domain::SetAccountMetadata{
        "main", argument, {{"k", std::string("v") + std::to_string(saves_)}}});
    if (!s.ok()) return s;
  } else if (verb == "delete") {
    Status s = admit(domain::DeleteAccountMetadata{"main", argument, "k"});
    if (!s.ok()) return s;
  } else if (verb == "read") {
    stage_->read(argument + "'s metadata", keys::account_metadata_key("main", argument));
  } else if (verb == "apply") {
    Status s = apply_next();
    if (!s.ok()) return s;
  } else if (verb == "rotate") {
    Status s = rotate();
    if (!s.ok()) return s;
  } else if (verb == "crash") {
    stage_->crash();
  } else if (verb == "threshold") {
    std::uint64_t k = 0;
    for (char c : argument) {
      if (c < '0' || c > '9' || k > 64) return invalid("threshold must be 1 to 64");
      k = k * 10 + static_cast<std::uint64_t>(c - '0');
    }
    if (k < 1 || k > 64) return invalid("threshold must be 1 to 64");
    Status s = admit(domain::SetRotationThreshold{k});
    if (!s.ok()) return s;
  } else {
    return invalid("unknown action '" + action + "'");
  }
  actions_.push_back(action);
  return ok_status();
}

}  // namespace tally::sim
