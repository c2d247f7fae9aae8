// The coverage gate (docs/design.md §4, inv#5): every cache read and delete an order makes must
// be declared by the plan entry admission attached and by that order's coverage bits.
//
// PlanIndex maps each plan entry's (kind, id) to its position once per proposal; the gate is
// then one lookup and one bit test. An undeclared access is CoverageMiss, an audited business
// failure, never a silent read.
#pragma once

#include <map>

#include "core/fsm/write_set.hpp"
#include "core/plan/plan.hpp"

namespace tally::fsm {

class PlanIndex {
 public:
  // REQUIRES: the plan passed validation (known kinds, 16-byte ids, unique entries).
  explicit PlanIndex(const plan::Plan& plan);
  // The entry declaring slot, or nullptr.
  const plan::PlanEntry* find(const AttributeSlot& slot, std::size_t* entry_index) const;

 private:
  const plan::Plan* plan_;
  std::map<AttributeSlot, std::size_t> positions_;
};

class CoverageGate {
 public:
  CoverageGate(const PlanIndex& index, const Bytes& coverage_bits)
      : index_(&index), coverage_bits_(&coverage_bits) {}

  // ok when declared for this order; CoverageMiss otherwise. what names the access.
  Status check(const keys::AttributeKey& key, const char* what) const;
  // The same with key's slot. REQUIRES: slot == slot_of(key).
  Status check(const AttributeSlot& slot, const keys::AttributeKey& key, const char* what) const;
  // How admission saw the key, when it declared it.
  const plan::PlanEntry* declared_entry(const keys::AttributeKey& key) const;

 private:
  const PlanIndex* index_;
  const Bytes* coverage_bits_;
};

}  // namespace tally::fsm
