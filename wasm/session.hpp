// A visualiser session: one recording the page steps through (a scenario, free play or a
// loaded trace), the step it shows, and the first divergence it holds.
//
// Scenarios and free play keep every recorded step, so any seek is an index. A loaded trace
// is a TraceTimeline (core/sim/trace_timeline.hpp): its steps are rebuilt from checkpoints
// with fewer than TraceTimeline::kCheckpointEvery steps replayed, whatever the trace's
// length; a seek past the steps of a trace read in part reads up to it first. Acting in free play
// while showing an earlier step replays the actions kept (at most kPlaygroundActionsMax) on a fresh
// playground.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/sim/divergence.hpp"
#include "core/sim/playground.hpp"
#include "core/sim/step_state.hpp"
#include "core/sim/trace_reader.hpp"
#include "core/sim/trace_timeline.hpp"

namespace tally::wasm {

class Session {
 public:
  // Each returns "" on success, else a message for people; the session is unchanged then.
  std::string load_scenario(int number, bool pre_fix);
  std::string free_play(bool pre_fix);
  // A tally-trace/4, /3, /2 or /1 file's text; shows its first divergence, else its first step.
  // A version 3 or 4 file of more than kReadAtOnce steps is read in part: its first
  // kFirstSteps steps, then read_more's slices (the first divergence shown only if it is among
  // them). The first read of a fresh module runs its code unoptimised: the fewer steps before
  // the first is shown, the sooner.
  std::string load_trace(std::string json);
  // Reads the next `steps` steps of a trace read in part; returns how many are left. An
  // error in a step ends the trace before it (count() shrinks) and is kept in read_error().
  std::size_t read_more(std::size_t steps);
  std::string read_error() const { return read_error_; }
  static constexpr std::size_t kReadAtOnce = 1024;
  static constexpr std::size_t kFirstSteps = 64;
  // Free play only. Acting while showing an earlier step drops the later actions first.
  std::string act(const std::string& action);

  std::size_t count() const { return count_; }
  std::size_t current() const { return current_; }
  // The state at step n (clamped to the recording); becomes the current step.
  std::string seek(std::size_t n);
  std::string state() const { return state_json_; }
  std::string title() const { return title_; }
  std::string actions_json() const;  // free play's actions, for the URL
  // {"step", "what", "key", "detail"} of the first divergence, or null.
  std::string divergence_json() const;

 private:
  sim::StepState step_at(std::size_t n) const;
  std::string show(std::size_t n);

  enum class Kind { kNone, kScenario, kFree, kTrace };
  Kind kind_ = Kind::kNone;
  bool pre_fix_ = false;
  std::vector<sim::StepState> steps_;          // a scenario's
  std::unique_ptr<sim::Playground> play_;      // free play
  std::unique_ptr<sim::TraceTimeline> trace_;  // a loaded trace
  std::unique_ptr<sim::TraceReader> reader_;   // the rest of a trace read in part
  std::string read_error_;
  std::optional<sim::Divergence> divergence_;
  std::size_t count_ = 0;
  std::size_t current_ = 0;
  std::string title_;
  std::string session_name_;
  std::string state_json_;
};

}  // namespace tally::wasm
