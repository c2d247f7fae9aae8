// The stepping model (core/sim/step_state.hpp) the visualiser and `tally-sim scenario` share:
// each step's structured state tells the same story as the narration, and a replay rebuilds
// any step exactly.
#include <catch2/catch.hpp>

#include "core/sim/divergence.hpp"
#include "core/sim/playground.hpp"
#include "core/sim/scenarios.hpp"

namespace tally {
namespace {

const sim::KeyRow& key_row(const sim::StepState& step, const std::string& label,
                           std::size_t node = 0) {
  for (const sim::KeyRow& k : step.nodes[node].keys) {
    if (k.label == label) return k;
  }
  FAIL("no key " << label << " at step " << step.number << " on node " << node);
  throw std::logic_error("unreachable");
}

const sim::InvariantStep& invariant(const sim::StepState& step, const std::string& prefix) {
  for (const sim::InvariantStep& inv : step.invariants) {
    if (inv.name.rfind(prefix, 0) == 0) return inv;
  }
  FAIL("no invariant " << prefix << " at step " << step.number);
  throw std::logic_error("unreachable");
}

TEST_CASE("scenario 1 with the fix: parity holds at every step", "[scenario][model-steps]") {
  auto recording = sim::record_scenario(1, false);
  REQUIRE(recording.ok());
  REQUIRE(recording->steps.size() > 5);
  for (const sim::StepState& step : recording->steps) {
    INFO("step " << step.number << ": " << step.event);
    CHECK(step.nodes[0].parity_ok);
    CHECK_FALSE(step.explanation.empty());
    for (const sim::InvariantStep& inv : step.invariants)
      CHECK(inv.ok);
  }
}

TEST_CASE("scenario 1 pre-fix: the delete step breaks parity and names the row",
          "[scenario][model-steps]") {
  auto recording = sim::record_scenario(1, true);
  REQUIRE(recording.ok());
  const sim::StepState* broken = nullptr;
  for (const sim::StepState& step : recording->steps) {
    if (!step.nodes[0].parity_ok && broken == nullptr) broken = &step;
  }
  REQUIRE(broken != nullptr);
  CHECK(broken->kind == "apply");
  CHECK_THAT(broken->event, Catch::Contains("delete alice's last metadata key"));
  CHECK_THAT(broken->explanation, Catch::Contains("Parity is BROKEN"));
  const sim::KeyRow& alice = key_row(*broken, "alice's metadata");
  CHECK(alice.memory_gen1.present);
  CHECK_FALSE(alice.memory_gen1.tombstone);
  CHECK(alice.disk_gen1.tombstone);
  CHECK(alice.gen1_differs);
  CHECK_FALSE(broken->invariants[0].ok);
}

TEST_CASE("scenario 1 runs a leader and a follower that apply the same log",
          "[scenario][model-steps]") {
  for (bool pre_fix : {false, true}) {
    auto recording = sim::record_scenario(1, pre_fix).value();
    for (const sim::StepState& step : recording.steps) {
      REQUIRE(step.nodes.size() == 2);
      CHECK(step.nodes[0].name == "node 0 (leader)");
      CHECK(step.nodes[1].name == "node 1");
      CHECK(step.nodes[0].applied_index == step.nodes[1].applied_index);
    }
  }
}

TEST_CASE(
    "scenario 1 pre-fix: the restored follower sees a tombstone where the leader sees a live value",
    "[scenario][model-steps]") {
  auto recording = sim::record_scenario(1, true).value();
  const sim::StepState& last = recording.steps.back();
  CHECK(last.kind == "restart");
  CHECK_THAT(last.event, Catch::Contains("node 1 crashes and restarts"));
  const sim::KeyRow& leader = key_row(last, "alice's metadata", 0);
  const sim::KeyRow& follower = key_row(last, "alice's metadata", 1);
  CHECK(leader.memory_gen0.tombstone);
  CHECK(follower.memory_gen0.tombstone);
  CHECK(leader.memory_gen1.present);
  CHECK_FALSE(leader.memory_gen1.tombstone);
  CHECK(follower.memory_gen1.tombstone);
  CHECK(leader.nodes_differ);
  CHECK(follower.nodes_differ);
  CHECK(last.nodes[0].digest != last.nodes[1].digest);
  // The follower agrees with its own disk: the split is between nodes.
  CHECK(last.nodes[1].parity_ok);
  const sim::InvariantStep& agree = invariant(last, "inv#1 every node");
  CHECK_FALSE(agree.ok);
  CHECK_THAT(agree.detail, Catch::Contains("alice's metadata at gen1") &&
                               Catch::Contains("node 0 (leader) holds live {k: true}") &&
                               Catch::Contains("node 1 a tombstone"));
  CHECK_THAT(last.explanation, Catch::Contains("The nodes DISAGREE"));
}

TEST_CASE("scenario 1 fixed: the restored follower holds exactly what the leader holds",
          "[scenario][model-steps]") {
  auto recording = sim::record_scenario(1, false).value();
  const sim::StepState& last = recording.steps.back();
  const sim::KeyRow& leader = key_row(last, "alice's metadata", 0);
  const sim::KeyRow& follower = key_row(last, "alice's metadata", 1);
  CHECK(follower.memory_gen0 == leader.memory_gen0);
  CHECK(follower.memory_gen1 == leader.memory_gen1);
  CHECK_FALSE(follower.memory_gen1.tombstone);
  CHECK(last.nodes[0].digest == last.nodes[1].digest);
  for (const sim::NodeStep& node : last.nodes) {
    for (const sim::KeyRow& row : node.keys)
      CHECK_FALSE(row.nodes_differ);
  }
  CHECK(invariant(last, "inv#1 every node").ok);
}

TEST_CASE("the first divergence of scenario 1 pre-fix is the delete, named by its key",
          "[scenario][model-steps]") {
  auto recording = sim::record_scenario(1, true).value();
  auto found = sim::first_divergence(recording.steps);
  REQUIRE(found.has_value());
  const sim::StepState& at = recording.steps[found->step];
  CHECK(at.kind == "apply");
  CHECK_THAT(at.event, Catch::Contains("delete alice's last metadata key"));
  CHECK(found->what == "parity");
  CHECK(found->key == "alice's metadata");
  CHECK_FALSE(sim::first_divergence(sim::record_scenario(1, false).value().steps).has_value());
}

TEST_CASE("a scenario recorded twice gives identical steps", "[scenario][model-steps]") {
  for (int n = 1; n <= sim::kScenarioCount; ++n) {
    INFO("scenario " << n);
    CHECK(sim::record_scenario(n, n == 1).value().steps ==
          sim::record_scenario(n, n == 1).value().steps);
  }
}

TEST_CASE("a scenario's title is known without recording it", "[scenario][model-steps]") {
  for (int n = 1; n <= sim::kScenarioCount; ++n) {
    INFO("scenario " << n);
    CHECK(sim::scenario_title(n) == sim::record_scenario(n, false).value().title);
  }
  CHECK(sim::scenario_title(0).empty());
  CHECK(sim::scenario_title(sim::kScenarioCount + 1).empty());
}

TEST_CASE("scenario 1's plans show verdicts, seeds and coverage bits", "[scenario][model-steps]") {
  auto recording = sim::record_scenario(1, false).value();
  const sim::StepState& last = recording.steps.back();
  REQUIRE(last.proposals.size() >= 4);
  const sim::ProposalStep& del = last.proposals[3];
  CHECK(del.orders[0].name == "DELETE_ACCOUNT_METADATA");
  CHECK(del.predicted_index == 5);
  CHECK(del.d == 1);
  CHECK(del.status == "applied");
  CHECK(del.orders[0].coverage.size() == del.entries.size());
  CHECK(del.entries[0].label == "alice's metadata");
  CHECK(del.entries[0].verdict == "Miss");
  CHECK(del.entries[0].source == "absent");
}

TEST_CASE("scenario 3 shows the cleared coverage bit on the plan it applies",
          "[scenario][model-steps]") {
  auto recording = sim::record_scenario(3, false).value();
  const sim::StepState& last = recording.steps.back();
  REQUIRE(last.kind == "apply");
  const sim::ProposalStep* del = nullptr;
  for (const sim::ProposalStep& p : last.proposals) {
    if (p.id == last.proposal) del = &p;
  }
  REQUIRE(del != nullptr);
  CHECK(del->entries[0].label == "a's metadata");
  CHECK(del->orders[0].coverage[0] == '0');
  CHECK(del->status == "failed: CoverageMiss");
}

TEST_CASE("free play: a delete after a rotation leaves the lazy gen0 tombstone",
          "[scenario][model-steps]") {
  sim::Playground play(false);
  for (const char* action : {"save:alice", "apply", "rotate", "delete:alice", "apply"})
    REQUIRE(play.act(action).ok());
  const sim::StepState& last = play.steps().back();
  const sim::KeyRow& alice = key_row(last, "alice's metadata");
  CHECK(alice.memory_gen0.tombstone);
  CHECK(alice.disk_gen0.tombstone);
  CHECK(alice.memory_gen1.present);
  CHECK_FALSE(alice.memory_gen1.tombstone);
  CHECK_FALSE(alice.disk_gen1.tombstone);
  CHECK(last.nodes[0].parity_ok);
  CHECK_THAT(last.explanation, Catch::Contains("shadows the live gen1 row"));
  REQUIRE(play.act("read:alice").ok());
  CHECK_THAT(play.steps().back().event, Catch::Contains("tombstone: NotFound"));
}

TEST_CASE("free play with the pre-fix delete breaks parity on the same actions",
          "[scenario][model-steps]") {
  sim::Playground play(true);
  for (const char* action : {"save:alice", "apply", "rotate", "delete:alice", "apply"})
    REQUIRE(play.act(action).ok());
  CHECK_FALSE(play.steps().back().nodes[0].parity_ok);
}

TEST_CASE("free play: impossible actions are refused and record nothing",
          "[scenario][model-steps]") {
  sim::Playground play(false);
  std::size_t steps = play.steps().size();
  CHECK(play.act("apply").error().code == Code::kValidation);
  CHECK(play.act("save:mallory").error().code == Code::kValidation);
  CHECK(play.act("threshold:0").error().code == Code::kValidation);
  CHECK(play.act("restart").error().code == Code::kValidation);
  REQUIRE(play.act("crash").ok());
  CHECK(play.act("save:alice").error().code == Code::kValidation);
  CHECK(play.steps().size() == steps + 1);
  REQUIRE(play.act("restart").ok());
  CHECK(play.steps().back().nodes[0].parity_ok);
}

TEST_CASE("free play replays exactly: the same actions give the same steps",
          "[scenario][model-steps]") {
  std::vector<std::string> actions = {"save:bob", "save:alice", "apply",  "threshold:3",
                                      "apply",    "apply",      "rotate", "delete:bob",
                                      "crash",    "restart",    "apply"};
  sim::Playground a(false), b(false);
  for (const std::string& action : actions) {
    REQUIRE(a.act(action).ok());
    REQUIRE(b.act(action).ok());
  }
  CHECK(a.steps() == b.steps());
}

}  // namespace
}  // namespace tally
