#include "core/fsm/plan_validation.hpp"

#include <optional>
#include <string>
#include <tuple>
#include <variant>

#include "core/codec/value_codec.hpp"
#include "core/domain/validation.hpp"
#include "core/fsm/idempotency_record.hpp"
#include "core/keys/attribute_kind.hpp"
#include "core/keys/key_hash.hpp"
#include "core/limits.hpp"
#include "core/numscript/script_transaction.hpp"

namespace tally::fsm {

Error malformed_proposal(const std::string& problem) {
  return make_error(Code::kMalformedProposal, "malformed proposal: " + problem);
}

bool is_proposal_rejection(Code code) {
  return code == Code::kMalformedProposal || code == Code::kCollisionDetected;
}

namespace {

Error malformed(const std::string& problem) {
  return malformed_proposal(problem);
}

template <class T>
Status decodes_as(ByteView seed) {
  auto value = codec::ValueCodec<T>::decode(seed);
  if (!value.ok()) return std::move(value).error();
  return ok_status();
}

}  // namespace

Status validate_seed(keys::AttributeKind kind, ByteView seed) {
  using keys::AttributeKind;
  switch (kind) {
    case AttributeKind::kVolume: return decodes_as<domain::Volume>(seed);
    case AttributeKind::kAccountMetadata:
    case AttributeKind::kLedgerMetadata: return decodes_as<domain::Metadata>(seed);
    case AttributeKind::kTransaction: return decodes_as<domain::TransactionState>(seed);
    case AttributeKind::kLedger: return decodes_as<domain::LedgerInfo>(seed);
    case AttributeKind::kBoundary: return decodes_as<domain::Boundary>(seed);
    case AttributeKind::kReference: return decodes_as<domain::ReferenceTarget>(seed);
    case AttributeKind::kIdempotency: {
      auto record = decode_idempotency_record(seed);
      if (!record.ok()) return std::move(record).error();
      return ok_status();
    }
  }
  return make_error(Code::kCorrupt, "seed of an unknown kind");
}

namespace {

Status validate_entries(const plan::Plan& plan) {
  if (plan.entries.size() > limits::kPlanEntriesMax) return malformed("too many plan entries");
  for (std::size_t i = 0; i < plan.entries.size(); ++i) {
    const plan::PlanEntry& entry = plan.entries[i];
    std::string where = "plan entry " + std::to_string(i) + ": ";
    if (!keys::kind_from_byte(entry.kind)) {
      return malformed(where + "unknown kind " + std::to_string(entry.kind));
    }
    if (entry.source > plan::EntrySource::kStoreAbsent) {
      return malformed(where + "unknown source " +
                       std::to_string(static_cast<unsigned>(entry.source)));
    }
    if (entry.id.size() != keys::kIdBytes) {
      return malformed(where + "id of " + std::to_string(entry.id.size()) + " bytes");
    }
    if (entry.seed.has_value() != (entry.source == plan::EntrySource::kStoreSeed)) {
      return malformed(where + "seed presence disagrees with its source");
    }
    // A seed enters the cache as it is; one that does not decode, or names what no request
    // could, would stop every node at its first read.
    if (entry.seed) {
      Status seed = validate_seed(*keys::kind_from_byte(entry.kind), *entry.seed);
      if (!seed.ok()) return malformed(where + "seed: " + seed.error().message);
    }
    if (i > 0) {
      const plan::PlanEntry& previous = plan.entries[i - 1];
      if (!(std::tie(previous.kind, previous.id) < std::tie(entry.kind, entry.id))) {
        return malformed(where + "entries not sorted by (kind, id) or repeated");
      }
    }
  }
  return ok_status();
}

// A script admission would have refused (it does not parse or type-check, whatever the state)
// did not come from an admission. Compiling here costs the run nothing: the compiled script is
// kept for the order's execution (core/numscript/program.hpp).
Status validate_scripts(const plan::Proposal& proposal) {
  for (std::size_t i = 0; i < proposal.orders.size(); ++i) {
    const auto* create = std::get_if<domain::CreateTransaction>(&proposal.orders[i].order);
    if (create == nullptr || !create->script) continue;
    auto compiled = numscript::compile_for(*create->script);
    if (!compiled.ok()) {
      return malformed("order " + std::to_string(i) + ": " + compiled.error().message);
    }
  }
  return ok_status();
}

Status validate_coverage(const plan::Proposal& proposal) {
  std::size_t entries = proposal.plan.entries.size();
  std::size_t bytes_max = (entries + 7) / 8;
  for (std::size_t i = 0; i < proposal.orders.size(); ++i) {
    const Bytes& bits = proposal.orders[i].coverage_bits;
    if (bits.size() > bytes_max) {
      return malformed("order " + std::to_string(i) + ": coverage bits longer than the plan");
    }
    for (std::size_t bit = entries; bit < bits.size() * 8; ++bit) {
      if (plan::coverage_bit(bits, bit)) {
        return malformed("order " + std::to_string(i) + ": coverage bit " + std::to_string(bit) +
                         " names no entry");
      }
    }
  }
  return ok_status();
}

}  // namespace

Status validate_proposal_shape(const plan::Proposal& proposal) {
  if (proposal.orders.empty()) return malformed("no orders");
  if (proposal.orders.size() > limits::kOrdersPerProposalMax) return malformed("too many orders");
  // The orders and the key pass the rules admission applies to a request: nothing is built
  // from a name that could not have been admitted (a NUL in a key part stops a node).
  const std::vector<domain::Order> orders = plan::orders_of(proposal);
  Status valid = domain::validate_orders(orders);
  if (!valid.ok()) return malformed(valid.error().message);
  if (proposal.idempotency_key) {
    Status key = domain::validate_idempotency_key(*proposal.idempotency_key);
    if (!key.ok()) return malformed(key.error().message);
  }
  Status bulk = domain::validate_bulk_shape(proposal.mode, proposal.idempotency_key,
                                            plan::order_keys_of(proposal), orders);
  if (!bulk.ok()) return malformed(bulk.error().message);
  TALLY_TRY(validate_scripts(proposal));
  TALLY_TRY(validate_entries(proposal.plan));
  return validate_coverage(proposal);
}

Status validate_base_index(const plan::Plan& plan, const cache::Cache& cache) {
  const std::uint64_t gen0 = cache.gen0_base_index();
  const std::optional<std::uint64_t> gen1 = cache.gen1_base_index();
  if (plan.base_index == gen0 || plan.base_index == gen1) return ok_status();
  return malformed("base index " + std::to_string(plan.base_index) + " is neither gen0's " +
                   std::to_string(gen0) + " nor gen1's " +
                   (gen1 ? std::to_string(*gen1) : std::string("(none at generation 0)")));
}

}  // namespace tally::fsm
