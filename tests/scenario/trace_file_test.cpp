// Traces that carry state (core/sim/TRACE_FORMAT.md): a recording written as tally-trace/4 (or
// /3) and read back is the same recording (the values' words derived again); each key and each
// distinct slot is written once; a timeline rebuilds every step's rows exactly with bounded
// replay; the first divergence is found and named; tally-trace/3, /2 and /1 still load;
// malformed files are refused with the field named, and truncated or garbled ones are refused
// or read, never crash the reader or the timeline.
#include <catch2/catch.hpp>
#include <map>

#include "core/keys/attribute_kind.hpp"
#include "core/sim/key_names.hpp"
#include "core/sim/playground.hpp"
#include "core/sim/prng.hpp"
#include "core/sim/simulator.hpp"
#include "core/sim/trace_reader.hpp"
#include "core/sim/trace_recorder.hpp"
#include "core/sim/trace_timeline.hpp"

namespace tally {
namespace {

sim::SimOptions recorded(std::uint64_t seed, std::uint64_t steps) {
  sim::SimOptions options;
  options.seed = seed;
  options.steps = steps;
  options.record_rows = true;
  return options;
}

// What version 3 keeps of a recording: every slot's and seed's bytes, not their words (the
// timeline derives them for the steps it shows).
sim::TraceFile without_words(sim::TraceFile file) {
  for (sim::TraceStepRecord& s : file.steps) {
    if (s.admitted) {
      for (sim::PlanEntryStep& entry : s.admitted->entries)
        entry.seed_decoded.clear();
    }
    for (auto& node : s.nodes) {
      if (!node) continue;
      for (sim::RowChange& row : node->rows) {
        for (auto* slot : {&row.memory_gen0, &row.memory_gen1, &row.disk_gen0, &row.disk_gen1}) {
          if (!*slot || (*slot)->malformed) continue;
          sim::CacheSlot bare = **slot;
          bare.decoded.clear();
          *slot = bare;
        }
      }
    }
  }
  return file;
}

std::size_t occurrences(const std::string& text, const std::string& part) {
  std::size_t count = 0;
  for (std::size_t at = text.find(part); at != std::string::npos; at = text.find(part, at + 1))
    ++count;
  return count;
}

sim::TraceFile read_back(const sim::TraceFile& file, int version = sim::kTraceVersionWritten) {
  auto read = sim::read_trace(sim::trace_file_json(file, version));
  REQUIRE(read.ok());
  return std::move(read).value();
}

// A free-play session long enough to cross many checkpoints: saves, deletes, applies,
// rotations, crashes and restarts, drawn from a seeded PRNG.
sim::Playground long_session(std::size_t actions) {
  static const char* kActions[] = {"save:alice", "save:bob", "delete:alice", "delete:bob",
                                   "save:carol", "apply",    "apply",        "apply",
                                   "rotate",     "crash",    "restart",      "read:bob"};
  sim::Playground play(false);
  sim::Prng prng(11);
  for (std::size_t i = 0; play.actions().size() < actions && i < actions * 4; ++i) {
    std::uint64_t pick = prng.below(sizeof kActions / sizeof kActions[0]);
    (void)play.act(kActions[pick]);  // impossible now (node down, nothing in flight): skipped
  }
  return play;
}

using Slots = std::map<std::pair<std::string, std::string>, std::vector<sim::CacheSlot>>;

Slots slots_of(const sim::NodeStep& node) {
  Slots out;
  for (const sim::KeyRow& k : node.keys) {
    std::vector<sim::CacheSlot> slots = {k.memory_gen0, k.memory_gen1, k.disk_gen0, k.disk_gen1};
    bool any = false;
    for (const sim::CacheSlot& slot : slots)
      any = any || slot.present;
    if (any) out[{k.kind, k.id_hex}] = slots;  // a watched key held nowhere is no row
  }
  return out;
}

TEST_CASE("a simulator recording written as tally-trace/4 or /3 reads back as the same recording",
          "[trace]") {
  sim::SimResult result = sim::simulate(recorded(3, 300));
  REQUIRE(result.ok);
  REQUIRE(result.recording.has_value());
  const sim::TraceFile& file = *result.recording;
  CHECK(file.node_names.size() == 3);
  CHECK(file.steps.size() == result.trace.size());
  std::size_t rows = 0, admitted = 0, verdicts = 0, checks = 0;
  for (const sim::TraceStepRecord& s : file.steps) {
    for (const auto& n : s.nodes)
      rows += n ? n->rows.size() : 0;
    admitted += s.admitted.has_value();
    verdicts += s.verdicts.size();
    checks += s.checks.size();
  }
  CHECK(rows > 100);
  CHECK(admitted == result.stats.admitted);
  CHECK(verdicts > admitted);  // every node answers every entry it applies
  CHECK(checks >= 3);
  for (int version : {4, 3}) {
    INFO("tally-trace/" << version);
    sim::TraceFile kept = without_words(file);
    kept.version = version;
    sim::TraceFile back = read_back(file, version);
    CHECK(back.version == version);
    REQUIRE(back.steps.size() == kept.steps.size());
    for (std::size_t n = 0; n < kept.steps.size(); ++n) {
      if (back.steps[n] == kept.steps[n]) continue;
      sim::TraceFile written = kept, read = back;  // the first step that differs, as text
      written.steps = {kept.steps[n]};
      read.steps = {back.steps[n]};
      INFO("written: " << sim::trace_file_json(written, 3)
                       << "\nread: " << sim::trace_file_json(read, 3));
      CHECK(back.steps[n] == kept.steps[n]);
      break;
    }
    CHECK(back == kept);
  }
}

TEST_CASE("tally-trace/4 holds what /3 holds, as arrays instead of named fields", "[trace]") {
  sim::SimResult result = sim::simulate(recorded(5, 600));
  REQUIRE(result.recording.has_value());
  const std::string v4 = sim::trace_file_json(*result.recording);
  const std::string v3 = sim::trace_file_json(*result.recording, 3);
  CHECK(v4.find("\"format\":\"tally-trace/4\"") != std::string::npos);
  CHECK(v3.find("\"applied\":") != std::string::npos);
  CHECK(v4.find("\"applied\":") == std::string::npos);  // no field names below the steps
  CHECK(v4.find("\"m0\":") == std::string::npos);
  CHECK(v4.size() * 3 < v3.size() * 2);
  sim::TraceFile from_v4 = read_back(*result.recording, 4);
  sim::TraceFile from_v3 = read_back(*result.recording, 3);
  from_v3.version = 4;
  CHECK(from_v4 == from_v3);
  sim::TraceTimeline a(std::move(from_v4)), b(std::move(from_v3));
  CHECK(a.divergence() == b.divergence());
  for (std::size_t n : {std::size_t{0}, a.size() / 2, a.size() - 1})
    CHECK(a.state_at(n) == b.state_at(n));
}

TEST_CASE("a tally-trace/4 file writes each key and each distinct slot once", "[trace]") {
  sim::SimResult result = sim::simulate(recorded(3, 300));
  REQUIRE(result.recording.has_value());
  const std::string json = sim::trace_file_json(*result.recording);
  std::size_t live = 0, repeated = 0;
  for (const sim::TraceStepRecord& s : result.recording->steps) {
    for (const auto& node : s.nodes) {
      for (const sim::RowChange& row : node ? node->rows : std::vector<sim::RowChange>{}) {
        const auto& slot = row.memory_gen0;
        if (!slot || !slot->present || slot->tombstone) continue;
        ++live;
        const std::string text = "\"" + slot->tag_hex + ":" + slot->value_hex + "\"";
        repeated += occurrences(json, text) != 1;
        CHECK(occurrences(json, "\"" + row.key.kind() + " " + row.key.id_hex() + "\"") >= 1);
      }
    }
  }
  CHECK(live > 100);
  CHECK(repeated == 0);
  CHECK(json.find("\"text\"") == std::string::npos);  // nor are the values' words
  CHECK(json.find("\"seedText\"") == std::string::npos);
}

TEST_CASE("a timeline rebuilds every step of a long recording exactly, from checkpoints",
          "[trace]") {
  sim::Playground play = long_session(300);
  const std::vector<sim::StepState>& steps = play.steps();
  REQUIRE(steps.size() > 3 * sim::TraceTimeline::kCheckpointEvery);
  sim::TraceRecorder recorder({"node"});
  for (const sim::StepState& step : steps) {
    sim::TraceStepRecord head;
    head.step = step.number;
    head.action = step.kind;
    head.detail = step.event;
    recorder.add_step(std::move(head), {step.nodes[0]});
  }
  sim::TraceTimeline timeline(read_back(recorder.finish("free play", true, "")));
  REQUIRE(timeline.size() == steps.size());
  for (std::size_t n = 0; n < steps.size(); ++n) {
    INFO("step " << n << ": " << steps[n].event);
    sim::StepState state = timeline.state_at(n);
    const sim::NodeStep& expected = steps[n].nodes[0];
    const sim::NodeStep& actual = state.nodes[0];
    CHECK(actual.up == expected.up);
    CHECK(actual.applied_index == expected.applied_index);
    CHECK(actual.generation == expected.generation);
    CHECK(actual.parity_ok == expected.parity_ok);
    CHECK(actual.digest == expected.digest);
    CHECK(slots_of(actual) == slots_of(expected));
    CHECK(timeline.replayed_for(n) <= sim::TraceTimeline::kCheckpointEvery);
  }
  CHECK_FALSE(timeline.divergence().has_value());
}

TEST_CASE("a pre-fix run's trace diverges where parity first broke, and names the key", "[trace]") {
  sim::SimOptions options = recorded(7, 1000);
  options.pre_fix = true;
  sim::SimResult result = sim::simulate(options);
  REQUIRE_FALSE(result.ok);
  sim::TraceTimeline timeline(read_back(*result.recording));
  REQUIRE(timeline.divergence().has_value());
  const sim::Divergence& found = *timeline.divergence();
  CHECK(found.what == "parity");
  CHECK_FALSE(found.key.empty());
  std::size_t first_broken = timeline.size();
  const auto& steps = timeline.file().steps;
  for (std::size_t n = 0; n < steps.size() && first_broken == timeline.size(); ++n) {
    for (const auto& node : steps[n].nodes) {
      if (node && node->parity.has_value() && !*node->parity) first_broken = n;
    }
  }
  CHECK(found.step == first_broken);
  sim::StepState at = timeline.state_at(found.step);
  CHECK_THAT(at.explanation, Catch::StartsWith("FIRST DIVERGENCE (parity)"));
  bool marked = false;
  for (const sim::NodeStep& node : at.nodes) {
    for (const sim::KeyRow& row : node.keys)
      marked = marked || (row.label == found.key && (row.gen0_differs || row.gen1_differs));
  }
  CHECK(marked);
}

TEST_CASE("a planted divergence is found where the skipping node's state leaves the others'",
          "[trace]") {
  sim::SimOptions options = recorded(3, 600);
  options.plant_divergence_at = 30;
  sim::SimResult result = sim::simulate(options);
  sim::TraceTimeline timeline(read_back(*result.recording));
  REQUIRE(timeline.divergence().has_value());
  const sim::Divergence& found = *timeline.divergence();
  CHECK(found.what == "digest");
  CHECK_FALSE(found.key.empty());
  CHECK_THAT(found.detail, Catch::Contains("node 2"));
  const sim::TraceStepRecord& at = timeline.file().steps[found.step];
  CHECK(at.index >= 30);
  // Before it, every index the nodes shared had one digest.
  sim::SimOptions clean = recorded(3, 600);
  sim::SimResult honest = sim::simulate(clean);
  CHECK_FALSE(sim::TraceTimeline(read_back(*honest.recording)).divergence().has_value());
}

// A trace read a slice at a time (TraceReader, TraceTimeline::append), as the visualiser
// reads a long one: every step read so far has the whole file's state, the first divergence
// is the whole file's once found, and the file put back together is read_trace's.
void check_read_in_slices(const std::string& json, std::size_t slice) {
  auto whole_file = sim::read_trace(json);
  REQUIRE(whole_file.ok());
  sim::TraceTimeline whole(whole_file.value());
  auto opened = sim::TraceReader::open(json);
  REQUIRE(opened.ok());
  sim::TraceReader& reader = **opened;
  REQUIRE(reader.size() == whole.size());
  sim::TraceTimeline sliced(reader.head(), reader.size(), reader.keys());
  sim::TraceFile put_back = reader.head();
  while (reader.read() < reader.size()) {
    std::size_t from = reader.read();
    auto steps = reader.next(slice);
    REQUIRE(steps.ok());
    put_back.steps.insert(put_back.steps.end(), steps->begin(), steps->end());
    sliced.append(std::move(steps).value());
    REQUIRE(sliced.size() == reader.read());
    for (std::size_t n : {from, (from + sliced.size()) / 2, sliced.size() - 1, sliced.size() / 3}) {
      INFO("step " << n << " of the " << sliced.size() << " read");
      CHECK(sliced.state_at(n) == whole.state_at(n));
    }
    if (sliced.divergence()) CHECK(sliced.divergence() == whole.divergence());
  }
  CHECK(sliced.complete());
  CHECK(sliced.divergence() == whole.divergence());
  CHECK(put_back == whole_file.value());
}

TEST_CASE("a trace read a slice at a time is the whole file's, step for step", "[trace]") {
  sim::SimOptions pre_fix = recorded(7, 1000);
  pre_fix.pre_fix = true;
  sim::SimOptions planted = recorded(3, 600);
  planted.plant_divergence_at = 30;
  for (const sim::SimOptions& options : {recorded(5, 700), pre_fix, planted}) {
    sim::SimResult result = sim::simulate(options);
    REQUIRE(result.recording.has_value());
    for (int version : {4, 3}) {
      INFO("seed " << options.seed << ", tally-trace/" << version);
      std::string json = sim::trace_file_json(*result.recording, version);
      check_read_in_slices(json, 7);
      check_read_in_slices(json, 97);
    }
  }
}

TEST_CASE("an error in a later slice of a trace is the error read_trace reports", "[trace]") {
  sim::SimResult result = sim::simulate(recorded(5, 200));
  REQUIRE(result.recording.has_value());
  REQUIRE(result.recording->steps.size() > 120);
  std::string json = sim::trace_file_json(*result.recording);
  // Step 120 (the writer puts each step after the first on a line of its own) gets a string
  // where its number goes.
  std::size_t at = 0;
  for (int step = 1; step <= 120; ++step)
    at = json.find("\n[", at + 1);
  REQUIRE(at != std::string::npos);
  json.insert(at + 2, "\"x\",");
  auto whole = sim::read_trace(json);
  REQUIRE_FALSE(whole.ok());
  auto opened = sim::TraceReader::open(json);
  REQUIRE(opened.ok());
  auto first = (*opened)->next(100);
  REQUIRE(first.ok());
  CHECK(first->size() == 100);
  auto second = (*opened)->next(100);
  REQUIRE_FALSE(second.ok());
  CHECK(second.error().message == whole.error().message);
  CHECK_THAT(second.error().message, Catch::StartsWith("steps[120].step: not an unsigned integer"));
}

TEST_CASE("a tally-trace/1 file still loads: counters per node, no rows", "[trace]") {
  sim::SimOptions options;
  options.seed = 3;
  options.steps = 80;
  options.record_views = true;
  sim::SimResult result = sim::simulate(options);
  auto file = sim::read_trace(sim::trace_to_json(3, result.trace, result.ok, result.violation));
  REQUIRE(file.ok());
  CHECK(file->version == 1);
  CHECK(file->title == "Trace of seed 3");
  CHECK(file->node_names.size() == 3);
  REQUIRE(file->steps.size() == result.trace.size());
  sim::TraceTimeline timeline(std::move(file).value());
  sim::StepState last = timeline.state_at(timeline.size() - 1);
  REQUIRE(last.nodes.size() == 3);
  for (const sim::NodeStep& node : last.nodes) {
    CHECK_FALSE(node.keys_known);
    CHECK(node.keys.empty());
    CHECK(node.applied_index == result.stats.log_length);
  }
  CHECK_THAT(last.event, Catch::StartsWith("step "));
}

TEST_CASE("malformed trace files are refused, naming the field", "[trace]") {
  auto refused = [](const std::string& json) {
    auto read = sim::read_trace(json);
    REQUIRE_FALSE(read.ok());
    CHECK(read.error().code == Code::kValidation);
    return read.error().message;
  };
  CHECK_THAT(refused("not json"), Catch::StartsWith("not a JSON trace file"));
  CHECK_THAT(refused("[]"), Catch::StartsWith("not a JSON trace file"));
  CHECK_THAT(refused(R"({"format":"tally-trace/9","steps":[]})"), Catch::Contains("tally-trace/9"));
  CHECK_THAT(refused(R"({"format":"tally-trace/2","nodes":["a"]})"),
             Catch::Contains("no steps array"));
  CHECK_THAT(
      refused(R"({"format":"tally-trace/2","nodes":["a"],"steps":[{"nodes":[{"applied":"7"}]}]})"),
      Catch::StartsWith("steps[0].nodes[0].applied: not an unsigned integer"));
  CHECK_THAT(refused(R"({"format":"tally-trace/2","nodes":["a","b"],"steps":[{"nodes":[null]}]})"),
             Catch::StartsWith("steps[0].nodes: 1 nodes, the trace names 2"));
  CHECK_THAT(
      refused(
          R"({"format":"tally-trace/2","nodes":["a"],"steps":[{"nodes":[{"advance":"sideways"}]}]})"),
      Catch::Contains("advance"));
  CHECK_THAT(
      refused(
          R"({"format":"tally-trace/2","nodes":["a"],"steps":[{"nodes":[{"rows":[{"kind":"Volume","id":"ab","m0":7}]}]}]})"),
      Catch::StartsWith("steps[0].nodes[0].rows[0].m0: not a slot"));
  CHECK_THAT(
      refused(
          R"({"format":"tally-trace/2","nodes":["a"],"steps":[{"nodes":[{"rows":[{"id":"ab"}]}]}]})"),
      Catch::Contains("a row needs a kind and an id"));
  const std::string v3 = R"({"format":"tally-trace/3","nodes":["a"],"keys":["Volume ab"],)";
  const std::string one_row = R"(,"steps":[{"nodes":[{"rows":[{"key":0,"m0":0}]}]}]})";
  CHECK_THAT(
      refused(v3 +
              R"("slots":["0011223344556677:01"],"steps":[{"nodes":[{"rows":[{"key":1}]}]}]})"),
      Catch::StartsWith("steps[0].nodes[0].rows[0].key: past the table's 1 entries"));
  CHECK_THAT(refused(v3 + R"("slots":[])" + one_row),
             Catch::StartsWith("steps[0].nodes[0].rows[0].m0: past the table's 0 entries"));
  CHECK_THAT(refused(v3 + R"("slots":["0011:01"])" + one_row),
             Catch::StartsWith("slots[0]: not 16 hex digits of tag"));
  CHECK_THAT(refused(v3 + R"("slots":["0011223344556677:0g"])" + one_row),
             Catch::StartsWith("slots[0]: the value is not hex bytes"));
  CHECK_THAT(refused(R"({"format":"tally-trace/3","nodes":["a"],"keys":["Volume"],"steps":[]})"),
             Catch::StartsWith("keys[0]: not \"Kind idhex\""));
  const std::string seeded =
      v3 + R"("slots":[],"steps":[{"nodes":[null],"admitted":{"id":0,)" +
      R"("entries":[{"key":0,"verdict":"Miss","source":"seed","seed":"0g"}]}}]})";
  CHECK_THAT(refused(seeded),
             Catch::StartsWith("steps[0].admitted.entries[0].seed: not hex bytes"));
}

TEST_CASE("malformed tally-trace/4 files are refused, naming the item", "[trace]") {
  auto refused = [](const std::string& json) {
    auto read = sim::read_trace(json);
    REQUIRE_FALSE(read.ok());
    CHECK(read.error().code == Code::kValidation);
    return read.error().message;
  };
  const std::string v4 = R"({"format":"tally-trace/4","nodes":["a"],"keys":["Volume ab"],)"
                         R"("slots":["0011223344556677:01"],"steps":[)";
  auto with_step = [&v4](const std::string& step) { return v4 + step + "]}"; };
  REQUIRE(sim::read_trace(
              with_step(R"([1,"apply",0,1,"",[[true,1,0,0,4,1,0,true,"",[0,0,-1,0,null]]]])"))
              .ok());
  CHECK_THAT(refused(with_step(R"({"step":1})")), Catch::StartsWith("steps[0]: not an array"));
  CHECK_THAT(refused(with_step(R"([1,"apply",0,1,"",[null,null]])")),
             Catch::StartsWith("steps[0].nodes: 2 nodes, the trace names 1"));
  CHECK_THAT(refused(with_step(R"([1,"apply",0,1,"",[{"applied":1}]])")),
             Catch::StartsWith("steps[0].nodes[0]: not a node (null or an array)"));
  CHECK_THAT(refused(with_step(R"([1,"apply",0,1,"",[[true,"7"]]])")),
             Catch::StartsWith("steps[0].nodes[0].applied: not an unsigned integer"));
  CHECK_THAT(refused(with_step(R"([1,"apply",0,1,"",[[true,1,0,0,4,1,0,true,"",[0,0,-1]]]])")),
             Catch::StartsWith("steps[0].nodes[0].rows: not five numbers a row"));
  CHECK_THAT(refused(with_step(R"([1,"apply",0,1,"",[[true,1,0,0,4,1,0,true,"",[1,0,-1,0,-1]]]])")),
             Catch::StartsWith("steps[0].nodes[0].rows[0].key: past the table's 1 entries"));
  CHECK_THAT(refused(with_step(
                 R"([1,"apply",0,1,"",[[true,1,0,0,4,1,0,true,"",[0,-1,-1,0,-1,0,1,-1,-1,-1]]]])")),
             Catch::StartsWith("steps[0].nodes[0].rows[1].m0: past the table's 1 entries"));
  CHECK_THAT(
      refused(with_step(R"([1,"apply",0,1,"",[[true,1,0,0,4,1,0,true,"",[0,-2,-1,0,-1]]]])")),
      Catch::StartsWith("steps[0].nodes[0].rows[0].m0: not a slot position, null or -1"));
  CHECK_THAT(refused(with_step(R"([1,"apply",0,1,"",[[true,1,0,0,4,1,0,true,"",[],"sideways"]]])")),
             Catch::StartsWith("steps[0].nodes[0].advance: neither"));
  CHECK_THAT(refused(with_step(
                 R"([1,"apply",0,1,"",[null],[3,"p",0,0,0,0,0,0,0,[[0,"Miss","seed","0g"]]]])")),
             Catch::StartsWith("steps[0].admitted.entries[0].seed: not hex bytes"));
  CHECK_THAT(
      refused(with_step(R"([1,"apply",0,1,"",[null],[3,"p",0,0,0,0,0,0,0,[["Volume ab"]]]])")),
      Catch::StartsWith("steps[0].admitted.entries[0].key: not a table position"));
  CHECK_THAT(refused(with_step(R"([1,"apply",0,1,"",[null],null,[{"node":0}]])")),
             Catch::StartsWith("steps[0].verdicts[0]: not an array"));
  CHECK_THAT(refused(with_step(R"([1,"apply",0,1,"",[null],null,[],[[0,"yes"]]])")),
             Catch::StartsWith("steps[0].checks[0].ok: not true or false"));
  // Items past the ones defined are ignored; trailing ones left out take their defaults.
  auto read = sim::read_trace(with_step(R"([1,"apply",0,1,"",[[true,1]],null,[],[],"later"])"));
  REQUIRE(read.ok());
  REQUIRE(read->steps.at(0).nodes.at(0).has_value());
  CHECK(read->steps[0].nodes[0]->rows.empty());
  CHECK_FALSE(read->steps[0].nodes[0]->parity.has_value());
}

// A trace read from an untrusted file: every prefix of one, and copies with bytes changed at
// random, are refused with an error or read into a timeline that steps through them; none
// crashes (the sanitized build checks every access).
TEST_CASE("truncated and garbled traces are refused or read, never crash", "[trace]") {
  sim::SimOptions options = recorded(3, 80);
  options.plant_divergence_at = 20;  // a divergence, verdicts and checks
  sim::SimResult result = sim::simulate(options);
  REQUIRE(result.recording.has_value());
  sim::Prng prng(7);
  for (int version : {4, 3}) {
    INFO("tally-trace/" << version);
    const std::string json = sim::trace_file_json(*result.recording, version);
    REQUIRE(sim::read_trace(json).ok());
    std::size_t refused = 0, cuts = 0;
    for (std::size_t cut = 0; cut < json.size(); cut += 1 + json.size() / 400, ++cuts) {
      auto read = sim::read_trace(json.substr(0, cut));
      refused +=
          !read.ok() && read.error().code == Code::kValidation && !read.error().message.empty();
    }
    CHECK(refused == cuts);  // a prefix of the object is never a whole JSON text
    static const char kBytes[] = "0123456789-,:[]{}\"nulltruefalse a\\";
    std::size_t read_ok = 0;
    for (int i = 0; i < 300; ++i) {
      std::string garbled = json;
      for (std::uint64_t k = 0, n = 1 + prng.below(3); k < n; ++k)
        garbled[prng.below(garbled.size())] = kBytes[prng.below(sizeof kBytes - 1)];
      auto read = sim::read_trace(garbled);
      if (!read.ok()) {
        CHECK(read.error().code == Code::kValidation);
        continue;
      }
      ++read_ok;
      if (read->steps.empty()) continue;
      sim::TraceTimeline timeline(std::move(read).value());
      for (std::size_t n : {std::size_t{0}, timeline.size() / 2, timeline.size() - 1})
        (void)timeline.state_at(n);
    }
    CHECK(read_ok > 0);  // some changes still read (a digit within a number, a word's letter)
  }
}

TEST_CASE("a trace holding a NUL byte is refused, never read up to it", "[trace]") {
  const std::string json = R"({"format":"tally-trace/3","nodes":["a"],"steps":[{"nodes":[null]}]})";
  REQUIRE(sim::read_trace(json).ok());
  auto cut = sim::read_trace(json + std::string(1, '\0') + "{}");
  REQUIRE_FALSE(cut.ok());
  CHECK(cut.error().code == Code::kValidation);
  CHECK_THAT(cut.error().message,
             Catch::Contains("a NUL byte at offset " + std::to_string(json.size())));
}

TEST_CASE("a tally-trace/2 file still loads, with the words it stores", "[trace]") {
  auto file = sim::read_trace(R"({"format":"tally-trace/2","nodes":["a"],"steps":[{"nodes":[
    {"applied":1,"rows":[{"kind":"Volume","id":"ab",
      "m0":{"tag":"0011223344556677","value":"0100010c","text":"words of the file"},
      "d0":{"tag":"0011223344556677","tombstone":true}}]}],
    "admitted":{"id":0,"entries":[{"kind":"Volume","id":"ab","verdict":"Miss","source":"seed",
      "seed":"0100010c","seedText":"the seed's words"}],"orders":[]}}]})");
  REQUIRE(file.ok());
  CHECK(file->version == 2);
  const sim::RowChange& row = file->steps[0].nodes[0]->rows.at(0);
  CHECK(row.key.kind() == "Volume");
  CHECK(row.memory_gen0->value_hex == "0100010c");
  CHECK(row.disk_gen0->tombstone);
  CHECK(file->steps[0].admitted->entries.at(0).seed_decoded == "the seed's words");
  sim::TraceTimeline timeline(std::move(file).value());
  const sim::StepState state = timeline.state_at(0);
  const sim::KeyRow& key = state.nodes.at(0).keys.at(0);
  CHECK(key.memory_gen0.decoded == "words of the file");
  CHECK(key.gen0_differs);
}

TEST_CASE("a tally-trace/3 file's values and seeds are put into words when shown", "[trace]") {
  const std::string value = "0100010c";
  const std::string words = sim::describe_value(keys::AttributeKind::kVolume, *from_hex(value));
  REQUIRE_FALSE(words.empty());
  auto file = sim::read_trace(
      R"({"format":"tally-trace/3","nodes":["a"],"keys":["Volume ab"],"slots":["0011223344556677:)" +
      value + R"("],"steps":[{"nodes":[{"applied":1,"rows":[{"key":0,"m0":0,"d0":0}]}],
      "admitted":{"id":0,"entries":[{"key":0,"verdict":"Miss","source":"seed","seed":")" +
      value + R"("}],"orders":[]}}]})");
  REQUIRE(file.ok());
  CHECK(file->steps[0].admitted->entries.at(0).seed_decoded.empty());
  sim::TraceTimeline timeline(std::move(file).value());
  sim::StepState state = timeline.state_at(0);
  CHECK(state.proposals.at(0).entries.at(0).seed_decoded == words);
  const sim::KeyRow& key = state.nodes.at(0).keys.at(0);
  CHECK(key.memory_gen0.decoded == words);
  CHECK(key.disk_gen0.decoded == words);
  CHECK_FALSE(key.gen0_differs);
}

TEST_CASE("a window of a live history shows slots it never saw as unknown, never as a difference",
          "[trace]") {
  sim::TraceFile file;
  file.source = "cluster";
  file.complete = false;
  file.node_names = {"node 1"};
  sim::CacheSlot live;
  live.present = true;
  live.tag_hex = "0011223344556677";
  live.value_hex = "00";  // empty metadata
  live.value_bytes = 1;
  live.decoded = sim::describe_value(keys::AttributeKind::kAccountMetadata, Bytes{0x00});
  sim::NodeRecord first;
  first.applied_index = 41;
  first.rows.push_back({sim::RowKey("AccountMetadata", "ab"), live, {}, live, {}});
  sim::NodeRecord rotated;
  rotated.applied_index = 42;
  rotated.generation = 1;
  rotated.advance = "rotation";
  file.steps.push_back({1, "apply", 0, 41, "", {first}, std::nullopt, {}, {}});
  file.steps.push_back({2, "apply", 0, 42, "", {rotated}, std::nullopt, {}, {}});
  sim::TraceTimeline timeline(read_back(file));
  sim::StepState before = timeline.state_at(0);
  REQUIRE(before.nodes[0].keys.size() == 1);
  const sim::KeyRow& row = before.nodes[0].keys[0];
  CHECK(row.memory_gen0.present);
  CHECK(row.memory_gen1.unknown);
  CHECK(row.disk_gen1.unknown);
  CHECK_FALSE(row.gen1_differs);
  CHECK(before.nodes[0].parity_ok);
  sim::StepState rotated_state = timeline.state_at(1);
  REQUIRE(rotated_state.nodes[0].keys.size() == 1);
  const sim::KeyRow& after = rotated_state.nodes[0].keys[0];
  CHECK_FALSE(after.memory_gen0.present);  // the rotation emptied gen0 ...
  CHECK_FALSE(after.memory_gen0.unknown);
  CHECK(after.memory_gen1 == live);  // ... and moved the row to gen1, on disk as in memory
  CHECK(after.disk_gen1 == live);
  CHECK_FALSE(timeline.divergence().has_value());
}

}  // namespace
}  // namespace tally
