#include "core/sim/scenarios.hpp"

#include <array>

#include "core/sim/scenario_stage.hpp"
#include "core/sim/step_text.hpp"

namespace tally::sim {

namespace {

using cache::DeleteMode;
constexpr std::uint64_t K = 4;

domain::CreateTransaction payment(std::string from, std::string to, std::uint64_t amount) {
  domain::CreateTransaction order;
  order.ledger = "main";
  order.postings = {{std::move(from), std::move(to), domain::Amount::from_u64(amount), "USD"}};
  return order;
}

// Two replicas of one log: node 0 leads and keeps its memory to the end; node 1 is a
// follower that crashes after the delete and restores its cache from its own disk mirror
// (the reference PR's "follower that has restored from store").
Recording delete_after_rotation(bool pre_fix) {
  ScenarioStage s(K, pre_fix ? DeleteMode::kPreFixForTeaching : DeleteMode::kLazyGen0, 2);
  s.watch("alice's metadata", keys::account_metadata_key("main", "alice"));
  s.say("Scenario 1: delete after rotation (formancehq/ledger#1455, T0-T3), K = 4, " +
        std::string(pre_fix ? "with the PRE-FIX delete" : "with the lazy gen0 tombstone") +
        "; a leader and a follower apply the same log");
  s.apply(s.admit(domain::CreateLedger{"main", {}}, 1), "create ledger main");
  s.noop(1);
  s.say(
      "T0: three proposals in flight. The delete, predicted for index 5, is admitted while "
      "alice's metadata exists nowhere: Miss, nothing on disk, coverage only.");
  int save = s.admit(domain::SetAccountMetadata{"main", "alice", {{"k", true}}}, 3);
  int filler = s.admit(domain::SetLedgerMetadata{"main", {{"f", true}}}, 4);
  int del = s.admit(domain::DeleteAccountMetadata{"main", "alice", "k"}, 5);
  s.say("T1: the concurrent save applies: alice's metadata is live in gen0.");
  s.apply(save, "save alice's metadata");
  s.apply(filler, "ledger metadata");
  s.say(
      "T2 + T3: index 5 crosses the generation boundary (rotation: alice moves to gen1), then the "
      "delete runs and removes the last key.");
  s.apply(del, "delete alice's last metadata key");
  bool parity_after_delete = s.parity_ok();
  s.say(pre_fix
            ? "The pre-fix delete wrote a tombstone at BOTH gen bytes on disk while memory keeps "
              "gen1 live. The follower now crashes and restores its cache from its disk: it sees "
              "a tombstone where the leader, still holding gen1, sees a live value."
            : "The lazy delete wrote one tombstone at the gen0 byte; gen1 stays live in memory "
              "and on disk, shadowed, until the next rotation drops it. The follower now crashes "
              "and restores its cache from its disk: it holds exactly what the leader holds.");
  s.restart(1);
  bool agree = s.nodes_agree();
  return {std::string(scenario_title(1)), s.steps(),
          pre_fix ? !parity_after_delete && !agree : parity_after_delete && agree};
}

Recording two_rotations_ahead() {
  ScenarioStage s(K, DeleteMode::kLazyGen0);
  s.watch("ledger main", keys::ledger_key("main"));
  s.say("Scenario 2: a prediction two generations ahead, K = 4.");
  s.apply(s.admit(domain::CreateLedger{"main", {}}, 1), "create ledger main");
  s.say(
      "The cache is at Gen 0 (applied index 1). Index 9 is Gen 2: whatever admission reads now "
      "may be rotated away twice before apply, so it refuses, retryably, and nothing is logged.");
  Error refused = s.admit_refused(payment("world", "a", 1), 9);
  s.admit(payment("world", "a", 1), 8);
  return {std::string(scenario_title(2)), s.steps(), refused.code == Code::kCacheHorizonExceeded};
}

Recording undeclared_delete() {
  ScenarioStage s(K, DeleteMode::kLazyGen0);
  auto metadata = keys::account_metadata_key("main", "a");
  s.watch("a's metadata", metadata);
  s.say(
      "Scenario 3: an undeclared delete. The plan forgets to declare a's metadata for the order "
      "that deletes it; the coverage gate must answer CoverageMiss, not delete.");
  s.apply(s.admit(domain::CreateLedger{"main", {}}, 1), "create ledger main");
  s.apply(s.admit(domain::SetAccountMetadata{"main", "a", {{"k", true}}}, 2), "set a's metadata");
  int del = s.admit(domain::DeleteAccountMetadata{"main", "a", "k"}, 3);
  auto id = keys::attribute_id(metadata.canonical).to_bytes();
  plan::Proposal& tampered = s.proposal(del);
  for (std::size_t i = 0; i < tampered.plan.entries.size(); ++i) {
    if (tampered.plan.entries[i].id == Bytes(id.begin(), id.end())) {
      tampered.orders[0].coverage_bits[i / 8] =
          static_cast<std::uint8_t>(tampered.orders[0].coverage_bits[i / 8] & ~(1u << (i % 8)));
      s.note("  (the coverage bit of plan entry " + std::to_string(i) + " is cleared)");
    }
  }
  auto report = s.apply(del, "delete without coverage");
  bool refused = !report.outcome.ok() && report.outcome.code == Code::kCoverageMiss;
  return {std::string(scenario_title(3)), s.steps(), refused && s.parity_ok()};
}

Recording pipelined_across_rotation() {
  ScenarioStage s(K, DeleteMode::kLazyGen0);
  s.watch("a's USD volume", keys::volume_key("main", "a", "USD"));
  s.say("Scenario 4: pipelined admission across a rotation. a's volume lives only in gen1.");
  s.apply(s.admit(domain::CreateLedger{"main", {}}, 1), "create ledger main");
  s.apply(s.admit(payment("world", "a", 10), 2), "world pays a 10");
  s.noop(3);
  s.say(
      "Predicted for index 6 (same generation) it is a Hit; predicted for index 9 it would be "
      "rotated away before apply, so admission reads it from disk: a Miss and a seed.");
  s.admit(payment("a", "b", 1), 6);
  int spend = s.admit(payment("a", "b", 3), 9);
  s.noop(3);
  auto report = s.apply(spend, "a pays b 3 (rotation first, then the seed refills the cache)");
  return {std::string(scenario_title(4)), s.steps(),
          report.outcome.ok() && report.seeds_written > 0 && s.parity_ok()};
}

Recording seed_versus_tombstone() {
  ScenarioStage s(K, DeleteMode::kLazyGen0);
  s.watch("a's metadata", keys::account_metadata_key("main", "a"));
  s.say("Scenario 5: a stale seed must not resurrect a deleted key.");
  s.apply(s.admit(domain::CreateLedger{"main", {}}, 1), "create ledger main");
  s.apply(s.admit(domain::SetAccountMetadata{"main", "a", {{"old", true}}}, 2), "set {old}");
  s.noop(10);
  s.say(
      "Two rotations later the cache has forgotten a's metadata. Two proposals are admitted "
      "before either applies: both carry {old} from disk as a seed.");
  int del = s.admit(domain::DeleteAccountMetadata{"main", "a", "old"}, 13);
  int set = s.admit(domain::SetAccountMetadata{"main", "a", {{"new", true}}}, 14);
  s.apply(del, "delete {old}: a gen0 tombstone");
  auto report = s.apply(set, "set {new}: the tombstone refuses the stale seed");
  return {std::string(scenario_title(5)), s.steps(),
          report.outcome.ok() && report.seeds_written == 0 && s.parity_ok()};
}

Recording empty_versus_tombstone() {
  ScenarioStage s(K, DeleteMode::kLazyGen0);
  s.watch("ledger metadata (empty map: zero bytes)", keys::ledger_metadata_key("main"));
  s.watch("a's metadata (deleted)", keys::account_metadata_key("main", "a"));
  s.say(
      "Scenario 6: an empty value is not a tombstone. Empty metadata encodes to zero bytes; the "
      "mirror's flag, not emptiness, tells them apart, across a restart too.");
  s.apply(s.admit(domain::CreateLedger{"main", {}}, 1), "create ledger main (no metadata)");
  s.apply(s.admit(domain::SetAccountMetadata{"main", "a", {{"k", true}}}, 2), "set a's metadata");
  s.apply(s.admit(domain::DeleteAccountMetadata{"main", "a", "k"}, 3), "delete a's last key");
  s.restart();
  auto key = keys::ledger_metadata_key("main");
  const cache::CacheEntry* empty =
      s.machine().cache().get(key.kind, keys::attribute_id(key.canonical));
  bool live_empty = empty != nullptr && !empty->deleted && empty->value.empty();
  return {std::string(scenario_title(6)), s.steps(), live_empty && s.parity_ok()};
}

Recording threshold_change() {
  ScenarioStage s(K, DeleteMode::kLazyGen0);
  s.watch("a's USD volume", keys::volume_key("main", "a", "USD"));
  s.say(
      "Scenario 7: a threshold change resets the cache, bumps the epoch and realigns the "
      "generation; a proposal admitted under the old epoch is stale.");
  s.apply(s.admit(domain::CreateLedger{"main", {}}, 1), "create ledger main");
  s.apply(s.admit(payment("world", "a", 10), 2), "world pays a 10");
  int change = s.admit(domain::SetRotationThreshold{10}, 3);
  int in_flight = s.admit(payment("a", "b", 1), 4);
  s.apply(change, "threshold 4 -> 10");
  s.say("  epoch " + std::to_string(s.machine().cache().epoch()) + ", threshold " +
        std::to_string(s.machine().cache().threshold()) + ", generation " +
        std::to_string(s.machine().cache().generation()));
  auto stale = s.apply(in_flight, "admitted under epoch 0");
  auto retried = s.apply(s.admit(payment("a", "b", 1), 5), "re-admitted under epoch 1");
  return {std::string(scenario_title(7)), s.steps(),
          stale.status == fsm::ApplyReport::Status::kStale && retried.outcome.ok() &&
              s.machine().cache().epoch() == 1 && s.parity_ok()};
}

}  // namespace

std::string_view scenario_title(int number) {
  static constexpr std::array<std::string_view, kScenarioCount> kTitles = {
      "delete after rotation", "two rotations ahead",
      "undeclared delete",     "pipelined admission across a rotation",
      "seed versus tombstone", "empty value versus tombstone",
      "threshold change",
  };
  return number >= 1 && number <= kScenarioCount ? kTitles[number - 1] : std::string_view();
}

Result<Recording> record_scenario(int number, bool pre_fix) {
  switch (number) {
    case 1: return delete_after_rotation(pre_fix);
    case 2: return two_rotations_ahead();
    case 3: return undeclared_delete();
    case 4: return pipelined_across_rotation();
    case 5: return seed_versus_tombstone();
    case 6: return empty_versus_tombstone();
    case 7: return threshold_change();
    default:
      return make_error(Code::kValidation, "scenario " + std::to_string(number) +
                                               " does not exist (1 to " +
                                               std::to_string(kScenarioCount) + ")");
  }
}

Result<Narration> run_scenario(int number, bool pre_fix) {
  auto recording = record_scenario(number, pre_fix);
  if (!recording.ok()) return std::move(recording).error();
  return Narration{recording->title, render_narration(recording->steps),
                   recording->expected_outcome};
}

}  // namespace tally::sim
