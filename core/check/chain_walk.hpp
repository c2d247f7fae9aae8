// ChainWalk: the checker's pass over the audit chain (DESIGN.md §7, inv#7), verification and
// replay in one walk.
//
// Every row must decode; sequences run 1, 2, 3 with no gap; each previous-hash link holds;
// each HMAC recomputes under the audit key (when the checker has it); log indexes increase.
// An entry that passes is validated like a proposal (orders and key obey the request rules),
// then replayed into a ReferenceLedger. The first entry that fails anything stops the replay
// for good: the state after it is unknown, and replaying what failed verification could
// build keys from bytes no request could hold (issue #7). Never aborts on stored bytes.
#pragma once

#include <optional>

#include "core/audit/audit_entry.hpp"
#include "core/audit/audit_key.hpp"
#include "core/check/mismatch.hpp"
#include "core/check/reference_ledger.hpp"

namespace tally::check {

class ChainWalk {
 public:
  // key: none means HMACs are not verified (report.hashes_verified becomes false).
  ChainWalk(std::optional<audit::AuditKey> key, CheckReport& report);

  // One audit row, in key order.
  void visit(ByteView row_key, ByteView value);

  const ReferenceLedger& model() const { return model_; }
  std::uint64_t next_sequence() const { return next_sequence_; }
  const crypto::Digest& head() const { return head_; }
  // Whether every entry verified and replayed: the model is the chain's state.
  bool replayed_all() const { return replaying_; }
  std::uint64_t last_log_index() const { return last_log_index_; }
  // Cluster configuration the chain implies: successful threshold changes.
  std::uint64_t threshold_changes() const { return threshold_changes_; }
  std::optional<std::uint64_t> last_threshold() const { return last_threshold_; }

 private:
  bool verify(ByteView row_key, const audit::AuditEntry& entry);
  bool valid_content(const audit::AuditEntry& entry, std::vector<domain::Order>& orders);
  void replay(const audit::AuditEntry& entry, const std::vector<domain::Order>& orders);
  void stop_replay();

  std::optional<audit::AuditKey> key_;
  CheckReport* report_;
  ReferenceLedger model_;
  std::uint64_t next_sequence_ = 1;
  crypto::Digest head_{};
  std::uint64_t last_log_index_ = 0;
  std::uint64_t threshold_changes_ = 0;
  std::optional<std::uint64_t> last_threshold_;
  bool replaying_ = true;
};

}  // namespace tally::check
