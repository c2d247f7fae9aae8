#include "wasm/state_json.hpp"

#include "wasm/json_writer.hpp"

namespace tally::wasm {

namespace {

void slot(JsonWriter& j, const std::string& name, const sim::CacheSlot& s) {
  j.key(name).begin_object();
  j.flag("present", s.present).flag("tombstone", s.tombstone).flag("malformed", s.malformed);
  j.flag("unknown", s.unknown);
  j.field("tag", s.tag_hex).field("valueHex", s.value_hex);
  j.field("valueBytes", static_cast<std::uint64_t>(s.value_bytes)).field("decoded", s.decoded);
  j.end_object();
}

void node(JsonWriter& j, const sim::NodeStep& n) {
  j.begin_object();
  j.field("name", n.name).flag("up", n.up).field("applied", n.applied_index);
  j.field("generation", n.generation).field("epoch", n.epoch).field("threshold", n.threshold);
  j.field("gen0Entries", static_cast<std::uint64_t>(n.gen0_entries));
  j.field("gen1Entries", static_cast<std::uint64_t>(n.gen1_entries));
  j.flag("parityOk", n.parity_ok).field("parityDetail", n.parity_detail);
  j.field("mirrorRows", static_cast<std::uint64_t>(n.mirror_rows));
  j.field("digest", n.digest).flag("keysKnown", n.keys_known);
  j.key("keys").begin_array();
  for (const sim::KeyRow& k : n.keys) {
    j.begin_object();
    j.field("label", k.label).field("kind", k.kind).field("id", k.id_hex);
    j.flag("watched", k.watched);
    slot(j, "memoryGen0", k.memory_gen0);
    slot(j, "memoryGen1", k.memory_gen1);
    slot(j, "diskGen0", k.disk_gen0);
    slot(j, "diskGen1", k.disk_gen1);
    j.flag("gen0Differs", k.gen0_differs).flag("gen1Differs", k.gen1_differs);
    j.flag("nodesDiffer", k.nodes_differ);
    j.end_object();
  }
  j.end_array();
  j.end_object();
}

void proposal(JsonWriter& j, const sim::ProposalStep& p) {
  j.begin_object();
  j.field("id", p.id).field("label", p.label).field("status", p.status);
  j.field("admittedAt", p.admitted_at).field("predictedIndex", p.predicted_index);
  j.field("predictedGeneration", p.predicted_generation);
  j.field("cacheGeneration", p.cache_generation).field("d", p.d);
  j.field("epoch", p.epoch).field("baseIndex", p.base_index);
  j.field("appliedAt", p.applied_at).field("outcome", p.outcome);
  j.key("entries").begin_array();
  for (const sim::PlanEntryStep& e : p.entries) {
    j.begin_object();
    j.field("label", e.label).field("kind", e.kind).field("id", e.id_hex);
    j.field("verdict", e.verdict).field("source", e.source).flag("seeded", e.seeded);
    j.field("seedBytes", static_cast<std::uint64_t>(e.seed_bytes));
    j.field("seedHex", e.seed_hex).field("seedDecoded", e.seed_decoded);
    j.end_object();
  }
  j.end_array();
  j.key("orders").begin_array();
  for (const sim::OrderStep& o : p.orders) {
    j.begin_object().field("name", o.name).field("summary", o.summary);
    j.field("coverage", o.coverage).end_object();
  }
  j.end_array();
  j.end_object();
}

}  // namespace

std::string step_json(const sim::StepState& step, std::size_t step_count,
                      const std::string& session) {
  JsonWriter j;
  j.begin_object();
  j.field("session", session);
  j.field("number", static_cast<std::uint64_t>(step.number));
  j.field("count", static_cast<std::uint64_t>(step_count));
  j.field("kind", step.kind).field("event", step.event).field("narration", step.narration);
  j.field("chapter", step.chapter).field("explanation", step.explanation);
  j.field("proposal", step.proposal).field("refusal", step.refusal);
  j.field("threshold", step.threshold).field("applied", step.applied_index);
  j.field("logEnd", step.log_end);
  j.key("nodes").begin_array();
  for (const sim::NodeStep& n : step.nodes)
    node(j, n);
  j.end_array();
  j.key("proposals").begin_array();
  for (const sim::ProposalStep& p : step.proposals)
    proposal(j, p);
  j.end_array();
  j.key("invariants").begin_array();
  for (const sim::InvariantStep& inv : step.invariants) {
    j.begin_object().field("name", inv.name).flag("ok", inv.ok);
    j.field("detail", inv.detail).end_object();
  }
  j.end_array();
  j.end_object();
  return j.str();
}

}  // namespace tally::wasm
