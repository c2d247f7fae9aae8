// The visualiser's entry points (embind): the page calls these and reads JSON strings back
// (docs/toolchain.md: strings returned by exported functions, never stdout).
//   Module.scenarios()                         [{number, title}] of docs/design.md §10
//   new Module.Session()
//     .loadScenario(n, preFix) .freePlay(preFix)                     "" or an error message
//     .loadTrace(bytes)      a trace file's bytes (a Uint8Array)     "" or an error message
//     .readMore(n)           reads n more steps of a long trace: the steps left to read
//     .readError()           "" or why the trace's steps end before the file's
//     .act("save:alice" | "delete:alice" | "read:alice" | "apply" | "rotate" | "crash" |
//          "restart" | "threshold:K")                              "" or an error message
//     .step() .stepBack() .seek(n) .state()                        the step's state as JSON
//     .count() .current() .title() .actions()
//     .divergence()          {step, what, key, detail} of the first divergence, or null
#include <emscripten/bind.h>
#include <emscripten/val.h>

#include "core/sim/scenarios.hpp"
#include "wasm/json_writer.hpp"
#include "wasm/session.hpp"

namespace tally::wasm {

namespace {

std::string scenarios() {
  JsonWriter j;
  j.begin_array();
  for (int n = 1; n <= sim::kScenarioCount; ++n) {
    j.begin_object().field("number", n).field("title", std::string(sim::scenario_title(n)));
    j.end_object();
  }
  j.end_array();
  return j.str();
}

class PageSession {
 public:
  std::string load_scenario(int number, bool pre_fix) {
    return session_.load_scenario(number, pre_fix);
  }
  std::string free_play(bool pre_fix) { return session_.free_play(pre_fix); }
  // The bytes are copied into the module's memory in one block (no JavaScript string, no
  // character-by-character conversion), and that copy is the one the reader parses in place.
  std::string load_trace(const emscripten::val& bytes) {
    std::string text(bytes["length"].as<std::size_t>(), '\0');
    auto* data = reinterpret_cast<unsigned char*>(text.data());
    emscripten::val(emscripten::typed_memory_view(text.size(), data)).call<void>("set", bytes);
    return session_.load_trace(std::move(text));
  }
  int read_more(int steps) {
    return static_cast<int>(session_.read_more(steps < 0 ? 0 : static_cast<std::size_t>(steps)));
  }
  std::string read_error() const { return session_.read_error(); }
  std::string act(const std::string& action) { return session_.act(action); }
  std::string step() { return session_.seek(session_.current() + 1); }
  std::string step_back() {
    return session_.seek(session_.current() == 0 ? 0 : session_.current() - 1);
  }
  std::string seek(int n) { return session_.seek(n < 0 ? 0 : static_cast<std::size_t>(n)); }
  std::string state() const { return session_.state(); }
  int count() const { return static_cast<int>(session_.count()); }
  int current() const { return static_cast<int>(session_.current()); }
  std::string title() const { return session_.title(); }
  std::string actions() const { return session_.actions_json(); }
  std::string divergence() const { return session_.divergence_json(); }

 private:
  Session session_;
};

}  // namespace

EMSCRIPTEN_BINDINGS(tally_visualiser) {
  emscripten::function("scenarios", &scenarios);
  emscripten::class_<PageSession>("Session")
      .constructor<>()
      .function("loadScenario", &PageSession::load_scenario)
      .function("freePlay", &PageSession::free_play)
      .function("loadTrace", &PageSession::load_trace)
      .function("readMore", &PageSession::read_more)
      .function("readError", &PageSession::read_error)
      .function("act", &PageSession::act)
      .function("step", &PageSession::step)
      .function("stepBack", &PageSession::step_back)
      .function("seek", &PageSession::seek)
      .function("state", &PageSession::state)
      .function("count", &PageSession::count)
      .function("current", &PageSession::current)
      .function("title", &PageSession::title)
      .function("actions", &PageSession::actions)
      .function("divergence", &PageSession::divergence);
}

}  // namespace tally::wasm
