// ChainWalk: the checker's pass over the audit chain (docs/design.md §7, inv#7), verification and
// replay in one walk.
//
// Every row must decode; sequences run 1, 2, 3 with no gap; each previous-hash link holds;
// each HMAC recomputes under the audit key (when the checker has it); log indexes increase.
// An entry that passes is validated like a proposal (orders and key obey the request rules),
// then replayed into a ReferenceLedger. The first entry that fails anything stops the replay
// for good: the state after it is unknown, and replaying what failed verification could
// build keys from bytes no request could hold. Never aborts on stored bytes.
#pragma once

#include <optional>

#include "core/audit/audit_entry.hpp"
#include "core/audit/audit_key.hpp"
#include "core/check/mismatch.hpp"
#include "core/check/reference_ledger.hpp"

namespace tally::check {

// Where a walk stands after the entries it verified and replayed: what a checkpoint keeps
// (checkpoint.hpp) so that a later walk resumes instead of starting from genesis.
struct ChainState {
  ReferenceLedger model;                // the state the replayed entries imply
  std::uint64_t next_sequence = 1;      // the next audit sequence expected
  crypto::Digest head{};                // the hash of entry next_sequence - 1 (zero at genesis)
  std::uint64_t last_log_index = 0;     // the log index of that entry
  std::uint64_t threshold_changes = 0;  // successful threshold changes so far
  std::optional<std::uint64_t> last_threshold;
};

class ChainWalk {
 public:
  // key: none means HMACs are not verified (report.hashes_verified becomes false).
  ChainWalk(std::optional<audit::AuditKey> key, CheckReport& report);
  // Resumes after the entries `from` stands for. REQUIRES: from was taken from a walk that
  // replayed all it visited (a checkpoint), and the caller re-verified the stored row of
  // entry from.next_sequence - 1 against from.head (checkpoint.hpp).
  ChainWalk(std::optional<audit::AuditKey> key, CheckReport& report, ChainState from);

  // One audit row, in key order.
  void visit(ByteView row_key, ByteView value);

  const ReferenceLedger& model() const { return state_.model; }
  ReferenceLedger& model() { return state_.model; }
  std::uint64_t next_sequence() const { return state_.next_sequence; }
  const crypto::Digest& head() const { return state_.head; }
  // Whether every entry verified and replayed: the model is the chain's state.
  bool replayed_all() const { return replaying_; }
  std::uint64_t last_log_index() const { return state_.last_log_index; }
  // Cluster configuration the chain implies: successful threshold changes.
  std::uint64_t threshold_changes() const { return state_.threshold_changes; }
  std::optional<std::uint64_t> last_threshold() const { return state_.last_threshold; }
  // Stops the replay from outside (a checkpoint whose row fails re-verification).
  void stop() { stop_replay(); }
  // Moves the state out. REQUIRES: replayed_all() (a partial replay is no checkpoint).
  ChainState take_state() &&;

 private:
  bool verify(ByteView row_key, const audit::AuditEntry& entry);
  bool valid_content(const audit::AuditEntry& entry, std::vector<domain::Order>& orders);
  void replay(const audit::AuditEntry& entry, const std::vector<domain::Order>& orders);
  void stop_replay();

  std::optional<audit::AuditKey> key_;
  CheckReport* report_;
  ChainState state_;
  bool replaying_ = true;
};

}  // namespace tally::check
