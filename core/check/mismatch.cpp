#include "core/check/mismatch.hpp"

namespace tally::check {

std::string_view mismatch_name(MismatchKind kind) {
  switch (kind) {
    case MismatchKind::kMalformedRow: return "malformed-row";
    case MismatchKind::kAuditHash: return "audit-hash";
    case MismatchKind::kAuditSequenceGap: return "audit-sequence-gap";
    case MismatchKind::kAuditHead: return "audit-head";
    case MismatchKind::kReplayOutcome: return "replay-outcome";
    case MismatchKind::kVolume: return "volume";
    case MismatchKind::kAccountMetadata: return "account-metadata";
    case MismatchKind::kTransaction: return "transaction";
    case MismatchKind::kReference: return "reference";
    case MismatchKind::kLedger: return "ledger";
    case MismatchKind::kLedgerMetadata: return "ledger-metadata";
    case MismatchKind::kBoundary: return "boundary";
    case MismatchKind::kIdempotency: return "idempotency";
    case MismatchKind::kLedgerLog: return "ledger-log";
    case MismatchKind::kUnknownRow: return "unknown-row";
    case MismatchKind::kCacheParity: return "cache-parity";
    case MismatchKind::kCacheAttribute: return "cache-attribute";
    case MismatchKind::kCacheMeta: return "cache-meta";
    case MismatchKind::kAppliedIndex: return "applied-index";
    case MismatchKind::kStrayRow: return "stray-row";
    case MismatchKind::kConfiguration: return "configuration";
  }
  return "?";
}

bool CheckReport::has(MismatchKind kind) const {
  for (const Mismatch& m : mismatches) {
    if (m.kind == kind) return true;
  }
  return false;
}

void CheckReport::add(Mismatch mismatch) {
  if (mismatches.size() >= kMismatchesMax) {
    ++mismatches_omitted;
    return;
  }
  mismatches.push_back(std::move(mismatch));
}

std::string CheckReport::describe() const {
  std::string out;
  for (const Mismatch& m : mismatches) {
    out += std::string(mismatch_name(m.kind)) + " " + m.key + ": expected " + m.expected +
           ", store has " + m.actual + "\n";
  }
  if (mismatches_omitted > 0) out += "... and " + std::to_string(mismatches_omitted) + " more\n";
  if (!hashes_verified) out += "note: no audit key given: HMACs were not verified\n";
  if (!replay_complete) out += "note: replay stopped at a bad entry: projections not compared\n";
  return out;
}

}  // namespace tally::check
