// What the checker reports: typed mismatches, each with the key and both values, never a
// bare boolean (DESIGN.md §7).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace tally::check {

enum class MismatchKind {
  kAuditUndecodable,  // an audit row that does not decode
  kAuditHash,         // an entry whose HMAC or previous-hash link is wrong
  kAuditSequenceGap,  // sequences are not 1, 2, 3, ... with no gap
  kAuditHead,         // the FSM state's head disagrees with the chain's last entry
  kReplayOutcome,     // replaying an entry gives another outcome than it recorded
  kVolume,
  kAccountMetadata,
  kTransaction,
  kReference,
  kLedger,
  kLedgerMetadata,
  kBoundary,
  kIdempotency,
  kLedgerLog,
  kUnknownRow,   // a row of the derived zones the replay cannot place at all
  kCacheParity,  // the cache differs from its mirror (inv#1)
};

std::string_view mismatch_name(MismatchKind kind);

struct Mismatch {
  MismatchKind kind;
  std::string key;       // readable: "Volume main/users:1/USD", "audit 12", ...
  std::string expected;  // what the audit chain implies ("absent" when it implies no row)
  std::string actual;    // what the store holds ("absent" when it holds no row)
};

struct CheckReport {
  std::vector<Mismatch> mismatches;  // at most kMismatchesMax, then counted only
  std::size_t mismatches_omitted = 0;
  std::size_t entries_verified = 0;  // audit entries checked and replayed
  std::size_t rows_compared = 0;     // projection rows compared

  bool ok() const { return mismatches.empty(); }
  bool has(MismatchKind kind) const;
  void add(Mismatch mismatch);
  // One line per mismatch, for logs and tests.
  std::string describe() const;
};

inline constexpr std::size_t kMismatchesMax = 100;

}  // namespace tally::check
