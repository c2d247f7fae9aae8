#include "native/raft/store_host.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>

#include "core/store/schema_version.hpp"
#include "native/raft/store_digest.hpp"

namespace tally::replica {

namespace {

Error io_error(const std::string& what, const std::string& path) {
  return make_error(Code::kStorage, what + " " + path + ": " + std::strerror(errno));
}

// Writes and fsyncs bytes to a new file at path. On any failure the partial file is removed:
// a staged or installing image is whole or absent.
Status write_synced(const std::string& path, ByteView bytes) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return io_error("create", path);
  auto failed = [&](const char* what, bool open) {
    Error error = io_error(what, path);
    if (open) ::close(fd);
    ::unlink(path.c_str());
    return error;
  };
  std::size_t written = 0;
  while (written < bytes.size) {
    ssize_t n = ::write(fd, bytes.data + written, bytes.size - written);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return failed("write", true);
    written += static_cast<std::size_t>(n);
  }
  if (::fsync(fd) != 0) return failed("fsync", true);
  if (::close(fd) != 0) return failed("close", false);
  return ok_status();
}

Status sync_directory(const std::string& directory) {
  int fd = ::open(directory.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return io_error("open directory", directory);
  int rc = ::fsync(fd);
  ::close(fd);
  if (rc != 0) return io_error("fsync directory", directory);
  return ok_status();
}

// A read transaction on a second connection: the database as it was when pinned.
class SqliteImage final : public StoreImage {
 public:
  explicit SqliteImage(std::unique_ptr<sqlite::SqliteStore> reader) : reader_(std::move(reader)) {}
  Status read(const std::function<Status(ByteView)>& sink) override {
    return reader_->image_to(sink);
  }
  Result<crypto::Digest> digest(const std::function<bool()>& stop_requested) override {
    return store_digest(*reader_, stop_requested);
  }

 private:
  std::unique_ptr<sqlite::SqliteStore> reader_;  // closing it ends the read transaction
};

class RowsImage final : public StoreImage {
 public:
  explicit RowsImage(wire::Rows rows) : rows_(std::move(rows)) {}
  Status read(const std::function<Status(ByteView)>& sink) override {
    return sink(wire::encode_rows(rows_));
  }
  Result<crypto::Digest> digest(const std::function<bool()>& stop_requested) override {
    store::MemoryStore copy;
    copy.set_rows(rows_);
    return store_digest(copy, stop_requested);
  }

 private:
  wire::Rows rows_;
};

}  // namespace

Result<std::unique_ptr<StoreImage>> SqliteHost::pin_image() {
  auto reader = sqlite::SqliteStore::open_pinned_reader(path_);
  if (!reader.ok()) return std::move(reader).error();
  return std::unique_ptr<StoreImage>(new SqliteImage(std::move(reader).value()));
}

Result<std::unique_ptr<store::KeyValueStore>> SqliteHost::pin_reader() {
  auto reader = sqlite::SqliteStore::open_pinned_reader(path_);
  if (!reader.ok()) return std::move(reader).error();
  return std::unique_ptr<store::KeyValueStore>(std::move(reader).value());
}

Result<std::unique_ptr<store::KeyValueStore>> MemoryHost::pin_reader() {
  auto copy = std::make_unique<store::MemoryStore>();
  copy->set_rows(store_.rows());
  return std::unique_ptr<store::KeyValueStore>(std::move(copy));
}

Result<std::unique_ptr<StoreImage>> MemoryHost::pin_image() {
  return std::unique_ptr<StoreImage>(new RowsImage(store_.rows()));
}

Result<std::unique_ptr<SqliteHost>> SqliteHost::open(std::string path) {
  std::unique_ptr<SqliteHost> host(new SqliteHost());
  host->path_ = std::move(path);
  auto opened = sqlite::SqliteStore::open(host->path_);
  if (!opened.ok()) return std::move(opened).error();
  host->store_ = std::move(opened).value();
  return host;
}

void SqliteHost::set_checkpoint_runner(CheckpointRunner runner) {
  checkpoint_runner_ = std::move(runner);
  hand_off_checkpoints();
}

void SqliteHost::hand_off_checkpoints() {
  if (!checkpoint_runner_ || !store_) return;
  store_->hand_off_checkpoints([this](std::uint64_t log_bytes, bool checkpoint_due) {
    log_bytes_->store(log_bytes, std::memory_order_relaxed);
    if (checkpoint_due) checkpoint_runner_(path_);
  });
}

namespace {

std::uint64_t file_bytes_or_zero(const std::string& path) {
  std::error_code error;
  const auto size = std::filesystem::file_size(path, error);
  return error ? 0 : static_cast<std::uint64_t>(size);
}

}  // namespace

std::uint64_t SqliteHost::wal_bytes() const {
  return file_bytes_or_zero(path_ + "-wal");
}

std::function<std::uint64_t()> SqliteHost::wal_log_gauge() const {
  return [log_bytes = log_bytes_] { return log_bytes->load(std::memory_order_relaxed); };
}

Status SqliteHost::install(ByteView image) {
  const std::string temporary = path_ + ".installing";
  TALLY_TRY(write_synced(temporary, image));
  // The image must open as a Tally store before it replaces anything.
  {
    auto probe = sqlite::SqliteStore::open(temporary);
    if (!probe.ok()) {
      std::remove(temporary.c_str());
      return make_error(Code::kCorrupt, "snapshot image does not open: " + probe.error().message);
    }
  }
  return swap_in(temporary);
}

Result<crypto::Digest> SqliteHost::stage(ByteView image, const StagedReader& inspect) {
  const std::string staged = staged_path();
  TALLY_TRY(write_synced(staged, image));
  Result<crypto::Digest> digest = make_error(Code::kCorrupt, "unread");
  {
    auto probe = sqlite::SqliteStore::open(staged);
    if (!probe.ok()) {
      digest = make_error(Code::kCorrupt, "snapshot image does not open: " + probe.error().message);
    } else {
      digest = store_digest(*probe.value());
      if (digest.ok()) {
        if (Status read = inspect(*probe.value()); !read.ok()) digest = std::move(read).error();
      }
    }
  }
  // The probe's connection is closed: the staged file alone is what install_staged renames.
  std::remove((staged + "-wal").c_str());
  std::remove((staged + "-shm").c_str());
  if (!digest.ok()) std::remove(staged.c_str());
  return digest;
}

Status SqliteHost::install_staged() {
  return swap_in(staged_path());
}

void SqliteHost::discard_staged() {
  std::remove(staged_path().c_str());
}

Status SqliteHost::swap_in(const std::string& from) {
  std::remove((from + "-wal").c_str());
  std::remove((from + "-shm").c_str());
  store_.reset();  // closes the database: its WAL is checkpointed and removed
  std::remove((path_ + "-wal").c_str());
  std::remove((path_ + "-shm").c_str());
  // Held across the rename, the old file's last reference is this descriptor rather than its
  // name, so the rename does not free its blocks; closing the descriptor does, where the
  // closer runs it.
  const int old_file = ::open(path_.c_str(), O_RDONLY | O_CLOEXEC);
  if (std::rename(from.c_str(), path_.c_str()) != 0) {
    Error error = io_error("rename over", path_);
    // The old store opens again, but without the log removed above: with another connection
    // open when it closed (a check's view, a checkpoint), that log could hold commits.
    kept_whole_ = false;
    if (old_file >= 0) ::close(old_file);
    auto reopened = sqlite::SqliteStore::open(path_);
    if (reopened.ok()) store_ = std::move(reopened).value();
    hand_off_checkpoints();
    return error;
  }
  if (old_file >= 0) {
    if (file_closer_) {
      file_closer_(old_file);
    } else {
      ::close(old_file);
    }
  }
  std::string directory = std::filesystem::path(path_).parent_path().string();
  TALLY_TRY(sync_directory(directory.empty() ? "." : directory));
  auto opened = sqlite::SqliteStore::open(path_);
  if (!opened.ok()) return std::move(opened).error();
  store_ = std::move(opened).value();
  hand_off_checkpoints();
  return ok_status();
}

Result<crypto::Digest> StoreHost::stage(ByteView, const StagedReader&) {
  return make_error(Code::kInvariantViolation, "this store host cannot stage an image");
}

Status StoreHost::install_staged() {
  return make_error(Code::kInvariantViolation, "this store host cannot stage an image");
}

Result<std::unique_ptr<MemoryHost>> MemoryHost::open() {
  std::unique_ptr<MemoryHost> host(new MemoryHost());
  TALLY_TRY(store::open_schema(host->store_));
  return host;
}

Status MemoryHost::install(ByteView image) {
  auto rows = wire::decode_rows(image);
  if (!rows.ok()) return std::move(rows).error();
  store_.set_rows(std::move(rows).value());
  return ok_status();
}

}  // namespace tally::replica
