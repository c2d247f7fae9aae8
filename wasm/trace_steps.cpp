#include "wasm/trace_steps.hpp"

#include <emscripten/val.h>

namespace tally::wasm {

namespace {

using emscripten::val;

constexpr std::size_t kTraceStepsMax = 200000;  // a trace of a long run stays loadable

std::uint64_t number(const val& v, const char* name) {
  val field = v[name];
  if (!field.isNumber()) return 0;
  double d = field.as<double>();
  return d < 0 ? 0 : static_cast<std::uint64_t>(d);
}

std::string text(const val& v, const char* name) {
  val field = v[name];
  return field.isString() ? field.as<std::string>() : std::string();
}

sim::NodeStep node_of(const val& n, std::size_t index) {
  sim::NodeStep node;
  node.name = "node " + std::to_string(index);
  node.up = n["up"].isTrue();
  node.applied_index = number(n, "applied");
  node.generation = number(n, "generation");
  node.epoch = number(n, "epoch");
  node.threshold = number(n, "threshold");
  node.gen0_entries = number(n, "gen0");
  node.gen1_entries = number(n, "gen1");
  node.parity_ok = !node.up || n["parity"].isTrue();
  node.parity_detail = node.parity_ok ? "" : "parity broken (the trace records no rows)";
  node.keys_known = false;
  return node;
}

sim::StepState step_of(const val& s, std::size_t number_in_trace) {
  sim::StepState step;
  step.number = number_in_trace;
  step.kind = "trace";
  std::string action = text(s, "action");
  int node = s["node"].isNumber() ? s["node"].as<int>() : -1;
  std::uint64_t index = number(s, "index");
  step.event = "step " + std::to_string(number(s, "step")) + ": " + action +
               (node >= 0 ? " on node " + std::to_string(node) : "") +
               (index > 0 ? " @" + std::to_string(index) : "") + " - " + text(s, "detail");
  step.explanation = action == "VIOLATION" ? "The simulator stopped here: " + text(s, "detail")
                                           : "A recorded step of a simulator run.";
  val nodes = s["nodes"];
  std::size_t count = nodes.isArray() ? nodes["length"].as<std::size_t>() : 0;
  for (std::size_t i = 0; i < count && i < 64; ++i) {
    step.nodes.push_back(node_of(nodes[i], i));
    const sim::NodeStep& n = step.nodes.back();
    step.applied_index = std::max(step.applied_index, n.applied_index);
    step.threshold = std::max(step.threshold, n.threshold);
    step.invariants.push_back(
        {"inv#1 cache mirror parity on " + n.name, n.parity_ok,
         n.up ? (n.parity_ok ? "memory equals the disk mirror" : n.parity_detail)
              : "not checked: the node is down"});
  }
  step.log_end = std::max(step.applied_index, index);
  return step;
}

}  // namespace

Result<TraceSteps> trace_steps(const std::string& json) {
  val parse = val::global("JSON")["parse"];
  // JSON.parse throws on bad input: a JS exception cannot cross into C++, so check first
  // with a guarded call written in JavaScript.
  val guarded =
      val::global("Function")
          .new_(val("p"), val("t"), val("try { return p(t); } catch (e) { return undefined; }"));
  val parsed = guarded(parse, val(json));
  if (parsed.isUndefined() || parsed.isNull() || parsed.typeOf().as<std::string>() != "object")
    return make_error(Code::kValidation, "not a JSON trace file");
  if (text(parsed, "format") != "tally-trace/1")
    return make_error(Code::kValidation,
                      "not a tally-trace/1 file (format \"" + text(parsed, "format") + "\")");
  val steps = parsed["steps"];
  if (!steps.isArray()) return make_error(Code::kValidation, "the trace has no steps array");
  std::size_t count = steps["length"].as<std::size_t>();
  if (count > kTraceStepsMax) return make_error(Code::kValidation, "the trace is too long");
  TraceSteps out;
  out.title = "Trace of seed " + std::to_string(number(parsed, "seed"));
  val result = parsed["result"];
  if (result.isUndefined() == false && result["ok"].isFalse())
    out.title += " (violation: " + text(result, "violation") + ")";
  for (std::size_t i = 0; i < count; ++i)
    out.steps.push_back(step_of(steps[i], i));
  return out;
}

}  // namespace tally::wasm
