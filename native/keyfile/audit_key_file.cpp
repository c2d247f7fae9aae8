#include "native/keyfile/audit_key_file.hpp"

#include <fcntl.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>

namespace tally::keyfile {

namespace {

Error refused(const std::string& path, const std::string& why) {
  return make_error(Code::kConfiguration, "audit key file " + path + ": " + why);
}

Error system_error(const std::string& path, const char* what) {
  return refused(path, std::string(what) + ": " + std::strerror(errno));
}

// Closes a descriptor when the scope ends.
struct Descriptor {
  int fd;
  ~Descriptor() {
    if (fd >= 0) ::close(fd);
  }
};

Status fsync_directory_of(const std::string& path) {
  std::string directory = std::filesystem::path(path).parent_path().string();
  Descriptor dir{::open(directory.empty() ? "." : directory.c_str(), O_RDONLY | O_DIRECTORY)};
  if (dir.fd < 0 || ::fsync(dir.fd) != 0) return system_error(path, "fsync of its directory");
  return ok_status();
}

}  // namespace

Result<audit::AuditKey> read_audit_key_file(const std::string& path) {
  Descriptor file{::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW)};
  if (file.fd < 0) return system_error(path, "open");
  struct stat status {};
  if (::fstat(file.fd, &status) != 0) return system_error(path, "stat");
  if (!S_ISREG(status.st_mode)) return refused(path, "not a regular file");
  if ((status.st_mode & 077) != 0) {
    char mode[8];
    std::snprintf(mode, sizeof mode, "%03o", static_cast<unsigned>(status.st_mode & 0777));
    return refused(path,
                   std::string("group or others may access it (mode ") + mode + "): run chmod 600");
  }
  std::uint8_t buffer[audit::kAuditKeyBytes + 1];
  std::size_t filled = 0;
  while (filled < sizeof buffer) {
    ssize_t got = ::read(file.fd, buffer + filled, sizeof buffer - filled);
    if (got < 0 && errno == EINTR) continue;
    if (got < 0) return system_error(path, "read");
    if (got == 0) break;
    filled += static_cast<std::size_t>(got);
  }
  auto key = audit::audit_key_from_bytes(ByteView(buffer, filled));
  if (!key.ok()) return refused(path, key.error().message);
  return key;
}

Result<audit::AuditKey> create_audit_key_file(const std::string& path) {
  std::uint8_t bytes[audit::kAuditKeyBytes];
  std::size_t filled = 0;
  while (filled < sizeof bytes) {
    ssize_t got = ::getrandom(bytes + filled, sizeof bytes - filled, 0);
    if (got < 0 && errno == EINTR) continue;
    if (got < 0) return system_error(path, "getrandom");
    filled += static_cast<std::size_t>(got);
  }
  auto key = audit::audit_key_from_bytes(ByteView(bytes, sizeof bytes));
  if (!key.ok()) return refused(path, key.error().message);  // 2^-256: all zeros
  Descriptor file{::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600)};
  if (file.fd < 0) return system_error(path, "create");
  if (::fchmod(file.fd, 0600) != 0) return system_error(path, "chmod");  // whatever the umask
  std::size_t written = 0;
  while (written < sizeof bytes) {
    ssize_t put = ::write(file.fd, bytes + written, sizeof bytes - written);
    if (put < 0 && errno == EINTR) continue;
    if (put < 0) return system_error(path, "write");
    written += static_cast<std::size_t>(put);
  }
  if (::fsync(file.fd) != 0) return system_error(path, "fsync");
  TALLY_TRY(fsync_directory_of(path));
  return key;
}

}  // namespace tally::keyfile
