#include "core/fsm/dry_run.hpp"

#include "core/cache/key_store.hpp"
#include "core/fsm/coverage_gate.hpp"
#include "core/fsm/order_executor.hpp"
#include "core/keys/attribute_key.hpp"

namespace tally::fsm {

namespace {

// The value an entry stands for now: its seed, else the cache's live value, else nothing.
std::optional<Bytes> current_value(const plan::PlanEntry& entry, const cache::Cache& cache) {
  if (entry.seed) return entry.seed;
  if (entry.source != plan::EntrySource::kCacheHit) return std::nullopt;
  const cache::CacheEntry* cached =
      cache.get(*keys::kind_from_byte(entry.kind), keys::Id128::from_bytes(entry.id));
  if (cached == nullptr || cached->deleted) return std::nullopt;
  return cached->value.to_bytes();
}

}  // namespace

Result<DryRun> dry_run(const plan::Request& request, const plan::AdmissionInput& input) {
  plan::Request unkeyed = request;
  unkeyed.idempotency_key.reset();
  unkeyed.order_keys.clear();
  unkeyed.mode = domain::BulkMode::kAtomic;
  auto proposal = plan::admit(unkeyed, input);
  if (!proposal.ok()) return std::move(proposal).error();

  store::Batch scratch;  // the sandbox's mirror rows: dropped
  cache::Cache sandbox = cache::Cache::create(input.cache.threshold(), scratch);
  for (const plan::PlanEntry& entry : proposal->plan.entries) {
    if (auto value = current_value(entry, input.cache)) {
      sandbox.put(*keys::kind_from_byte(entry.kind), keys::Id128::from_bytes(entry.id), entry.tag,
                  std::move(*value), scratch);
    }
  }
  cache::KeyStore key_store(sandbox);
  PlanIndex plan_index(proposal->plan);
  WriteSet writes;
  std::vector<domain::OrderResult> results;
  for (std::uint32_t i = 0; i < proposal->orders.size(); ++i) {
    const plan::AdmittedOrder& admitted = proposal->orders[i];
    CoverageGate gate(plan_index, admitted.coverage_bits);
    GatedScope scope(key_store, writes, gate);
    OrderContext context{scope, proposal->timestamp_us};
    auto result = execute_order(admitted.order, context);
    if (!result.ok()) {
      if (!is_business(result.error().code)) return std::move(result).error();
      return DryRun{domain::Outcome::failure(i, result.error()), {}};
    }
    results.push_back(*result);
  }
  DryRun run{domain::Outcome::success(results), {}};
  for (std::size_t i = 0; i < results.size(); ++i) {
    const std::string* ledger = domain::order_ledger(proposal->orders[i].order);
    std::optional<domain::TransactionState> created;
    if (ledger != nullptr && results[i].transaction_id) {
      const PendingWrite* write =
          writes.find(slot_of(keys::transaction_key(*ledger, *results[i].transaction_id)));
      if (write != nullptr && write->value) {
        auto state = codec::ValueCodec<domain::TransactionState>::decode(*write->value);
        if (!state.ok()) return std::move(state).error();
        created = std::move(state).value();
      }
    }
    run.transactions.push_back(std::move(created));
  }
  return run;
}

}  // namespace tally::fsm
