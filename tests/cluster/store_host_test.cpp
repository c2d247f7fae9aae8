// [raft] The store digest the nodes compare, and the store hosts' snapshot images: a SQLite
// image installs atomically over another store, and a damaged one is refused with the old
// store kept.
#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>

#include <thread>
#include <vector>

#include "core/store/schema_version.hpp"
#include "native/raft/store_digest.hpp"
#include "native/raft/store_host.hpp"
#include "native/sqlite/sqlite_store.hpp"
#include "tests/support/store_fixtures.hpp"
#include "tests/support/temp_dir.hpp"

namespace tally::testing {
namespace {

crypto::Digest digest_of(const store::KeyValueStore& store) {
  auto digest = replica::store_digest(store);
  REQUIRE(digest.ok());
  return *digest;
}

// The whole image of a pinned view, as the snapshot job reads it.
Bytes read_image(replica::StoreImage& image) {
  Bytes out;
  REQUIRE(image
              .read([&](ByteView piece) {
                out.insert(out.end(), piece.begin(), piece.end());
                return ok_status();
              })
              .ok());
  return out;
}

std::unique_ptr<replica::SqliteHost> open_host(const std::string& path) {
  auto host = replica::SqliteHost::open(path);
  INFO((host.ok() ? std::string() : host.error().message));
  REQUIRE(host.ok());
  return std::move(host).value();
}

TEST_CASE("the store digest covers every row and cannot confuse where a key ends", "[raft]") {
  store::MemoryStore a, b;
  a.set_rows({{bytes("ab"), bytes("c")}, {bytes("k"), bytes("v")}});
  b.set_rows({{bytes("ab"), bytes("c")}, {bytes("k"), bytes("v")}});
  REQUIRE(digest_of(a) == digest_of(b));
  b.set_rows({{bytes("a"), bytes("bc")}, {bytes("k"), bytes("v")}});
  REQUIRE(digest_of(a) != digest_of(b));
  b.set_rows({{bytes("ab"), bytes("c")}, {bytes("k"), bytes("w")}});
  REQUIRE(digest_of(a) != digest_of(b));
  b.set_rows({{bytes("ab"), bytes("c")}});
  REQUIRE(digest_of(a) != digest_of(b));
}

TEST_CASE(
    "a SQLite image installs over another store, and a damaged image is refused and the "
    "store kept",
    "[raft]") {
  TempDir dir;
  auto source = open_host(dir.file("source.db"));
  auto target = open_host(dir.file("target.db"));
  store::Batch rows;
  for (int i = 0; i < 200; ++i)
    rows.put(bytes("key-" + std::to_string(i)), bytes("value-" + std::to_string(i)));
  commit(source->store(), rows);
  store::Batch other;
  other.put(bytes("target-only"), bytes("x"));
  commit(target->store(), other);

  auto pinned = source->pin_image();
  REQUIRE(pinned.ok());
  std::optional<Bytes> image = read_image(**pinned);
  pinned->reset();
  const crypto::Digest before = digest_of(target->store());
  Bytes damaged = *image;
  for (std::size_t i = 0; i < 100 && i < damaged.size(); ++i)
    damaged[i] = 0xee;  // the SQLite header
  REQUIRE(!target->install(damaged).ok());
  REQUIRE(digest_of(target->store()) == before);  // still the old store, still readable

  REQUIRE(target->install(*image).ok());
  REQUIRE(digest_of(target->store()) == digest_of(source->store()));
  REQUIRE(all_rows(target->store()).count(bytes("target-only")) == 0);
  // The installed store is a real file: it reopens with the same rows.
  auto reopened = replica::SqliteHost::open(dir.file("target.db"));
  REQUIRE(reopened.ok());
  REQUIRE(digest_of((*reopened)->store()) == digest_of(source->store()));
}

TEST_CASE(
    "a pinned SQLite image keeps the store as it was while the writer commits, digest "
    "included",
    "[raft]") {
  TempDir dir;
  auto host = replica::SqliteHost::open(dir.file("store.db"));
  REQUIRE(host.ok());
  store::Batch rows;
  for (int i = 0; i < 300; ++i)
    rows.put(bytes("key-" + std::to_string(i)), bytes(std::string(200, 'a' + i % 26)));
  commit((*host)->store(), rows);
  const crypto::Digest pinned_digest = digest_of((*host)->store());
  auto pinned = (*host)->pin_image();
  REQUIRE(pinned.ok());

  // The writer goes on after the pin (the loop applying while the snapshot is copied).
  store::Batch later;
  later.put(bytes("key-after-the-pin"), bytes("x"));
  later.del(bytes("key-7"));
  commit((*host)->store(), later);
  REQUIRE(digest_of((*host)->store()) != pinned_digest);

  auto digest = (*pinned)->digest({});
  REQUIRE(digest.ok());
  REQUIRE(*digest == pinned_digest);
  Bytes image = read_image(**pinned);
  pinned->reset();
  // The image installs as exactly the pinned rows.
  auto target = replica::SqliteHost::open(dir.file("target.db"));
  REQUIRE(target.ok());
  REQUIRE((*target)->install(image).ok());
  REQUIRE(digest_of((*target)->store()) == pinned_digest);
  REQUIRE(all_rows((*target)->store()).count(bytes("key-7")) == 1);
}

TEST_CASE(
    "an install hands the replaced store file's last descriptor to the closer, unlinked but "
    "whole until it closes",
    "[raft]") {
  TempDir dir;
  auto source = open_host(dir.file("source.db"));
  auto target = open_host(dir.file("target.db"));
  store::Batch rows;
  rows.put(bytes("source-row"), bytes(std::string(5000, 's')));
  commit(source->store(), rows);
  store::Batch old_rows;
  for (int i = 0; i < 100; ++i)
    old_rows.put(bytes("old-" + std::to_string(i)), bytes(std::string(1000, 'o')));
  commit(target->store(), old_rows);
  auto pinned = source->pin_image();
  REQUIRE(pinned.ok());
  const Bytes image = read_image(**pinned);
  pinned->reset();

  std::vector<int> handed;
  target->set_file_closer([&](int fd) { handed.push_back(fd); });
  auto staged = target->stage(image, [](const store::KeyValueStore&) { return ok_status(); });
  REQUIRE(staged.ok());
  REQUIRE(target->install_staged().ok());
  REQUIRE(handed.size() == 1);
  struct stat old_file {};
  REQUIRE(::fstat(handed[0], &old_file) == 0);
  CHECK(old_file.st_nlink == 0);          // no name left: the rename replaced it
  CHECK(old_file.st_size >= 100 * 1000);  // its blocks not yet freed
  struct stat current {};
  REQUIRE(::stat(dir.file("target.db").c_str(), &current) == 0);
  CHECK(current.st_ino != old_file.st_ino);  // the path is the installed image
  REQUIRE(::close(handed[0]) == 0);
  REQUIRE(digest_of(target->store()) == digest_of(source->store()));
}

TEST_CASE("a swap that fails once the old store's log is gone says the old store is not whole",
          "[raft]") {
  TempDir dir;
  const std::string path = dir.file("store.db");
  auto host = open_host(path);
  store::Batch rows;
  rows.put(bytes("kept"), bytes("1"));
  commit(host->store(), rows);
  // A reader's view keeps the writer's close from checkpointing the log into the file.
  auto view = host->pin_reader();
  REQUIRE(view.ok());
  CHECK(host->kept_whole());
  // Nothing staged: the rename of the staged file over the store fails.
  const Status swapped = host->install_staged();
  CHECK_FALSE(swapped.ok());
  CHECK_FALSE(host->kept_whole());
  view->reset();
}

std::int64_t file_size(const std::string& path) {
  struct stat status {};
  return ::stat(path.c_str(), &status) == 0 ? static_cast<std::int64_t>(status.st_size) : -1;
}

TEST_CASE(
    "a store that hands off its checkpoints copies no log page inside a commit, and the "
    "checkpoint runs on another thread while the writer commits",
    "[raft]") {
  TempDir dir;
  const std::string path = dir.file("store.db");
  auto host = open_host(path);
  int due = 0;
  std::string due_path;
  host->set_checkpoint_runner([&](const std::string& asked) {
    ++due;
    due_path = asked;
  });
  const std::int64_t database_before = file_size(path);
  int batches = 0;
  auto write_batch = [&] {  // 100 rows of 1 KB: about 30 pages of log per commit
    store::Batch rows;
    for (int i = 0; i < 100; ++i)
      rows.put(bytes("k-" + std::to_string(batches) + "-" + std::to_string(i)), Bytes(1000, 0x5a));
    ++batches;
    commit(host->store(), rows);
  };
  while (due < 3)
    write_batch();
  CHECK(due_path == path);
  const auto log_bytes = host->wal_log_gauge();
  CHECK(log_bytes() >= std::uint64_t{sqlite::SqliteStore::kCheckpointFramesMin} * 4096);
  // Past SQLite's own threshold, and yet nothing reached the database file: no commit copied
  // the log.
  CHECK(host->wal_bytes() > std::uint64_t{sqlite::SqliteStore::kCheckpointFramesMin} * 4096);
  CHECK(file_size(path) == database_before);

  Status checkpointed = ok_status();
  std::thread worker([&] { checkpointed = sqlite::SqliteStore::checkpoint_file(path); });
  for (int i = 0; i < 20; ++i)
    write_batch();
  worker.join();
  INFO((checkpointed.ok() ? std::string() : checkpointed.error().message));
  REQUIRE(checkpointed.ok());
  CHECK(file_size(path) > database_before + 2'000'000);  // the log's pages, copied
  // A checkpoint with no commit beside it copies the whole log: the next commit restarts it
  // from its first frame, and the gauge says so.
  REQUIRE(sqlite::SqliteStore::checkpoint_file(path).ok());
  const std::uint64_t before_restart = log_bytes();
  write_batch();
  CHECK(log_bytes() < before_restart);
  // One batch's pages, far from the thousand frames the log held.
  CHECK(log_bytes() < std::uint64_t{sqlite::SqliteStore::kCheckpointFramesMin} * 4096 / 4);
  const std::size_t rows = all_rows(host->store()).size();
  CHECK(rows >= static_cast<std::size_t>(batches) * 100);
  host.reset();
  CHECK(all_rows(open_host(path)->store()).size() == rows);
}

}  // namespace
}  // namespace tally::testing
