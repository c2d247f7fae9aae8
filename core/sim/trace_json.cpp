// tally-trace/4 (and /3) as JSON text (TRACE_FORMAT.md): trace_file.hpp's structures. Version 4
// packs each step, node record, row, plan entry, verdict and check as an array of its items in
// a fixed order (no field names); version 3 writes them as objects, field by field.
#include <map>
#include <vector>

#include "core/invariant.hpp"
#include "core/sim/json_text.hpp"
#include "core/sim/trace_file.hpp"

namespace tally::sim {

namespace {

// The file's key and slot tables, filled in order of first use while the steps are written:
// each key and each distinct slot is written once, and rows name them by position.
class Tables {
 public:
  std::size_t key(const std::string& kind, const std::string& id_hex) {
    return intern(keys_, key_order_, label_key(kind, id_hex));
  }
  // null for an absent slot, else the slot's position in the table.
  std::string slot(const CacheSlot& s) {
    if (!s.present) return "null";
    std::string json;
    if (s.malformed) {
      JsonObject o(json);
      o.text("malformed", s.value_hex).text("text", s.decoded).close();
    } else {
      json = json_string(s.tag_hex + ":" + (s.tombstone ? "-" : s.value_hex));
    }
    return std::to_string(intern(slots_, slot_order_, std::move(json)));
  }
  std::string keys_json() const { return list(key_order_, true); }
  std::string slots_json() const { return list(slot_order_, false); }

 private:
  static std::size_t intern(std::map<std::string, std::size_t>& index,
                            std::vector<const std::string*>& order, std::string text) {
    auto [it, inserted] = index.try_emplace(std::move(text), order.size());
    if (inserted) order.push_back(&it->first);
    return it->second;
  }
  static std::string list(const std::vector<const std::string*>& items, bool quote) {
    std::string out = "[";
    for (std::size_t i = 0; i < items.size(); ++i) {
      if (i > 0) out += ',';
      out += quote ? json_string(*items[i]) : *items[i];
    }
    return out + "]";
  }

  std::map<std::string, std::size_t> keys_, slots_;
  std::vector<const std::string*> key_order_, slot_order_;
};

void append_row(std::string& out, const RowChange& row, Tables& tables) {
  JsonObject o(out);
  o.number("key", tables.key(row.key.kind(), row.key.id_hex()));
  if (row.memory_gen0) o.raw("m0", tables.slot(*row.memory_gen0));
  if (row.memory_gen1) o.raw("m1", tables.slot(*row.memory_gen1));
  if (row.disk_gen0) o.raw("d0", tables.slot(*row.disk_gen0));
  if (row.disk_gen1) o.raw("d1", tables.slot(*row.disk_gen1));
  o.close();
}

void append_node(std::string& out, const NodeRecord& n, Tables& tables) {
  JsonObject o(out);
  o.flag("up", n.up).number("applied", n.applied_index).number("generation", n.generation);
  o.number("epoch", n.epoch).number("threshold", n.threshold);
  o.number("gen0", n.gen0_entries).number("gen1", n.gen1_entries);
  if (n.parity) o.flag("parity", *n.parity);
  if (!n.parity_detail.empty()) o.text("parityDetail", n.parity_detail);
  if (!n.digest.empty()) o.text("digest", n.digest);
  if (!n.advance.empty()) o.text("advance", n.advance);
  std::string rows = "[";
  for (std::size_t i = 0; i < n.rows.size(); ++i) {
    if (i > 0) rows += ',';
    append_row(rows, n.rows[i], tables);
  }
  o.raw("rows", rows + "]");
  o.close();
}

void append_proposal(std::string& out, const ProposalStep& p, Tables& tables) {
  JsonObject o(out);
  o.signed_number("id", p.id).text("label", p.label).number("admittedAt", p.admitted_at);
  o.number("predictedIndex", p.predicted_index)
      .number("predictedGeneration", p.predicted_generation);
  o.number("cacheGeneration", p.cache_generation).signed_number("d", p.d);
  o.number("epoch", p.epoch).number("baseIndex", p.base_index);
  std::string entries = "[";
  for (std::size_t i = 0; i < p.entries.size(); ++i) {
    const PlanEntryStep& e = p.entries[i];
    if (i > 0) entries += ',';
    JsonObject entry(entries);
    entry.number("key", tables.key(e.kind, e.id_hex)).text("verdict", e.verdict);
    entry.text("source", e.source);
    if (e.seeded) entry.text("seed", e.seed_hex);
    entry.close();
  }
  o.raw("entries", entries + "]");
  std::string orders = "[";
  for (std::size_t i = 0; i < p.orders.size(); ++i) {
    if (i > 0) orders += ',';
    JsonObject order(orders);
    order.text("name", p.orders[i].name).text("summary", p.orders[i].summary);
    order.text("coverage", p.orders[i].coverage).close();
  }
  o.raw("orders", orders + "]");
  o.close();
}

void append_step(std::string& out, const TraceStepRecord& s, Tables& tables) {
  JsonObject o(out);
  o.number("step", s.step).text("action", s.action).signed_number("node", s.node);
  o.number("index", s.index).text("detail", s.detail);
  std::string nodes = "[";
  for (std::size_t i = 0; i < s.nodes.size(); ++i) {
    if (i > 0) nodes += ',';
    if (s.nodes[i]) {
      append_node(nodes, *s.nodes[i], tables);
    } else {
      nodes += "null";
    }
  }
  o.raw("nodes", nodes + "]");
  if (s.admitted) {
    std::string proposal;
    append_proposal(proposal, *s.admitted, tables);
    o.raw("admitted", proposal);
  }
  if (!s.verdicts.empty()) {
    std::string verdicts = "[";
    for (std::size_t i = 0; i < s.verdicts.size(); ++i) {
      const VerdictRecord& v = s.verdicts[i];
      if (i > 0) verdicts += ',';
      JsonObject verdict(verdicts);
      verdict.signed_number("node", v.node).signed_number("proposal", v.proposal);
      verdict.text("status", v.status).text("outcome", v.outcome).close();
    }
    o.raw("verdicts", verdicts + "]");
  }
  if (!s.checks.empty()) {
    std::string checks = "[";
    for (std::size_t i = 0; i < s.checks.size(); ++i) {
      if (i > 0) checks += ',';
      JsonObject check(checks);
      check.signed_number("node", s.checks[i].node).flag("ok", s.checks[i].ok);
      check.text("detail", s.checks[i].detail).close();
    }
    o.raw("checks", checks + "]");
  }
  o.close();
}

// Version 4's arrays: items in a fixed order, the trailing ones that hold their defaults left
// out (a reader takes a missing item as its default).
class Packed {
 public:
  Packed& item(std::string json, bool is_default = false) {
    items_.push_back(std::move(json));
    if (!is_default) used_ = items_.size();
    return *this;
  }
  Packed& number(std::uint64_t value) { return item(std::to_string(value)); }
  Packed& signed_number(std::int64_t value) { return item(std::to_string(value)); }
  Packed& flag(bool value) { return item(value ? "true" : "false"); }
  Packed& text(const std::string& value) { return item(json_string(value), value.empty()); }
  void append_to(std::string& out) const {
    out += '[';
    for (std::size_t i = 0; i < used_; ++i) {
      if (i > 0) out += ',';
      out += items_[i];
    }
    out += ']';
  }

 private:
  std::vector<std::string> items_;
  std::size_t used_ = 0;
};

// Five numbers a row: the key's position, then m0, m1, d0, d1, each a slot's position, null
// (absent) or -1 (unchanged).
std::string packed_rows(const std::vector<RowChange>& rows, Tables& tables) {
  std::string out = "[";
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const RowChange& row = rows[i];
    if (i > 0) out += ',';
    out += std::to_string(tables.key(row.key.kind(), row.key.id_hex()));
    for (const SlotChange* slot :
         {&row.memory_gen0, &row.memory_gen1, &row.disk_gen0, &row.disk_gen1}) {
      out += ',';
      out += *slot ? tables.slot(**slot) : "-1";
    }
  }
  return out + "]";
}

void pack_node(std::string& out, const NodeRecord& n, Tables& tables) {
  Packed p;
  p.flag(n.up).number(n.applied_index).number(n.generation).number(n.epoch);
  p.number(n.threshold).number(n.gen0_entries).number(n.gen1_entries);
  p.item(!n.parity ? "null" : (*n.parity ? "true" : "false"), !n.parity);
  p.text(n.digest);
  p.item(packed_rows(n.rows, tables), n.rows.empty());
  p.text(n.advance).text(n.parity_detail);
  p.append_to(out);
}

void pack_proposal(std::string& out, const ProposalStep& proposal, Tables& tables) {
  Packed p;
  p.signed_number(proposal.id).text(proposal.label).number(proposal.admitted_at);
  p.number(proposal.predicted_index).number(proposal.predicted_generation);
  p.number(proposal.cache_generation).signed_number(proposal.d).number(proposal.epoch);
  p.number(proposal.base_index);
  std::string entries = "[";
  for (std::size_t i = 0; i < proposal.entries.size(); ++i) {
    const PlanEntryStep& e = proposal.entries[i];
    if (i > 0) entries += ',';
    Packed entry;
    entry.number(tables.key(e.kind, e.id_hex)).item(json_string(e.verdict));
    entry.item(json_string(e.source)).item(json_string(e.seed_hex), !e.seeded);
    entry.append_to(entries);
  }
  p.item(entries + "]", proposal.entries.empty());
  std::string orders = "[";
  for (std::size_t i = 0; i < proposal.orders.size(); ++i) {
    const OrderStep& o = proposal.orders[i];
    if (i > 0) orders += ',';
    Packed order;
    order.item(json_string(o.name)).item(json_string(o.summary)).item(json_string(o.coverage));
    order.append_to(orders);
  }
  p.item(orders + "]", proposal.orders.empty());
  p.append_to(out);
}

void pack_step(std::string& out, const TraceStepRecord& s, Tables& tables) {
  Packed p;
  p.number(s.step).item(json_string(s.action)).signed_number(s.node).number(s.index);
  p.item(json_string(s.detail));
  std::string nodes = "[";
  for (std::size_t i = 0; i < s.nodes.size(); ++i) {
    if (i > 0) nodes += ',';
    if (s.nodes[i]) {
      pack_node(nodes, *s.nodes[i], tables);
    } else {
      nodes += "null";
    }
  }
  p.item(nodes + "]");
  std::string admitted = "null";
  if (s.admitted) {
    admitted.clear();
    pack_proposal(admitted, *s.admitted, tables);
  }
  p.item(std::move(admitted), !s.admitted);
  std::string verdicts = "[";
  for (std::size_t i = 0; i < s.verdicts.size(); ++i) {
    const VerdictRecord& v = s.verdicts[i];
    if (i > 0) verdicts += ',';
    Packed verdict;
    verdict.signed_number(v.node).signed_number(v.proposal).item(json_string(v.status));
    verdict.item(json_string(v.outcome)).append_to(verdicts);
  }
  p.item(verdicts + "]", s.verdicts.empty());
  std::string checks = "[";
  for (std::size_t i = 0; i < s.checks.size(); ++i) {
    if (i > 0) checks += ',';
    Packed check;
    check.signed_number(s.checks[i].node)
        .flag(s.checks[i].ok)
        .item(json_string(s.checks[i].detail));
    check.append_to(checks);
  }
  p.item(checks + "]", s.checks.empty());
  p.append_to(out);
}

}  // namespace

std::string trace_file_json(const TraceFile& file, int version) {
  TALLY_INVARIANT(version == 3 || version == 4, "tally-trace is written as version 3 or 4");
  std::string out;
  JsonObject o(out);
  o.text("format", version == 4 ? kTraceFormat4 : kTraceFormat3);
  o.text("source", file.source).text("title", file.title);
  if (file.seed != 0) o.number("seed", file.seed);
  o.text("digestOf", file.digest_of).flag("complete", file.complete);
  std::string names = "[";
  for (std::size_t i = 0; i < file.node_names.size(); ++i)
    names += (i > 0 ? "," : "") + json_string(file.node_names[i]);
  o.raw("nodes", names + "]");
  std::string labels;
  JsonObject label_object(labels);
  for (const auto& [key, label] : file.labels)
    label_object.text(key.c_str(), label);
  label_object.close();
  o.raw("labels", labels);
  if (file.window_to != 0 || file.truncated) {
    std::string window;
    JsonObject w(window);
    w.number("from", file.window_from).number("to", file.window_to);
    w.flag("truncated", file.truncated).close();
    o.raw("window", window);
  }
  Tables tables;
  std::string steps = "[";
  for (std::size_t i = 0; i < file.steps.size(); ++i) {
    if (i > 0) steps += ",\n";
    if (version == 4) {
      pack_step(steps, file.steps[i], tables);
    } else {
      append_step(steps, file.steps[i], tables);
    }
  }
  o.raw("keys", tables.keys_json());
  o.raw("slots", tables.slots_json());
  o.raw("steps", steps + "]");
  std::string result;
  JsonObject r(result);
  r.flag("ok", file.ok).text("violation", file.violation).close();
  o.raw("result", result);
  o.close();
  return out;
}

}  // namespace tally::sim
