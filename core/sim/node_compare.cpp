#include "core/sim/node_compare.hpp"

#include <map>

namespace tally::sim {

namespace {

using KeyOf = std::pair<std::string, std::string>;  // (kind, id hex)

struct Holder {
  std::size_t node;
  KeyRow* row;  // null: the node holds nothing for the key
};

const CacheSlot& memory_slot(const KeyRow* row, int generation) {
  static const CacheSlot kAbsent;
  if (row == nullptr) return kAbsent;
  return generation == 0 ? row->memory_gen0 : row->memory_gen1;
}

// The first pair of holders whose slot at generation differs, as words; "" when none.
std::string compare_generation(const std::vector<NodeStep>& nodes,
                               const std::vector<Holder>& holders, int generation) {
  const Holder* first = nullptr;
  for (const Holder& h : holders) {
    const CacheSlot& slot = memory_slot(h.row, generation);
    if (slot.unknown) continue;
    if (first == nullptr) {
      first = &h;
      continue;
    }
    const CacheSlot& reference = memory_slot(first->row, generation);
    if (same_bytes(reference, slot)) continue;
    return nodes[first->node].name + " holds " + say_slot(reference) + ", " + nodes[h.node].name +
           " " + say_slot(slot);
  }
  return "";
}

bool comparable(const NodeStep& node) {
  return node.up && node.keys_known;
}

}  // namespace

bool same_bytes(const CacheSlot& a, const CacheSlot& b) {
  return a.present == b.present && a.tombstone == b.tombstone && a.malformed == b.malformed &&
         a.tag_hex == b.tag_hex && a.value_hex == b.value_hex;
}

std::string say_slot(const CacheSlot& slot) {
  if (slot.unknown) return "an unrecorded row";
  if (!slot.present) return "nothing";
  if (slot.malformed) return "a malformed row";
  if (slot.tombstone) return "a tombstone";
  return "live " + slot.decoded;
}

std::string mark_node_differences(std::vector<NodeStep>& nodes) {
  std::string first;
  std::map<std::uint64_t, std::vector<std::size_t>> by_index;
  for (std::size_t i = 0; i < nodes.size(); ++i) {
    for (KeyRow& row : nodes[i].keys)
      row.nodes_differ = false;
    if (comparable(nodes[i])) by_index[nodes[i].applied_index].push_back(i);
  }
  for (const auto& [index, members] : by_index) {
    if (members.size() < 2) continue;
    std::map<KeyOf, std::vector<Holder>> keys;  // every key any member holds
    std::map<KeyOf, std::string> labels;
    for (std::size_t n : members) {
      for (KeyRow& row : nodes[n].keys)
        labels.emplace(KeyOf{row.kind, row.id_hex}, row.label);
    }
    for (const auto& [key, label] : labels) {
      std::vector<Holder>& holders = keys[key];
      for (std::size_t n : members)
        holders.push_back({n, nullptr});
    }
    for (std::size_t m = 0; m < members.size(); ++m) {
      for (KeyRow& row : nodes[members[m]].keys)
        keys[{row.kind, row.id_hex}][m].row = &row;
    }
    for (auto& [key, holders] : keys) {
      std::string gen0 = compare_generation(nodes, holders, 0);
      std::string gen1 = compare_generation(nodes, holders, 1);
      if (gen0.empty() && gen1.empty()) continue;
      for (Holder& h : holders) {
        if (h.row != nullptr) h.row->nodes_differ = true;
      }
      if (first.empty()) {
        first = labels[key] + (gen0.empty() ? " at gen1: " + gen1 : " at gen0: " + gen0);
      }
    }
  }
  return first;
}

}  // namespace tally::sim
