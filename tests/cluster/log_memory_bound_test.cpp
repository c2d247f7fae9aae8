// [raft] The log memory bound (native/raft/log_memory_bound.hpp): the threshold and trailing
// it gives libraft keep the Raft log held in memory near its bound in bytes, whatever the
// entries' size, and leave libraft's own bounds in entries alone while the bytes are small.
#include <catch2/catch.hpp>

#include <cstdint>
#include <deque>
#include <random>

#include "native/raft/log_memory_bound.hpp"

namespace tally::testing {
namespace {

using replica::LogMemoryBound;
using Setting = LogMemoryBound::Setting;

constexpr std::uint64_t kMiB = std::uint64_t{1} << 20;

// libraft 0.15's side, as the bound drives it: after each apply it takes a snapshot at the
// applied index once `threshold` entries were applied since the last one (none while one is
// being taken), and a snapshot that completes drops the entries before its index but the
// `trailing` last, with the trailing in force when it completes.
struct LibraftModel {
  struct Entry {
    std::uint64_t index, bytes;
  };
  std::deque<Entry> log;
  std::uint64_t applied = 0, snapshot_index = 0;
  std::uint64_t taking = 0;           // the index of the snapshot being taken, 0 none
  std::uint64_t completes_after = 0;  // applies until it completes
  Setting setting;
  std::size_t snapshots = 0;

  std::uint64_t bytes() const {
    std::uint64_t sum = 0;
    for (const Entry& entry : log)
      sum += entry.bytes;
    return sum;
  }
  // One entry appended and applied, the bound told; a snapshot takes `delay` more applies.
  void apply(LogMemoryBound& bound, std::uint64_t bytes, std::uint64_t delay) {
    if (taking != 0 && completes_after-- == 0) {
      snapshot_index = taking;
      taking = 0;
      ++snapshots;
      while (!log.empty() && log.front().index + setting.trailing <= snapshot_index)
        log.pop_front();
    }
    ++applied;
    log.push_back({applied, bytes});
    bound.applied(applied, bytes);
    setting = bound.setting(snapshot_index);
    if (taking == 0 && applied - snapshot_index >= setting.threshold) {
      taking = applied;
      completes_after = delay;
    }
  }
};

TEST_CASE("small entries: libraft's bounds in entries stand", "[raft]") {
  LogMemoryBound bound(64 * kMiB, Setting{1000, 250});
  LibraftModel raft;
  for (int i = 0; i < 5000; ++i)
    raft.apply(bound, 100, 0);
  CHECK(raft.setting.threshold == 1000);
  CHECK(raft.setting.trailing == 250);
  // Snapshots at 1000 .. 4000 completed, each keeping 250 entries behind it; the one at 5000
  // is being taken.
  CHECK(raft.snapshots == 4);
  CHECK(raft.taking == 5000);
  CHECK(raft.log.size() == 1250);
  CHECK(bound.held_bytes() == raft.bytes());
}

TEST_CASE("large entries: a snapshot at half the bound, a trailing that fits the other half",
          "[raft]") {
  // 1 MiB entries, a bound of 64 MiB: libraft alone would hold 1,250 of them (1.2 GiB).
  LogMemoryBound bound(64 * kMiB, Setting{1000, 250});
  LibraftModel raft;
  for (int i = 0; i < 31; ++i)
    raft.apply(bound, kMiB, 0);
  CHECK(raft.setting.threshold == 1000);  // 31 MiB since the last snapshot: under half
  raft.apply(bound, kMiB, 0);
  CHECK(raft.setting.threshold == 32);  // 32 MiB: a snapshot after this apply
  CHECK(raft.setting.trailing == 32);   // the 32 latest entries fit in the other half
  CHECK(raft.taking == 32);
  for (int i = 0; i < 3200; ++i) {
    raft.apply(bound, kMiB, 0);
    REQUIRE(raft.bytes() <= 65 * kMiB);
    REQUIRE(bound.held_bytes() == raft.bytes());
  }
  CHECK(raft.snapshots >= 100);
}

TEST_CASE("the trailing keeps at least 16 entries, and never more than configured", "[raft]") {
  SECTION("entries larger than half the bound") {
    LogMemoryBound bound(4 * kMiB, Setting{1000, 250});
    LibraftModel raft;
    for (int i = 0; i < 100; ++i)
      raft.apply(bound, 3 * kMiB, 0);
    CHECK(raft.setting.trailing == LogMemoryBound::kTrailingMin);
    CHECK(raft.setting.threshold == 1);
  }
  SECTION("a configured trailing below the floor stands") {
    LogMemoryBound bound(4 * kMiB, Setting{1000, 8});
    LibraftModel raft;
    for (int i = 0; i < 100; ++i)
      raft.apply(bound, 3 * kMiB, 0);
    CHECK(raft.setting.trailing == 8);
  }
  SECTION("tiny entries under a large bound") {
    LogMemoryBound bound(1024 * kMiB, Setting{1000, 250});
    LibraftModel raft;
    for (int i = 0; i < 600; ++i)
      raft.apply(bound, 10, 0);
    CHECK(raft.setting.trailing == 250);
  }
}

TEST_CASE("entries of mixed sizes and slow snapshots: the log stays near its bound", "[raft]") {
  // Singles and bulks mixed, snapshots that take up to 40 applies to complete: the log may
  // pass the bound by the entries applied while a snapshot is taken, no more.
  std::mt19937_64 random(7);
  std::uniform_int_distribution<std::uint64_t> small(200, 2000), large(20000, 60000), pick(0, 9),
      delay(0, 40);
  const std::uint64_t bytes_max = 8 * kMiB;
  LogMemoryBound bound(bytes_max, Setting{131072, 32768});
  LibraftModel raft;
  std::uint64_t worst = 0;
  for (int i = 0; i < 20000; ++i) {
    raft.apply(bound, pick(random) < 3 ? large(random) : small(random), delay(random));
    REQUIRE(bound.held_bytes() == raft.bytes());
    worst = std::max(worst, raft.bytes());
  }
  CHECK(raft.snapshots > 10);
  // The entries applied while a snapshot is taken, and the trailing measured on the latest
  // entries rather than those before the snapshot's index: 41 entries of at most 60,000 bytes
  // each way.
  INFO("worst " << worst);
  CHECK(worst <= bytes_max + 2 * 41 * 60000);
}

TEST_CASE("an installed snapshot empties the count", "[raft]") {
  LogMemoryBound bound(64 * kMiB, Setting{1000, 250});
  for (std::uint64_t i = 1; i <= 10; ++i)
    bound.applied(i, kMiB);
  CHECK(bound.setting(0).threshold == 1000);
  CHECK(bound.held_bytes() == 10 * kMiB);
  bound.restored();
  CHECK(bound.held_bytes() == 0);
  bound.applied(500, kMiB);  // the next entry after the installed snapshot
  bound.setting(499);
  CHECK(bound.held_bytes() == kMiB);
}

}  // namespace
}  // namespace tally::testing
