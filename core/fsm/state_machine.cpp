#include "core/fsm/state_machine.hpp"

#include <algorithm>

#include "core/audit/audit_rows.hpp"
#include "core/codec/order_codec.hpp"
#include "core/fsm/coverage_gate.hpp"
#include "core/fsm/idempotency_record.hpp"
#include "core/fsm/order_executor.hpp"
#include "core/fsm/plan_validation.hpp"
#include "core/fsm/store_consistency.hpp"
#include "core/keys/attribute_key.hpp"
#include "core/limits.hpp"
#include "core/store/layout.hpp"
#include "core/store/schema_version.hpp"

namespace tally::fsm {

namespace {

// A new state machine needs a store holding nothing but its schema row.
Status require_fresh(const store::KeyValueStore& store) {
  bool fresh = true;
  TALLY_TRY(store::scan_range(store, store::zone_begin(store::kZoneAttributes), Bytes{},
                              [&](ByteView, ByteView) {
                                fresh = false;
                                return false;
                              }));
  if (!fresh) return make_error(Code::kCorrupt, "store holds data but no FSM state row");
  return ok_status();
}

}  // namespace

StateMachine::StateMachine(store::KeyValueStore& store, const FsmOptions& options,
                           cache::Cache cache, FsmState state)
    : store_(&store),
      options_(options),
      cache_(std::make_unique<cache::Cache>(std::move(cache))),
      key_store_(std::make_unique<cache::KeyStore>(*cache_, options.delete_mode)),
      group_(std::make_unique<GroupCommit>(store,
                                           std::max<std::size_t>(1, options.group_entries_max))),
      state_(std::move(state)),
      durable_index_(state_.applied_index),
      audit_key_(options.audit_key) {}

namespace {

Result<FsmState> bootstrap(store::KeyValueStore& store, const FsmOptions& options,
                           std::optional<cache::Cache>& cache) {
  TALLY_TRY(require_fresh(store));
  if (options.rotation_threshold < limits::kRotationThresholdMin ||
      options.rotation_threshold > limits::kRotationThresholdMax) {
    return make_error(
        Code::kConfiguration,
        "rotation threshold " + std::to_string(options.rotation_threshold) + " is out of range");
  }
  store::Batch batch;
  cache.emplace(cache::Cache::create(options.rotation_threshold, batch));
  FsmState state;
  state.cluster_id = options.cluster_id;
  state.audit_key_id = audit::audit_key_id(options.audit_key);
  state.cache_epoch = cache->epoch();
  state.rotation_threshold = cache->threshold();
  batch.put(fsm_state_key(), encode_fsm_state(state));
  TALLY_TRY(store.write(batch));
  return state;
}

// The configuration the node was started with must be the store's (kConfiguration).
Status check_configuration(const FsmState& state, const FsmOptions& options) {
  if (state.cluster_id != options.cluster_id) {
    return make_error(Code::kConfiguration, "store belongs to cluster \"" + state.cluster_id +
                                                "\", not \"" + options.cluster_id + "\"");
  }
  audit::AuditKeyId given = audit::audit_key_id(options.audit_key);
  if (state.audit_key_id != given) {
    return make_error(Code::kConfiguration,
                      "store's audit chain is keyed by key id " +
                          to_hex(ByteView(state.audit_key_id.data(), state.audit_key_id.size())) +
                          ", this node was given key id " +
                          to_hex(ByteView(given.data(), given.size())));
  }
  return ok_status();
}

// What open() and adopt() require before they read: a key, and the schema this code writes.
Status open_store(store::KeyValueStore& store, const FsmOptions& options) {
  if (!options.audit_key.is_set()) {
    return make_error(Code::kConfiguration, "no audit key: a node needs its cluster's key");
  }
  return store::open_schema(store);
}

}  // namespace

Result<std::unique_ptr<StateMachine>> StateMachine::open(store::KeyValueStore& store,
                                                         const FsmOptions& options) {
  TALLY_TRY(open_store(store, options));
  auto row = store.get(fsm_state_key());
  if (!row.ok()) return std::move(row).error();
  if (!row->has_value()) {
    std::optional<cache::Cache> cache;
    auto state = bootstrap(store, options, cache);
    if (!state.ok()) return std::move(state).error();
    return std::unique_ptr<StateMachine>(
        new StateMachine(store, options, std::move(*cache), std::move(state).value()));
  }
  auto prepared = prepare(store, options);
  if (!prepared.ok()) return std::move(prepared).error();
  return std::unique_ptr<StateMachine>(
      new StateMachine(store, options, std::move(prepared->cache), std::move(prepared->state)));
}

Result<StateMachine::Prepared> StateMachine::prepare(const store::KeyValueStore& store,
                                                     const FsmOptions& options) {
  auto row = store.get(fsm_state_key());
  if (!row.ok()) return std::move(row).error();
  if (!row->has_value()) return make_error(Code::kCorrupt, "no FSM state row");
  auto state = decode_fsm_state(**row);
  if (!state.ok()) {
    return make_error(Code::kCorrupt, "FSM state row: " + state.error().message);
  }
  TALLY_TRY(check_configuration(*state, options));
  auto cache = cache::Cache::restore(store);
  if (!cache.ok()) return std::move(cache).error();
  auto disagreements = find_disagreements(store, *state, cache->meta());
  if (!disagreements.ok()) return std::move(disagreements).error();
  if (!disagreements->empty()) {
    return make_error(Code::kCorrupt, "store refused: " + describe(disagreements->front()));
  }
  TALLY_TRY(check_cache_rows(*cache, store));
  return Prepared{std::move(state).value(), std::move(cache).value()};
}

Result<std::unique_ptr<StateMachine>> StateMachine::adopt(store::KeyValueStore& store,
                                                          const FsmOptions& options,
                                                          Prepared prepared) {
  TALLY_TRY(open_store(store, options));
  auto row = store.get(fsm_state_key());
  if (!row.ok()) return std::move(row).error();
  if (!row->has_value() || **row != encode_fsm_state(prepared.state)) {
    return make_error(Code::kCorrupt, "the store is not the one its state machine was prepared on");
  }
  TALLY_TRY(check_configuration(prepared.state, options));
  return std::unique_ptr<StateMachine>(
      new StateMachine(store, options, std::move(prepared.cache), std::move(prepared.state)));
}

Error StateMachine::stop(Error error) {
  stopped_ = true;
  return error;
}

Status StateMachine::commit(std::uint64_t index, store::Batch& batch) {
  state_.applied_index = index;
  state_.cache_epoch = cache_->epoch();
  state_.rotation_threshold = cache_->threshold();
  // Every entry writes the state row, so reads through the view see it while the group is
  // open; the group writes only the last one: the applied index of its last entry (inv#9).
  batch.put(fsm_state_key(), encode_fsm_state(state_));
  if (group_->end_entry(batch)) return write_group();
  return ok_status();
}

Status StateMachine::commit_group() {
  if (stopped_) return make_error(Code::kInvariantViolation, "state machine is stopped");
  if (!group_->open()) return ok_status();
  return write_group();
}

Status StateMachine::write_group() {
  Status written = group_->commit();
  if (!written.ok()) return stop(std::move(written).error());
  durable_index_ = state_.applied_index;
  return ok_status();
}

Result<cache::AdvanceOutcome> StateMachine::apply_noop(std::uint64_t index) {
  if (stopped_) return make_error(Code::kInvariantViolation, "state machine is stopped");
  if (index != state_.applied_index + 1) {
    return stop(make_error(Code::kInvariantViolation, "no-op at index " + std::to_string(index) +
                                                          " after applied index " +
                                                          std::to_string(state_.applied_index)));
  }
  store::Batch& batch = group_->entry_batch();  // appended to the open group
  cache::AdvanceOutcome advance = cache_->advance_to(index, batch);
  TALLY_TRY(commit(index, batch));
  return advance;
}

Result<ApplyReport> StateMachine::apply(std::uint64_t index, const plan::Proposal& proposal) {
  if (stopped_) return make_error(Code::kInvariantViolation, "state machine is stopped");
  if (index != state_.applied_index + 1) {
    return stop(make_error(Code::kInvariantViolation, "apply at index " + std::to_string(index) +
                                                          " after applied index " +
                                                          std::to_string(state_.applied_index)));
  }
  store::Batch& batch = group_->entry_batch();  // appended to the open group
  ApplyReport report;
  report.advance = cache_->advance_to(index, batch);  // the rotation check comes first
  auto applied = apply_checked(index, proposal, batch, report);
  if (!applied.ok()) return stop(std::move(applied).error());
  TALLY_TRY(commit(index, batch));
  return applied;
}

Result<ApplyReport> StateMachine::apply_checked(std::uint64_t index, const plan::Proposal& proposal,
                                                store::Batch& batch, ApplyReport& report) {
  const plan::Plan& plan = proposal.plan;
  if (plan.predicted_index != index || plan.epoch != cache_->epoch()) {
    report.status = ApplyReport::Status::kStale;
    report.rejection =
        make_error(Code::kStaleProposal,
                   "admitted for index " + std::to_string(plan.predicted_index) + " epoch " +
                       std::to_string(plan.epoch) + ", applied at " + std::to_string(index) +
                       " epoch " + std::to_string(cache_->epoch()));
    return report;
  }
  Status valid = validate_proposal_shape(proposal);
  if (valid.ok()) valid = validate_base_index(plan, *cache_);
  if (!valid.ok()) return reject(report, std::move(valid).error());
  auto seeds = preload(plan, batch);
  if (!seeds.ok()) return reject_or_stop(report, std::move(seeds).error());
  report.seeds_written = *seeds;
  auto outcome = run_orders(proposal, batch);
  if (!outcome.ok()) return reject_or_stop(report, std::move(outcome).error());
  if (!outcome->ok() && outcome->code == Code::kStaleProposal) {
    // An order found its footprint moved since admission (a script's variables): the whole
    // proposal is stale, like a missed prediction: retryable, not audited, nothing written
    // but the seeds already preloaded.
    report.status = ApplyReport::Status::kStale;
    report.rejection = make_error(Code::kStaleProposal, outcome->message);
    return report;
  }
  report.outcome = std::move(outcome).value();
  report.audit = append_audit(index, proposal, report.outcome, batch);
  if (report.outcome.ok() && !report.outcome.is_replay()) {
    if (const auto* config = std::get_if<domain::SetRotationThreshold>(&proposal.orders[0].order)) {
      cache_->reset(config->threshold, index, batch);
    }
  }
  return std::move(report);  // the caller returns this copy, not its own (no audit entry copy)
}

ApplyReport StateMachine::reject(ApplyReport& report, Error error) {
  report.status = ApplyReport::Status::kRejectedPlan;
  report.rejection = std::move(error);
  return std::move(report);
}

Result<ApplyReport> StateMachine::reject_or_stop(ApplyReport& report, Error error) {
  // What the proposal's own bytes can cause is rejected like a malformed shape; the seeds
  // already preloaded stay, as they do under a business failure: memory and mirror moved
  // together, alike on every replica (inv#1).
  if (is_proposal_rejection(error.code)) return reject(report, std::move(error));
  return error;
}

Result<std::size_t> StateMachine::preload(const plan::Plan& plan, store::Batch& batch) {
  // Validate every seed before writing any (docs/design.md §5).
  for (const plan::PlanEntry& entry : plan.entries) {
    if (!entry.seed) continue;
    auto kind = *keys::kind_from_byte(entry.kind);
    TALLY_TRY(cache_->check_preload(kind, keys::Id128::from_bytes(entry.id), entry.tag));
  }
  std::size_t written = 0;
  for (const plan::PlanEntry& entry : plan.entries) {
    if (!entry.seed) continue;
    auto kind = *keys::kind_from_byte(entry.kind);
    if (cache_->preload(kind, keys::Id128::from_bytes(entry.id), entry.tag, *entry.seed, batch)) {
      ++written;
    }
  }
  return written;
}

Result<std::optional<domain::Outcome>> StateMachine::check_key(const std::string& key,
                                                               const crypto::Digest& intent) const {
  using Answer = std::optional<domain::Outcome>;
  auto raw = key_store_->get(keys::idempotency_key(key));
  if (!raw.ok()) {
    if (raw.error().code == Code::kNotFound) return Answer();
    return std::move(raw).error();
  }
  auto record = decode_idempotency_record(*raw);
  if (!record.ok()) return std::move(record).error();
  if (record->intent_hash != intent) {
    return Answer(domain::Outcome::failure(
        0, make_error(Code::kIdempotencyConflict,
                      "idempotency key \"" + key + "\" was used for another request (audit entry " +
                          std::to_string(record->audit_sequence) + ")")));
  }
  domain::Outcome replay = record->outcome;
  replay.replay_of_sequence = record->audit_sequence;
  return Answer(std::move(replay));
}

Result<std::optional<domain::Outcome>> StateMachine::check_idempotency(
    const plan::Proposal& proposal, const crypto::Digest& intent) const {
  using Answer = std::optional<domain::Outcome>;
  if (!proposal.idempotency_key) return Answer();
  auto key = keys::idempotency_key(*proposal.idempotency_key);
  // Proposal-level coverage: the record is read before any order, under the plan's entry.
  if (PlanIndex(proposal.plan).find(slot_of(key), nullptr) == nullptr) {
    return Answer(domain::Outcome::failure(
        0, make_error(Code::kCoverageMiss, "idempotency key was not declared")));
  }
  return check_key(*proposal.idempotency_key, intent);
}

Result<domain::Outcome> StateMachine::run_orders(const plan::Proposal& proposal,
                                                 store::Batch& batch) {
  if (plan::answers_per_order(proposal)) return run_per_order(proposal, batch);
  // The intent hash serves the idempotency record only: no key, no hash.
  crypto::Digest intent{};
  if (proposal.idempotency_key) intent = intent_hash(plan::orders_of(proposal));
  auto early = check_idempotency(proposal, intent);
  if (!early.ok()) return std::move(early).error();
  if (early->has_value()) return std::move(**early);

  PlanIndex plan_index(proposal.plan);
  WriteSet writes;
  std::vector<domain::OrderResult> results;
  domain::Outcome outcome;
  for (std::uint32_t i = 0; i < proposal.orders.size(); ++i) {
    const plan::AdmittedOrder& admitted = proposal.orders[i];
    Result<domain::OrderResult> result = [&]() -> Result<domain::OrderResult> {
      CoverageGate gate(plan_index, admitted.coverage_bits);
      GatedScope scope(*key_store_, writes, gate);
      OrderContext context{scope, proposal.timestamp_us};
      return execute_order(admitted.order, context);
    }();
    if (!result.ok()) {
      if (!is_business(result.error().code)) return std::move(result).error();
      outcome = domain::Outcome::failure(i, result.error());  // the write set is dropped
      break;
    }
    results.push_back(*result);
  }
  if (results.size() == proposal.orders.size()) {
    TALLY_TRY(writes.merge_into(*key_store_, batch));
    outcome = domain::Outcome::success(std::move(results));
    for (std::uint32_t i = 0; i < proposal.orders.size(); ++i)
      write_ledger_log(proposal.orders[i].order, outcome.results[i], i, batch);
  }
  TALLY_TRY(record_idempotency(proposal, intent, outcome, batch));
  return outcome;
}

Status StateMachine::record_key(const std::string& key, const crypto::Digest& intent,
                                const domain::Outcome& outcome, store::Batch& batch) {
  // A coverage miss or a stale order is retryable: remembering it would pin the key to a
  // transient failure.
  if (!outcome.ok() &&
      (outcome.code == Code::kCoverageMiss || outcome.code == Code::kStaleProposal)) {
    return ok_status();
  }
  IdempotencyRecord record{intent, state_.next_audit_sequence, outcome};
  return key_store_->put(keys::idempotency_key(key), encode_idempotency_record(record), batch);
}

Status StateMachine::record_idempotency(const plan::Proposal& proposal,
                                        const crypto::Digest& intent,
                                        const domain::Outcome& outcome, store::Batch& batch) {
  if (!proposal.idempotency_key) return ok_status();
  return record_key(*proposal.idempotency_key, intent, outcome, batch);
}

void StateMachine::write_ledger_log(const domain::Order& order, const domain::OrderResult& result,
                                    std::uint32_t order_index, store::Batch& batch) const {
  const std::string* ledger = domain::order_ledger(order);
  if (ledger == nullptr || !result.log_sequence) return;
  batch.put(audit::ledger_log_key(*ledger, *result.log_sequence),
            audit::encode_log_pointer({state_.next_audit_sequence, order_index}));
}

audit::AuditEntry StateMachine::append_audit(std::uint64_t index, const plan::Proposal& proposal,
                                             const domain::Outcome& outcome, store::Batch& batch) {
  audit::AuditEntry entry;
  entry.sequence = state_.next_audit_sequence;
  entry.log_index = index;
  entry.timestamp_us = proposal.timestamp_us;
  entry.idempotency_key = proposal.idempotency_key;
  entry.mode = proposal.mode;
  entry.order_keys = plan::order_keys_of(proposal);
  entry.outcome = outcome;
  for (const plan::AdmittedOrder& admitted : proposal.orders) {
    entry.items.push_back(codec::encode_order(admitted.order));
  }
  entry.previous_hash = state_.audit_head;
  entry.hash = audit::compute_hash(audit_key_, entry);
  batch.put(audit::audit_row_key(entry.sequence), audit::encode_audit_entry(entry));
  state_.audit_head = entry.hash;
  state_.next_audit_sequence += 1;
  return entry;
}

}  // namespace tally::fsm
