#include "core/check/checker.hpp"

#include <map>

#include "core/audit/audit_entry.hpp"
#include "core/audit/audit_rows.hpp"
#include "core/cache/parity.hpp"
#include "core/check/reference_ledger.hpp"
#include "core/check/row_description.hpp"
#include "core/codec/order_codec.hpp"
#include "core/fsm/fsm_state.hpp"
#include "core/store/layout.hpp"

namespace tally::check {

namespace {

using Rows = std::map<Bytes, Bytes>;

// Walks the audit chain: verification and replay in one pass.
class ChainWalk {
 public:
  ChainWalk(const crypto::Digest& key, CheckReport& report) : key_(key), report_(&report) {}

  void visit(ByteView row_key, ByteView value) {
    auto entry = audit::decode_audit_entry(value);
    if (!entry.ok()) {
      report_->add({MismatchKind::kAuditUndecodable, "audit row " + to_hex(row_key),
                    "a decodable entry", entry.error().message});
      replaying_ = false;  // the state after this point is unknown
      return;
    }
    verify(row_key, *entry);
    if (replaying_) replay(*entry);
    ++report_->entries_verified;
  }

  const ReferenceLedger& model() const { return model_; }
  std::uint64_t next_sequence() const { return next_sequence_; }
  const crypto::Digest& head() const { return head_; }

 private:
  void verify(ByteView row_key, const audit::AuditEntry& entry) {
    std::string name = "audit " + std::to_string(entry.sequence);
    if (entry.sequence != next_sequence_ ||
        !(ByteView(audit::audit_row_key(entry.sequence)) == row_key)) {
      report_->add({MismatchKind::kAuditSequenceGap, name,
                    "sequence " + std::to_string(next_sequence_),
                    "sequence " + std::to_string(entry.sequence) + " at row " + to_hex(row_key)});
    }
    if (entry.previous_hash != head_) {
      report_->add({MismatchKind::kAuditHash, name, "previous hash " + hex(head_),
                    "previous hash " + hex(entry.previous_hash)});
    }
    crypto::Digest computed = audit::compute_hash(key_, entry);
    if (computed != entry.hash) {
      report_->add(
          {MismatchKind::kAuditHash, name, "hash " + hex(computed), "hash " + hex(entry.hash)});
    }
    next_sequence_ = entry.sequence + 1;
    head_ = entry.hash;
  }

  void replay(const audit::AuditEntry& entry) {
    std::vector<domain::Order> orders;
    for (const Bytes& item : entry.items) {
      auto order = codec::decode_order(item);
      if (!order.ok()) {
        report_->add({MismatchKind::kAuditUndecodable, "audit " + std::to_string(entry.sequence),
                      "decodable orders", order.error().message});
        replaying_ = false;
        return;
      }
      orders.push_back(std::move(order).value());
    }
    // A coverage miss is a fact of the plan, which the audit does not carry: nothing was
    // applied and nothing recorded, so the replay has nothing to do.
    if (!entry.outcome.ok() && entry.outcome.code == Code::kCoverageMiss) return;
    domain::Outcome replayed = model_.apply(orders, entry.idempotency_key, entry.timestamp_us,
                                            entry.sequence, &entry.outcome);
    if (!domain::outcomes_agree(replayed, entry.outcome)) {
      report_->add({MismatchKind::kReplayOutcome, "audit " + std::to_string(entry.sequence),
                    domain::describe_outcome(replayed), domain::describe_outcome(entry.outcome)});
    }
  }

  static std::string hex(const crypto::Digest& d) { return to_hex(ByteView(d.data(), d.size())); }

  crypto::Digest key_;
  CheckReport* report_;
  ReferenceLedger model_;
  std::uint64_t next_sequence_ = 1;
  crypto::Digest head_{};
  bool replaying_ = true;
};

Status collect(const store::KeyValueStore& store, Bytes begin, Bytes end, Rows& rows) {
  return store::scan_range(store, begin, end, [&](ByteView k, ByteView v) {
    rows.emplace(k.to_bytes(), v.to_bytes());
    return true;
  });
}

// The rows of the zones the audit chain derives: attributes, idempotency, ledger logs.
Result<Rows> derived_rows(const store::KeyValueStore& store) {
  Rows rows;
  TALLY_TRY(collect(store, store::zone_begin(store::kZoneAttributes),
                    store::zone_end(store::kZoneAttributes), rows));
  TALLY_TRY(collect(store, store::zone_begin(store::kZoneIdempotency),
                    store::zone_end(store::kZoneIdempotency), rows));
  TALLY_TRY(collect(store, Bytes{store::kZoneAudit, 'L'}, Bytes{store::kZoneAudit, 'M'}, rows));
  return rows;
}

}  // namespace

void compare_projections(const Rows& expected, const Rows& actual, CheckReport& report) {
  auto e = expected.begin();
  auto a = actual.begin();
  while (e != expected.end() || a != actual.end()) {
    ++report.rows_compared;
    if (a == actual.end() || (e != expected.end() && e->first < a->first)) {
      report.add({row_kind(e->first), describe_row_key(e->first),
                  describe_row_value(e->first, e->second), "absent"});
      ++e;
    } else if (e == expected.end() || a->first < e->first) {
      report.add({row_kind(a->first), describe_row_key(a->first), "absent",
                  describe_row_value(a->first, a->second)});
      ++a;
    } else {
      if (e->second != a->second) {
        report.add({row_kind(e->first), describe_row_key(e->first),
                    describe_row_value(e->first, e->second),
                    describe_row_value(a->first, a->second)});
      }
      ++e;
      ++a;
    }
  }
}

namespace {

Status check_head(const store::KeyValueStore& store, const ChainWalk& walk, CheckReport& report) {
  auto row = store.get(fsm::fsm_state_key());
  if (!row.ok()) return std::move(row).error();
  if (!row->has_value()) {
    report.add({MismatchKind::kAuditHead, "fsm state", "a state row", "absent"});
    return ok_status();
  }
  auto state = fsm::decode_fsm_state(**row);
  if (!state.ok()) {
    report.add({MismatchKind::kAuditHead, "fsm state", "a decodable state", state.error().message});
    return ok_status();
  }
  if (state->next_audit_sequence != walk.next_sequence() || state->audit_head != walk.head()) {
    report.add({MismatchKind::kAuditHead, "fsm state",
                "next sequence " + std::to_string(walk.next_sequence()) + " head " +
                    to_hex(ByteView(walk.head().data(), walk.head().size())),
                "next sequence " + std::to_string(state->next_audit_sequence) + " head " +
                    to_hex(ByteView(state->audit_head.data(), state->audit_head.size()))});
  }
  return ok_status();
}

}  // namespace

Result<CheckReport> run_check(const CheckInput& input) {
  CheckReport report;
  ChainWalk walk(audit::cluster_audit_key(input.cluster_id), report);
  TALLY_TRY(store::scan_range(input.store, audit::audit_rows_begin(), audit::audit_rows_end(),
                              [&](ByteView key, ByteView value) {
                                walk.visit(key, value);
                                return true;
                              }));
  TALLY_TRY(check_head(input.store, walk, report));
  auto actual = derived_rows(input.store);
  if (!actual.ok()) return std::move(actual).error();
  compare_projections(walk.model().expected_rows(), *actual, report);
  if (input.cache != nullptr) {
    auto parity = cache::check_parity(*input.cache, input.store);
    if (!parity.ok()) return std::move(parity).error();
    if (!parity->ok) {
      report.add({MismatchKind::kCacheParity, "cache mirror", "memory equal to disk",
                  parity->first_difference});
    }
  }
  return report;
}

}  // namespace tally::check
