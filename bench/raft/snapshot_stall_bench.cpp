// How long taking a Raft snapshot blocks the node's loop, on a SQLite store of a given size.
//
//   tally-bench-snapshot [MEGABYTES] [CHUNK_KIB]    (defaults: 80 MB, 16384 KiB chunks)
//
// before: what fsm snapshot did on the loop up to format 1 (after the group commit):
//         sqlite3_serialize of the whole store, the store digest over every row, the format-1
//         envelope (the image copied into one Cap'n Proto blob, hashed) and the copy into a
//         raft_malloc buffer.
// after:  what it does now on the loop (pin: a read-only connection and a read transaction),
//         then, reported apart, the copy, hashing and digest on libraft's snapshot thread
//         (SnapshotJob::run), during which this program keeps committing batches on the
//         writer connection, as the loop would, and reports the slowest commit.
// restore: what a lagging follower still does on its loop (libraft's restore is synchronous):
//         read and verify the snapshot, install it (temp file, fsync, rename, reopen), restore
//         the cache, digest; each step timed apart, beside a bare write+fsync of the image.
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <optional>
#include <string>
#include <thread>

#include "core/cache/cache.hpp"
#include "native/raft/snapshot_job.hpp"
#include "native/raft/store_digest.hpp"
#include "native/raft/store_host.hpp"

namespace {

using namespace tally;
using Clock = std::chrono::steady_clock;

double ms_since(Clock::time_point start) {
  return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

void check(const Status& status, const char* what) {
  if (!status.ok()) {
    std::fprintf(stderr, "%s: %s\n", what, status.error().message.c_str());
    std::exit(1);
  }
}

// Rows of 16-byte keys and 240-byte values (pseudo-random, so pages do not compress).
void fill(store::KeyValueStore& store, std::uint64_t bytes_wanted) {
  std::uint64_t x = 88172645463325252ull, written = 0, key = 0;
  while (written < bytes_wanted) {
    store::Batch batch;
    for (int i = 0; i < 4000; ++i, ++key) {
      Bytes k(16), v(240);
      for (int j = 0; j < 8; ++j)
        k[j] = static_cast<std::uint8_t>(key >> (56 - 8 * j));
      k[0] = 0x01;  // the attributes zone
      for (auto& b : v) {
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        b = static_cast<std::uint8_t>(x);
      }
      batch.put(std::move(k), std::move(v));
      written += 256;
    }
    check(store.write(batch), "fill");
  }
}

}  // namespace

int main(int argc, char** argv) {
  const std::uint64_t megabytes = argc > 1 ? std::strtoull(argv[1], nullptr, 10) : 80;
  const std::uint64_t chunk_bytes = (argc > 2 ? std::strtoull(argv[2], nullptr, 10) : 16384) * 1024;
  const std::string dir = std::filesystem::temp_directory_path() /
                          ("tally-snapshot-bench-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  auto opened = replica::SqliteHost::open(dir + "/store.db");
  if (!opened.ok()) return 1;
  replica::SqliteHost& host = **opened;
  fill(host.store(), megabytes << 20);
  const auto file_bytes = std::filesystem::file_size(dir + "/store.db");

  // before: the whole format-1 snapshot on the loop.
  auto start = Clock::now();
  std::optional<Bytes> image = *static_cast<sqlite::SqliteStore&>(host.store()).image();
  auto digest = replica::store_digest(host.store());
  wire::SnapshotHeader header;
  header.applied_index = 1;
  header.store_digest = *digest;
  Bytes single = wire::encode_single_snapshot(header, *image);
  void* buffer = raft_malloc(single.size());
  std::memcpy(buffer, single.data(), single.size());
  const double before_ms = ms_since(start);
  raft_free(buffer);
  const std::size_t image_bytes = image->size();
  image.reset();
  single.clear();
  single.shrink_to_fit();

  // The writer's commit latency with no snapshot running, to compare with the one below.
  double baseline_slowest_ms = 0;
  for (int i = 0; i < 200; ++i) {
    store::Batch batch;
    Bytes k = {0x01, 0xfe, static_cast<std::uint8_t>(i), 0};
    batch.put(k, Bytes(200, 0x41));
    auto commit_start = Clock::now();
    check(host.store().write(batch), "baseline commit");
    baseline_slowest_ms = std::max(baseline_slowest_ms, ms_since(commit_start));
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }

  // after: the pin on the loop, the copy on another thread while the writer commits.
  start = Clock::now();
  auto pinned = host.pin_image();
  check(pinned.ok() ? ok_status() : Status(pinned.error()), "pin");
  replica::SnapshotJob job(header, std::move(pinned).value(), chunk_bytes);
  const double pin_ms = ms_since(start);
  struct raft_buffer* bufs = nullptr;
  unsigned n_bufs = 0;
  double job_ms = 0;
  int job_rv = -1;
  std::atomic<bool> finished{false};
  std::thread worker([&] {
    auto job_start = Clock::now();
    job_rv = job.run(&bufs, &n_bufs);
    job_ms = ms_since(job_start);
    finished = true;
  });
  double slowest_commit_ms = 0;
  int commits = 0;
  while (!finished && commits < 100000) {
    store::Batch batch;
    Bytes k = {0x01, 0xff, static_cast<std::uint8_t>(commits),
               static_cast<std::uint8_t>(commits >> 8)};
    batch.put(k, Bytes(200, 0x42));
    auto commit_start = Clock::now();
    check(host.store().write(batch), "commit during the copy");
    slowest_commit_ms = std::max(slowest_commit_ms, ms_since(commit_start));
    ++commits;
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  worker.join();
  if (job_rv != 0) return 1;

  // restore, as a lagging follower does on its loop.
  std::size_t total = 0;
  for (unsigned i = 0; i < n_bufs; ++i)
    total += bufs[i].len;
  Bytes joined;
  joined.reserve(total);
  for (unsigned i = 0; i < n_bufs; ++i) {
    auto* base = static_cast<std::uint8_t*>(bufs[i].base);
    joined.insert(joined.end(), base, base + bufs[i].len);
    raft_free(bufs[i].base);
  }
  raft_free(bufs);
  auto target = replica::SqliteHost::open(dir + "/target.db");
  if (!target.ok()) return 1;
  // Each step of Node's restore timed apart, to see which one a faster install should attack.
  start = Clock::now();
  auto view = wire::read_snapshot(joined);
  check(view.ok() ? wire::verify_snapshot_image(*view) : Status(view.error()), "read");
  const double verify_ms = ms_since(start);
  auto step = Clock::now();
  check((*target)->install(view->image()), "install");
  const double install_ms = ms_since(step);
  step = Clock::now();
  // The state machine's reopen restores its cache from the cache zone's mirror rows: none in
  // this synthetic store (restore refuses it, meta row missing); a real store's zone holds
  // the cache's two generations, bounded by the cache, not by the store's size.
  auto cache = cache::Cache::restore((*target)->store());
  const double cache_ms = ms_since(step);
  step = Clock::now();
  auto installed = replica::store_digest((*target)->store());
  const double digest_ms = ms_since(step);
  const double restore_ms = ms_since(start);
  if (!installed.ok() || *installed != view->header.store_digest) return 1;
  // The file write alone (what install must at least do): the same bytes, written and fsynced.
  step = Clock::now();
  {
    std::FILE* file = std::fopen((dir + "/copy.db").c_str(), "wb");
    if (file == nullptr) return 1;
    std::fwrite(view->image().data, 1, view->image().size, file);
    std::fflush(file);
    ::fsync(::fileno(file));
    std::fclose(file);
  }
  const double copy_ms = ms_since(step);

  std::printf(
      "snapshot of a %.1f MB store (image %.1f MB, %u chunks of %llu KiB):\n"
      "  before (format 1, all on the loop): %.1f ms loop stall\n"
      "  after  (format 2): %.2f ms on the loop (pin), %.1f ms on the snapshot thread; "
      "%d commits meanwhile, slowest %.2f ms (%.2f ms with no snapshot running)\n"
      "  restore on a lagging follower's loop (read, verify, install, digest): %.1f ms\n"
      "    read+verify %.1f ms, install %.1f ms (a bare write+fsync of the image: %.1f ms), "
      "cache restore %.2f ms (%s), store digest %.1f ms\n",
      static_cast<double>(file_bytes) / 1e6, static_cast<double>(image_bytes) / 1e6, n_bufs - 1,
      static_cast<unsigned long long>(chunk_bytes >> 10), before_ms, pin_ms, job_ms, commits,
      slowest_commit_ms, baseline_slowest_ms, restore_ms, verify_ms, install_ms, copy_ms, cache_ms,
      cache.ok() ? "restored" : "none here: this synthetic store has no cache zone", digest_ms);
  std::filesystem::remove_all(dir);
  return 0;
}
