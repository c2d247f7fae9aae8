// A visualiser session: one recording the page steps through (a scenario, free play or a
// loaded trace), and the step it shows. Step back and seek replay from the start to the step
// asked for: the core is deterministic, so a replay is exact.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "core/sim/playground.hpp"
#include "core/sim/step_state.hpp"

namespace tally::wasm {

class Session {
 public:
  // Each returns "" on success, else a message for people; the session is unchanged then.
  std::string load_scenario(int number, bool pre_fix);
  std::string free_play(bool pre_fix);
  std::string load_trace_steps(std::vector<sim::StepState> steps, const std::string& title);
  // Free play only. Acting while showing an earlier step drops the later actions first.
  std::string act(const std::string& action);

  std::size_t count() const { return count_; }
  std::size_t current() const { return current_; }
  // The state at step n (clamped to the recording), by replay; becomes the current step.
  std::string seek(std::size_t n);
  std::string state() const { return state_json_; }
  std::string title() const { return title_; }
  std::string actions_json() const;  // free play's actions, for the URL

 private:
  sim::StepState replay_to(std::size_t n) const;
  std::string show(std::size_t n);

  enum class Kind { kNone, kScenario, kFree, kTrace };
  Kind kind_ = Kind::kNone;
  int scenario_ = 0;
  bool pre_fix_ = false;
  std::vector<std::string> actions_;   // free play
  std::vector<sim::StepState> trace_;  // a loaded trace: its steps are data, not a replay
  std::size_t count_ = 0;
  std::size_t current_ = 0;
  std::string title_;
  std::string session_name_;
  std::string state_json_;
};

}  // namespace tally::wasm
