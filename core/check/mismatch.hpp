// What the checker reports: typed mismatches, each with the key and both values, never a
// bare boolean (docs/design.md §7).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace tally::check {

enum class MismatchKind {
  kMalformedRow,      // a row that does not decode (audit, state, cache mirror, ...): zone, key
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
  kUnknownRow,      // a row of the derived zones the replay cannot place at all
  kCacheParity,     // the cache differs from its mirror (inv#1)
  kCacheAttribute,  // a visible cache entry differs from the attribute row it stands for
  kCacheMeta,       // the cache meta row disagrees with the FSM state or the audit chain
  kAppliedIndex,    // the applied index disagrees with the audit chain
  kStrayRow,        // a row in no place the layout defines (core/store/FORMAT.md)
  kConfiguration,   // the store's cluster id or audit key id is not the checker's
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
  std::size_t entries_verified = 0;       // audit entries checked and replayed
  std::size_t rows_compared = 0;          // projection rows compared
  std::size_t cache_entries_checked = 0;  // visible cache entries compared with their rows
  // False when the checker had no audit key: links and sequences were checked, HMACs were
  // not, so a re-chained forgery would pass (docs/design.md §7). describe() says so.
  bool hashes_verified = true;
  // False when replay stopped at an entry that failed verification or did not decode: the
  // projections were then not compared (their expected state is unknown).
  bool replay_complete = true;
  // Which check ran (checkpoint.hpp): a whole replay from genesis, or one resumed from a
  // checkpoint. from_sequence is the first audit sequence this run walked, to_sequence the
  // last one the chain holds (0 for an empty chain). full_reason says why a full check ran
  // ("requested", "no checkpoint", "checkpoint digest mismatch", ...); empty when incremental.
  bool incremental = false;
  std::uint64_t from_sequence = 1;
  std::uint64_t to_sequence = 0;
  std::string full_reason;

  bool ok() const { return mismatches.empty(); }
  bool has(MismatchKind kind) const;
  void add(Mismatch mismatch);
  // One line per mismatch, for logs and tests.
  std::string describe() const;
};

inline constexpr std::size_t kMismatchesMax = 100;

}  // namespace tally::check
