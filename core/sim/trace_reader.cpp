#include "core/sim/trace_reader.hpp"

#include <algorithm>
#include <cstring>

// RapidJSON 1.1's stack computes `nullptr + n` before its first allocation (Reserve in
// internal/stack.h): undefined behaviour that Clang's UBSan reports in the fuzz build, though
// nothing is dereferenced. RapidJSON's functions are compiled without that one check; ours
// keep it.
#if defined(__clang__)
#pragma clang attribute push(__attribute__((no_sanitize("pointer-overflow"))), apply_to = function)
#endif
#include <rapidjson/document.h>
#include <rapidjson/error/en.h>
#if defined(__clang__)
#pragma clang attribute pop
#endif

namespace tally::sim {

namespace {

using Value = rapidjson::Value;

// A field path for error messages: a chain of names and item numbers on the stack, put into
// words only when an error is reported.
struct Path {
  const Path* parent = nullptr;
  const char* name = nullptr;  // null: an item of the parent array
  std::size_t index = 0;

  std::string text() const {
    std::string prefix = parent == nullptr ? "" : parent->text();
    if (name == nullptr) return parent == nullptr ? "" : prefix + "[" + std::to_string(index) + "]";
    return prefix.empty() ? name : prefix + "." + name;
  }
  Path field(const char* field_name) const { return {this, field_name, 0}; }
  Path item(std::size_t i) const { return {this, nullptr, i}; }
};

Error invalid(const Path& path, const std::string& what) {
  std::string where = path.text();
  return make_error(Code::kValidation, (where.empty() ? "the trace" : where) + ": " + what);
}

const Value* member(const Value& object, const char* name) {
  auto found = object.FindMember(name);
  return found == object.MemberEnd() || found->value.IsNull() ? nullptr : &found->value;
}

Result<std::uint64_t> u64(const Value& object, const char* name, const Path& path,
                          std::uint64_t fallback = 0) {
  const Value* v = member(object, name);
  if (v == nullptr) return fallback;
  if (!v->IsUint64()) return invalid(path.field(name), "not an unsigned integer");
  return v->GetUint64();
}

Result<std::int64_t> i64(const Value& object, const char* name, const Path& path,
                         std::int64_t fallback) {
  const Value* v = member(object, name);
  if (v == nullptr) return fallback;
  if (!v->IsInt64()) return invalid(path.field(name), "not an integer");
  return v->GetInt64();
}

Result<int> small_int(const Value& object, const char* name, const Path& path, int fallback) {
  auto v = i64(object, name, path, fallback);
  if (!v.ok()) return std::move(v).error();
  if (*v < -1'000'000'000 || *v > 1'000'000'000) return invalid(path.field(name), "out of range");
  return static_cast<int>(*v);
}

Result<std::string> text(const Value& object, const char* name, const Path& path) {
  const Value* v = member(object, name);
  if (v == nullptr) return std::string();
  if (!v->IsString()) return invalid(path.field(name), "not a string");
  return std::string(v->GetString(), v->GetStringLength());
}

Result<bool> flag(const Value& object, const char* name, const Path& path, bool fallback) {
  const Value* v = member(object, name);
  if (v == nullptr) return fallback;
  if (!v->IsBool()) return invalid(path.field(name), "not true or false");
  return v->GetBool();
}

Result<const Value*> array(const Value& object, const char* name, const Path& path,
                           std::size_t max) {
  const Value* v = member(object, name);
  if (v == nullptr) return static_cast<const Value*>(nullptr);
  if (!v->IsArray()) return invalid(path.field(name), "not an array");
  if (v->Size() > max)
    return invalid(path.field(name), "more than " + std::to_string(max) + " items");
  return v;
}

// Version 4's records are arrays of items in a fixed order (TRACE_FORMAT.md): item i, or
// null when the array ends before it (a trailing item left out takes its default) or holds null.
const Value* item_at(const Value& list, rapidjson::SizeType i) {
  return i < list.Size() && !list[i].IsNull() ? &list[i] : nullptr;
}

Result<std::uint64_t> u64_item(const Value& list, rapidjson::SizeType i, const Path& at) {
  const Value* v = item_at(list, i);
  if (v == nullptr) return std::uint64_t{0};
  if (!v->IsUint64()) return invalid(at, "not an unsigned integer");
  return v->GetUint64();
}

Result<int> small_int_item(const Value& list, rapidjson::SizeType i, const Path& at, int fallback) {
  const Value* v = item_at(list, i);
  if (v == nullptr) return fallback;
  if (!v->IsInt64()) return invalid(at, "not an integer");
  if (v->GetInt64() < -1'000'000'000 || v->GetInt64() > 1'000'000'000)
    return invalid(at, "out of range");
  return static_cast<int>(v->GetInt64());
}

Result<std::string> text_item(const Value& list, rapidjson::SizeType i, const Path& at) {
  const Value* v = item_at(list, i);
  if (v == nullptr) return std::string();
  if (!v->IsString()) return invalid(at, "not a string");
  return std::string(v->GetString(), v->GetStringLength());
}

Result<bool> flag_item(const Value& list, rapidjson::SizeType i, const Path& at, bool fallback) {
  const Value* v = item_at(list, i);
  if (v == nullptr) return fallback;
  if (!v->IsBool()) return invalid(at, "not true or false");
  return v->GetBool();
}

// An array item (empty: left out), of at most max items.
Result<const Value*> array_item(const Value& list, rapidjson::SizeType i, const Path& at,
                                std::size_t max) {
  const Value* v = item_at(list, i);
  if (v == nullptr) return v;
  if (!v->IsArray()) return invalid(at, "not an array");
  if (v->Size() > max) return invalid(at, "more than " + std::to_string(max) + " items");
  return v;
}

#define TRACE_READ(target, expression)                \
  do {                                                \
    auto read_ = (expression);                        \
    if (!read_.ok()) return std::move(read_).error(); \
    target = std::move(read_).value();                \
  } while (false)

// What a version 3 file's rows and plan entries name by position: its keys, split into kind
// and id, and its distinct slots (TRACE_FORMAT.md).
struct Tables {
  std::vector<RowKey> keys;                     // shared by every row that names one
  std::vector<SlotChange> slots;                // shared by every row that names one
  SlotChange absent = SlotChange(CacheSlot{});  // version 4: every row that empties a slot
};

struct Context {
  int version = 3;
  std::size_t nodes = 0;
  Tables tables;
};

bool is_hex(std::string_view text) {
  return std::all_of(text.begin(), text.end(),
                     [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

// A version 2 slot: null is "absent", an object a row with its words.
Result<CacheSlot> slot(const Value& v, const Path& path) {
  CacheSlot s;
  if (v.IsNull()) return s;
  if (!v.IsObject()) return invalid(path, "not a slot (null or an object)");
  s.present = true;
  if (member(v, "malformed") != nullptr) {
    s.malformed = true;
    TRACE_READ(s.value_hex, text(v, "malformed", path));
    TRACE_READ(s.decoded, text(v, "text", path));
    return s;
  }
  TRACE_READ(s.tag_hex, text(v, "tag", path));
  TRACE_READ(s.tombstone, flag(v, "tombstone", path, false));
  if (!s.tombstone) {
    TRACE_READ(s.value_hex, text(v, "value", path));
    TRACE_READ(s.decoded, text(v, "text", path));
    s.value_bytes = s.value_hex.size() / 2;
  }
  return s;
}

// A version 3 slot table entry: "tag:valuehex" live, "tag:-" a tombstone, or an object for
// a malformed disk row. A live slot's words are left to the timeline.
Result<CacheSlot> table_slot(const Value& v, const Path& path) {
  if (v.IsObject() && member(v, "malformed") != nullptr) return slot(v, path);
  if (!v.IsString()) return invalid(path, "not a slot (\"tag:value\" or a malformed row)");
  std::string_view text(v.GetString(), v.GetStringLength());
  std::size_t colon = text.find(':');
  if (colon != 16 || !is_hex(text.substr(0, 16)))
    return invalid(path, "not 16 hex digits of tag, a colon, and the value");
  CacheSlot s;
  s.present = true;
  s.tag_hex = std::string(text.substr(0, 16));
  std::string_view value = text.substr(17);
  if (value == "-") {
    s.tombstone = true;
    return s;
  }
  if (value.size() % 2 != 0 || !is_hex(value)) return invalid(path, "the value is not hex bytes");
  s.value_hex = std::string(value);
  s.value_bytes = value.size() / 2;
  return s;
}

// Position `name` of `object` in a table of `size` entries.
Result<std::size_t> position(const Value& object, const char* name, const Path& path,
                             std::size_t size) {
  const Value* v = member(object, name);
  if (v == nullptr || !v->IsUint64()) return invalid(path.field(name), "not a table position");
  if (v->GetUint64() >= size)
    return invalid(path.field(name), "past the table's " + std::to_string(size) + " entries");
  return static_cast<std::size_t>(v->GetUint64());
}

Result<SlotChange> optional_slot(const Value& row, const char* name, const Path& path,
                                 const Context& context) {
  auto found = row.FindMember(name);
  if (found == row.MemberEnd()) return SlotChange();
  if (context.version >= 3 && !found->value.IsNull()) {
    std::size_t at = 0;
    TRACE_READ(at, position(row, name, path, context.tables.slots.size()));
    return context.tables.slots[at];
  }
  auto s = slot(found->value, path.field(name));
  if (!s.ok()) return std::move(s).error();
  return SlotChange(std::move(s).value());
}

// The kind and id a row or a plan entry names: by key position (version 3) or in full.
Result<RowKey> key_of(const Value& v, const Path& path, const Context& context) {
  if (context.version >= 3) {
    std::size_t at = 0;
    TRACE_READ(at, position(v, "key", path, context.tables.keys.size()));
    return context.tables.keys[at];
  }
  std::string kind, id_hex;
  TRACE_READ(kind, text(v, "kind", path));
  TRACE_READ(id_hex, text(v, "id", path));
  return RowKey(std::move(kind), std::move(id_hex));
}

Result<RowChange> row_change(const Value& v, const Path& path, const Context& context) {
  if (!v.IsObject()) return invalid(path, "not an object");
  RowChange row;
  TRACE_READ(row.key, key_of(v, path, context));
  if (row.key.kind().empty() || row.key.id_hex().empty())
    return invalid(path, "a row needs a kind and an id");
  TRACE_READ(row.memory_gen0, optional_slot(v, "m0", path, context));
  TRACE_READ(row.memory_gen1, optional_slot(v, "m1", path, context));
  TRACE_READ(row.disk_gen0, optional_slot(v, "d0", path, context));
  TRACE_READ(row.disk_gen1, optional_slot(v, "d1", path, context));
  return row;
}

Result<NodeRecord> node_record(const Value& v, const Path& path, const Context& context) {
  if (!v.IsObject()) return invalid(path, "not a node (null or an object)");
  NodeRecord n;
  TRACE_READ(n.up, flag(v, "up", path, true));
  TRACE_READ(n.applied_index, u64(v, "applied", path));
  TRACE_READ(n.generation, u64(v, "generation", path));
  TRACE_READ(n.epoch, u64(v, "epoch", path));
  TRACE_READ(n.threshold, u64(v, "threshold", path));
  TRACE_READ(n.gen0_entries, u64(v, "gen0", path));
  TRACE_READ(n.gen1_entries, u64(v, "gen1", path));
  if (member(v, "parity") != nullptr) {
    bool parity = true;
    TRACE_READ(parity, flag(v, "parity", path, true));
    n.parity = parity;
  }
  TRACE_READ(n.parity_detail, text(v, "parityDetail", path));
  TRACE_READ(n.digest, text(v, "digest", path));
  TRACE_READ(n.advance, text(v, "advance", path));
  if (!n.advance.empty() && n.advance != "rotation" && n.advance != "dropped")
    return invalid(path.field("advance"), "neither \"rotation\" nor \"dropped\"");
  n.rows_recorded = context.version >= 2;
  if (context.version < 2) return n;
  const Value* rows = nullptr;
  TRACE_READ(rows, array(v, "rows", path, kTraceRowsPerRecordMax));
  if (rows == nullptr) return n;
  Path rows_path = path.field("rows");
  n.rows.reserve(rows->Size());
  for (rapidjson::SizeType i = 0; i < rows->Size(); ++i) {
    RowChange row;
    TRACE_READ(row, row_change((*rows)[i], rows_path.item(i), context));
    n.rows.push_back(std::move(row));
  }
  return n;
}

template <class T, class Read>
Result<std::vector<T>> items(const Value& object, const char* name, const Path& path, Read read) {
  const Value* list = nullptr;
  TRACE_READ(list, array(object, name, path, kTraceRowsPerRecordMax));
  std::vector<T> out;
  for (rapidjson::SizeType i = 0; list != nullptr && i < list->Size(); ++i) {
    T item;
    TRACE_READ(item, read((*list)[i], path.field(name).item(i)));
    out.push_back(std::move(item));
  }
  return out;
}

Result<PlanEntryStep> plan_entry(const Value& e, const Path& at, const Context& context) {
  if (!e.IsObject()) return invalid(at, "not an object");
  PlanEntryStep entry;
  RowKey key;
  TRACE_READ(key, key_of(e, at, context));
  entry.kind = key.kind();
  entry.id_hex = key.id_hex();
  TRACE_READ(entry.verdict, text(e, "verdict", at));
  TRACE_READ(entry.source, text(e, "source", at));
  TRACE_READ(entry.seed_hex, text(e, "seed", at));
  entry.seeded = member(e, "seed") != nullptr;
  entry.seed_bytes = entry.seed_hex.size() / 2;
  if (context.version < 3) {
    TRACE_READ(entry.seed_decoded, text(e, "seedText", at));
  } else if (entry.seed_hex.size() % 2 != 0 || !is_hex(entry.seed_hex)) {
    return invalid(at.field("seed"), "not hex bytes");  // its words: the timeline's, when shown
  }
  return entry;
}

Result<OrderStep> order_step(const Value& o, const Path& at) {
  if (!o.IsObject()) return invalid(at, "not an object");
  OrderStep order;
  TRACE_READ(order.name, text(o, "name", at));
  TRACE_READ(order.summary, text(o, "summary", at));
  TRACE_READ(order.coverage, text(o, "coverage", at));
  return order;
}

Result<ProposalStep> proposal(const Value& v, const Path& path, const Context& context) {
  if (!v.IsObject()) return invalid(path, "not an object");
  ProposalStep p;
  TRACE_READ(p.id, small_int(v, "id", path, 0));
  TRACE_READ(p.label, text(v, "label", path));
  TRACE_READ(p.admitted_at, u64(v, "admittedAt", path));
  TRACE_READ(p.predicted_index, u64(v, "predictedIndex", path));
  TRACE_READ(p.predicted_generation, u64(v, "predictedGeneration", path));
  TRACE_READ(p.cache_generation, u64(v, "cacheGeneration", path));
  TRACE_READ(p.d, i64(v, "d", path, 0));
  TRACE_READ(p.epoch, u64(v, "epoch", path));
  TRACE_READ(p.base_index, u64(v, "baseIndex", path));
  p.status = "in flight";
  TRACE_READ(p.entries,
             items<PlanEntryStep>(v, "entries", path, [&context](const Value& e, const Path& at) {
               return plan_entry(e, at, context);
             }));
  TRACE_READ(p.orders, items<OrderStep>(v, "orders", path, order_step));
  return p;
}

Result<VerdictRecord> verdict(const Value& v, const Path& path) {
  if (!v.IsObject()) return invalid(path, "not an object");
  VerdictRecord r;
  TRACE_READ(r.node, small_int(v, "node", path, -1));
  TRACE_READ(r.proposal, small_int(v, "proposal", path, kNoProposal));
  TRACE_READ(r.status, text(v, "status", path));
  TRACE_READ(r.outcome, text(v, "outcome", path));
  return r;
}

Result<CheckRecord> check(const Value& v, const Path& path) {
  if (!v.IsObject()) return invalid(path, "not an object");
  CheckRecord r;
  TRACE_READ(r.node, small_int(v, "node", path, -1));
  TRACE_READ(r.ok, flag(v, "ok", path, true));
  TRACE_READ(r.detail, text(v, "detail", path));
  return r;
}

Result<TraceStepRecord> step(const Value& v, const Path& path, const Context& context) {
  if (!v.IsObject()) return invalid(path, "not an object");
  TraceStepRecord s;
  TRACE_READ(s.step, u64(v, "step", path));
  TRACE_READ(s.action, text(v, "action", path));
  TRACE_READ(s.node, small_int(v, "node", path, -1));
  TRACE_READ(s.index, u64(v, "index", path));
  TRACE_READ(s.detail, text(v, "detail", path));
  const Value* nodes = nullptr;
  TRACE_READ(nodes, array(v, "nodes", path, kTraceNodesMax));
  std::size_t count = nodes == nullptr ? 0 : nodes->Size();
  if (context.version >= 2 && count != context.nodes) {
    return invalid(path.field("nodes"), std::to_string(count) + " nodes, the trace names " +
                                            std::to_string(context.nodes));
  }
  for (std::size_t i = 0; i < count; ++i) {
    const Value& n = (*nodes)[static_cast<rapidjson::SizeType>(i)];
    if (n.IsNull()) {
      s.nodes.emplace_back();
      continue;
    }
    NodeRecord record;
    TRACE_READ(record, node_record(n, path.field("nodes").item(i), context));
    s.nodes.emplace_back(std::move(record));
  }
  if (const Value* admitted = member(v, "admitted")) {
    ProposalStep p;
    TRACE_READ(p, proposal(*admitted, path.field("admitted"), context));
    s.admitted = std::move(p);
  }
  TRACE_READ(s.verdicts, items<VerdictRecord>(v, "verdicts", path, verdict));
  TRACE_READ(s.checks, items<CheckRecord>(v, "checks", path, check));
  return s;
}

// Version 4 (TRACE_FORMAT.md): a record is an array of its items in a fixed order.

// Five numbers a row: the key's position, then m0, m1, d0, d1, each a slot's position, null
// (absent) or -1 (unchanged). The bulk of a trace: read in one loop, the item's path put
// into words only for an error.
Status packed_rows(const Value& rows, const Path& path, const Tables& tables, NodeRecord& n) {
  constexpr rapidjson::SizeType kCells = 5;
  static constexpr const char* kCellNames[kCells] = {"key", "m0", "m1", "d0", "d1"};
  if (rows.Size() % kCells != 0) return invalid(path, "not five numbers a row");
  n.rows.resize(rows.Size() / kCells);
  for (rapidjson::SizeType i = 0; i < rows.Size(); i += kCells) {
    RowChange& row = n.rows[i / kCells];
    SlotChange* slots[] = {&row.memory_gen0, &row.memory_gen1, &row.disk_gen0, &row.disk_gen1};
    for (rapidjson::SizeType c = 0; c < kCells; ++c) {
      const Value& cell = rows[i + c];
      std::size_t size = c == 0 ? tables.keys.size() : tables.slots.size();
      if (c > 0 && cell.IsNull()) {
        *slots[c - 1] = tables.absent;
      } else if (c > 0 && cell.IsInt() && cell.GetInt() == -1) {
        continue;  // unchanged
      } else if (!cell.IsUint64()) {
        return invalid(path.item(i / kCells).field(kCellNames[c]),
                       c == 0 ? "not a table position" : "not a slot position, null or -1");
      } else if (cell.GetUint64() >= size) {
        return invalid(path.item(i / kCells).field(kCellNames[c]),
                       "past the table's " + std::to_string(size) + " entries");
      } else if (c == 0) {
        row.key = tables.keys[static_cast<std::size_t>(cell.GetUint64())];
      } else {
        *slots[c - 1] = tables.slots[static_cast<std::size_t>(cell.GetUint64())];
      }
    }
  }
  return ok_status();
}

Result<RowKey> packed_key(const Value* v, const Path& at, const Tables& tables) {
  if (v == nullptr || !v->IsUint64()) return invalid(at, "not a table position");
  if (v->GetUint64() >= tables.keys.size())
    return invalid(at, "past the table's " + std::to_string(tables.keys.size()) + " entries");
  return tables.keys[static_cast<std::size_t>(v->GetUint64())];
}

// [up, applied, generation, epoch, threshold, gen0, gen1, parity, digest, rows, advance,
//  parityDetail]
Result<NodeRecord> packed_node(const Value& v, const Path& path, const Context& context) {
  if (!v.IsArray()) return invalid(path, "not a node (null or an array)");
  NodeRecord n;
  TRACE_READ(n.up, flag_item(v, 0, path.field("up"), true));
  TRACE_READ(n.applied_index, u64_item(v, 1, path.field("applied")));
  TRACE_READ(n.generation, u64_item(v, 2, path.field("generation")));
  TRACE_READ(n.epoch, u64_item(v, 3, path.field("epoch")));
  TRACE_READ(n.threshold, u64_item(v, 4, path.field("threshold")));
  TRACE_READ(n.gen0_entries, u64_item(v, 5, path.field("gen0")));
  TRACE_READ(n.gen1_entries, u64_item(v, 6, path.field("gen1")));
  if (item_at(v, 7) != nullptr) {
    bool parity = true;
    TRACE_READ(parity, flag_item(v, 7, path.field("parity"), true));
    n.parity = parity;
  }
  TRACE_READ(n.digest, text_item(v, 8, path.field("digest")));
  const Value* rows = nullptr;
  TRACE_READ(rows, array_item(v, 9, path.field("rows"), 5 * kTraceRowsPerRecordMax));
  TRACE_READ(n.advance, text_item(v, 10, path.field("advance")));
  if (!n.advance.empty() && n.advance != "rotation" && n.advance != "dropped")
    return invalid(path.field("advance"), "neither \"rotation\" nor \"dropped\"");
  TRACE_READ(n.parity_detail, text_item(v, 11, path.field("parityDetail")));
  n.rows_recorded = true;
  if (rows != nullptr) TALLY_TRY(packed_rows(*rows, path.field("rows"), context.tables, n));
  return n;
}

// The items of an array item, each read by read(item, its path).
template <class T, class Read>
Result<std::vector<T>> packed_items(const Value& list, rapidjson::SizeType i, const Path& at,
                                    Read read) {
  const Value* items = nullptr;
  TRACE_READ(items, array_item(list, i, at, kTraceRowsPerRecordMax));
  std::vector<T> out;
  if (items == nullptr) return out;
  out.reserve(items->Size());
  for (rapidjson::SizeType k = 0; k < items->Size(); ++k) {
    const Value& item = (*items)[k];
    if (!item.IsArray()) return invalid(at.item(k), "not an array");
    T value;
    TRACE_READ(value, read(item, at.item(k)));
    out.push_back(std::move(value));
  }
  return out;
}

// [key, verdict, source, seed]: seeded when the seed is there.
Result<PlanEntryStep> packed_plan_entry(const Value& e, const Path& at, const Context& context) {
  PlanEntryStep entry;
  RowKey key;
  TRACE_READ(key, packed_key(item_at(e, 0), at.field("key"), context.tables));
  entry.kind = key.kind();
  entry.id_hex = key.id_hex();
  TRACE_READ(entry.verdict, text_item(e, 1, at.field("verdict")));
  TRACE_READ(entry.source, text_item(e, 2, at.field("source")));
  entry.seeded = item_at(e, 3) != nullptr;
  TRACE_READ(entry.seed_hex, text_item(e, 3, at.field("seed")));
  if (entry.seed_hex.size() % 2 != 0 || !is_hex(entry.seed_hex))
    return invalid(at.field("seed"), "not hex bytes");  // its words: the timeline's, when shown
  entry.seed_bytes = entry.seed_hex.size() / 2;
  return entry;
}

// [name, summary, coverage]
Result<OrderStep> packed_order(const Value& o, const Path& at) {
  OrderStep order;
  TRACE_READ(order.name, text_item(o, 0, at.field("name")));
  TRACE_READ(order.summary, text_item(o, 1, at.field("summary")));
  TRACE_READ(order.coverage, text_item(o, 2, at.field("coverage")));
  return order;
}

// [id, label, admittedAt, predictedIndex, predictedGeneration, cacheGeneration, d, epoch,
//  baseIndex, entries, orders]
Result<ProposalStep> packed_proposal(const Value& v, const Path& path, const Context& context) {
  if (!v.IsArray()) return invalid(path, "not an array");
  ProposalStep p;
  TRACE_READ(p.id, small_int_item(v, 0, path.field("id"), 0));
  TRACE_READ(p.label, text_item(v, 1, path.field("label")));
  TRACE_READ(p.admitted_at, u64_item(v, 2, path.field("admittedAt")));
  TRACE_READ(p.predicted_index, u64_item(v, 3, path.field("predictedIndex")));
  TRACE_READ(p.predicted_generation, u64_item(v, 4, path.field("predictedGeneration")));
  TRACE_READ(p.cache_generation, u64_item(v, 5, path.field("cacheGeneration")));
  if (const Value* d = item_at(v, 6)) {
    if (!d->IsInt64()) return invalid(path.field("d"), "not an integer");
    p.d = d->GetInt64();
  }
  TRACE_READ(p.epoch, u64_item(v, 7, path.field("epoch")));
  TRACE_READ(p.base_index, u64_item(v, 8, path.field("baseIndex")));
  p.status = "in flight";
  TRACE_READ(p.entries, packed_items<PlanEntryStep>(v, 9, path.field("entries"),
                                                    [&context](const Value& e, const Path& at) {
                                                      return packed_plan_entry(e, at, context);
                                                    }));
  TRACE_READ(p.orders, packed_items<OrderStep>(v, 10, path.field("orders"), packed_order));
  return p;
}

// [node, proposal, status, outcome]
Result<VerdictRecord> packed_verdict(const Value& v, const Path& at) {
  VerdictRecord r;
  TRACE_READ(r.node, small_int_item(v, 0, at.field("node"), -1));
  TRACE_READ(r.proposal, small_int_item(v, 1, at.field("proposal"), kNoProposal));
  TRACE_READ(r.status, text_item(v, 2, at.field("status")));
  TRACE_READ(r.outcome, text_item(v, 3, at.field("outcome")));
  return r;
}

// [node, ok, detail]
Result<CheckRecord> packed_check(const Value& v, const Path& at) {
  CheckRecord r;
  TRACE_READ(r.node, small_int_item(v, 0, at.field("node"), -1));
  TRACE_READ(r.ok, flag_item(v, 1, at.field("ok"), true));
  TRACE_READ(r.detail, text_item(v, 2, at.field("detail")));
  return r;
}

// [step, action, node, index, detail, nodes, admitted, verdicts, checks]
Result<TraceStepRecord> packed_step(const Value& v, const Path& path, const Context& context) {
  if (!v.IsArray()) return invalid(path, "not an array");
  TraceStepRecord s;
  TRACE_READ(s.step, u64_item(v, 0, path.field("step")));
  TRACE_READ(s.action, text_item(v, 1, path.field("action")));
  TRACE_READ(s.node, small_int_item(v, 2, path.field("node"), -1));
  TRACE_READ(s.index, u64_item(v, 3, path.field("index")));
  TRACE_READ(s.detail, text_item(v, 4, path.field("detail")));
  const Value* nodes = nullptr;
  TRACE_READ(nodes, array_item(v, 5, path.field("nodes"), kTraceNodesMax));
  std::size_t count = nodes == nullptr ? 0 : nodes->Size();
  if (count != context.nodes) {
    return invalid(path.field("nodes"), std::to_string(count) + " nodes, the trace names " +
                                            std::to_string(context.nodes));
  }
  s.nodes.resize(count);
  for (std::size_t i = 0; i < count; ++i) {
    const Value& n = (*nodes)[static_cast<rapidjson::SizeType>(i)];
    if (n.IsNull()) continue;
    NodeRecord record;
    TRACE_READ(record, packed_node(n, path.field("nodes").item(i), context));
    s.nodes[i] = std::move(record);
  }
  if (const Value* admitted = item_at(v, 6)) {
    ProposalStep p;
    TRACE_READ(p, packed_proposal(*admitted, path.field("admitted"), context));
    s.admitted = std::move(p);
  }
  TRACE_READ(s.verdicts, packed_items<VerdictRecord>(v, 7, path.field("verdicts"), packed_verdict));
  TRACE_READ(s.checks, packed_items<CheckRecord>(v, 8, path.field("checks"), packed_check));
  return s;
}

Status header(const Value& doc, TraceFile& file) {
  Path root;
  TRACE_READ(file.source, text(doc, "source", root));
  TRACE_READ(file.title, text(doc, "title", root));
  TRACE_READ(file.seed, u64(doc, "seed", root));
  TRACE_READ(file.digest_of, text(doc, "digestOf", root));
  TRACE_READ(file.complete, flag(doc, "complete", root, true));
  const Value* names = nullptr;
  TRACE_READ(names, array(doc, "nodes", root, kTraceNodesMax));
  for (rapidjson::SizeType i = 0; names != nullptr && i < names->Size(); ++i) {
    if (!(*names)[i].IsString()) return invalid(root.field("nodes").item(i), "not a string");
    file.node_names.emplace_back((*names)[i].GetString(), (*names)[i].GetStringLength());
  }
  if (const Value* labels = member(doc, "labels")) {
    if (!labels->IsObject()) return invalid(root.field("labels"), "not an object");
    for (auto it = labels->MemberBegin(); it != labels->MemberEnd(); ++it) {
      if (!it->value.IsString()) return invalid(root.field("labels"), "a label is not a string");
      file.labels.emplace(std::string(it->name.GetString(), it->name.GetStringLength()),
                          std::string(it->value.GetString(), it->value.GetStringLength()));
    }
  }
  if (const Value* window = member(doc, "window")) {
    if (!window->IsObject()) return invalid(root.field("window"), "not an object");
    Path at = root.field("window");
    TRACE_READ(file.window_from, u64(*window, "from", at));
    TRACE_READ(file.window_to, u64(*window, "to", at));
    TRACE_READ(file.truncated, flag(*window, "truncated", at, false));
  }
  return ok_status();
}

Result<Tables> tables(const Value& doc) {
  Path root;
  Tables out;
  const Value* keys = nullptr;
  TRACE_READ(keys, array(doc, "keys", root, kTraceRowsPerRecordMax));
  for (rapidjson::SizeType i = 0; keys != nullptr && i < keys->Size(); ++i) {
    const Value& key = (*keys)[i];
    std::string_view text =
        key.IsString() ? std::string_view(key.GetString(), key.GetStringLength()) : "";
    std::size_t space = text.find(' ');
    if (space == 0 || space == std::string_view::npos || space + 1 == text.size())
      return invalid(root.field("keys").item(i), "not \"Kind idhex\"");
    out.keys.emplace_back(std::string(text.substr(0, space)), std::string(text.substr(space + 1)));
  }
  const Value* slots = nullptr;
  TRACE_READ(slots, array(doc, "slots", root, kTraceRowsPerRecordMax));
  for (rapidjson::SizeType i = 0; slots != nullptr && i < slots->Size(); ++i) {
    CacheSlot slot;
    TRACE_READ(slot, table_slot((*slots)[i], root.field("slots").item(i)));
    out.slots.emplace_back(std::move(slot));
  }
  return out;
}

// The format's version, with the header and tables it brings.
Status read_head(const Value& doc, TraceFile& file, Context& context) {
  Path root;
  std::string format;
  TRACE_READ(format, text(doc, "format", root));
  if (format == kTraceFormat4 || format == kTraceFormat3 || format == kTraceFormat2) {
    file.version = format == kTraceFormat4 ? 4 : format == kTraceFormat3 ? 3 : 2;
    TALLY_TRY(header(doc, file));
    if (file.version >= 3) TRACE_READ(context.tables, tables(doc));
  } else if (format == kTraceFormat1) {
    file.version = 1;
    file.source = "tally-sim";
    TRACE_READ(file.seed, u64(doc, "seed", root));
    file.title = "Trace of seed " + std::to_string(file.seed);
  } else {
    return make_error(Code::kValidation,
                      "not a tally-trace/1, /2, /3 or /4 file (format \"" + format + "\")");
  }
  context.version = file.version;
  context.nodes = file.node_names.size();
  return ok_status();
}

// A step of the file, as the version reads it.
Result<TraceStepRecord> step_of(const Value& v, std::size_t i, const Context& context) {
  Path root;
  Path steps = root.field("steps");
  return context.version == 4 ? packed_step(v, steps.item(i), context)
                              : step(v, steps.item(i), context);
}

}  // namespace

struct TraceReader::State {
  std::string text;  // parsed in place: the document's strings point into it
  rapidjson::Document doc;
  TraceFile head;
  Context context;
  const Value* steps = nullptr;
  std::size_t read = 0;
  // Version 1: every step, read at open (a step may name more nodes than the ones before).
  std::vector<TraceStepRecord> early;
};

TraceReader::TraceReader(std::unique_ptr<State> state) : state_(std::move(state)) {}
TraceReader::~TraceReader() = default;

const TraceFile& TraceReader::head() const {
  return state_->head;
}
const std::vector<RowKey>& TraceReader::keys() const {
  return state_->context.tables.keys;
}
std::size_t TraceReader::size() const {
  return state_->steps->Size();
}
std::size_t TraceReader::read() const {
  return state_->read;
}

Result<std::unique_ptr<TraceReader>> TraceReader::open(std::string json) {
  auto state = std::make_unique<State>();
  state->text = std::move(json);
  std::string& json_text = state->text;
  // Parsed in place: the document's strings point into the text, none copied one by one.
  // In-place parsing stops at a NUL byte, which no JSON text holds raw.
  if (const void* nul = std::memchr(json_text.data(), '\0', json_text.size())) {
    return make_error(Code::kValidation,
                      "not a JSON trace file: a NUL byte at offset " +
                          std::to_string(static_cast<const char*>(nul) - json_text.data()));
  }
  rapidjson::Document& doc = state->doc;
  doc.ParseInsitu(json_text.data());
  if (doc.HasParseError()) {
    return make_error(
        Code::kValidation,
        "not a JSON trace file: " + std::string(rapidjson::GetParseError_En(doc.GetParseError())) +
            " at offset " + std::to_string(doc.GetErrorOffset()));
  }
  if (!doc.IsObject()) return make_error(Code::kValidation, "not a JSON trace file");
  TraceFile& file = state->head;
  TALLY_TRY(read_head(doc, file, state->context));
  Path root;
  TRACE_READ(state->steps, array(doc, "steps", root, kTraceStepsMax));
  if (state->steps == nullptr) return make_error(Code::kValidation, "the trace has no steps array");
  if (const Value* result = member(doc, "result")) {
    if (!result->IsObject()) return invalid(root.field("result"), "not an object");
    TRACE_READ(file.ok, flag(*result, "ok", root.field("result"), true));
    TRACE_READ(file.violation, text(*result, "violation", root.field("result")));
  }
  if (file.version == 1) {
    for (rapidjson::SizeType i = 0; i < state->steps->Size(); ++i) {
      TraceStepRecord s;
      TRACE_READ(s, step_of((*state->steps)[i], i, state->context));
      for (std::size_t n = file.node_names.size(); n < s.nodes.size(); ++n)
        file.node_names.push_back("node " + std::to_string(n));
      state->early.push_back(std::move(s));
    }
    for (TraceStepRecord& s : state->early)
      s.nodes.resize(file.node_names.size());
  }
  return std::unique_ptr<TraceReader>(new TraceReader(std::move(state)));
}

Result<std::vector<TraceStepRecord>> TraceReader::next(std::size_t count) {
  State& state = *state_;
  std::size_t end = std::min(size(), state.read + count);
  std::vector<TraceStepRecord> out;
  out.reserve(end - state.read);
  for (; state.read < end; ++state.read) {
    if (state.head.version == 1) {
      out.push_back(std::move(state.early[state.read]));
      continue;
    }
    TraceStepRecord s;
    auto i = static_cast<rapidjson::SizeType>(state.read);
    TRACE_READ(s, step_of((*state.steps)[i], i, state.context));
    out.push_back(std::move(s));
  }
  return out;
}

Result<TraceFile> read_trace(std::string_view json) {
  return read_trace_text(std::string(json));
}

Result<TraceFile> read_trace_text(std::string json) {
  std::unique_ptr<TraceReader> reader;
  TRACE_READ(reader, TraceReader::open(std::move(json)));
  TraceFile file = reader->head();
  TRACE_READ(file.steps, reader->next(reader->size()));
  return file;
}

}  // namespace tally::sim
