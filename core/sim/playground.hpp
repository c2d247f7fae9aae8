// Free play for the visualiser (docs/design.md §10): a session of actions on one node, each
// recorded as a step of the stepping model (step_state.hpp). Actions are short strings, so a
// session is a list that a URL can carry and a replay can rebuild exactly:
//   save:ACCOUNT     admit a save of ACCOUNT's metadata (a new value each time)
//   delete:ACCOUNT   admit a delete of ACCOUNT's metadata key
//   read:ACCOUNT     Get ACCOUNT's metadata from the cache (gen0, else gen1)
//   apply            apply the oldest proposal in flight at the next index
//   rotate           configuration entries up to the next generation boundary
//   crash, restart   lose memory / rebuild it from the disk mirror
//   threshold:K      admit a change of the rotation threshold to K (1 to 64)
// Accounts are alice, bob and carol of ledger main. The session starts with ledger main
// created and applied, at threshold 4.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "core/result.hpp"
#include "core/sim/scenario_stage.hpp"

namespace tally::sim {

inline constexpr std::uint64_t kPlaygroundThreshold = 4;
inline constexpr std::size_t kPlaygroundInFlightMax = 8;   // proposals between admit and apply
inline constexpr std::size_t kPlaygroundActionsMax = 400;  // a session stays a teaching size

class Playground {
 public:
  explicit Playground(bool pre_fix);

  // Performs one action and records its step. kValidation: unknown or impossible now (the
  // node is down, nothing is in flight, ...); nothing is recorded then.
  Status act(const std::string& action);

  const std::vector<StepState>& steps() const { return stage_->steps(); }
  const std::vector<std::string>& actions() const { return actions_; }
  bool pre_fix() const { return pre_fix_; }

 private:
  Status admit(const domain::Order& order);
  Status apply_next();
  Status rotate();

  bool pre_fix_;
  std::unique_ptr<ScenarioStage> stage_;
  std::vector<int> in_flight_;  // proposal handles, oldest first
  std::vector<std::string> actions_;
  std::uint64_t saves_ = 0;
};

}  // namespace tally::sim
