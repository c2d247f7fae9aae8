// The settings a tallyd node gets when nobody sets them: tallyd's flags and `tally cluster up`
// (which writes them into cluster.json) both take them from here. Each is chosen from the
// end-to-end benchmark (bench/e2e/README.md), which runs a cluster with exactly these.
// Header-only: the CLI includes it without linking the node.
#pragma once

#include <cstddef>
#include <cstdint>

namespace tally::tallyd::defaults {

// Entries between Raft snapshots. A snapshot copies and hashes the whole store on libraft's
// thread pool, so its cost grows with the store while the entries between two grow with the
// write rate: too small a threshold spends a core on copies under load, and its copies are
// what the slowest answers wait behind (at 64 connections, p99 64-72 ms at 16,384 against
// 21-27 ms at 131,072, the nodes' peak memory unchanged: bench/results/e2e.md). The log keeps
// this many entries in memory and on disk (plus a quarter behind the snapshot); a restart
// skips those the store holds.
inline constexpr unsigned kSnapshotThreshold = 131072;
// The Raft log libraft holds in memory, in MiB (native/raft/log_memory_bound.hpp): entries
// are batches and bulks, so a bound in entries alone lets a bulk load hold gigabytes. Half of
// it between snapshots: a bulk of 100 is ~35 KB, so a snapshot every ~15,000 bulks, which the
// end-to-end benchmark's runs never reach.
inline constexpr std::uint64_t kRaftLogMemoryMb = 1024;
// Requests queued at the leader or proposed and not yet applied; past it, BUSY (503). At
// least the connections a leader should serve at once.
inline constexpr std::size_t kMaxInFlight = 1024;
// One leader batch (one raft_apply, one append, one AppendEntries per follower): entries and
// encoded bytes (native/raft/node.hpp, "Leader batching").
inline constexpr std::size_t kBatchEntriesMax = 256;
inline constexpr std::size_t kBatchBytesMax = std::size_t{4} << 20;
// Leader batches proposed and not yet answered: the next leaves while the previous ones are
// replicated and applied (native/raft/append_pacer.hpp).
inline constexpr std::size_t kBatchesInFlightMax = 2;
// Group commit: applied entries reach the store this many at a time, and at least every
// kGroupCommitMs; an acknowledged entry is durable in the Raft log before its group commits,
// and a crash replays the uncommitted tail. A larger group writes each hot page once for
// more entries (a leader batch is applied as a run of entries).
inline constexpr std::size_t kGroupEntriesMax = 256;
inline constexpr unsigned kGroupCommitMs = 20;

// Applied indexes each node keeps for `tally trace export`: none. Recording reads every plan
// key's four slots, the disk's two through the store, and builds the visualiser's rows on
// the apply path, which every node pays for every entry; a cluster being debugged turns it
// on (`tally cluster up --trace-records N`, what `./build.sh run` does).
inline constexpr std::size_t kTraceRecords = 0;

static_assert(kMaxInFlight >= kBatchEntriesMax, "a full batch fits in flight");

}  // namespace tally::tallyd::defaults
