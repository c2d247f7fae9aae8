#include "wasm/session.hpp"

#include "core/sim/scenarios.hpp"
#include "core/sim/trace_reader.hpp"
#include "wasm/json_writer.hpp"
#include "wasm/state_json.hpp"

namespace tally::wasm {

std::string Session::load_scenario(int number, bool pre_fix) {
  auto recording = sim::record_scenario(number, pre_fix);
  if (!recording.ok()) return recording.error().message;
  kind_ = Kind::kScenario;
  pre_fix_ = number == 1 && pre_fix;
  steps_ = std::move(recording->steps);
  play_.reset();
  trace_.reset();
  reader_.reset();
  divergence_ = sim::first_divergence(steps_);
  count_ = steps_.size();
  title_ = "Scenario " + std::to_string(number) + ": " + recording->title +
           (pre_fix_ ? " (pre-fix delete)" : "");
  session_name_ = "scenario-" + std::to_string(number) + (pre_fix_ ? "-pre-fix" : "");
  show(0);
  return "";
}

std::string Session::free_play(bool pre_fix) {
  kind_ = Kind::kFree;
  pre_fix_ = pre_fix;
  steps_.clear();
  trace_.reset();
  reader_.reset();
  play_ = std::make_unique<sim::Playground>(pre_fix);
  divergence_ = sim::first_divergence(play_->steps());
  count_ = play_->steps().size();
  title_ = std::string("Free play") + (pre_fix ? " (pre-fix delete)" : "");
  session_name_ = pre_fix ? "free-pre-fix" : "free";
  show(count_ - 1);
  return "";
}

std::string Session::load_trace(std::string json) {
  auto opened = sim::TraceReader::open(std::move(json));  // parsed in place, never copied
  if (!opened.ok()) return opened.error().message;
  std::unique_ptr<sim::TraceReader> reader = std::move(opened).value();
  if (reader->size() == 0) return "the trace holds no steps";
  std::unique_ptr<sim::TraceTimeline> timeline;
  if (reader->head().version >= 3) {
    timeline = std::make_unique<sim::TraceTimeline>(reader->head(), reader->size(), reader->keys());
    auto first = reader->next(reader->size() <= kReadAtOnce ? reader->size() : kFirstSteps);
    if (!first.ok()) return first.error().message;
    timeline->append(std::move(first).value());
  } else {  // rows that name their keys: numbered from every row, so read at once
    sim::TraceFile file = reader->head();
    auto steps = reader->next(reader->size());
    if (!steps.ok()) return steps.error().message;
    file.steps = std::move(steps).value();
    timeline = std::make_unique<sim::TraceTimeline>(std::move(file));
  }
  kind_ = Kind::kTrace;
  steps_.clear();
  play_.reset();
  divergence_ = timeline->divergence();
  title_ = timeline->file().title.empty() ? "Loaded trace" : timeline->file().title;
  count_ = timeline->total();
  trace_ = std::move(timeline);
  reader_ = trace_->complete() ? nullptr : std::move(reader);
  read_error_.clear();
  session_name_ = "trace";
  show(divergence_ ? divergence_->step : 0);
  return "";
}

std::size_t Session::read_more(std::size_t steps) {
  if (reader_ == nullptr) return 0;
  auto slice = reader_->next(steps);
  if (!slice.ok()) {
    read_error_ = slice.error().message;
    count_ = trace_->size();
    reader_.reset();
    return 0;
  }
  trace_->append(std::move(slice).value());
  divergence_ = trace_->divergence();
  if (trace_->complete()) reader_.reset();
  return trace_->total() - trace_->size();
}

std::string Session::act(const std::string& action) {
  if (kind_ != Kind::kFree) return "actions belong to free play";
  if (current_ + 1 < count_) {
    // Showing an earlier step: keep the actions up to it, on a fresh playground.
    std::size_t setup = sim::Playground(pre_fix_).steps().size();
    std::size_t kept = current_ + 1 > setup ? current_ + 1 - setup : 0;
    auto replayed = std::make_unique<sim::Playground>(pre_fix_);
    for (std::size_t i = 0; i < kept; ++i) {
      Status done = replayed->act(play_->actions()[i]);
      TALLY_INVARIANT(done.ok(), "a recorded action fails on replay: " + play_->actions()[i]);
    }
    Status done = replayed->act(action);
    if (!done.ok()) return done.error().message;
    play_ = std::move(replayed);
  } else {
    Status done = play_->act(action);
    if (!done.ok()) return done.error().message;
  }
  divergence_ = sim::first_divergence(play_->steps());
  count_ = play_->steps().size();
  show(count_ - 1);
  return "";
}

sim::StepState Session::step_at(std::size_t n) const {
  switch (kind_) {
    case Kind::kScenario: return steps_[n];
    case Kind::kFree: return play_->steps()[n];
    case Kind::kTrace: return trace_->state_at(n);
    case Kind::kNone: break;
  }
  return {};
}

std::string Session::show(std::size_t n) {
  current_ = n;
  state_json_ = step_json(step_at(n), count_, session_name_);
  return state_json_;
}

std::string Session::seek(std::size_t n) {
  if (kind_ == Kind::kNone) return "";
  if (kind_ == Kind::kTrace && n >= trace_->size()) {
    read_more(n + 1 - trace_->size());  // count_ shrinks if a step before n is in error
  }
  return show(n >= count_ ? count_ - 1 : n);
}

std::string Session::actions_json() const {
  JsonWriter j;
  j.begin_array();
  if (play_ != nullptr) {
    for (const std::string& a : play_->actions())
      j.value(a);
  }
  j.end_array();
  return j.str();
}

std::string Session::divergence_json() const {
  if (!divergence_) return "null";
  JsonWriter j;
  j.begin_object();
  j.field("step", static_cast<std::uint64_t>(divergence_->step)).field("what", divergence_->what);
  j.field("key", divergence_->key).field("detail", divergence_->detail);
  j.end_object();
  return j.str();
}

}  // namespace tally::wasm
