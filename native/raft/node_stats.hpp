// What a node counted since its process started: one value, read by /_tally/metrics and
// /_tally/info, written only by the node on its loop.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "core/plan/plan.hpp"

namespace tally::replica {

// Admission's answer to a request the leader took from its queue.
enum class AdmissionVerdict : std::uint8_t {
  kAdmitted = 0,              // proposed
  kBusy = 1,                  // refused at submit: too many queued or in flight
  kCacheHorizonExceeded = 2,  // retryable: admission predicted two or more rotations
  kRejected = 3,              // a business refusal (validation, funds, ...): not proposed
  kFailed = 4,                // a hard error: the node failed
};
inline constexpr std::size_t kAdmissionVerdicts = 5;
// The metric label: "admitted", "busy", "cache_horizon_exceeded", "rejected", "failed".
std::string_view admission_verdict_name(AdmissionVerdict verdict);

inline constexpr std::size_t kEntrySources = 3;  // plan::EntrySource's values

struct NodeStats {
  // As leader: requests by admission's verdict, and the admitted plans' attribute entries by
  // CheckCache verdict (plan::source_name: "hit", "seed", "absent").
  std::array<std::uint64_t, kAdmissionVerdicts> admissions{};
  std::array<std::uint64_t, kEntrySources> plan_entries{};
  // Batches this node proposed and the entries they carried: their ratio is the mean batch.
  std::uint64_t batches_proposed = 0;
  std::uint64_t batch_entries_proposed = 0;
  // Indexes this process's state machine applied (commands and no-ops; not those a snapshot
  // brought in, nor those skipped after a restart): its rate is the apply rate.
  std::uint64_t entries_applied = 0;
  // Entries libraft replayed that the store already held (after a restart).
  std::uint64_t entries_skipped = 0;
  // Cache rotations applied: one per generation step, a jump of n generations counting n
  // (docs/design.md §3: it drops exactly what n rotations would).
  std::uint64_t rotations = 0;
  std::uint64_t snapshots_taken = 0;
  std::uint64_t snapshot_chunks_taken = 0;
  std::uint64_t snapshots_installed = 0;
  // Installs whose image was staged off the loop (Node::stage_install): restore only swapped.
  std::uint64_t snapshots_installed_staged = 0;
  std::uint64_t snapshots_refused = 0;
  // Snapshots libraft offered that the store already covers (a restart reloads its own last
  // snapshot first): kept, not refused.
  std::uint64_t snapshots_kept = 0;

  void count(AdmissionVerdict verdict) { ++admissions[static_cast<std::size_t>(verdict)]; }
  void count(plan::EntrySource source) { ++plan_entries[static_cast<std::size_t>(source)]; }
  std::uint64_t of(AdmissionVerdict verdict) const {
    return admissions[static_cast<std::size_t>(verdict)];
  }
  std::uint64_t of(plan::EntrySource source) const {
    return plan_entries[static_cast<std::size_t>(source)];
  }
};

}  // namespace tally::replica
