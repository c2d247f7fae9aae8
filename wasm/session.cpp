#include "wasm/session.hpp"

#include "core/sim/scenarios.hpp"
#include "wasm/json_writer.hpp"
#include "wasm/state_json.hpp"

namespace tally::wasm {

namespace {

// Replays free play's first action_count actions on a fresh playground.
sim::Playground replay_actions(bool pre_fix, const std::vector<std::string>& actions,
                               std::size_t action_count) {
  sim::Playground play(pre_fix);
  for (std::size_t i = 0; i < action_count && i < actions.size(); ++i) {
    Status done = play.act(actions[i]);
    TALLY_INVARIANT(done.ok(), "a recorded action fails on replay: " + actions[i]);
  }
  return play;
}

std::size_t setup_steps(bool pre_fix) {
  return sim::Playground(pre_fix).steps().size();
}

}  // namespace

std::string Session::load_scenario(int number, bool pre_fix) {
  auto recording = sim::record_scenario(number, pre_fix);
  if (!recording.ok()) return recording.error().message;
  kind_ = Kind::kScenario;
  scenario_ = number;
  pre_fix_ = number == 1 && pre_fix;
  count_ = recording->steps.size();
  title_ = "Scenario " + std::to_string(number) + ": " + recording->title +
           (pre_fix_ ? " (pre-fix delete)" : "");
  session_name_ = "scenario-" + std::to_string(number) + (pre_fix_ ? "-pre-fix" : "");
  show(0);
  return "";
}

std::string Session::free_play(bool pre_fix) {
  kind_ = Kind::kFree;
  pre_fix_ = pre_fix;
  actions_.clear();
  count_ = setup_steps(pre_fix);
  title_ = std::string("Free play") + (pre_fix ? " (pre-fix delete)" : "");
  session_name_ = pre_fix ? "free-pre-fix" : "free";
  show(count_ - 1);
  return "";
}

std::string Session::load_trace_steps(std::vector<sim::StepState> steps, const std::string& title) {
  if (steps.empty()) return "the trace holds no steps";
  kind_ = Kind::kTrace;
  trace_ = std::move(steps);
  count_ = trace_.size();
  title_ = title;
  session_name_ = "trace";
  show(0);
  return "";
}

std::string Session::act(const std::string& action) {
  if (kind_ != Kind::kFree) return "actions belong to free play";
  std::size_t setup = setup_steps(pre_fix_);
  std::size_t kept = current_ + 1 > setup ? current_ + 1 - setup : 0;
  std::vector<std::string> actions(actions_.begin(), actions_.begin() + kept);
  sim::Playground play = replay_actions(pre_fix_, actions, actions.size());
  Status done = play.act(action);
  if (!done.ok()) return done.error().message;
  actions_ = play.actions();
  count_ = play.steps().size();
  show(count_ - 1);
  return "";
}

sim::StepState Session::replay_to(std::size_t n) const {
  switch (kind_) {
    case Kind::kScenario: return sim::record_scenario(scenario_, pre_fix_).value().steps[n];
    case Kind::kFree: {
      std::size_t setup = setup_steps(pre_fix_);
      std::size_t actions = n + 1 > setup ? n + 1 - setup : 0;
      return replay_actions(pre_fix_, actions_, actions).steps()[n];
    }
    case Kind::kTrace: return trace_[n];
    case Kind::kNone: break;
  }
  return {};
}

std::string Session::show(std::size_t n) {
  current_ = n;
  state_json_ = step_json(replay_to(n), count_, session_name_);
  return state_json_;
}

std::string Session::seek(std::size_t n) {
  if (kind_ == Kind::kNone) return "";
  return show(n >= count_ ? count_ - 1 : n);
}

std::string Session::actions_json() const {
  JsonWriter j;
  j.begin_array();
  for (const std::string& a : actions_)
    j.value(a);
  j.end_array();
  return j.str();
}

}  // namespace tally::wasm
