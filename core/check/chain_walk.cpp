#include "core/check/chain_walk.hpp"

#include "core/audit/audit_entry.hpp"
#include "core/audit/audit_rows.hpp"
#include "core/codec/order_codec.hpp"
#include "core/domain/validation.hpp"

namespace tally::check {

namespace {

std::string hex(const crypto::Digest& d) {
  return to_hex(ByteView(d.data(), d.size()));
}

std::string entry_name(std::uint64_t sequence) {
  return "audit " + std::to_string(sequence);
}

}  // namespace

ChainWalk::ChainWalk(std::optional<audit::AuditKey> key, CheckReport& report)
    : key_(std::move(key)), report_(&report) {
  if (!key_) report_->hashes_verified = false;
}

ChainWalk::ChainWalk(std::optional<audit::AuditKey> key, CheckReport& report, ChainState from)
    : ChainWalk(std::move(key), report) {
  state_ = std::move(from);
}

ChainState ChainWalk::take_state() && {
  TALLY_INVARIANT(replaying_, "only a walk that replayed every entry is a checkpoint");
  return std::move(state_);
}

void ChainWalk::stop_replay() {
  replaying_ = false;
  report_->replay_complete = false;
}

void ChainWalk::visit(ByteView row_key, ByteView value) {
  auto entry = audit::decode_audit_entry(value);
  if (!entry.ok()) {
    report_->add({MismatchKind::kMalformedRow, "zone 0x03 audit row " + to_hex(row_key),
                  "a decodable audit entry", entry.error().message});
    stop_replay();
    return;
  }
  bool verified = verify(row_key, *entry);
  std::vector<domain::Order> orders;
  if (verified && replaying_ && valid_content(*entry, orders)) replay(*entry, orders);
  if (!verified) stop_replay();
  ++report_->entries_verified;
}

bool ChainWalk::verify(ByteView row_key, const audit::AuditEntry& entry) {
  bool ok = true;
  std::string name = entry_name(entry.sequence);
  if (entry.sequence != state_.next_sequence ||
      !(ByteView(audit::audit_row_key(entry.sequence)) == row_key)) {
    report_->add({MismatchKind::kAuditSequenceGap, name,
                  "sequence " + std::to_string(state_.next_sequence),
                  "sequence " + std::to_string(entry.sequence) + " at row " + to_hex(row_key)});
    ok = false;
  }
  if (entry.previous_hash != state_.head) {
    report_->add({MismatchKind::kAuditHash, name, "previous hash " + hex(state_.head),
                  "previous hash " + hex(entry.previous_hash)});
    ok = false;
  }
  if (key_) {
    crypto::Digest computed = audit::compute_hash(*key_, entry);
    if (computed != entry.hash) {
      report_->add({MismatchKind::kAuditHash, name, "hash " + hex(computed) + " under the key",
                    "hash " + hex(entry.hash)});
      ok = false;
    }
  }
  if (entry.log_index <= state_.last_log_index) {
    report_->add({MismatchKind::kAppliedIndex, name,
                  "a log index after " + std::to_string(state_.last_log_index),
                  "log index " + std::to_string(entry.log_index)});
    ok = false;
  }
  state_.last_log_index = entry.log_index;
  state_.next_sequence = entry.sequence + 1;
  state_.head = entry.hash;
  return ok;
}

// An audited entry holds what apply accepted, so it obeys the request rules; one that does
// not is malformed, and replaying it could build a key from a name with a NUL in it.
bool ChainWalk::valid_content(const audit::AuditEntry& entry, std::vector<domain::Order>& orders) {
  std::string row = "zone 0x03 audit row " + to_hex(audit::audit_row_key(entry.sequence));
  for (const Bytes& item : entry.items) {
    auto order = codec::decode_order(item);
    if (!order.ok()) {
      report_->add({MismatchKind::kMalformedRow, row, "decodable orders", order.error().message});
      stop_replay();
      return false;
    }
    orders.push_back(std::move(order).value());
  }
  Status rules = domain::validate_orders(orders);
  if (rules.ok() && entry.idempotency_key) {
    rules = domain::validate_idempotency_key(*entry.idempotency_key);
  }
  if (rules.ok()) {
    rules =
        domain::validate_bulk_shape(entry.mode, entry.idempotency_key, entry.order_keys, orders);
  }
  // One outcome per order exactly when the entry answers per order.
  const bool per_order = domain::answers_per_order(entry.mode, entry.order_keys);
  if (rules.ok() && per_order != (entry.outcome.kind == domain::Outcome::Kind::kPerOrder)) {
    rules = make_error(Code::kValidation, "an outcome of the wrong kind for its mode");
  }
  if (rules.ok() && per_order && entry.outcome.per_order.size() != orders.size()) {
    rules = make_error(Code::kValidation, "a per-order outcome without one outcome per order");
  }
  if (!rules.ok()) {
    report_->add({MismatchKind::kMalformedRow, row, "orders and key a request could hold",
                  rules.error().message});
    stop_replay();
    return false;
  }
  return true;
}

void ChainWalk::replay(const audit::AuditEntry& entry, const std::vector<domain::Order>& orders) {
  // A coverage miss is a fact of the plan, which the audit does not carry: nothing was
  // applied and nothing recorded, so the replay has nothing to do.
  if (!entry.outcome.ok() && entry.outcome.code == Code::kCoverageMiss) return;
  domain::Outcome replayed =
      domain::answers_per_order(entry.mode, entry.order_keys)
          ? state_.model.apply_per_order(orders, entry.mode, entry.order_keys, entry.timestamp_us,
                                         entry.sequence, &entry.outcome)
          : state_.model.apply(orders, entry.idempotency_key, entry.timestamp_us, entry.sequence,
                               &entry.outcome);
  if (!domain::outcomes_agree(replayed, entry.outcome)) {
    report_->add({MismatchKind::kReplayOutcome, entry_name(entry.sequence),
                  domain::describe_outcome(replayed), domain::describe_outcome(entry.outcome)});
    return;
  }
  const auto* threshold = std::get_if<domain::SetRotationThreshold>(&orders.front());
  if (threshold != nullptr && replayed.ok() && !replayed.is_replay()) {
    ++state_.threshold_changes;
    state_.last_threshold = threshold->threshold;
  }
}

}  // namespace tally::check
