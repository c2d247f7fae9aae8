#include "native/keyfile/secret_file.hpp"

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

Error refused(const std::string& what, const std::string& path, const std::string& why) {
  return make_error(Code::kConfiguration, what + " " + path + ": " + why);
}

Error system_error(const std::string& what, const std::string& path, const char* call) {
  return refused(what, path, std::string(call) + ": " + std::strerror(errno));
}

// Closes a descriptor when the scope ends.
struct Descriptor {
  int fd;
  ~Descriptor() {
    if (fd >= 0) ::close(fd);
  }
};

Status fsync_directory_of(const std::string& what, const std::string& path) {
  std::string directory = std::filesystem::path(path).parent_path().string();
  Descriptor dir{::open(directory.empty() ? "." : directory.c_str(), O_RDONLY | O_DIRECTORY)};
  if (dir.fd < 0 || ::fsync(dir.fd) != 0) return system_error(what, path, "fsync of its directory");
  return ok_status();
}

}  // namespace

Result<Bytes> read_secret_file(const std::string& path, const std::string& what,
                               std::size_t bytes_max) {
  Descriptor file{::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW)};
  if (file.fd < 0) return system_error(what, path, "open");
  struct stat status {};
  if (::fstat(file.fd, &status) != 0) return system_error(what, path, "stat");
  if (!S_ISREG(status.st_mode)) return refused(what, path, "not a regular file");
  if ((status.st_mode & 077) != 0) {
    char mode[8];
    std::snprintf(mode, sizeof mode, "%03o", static_cast<unsigned>(status.st_mode & 0777));
    return refused(what, path,
                   std::string("group or others may access it (mode ") + mode + "): run chmod 600");
  }
  Bytes bytes(bytes_max + 1);
  std::size_t filled = 0;
  while (filled < bytes.size()) {
    ssize_t got = ::read(file.fd, bytes.data() + filled, bytes.size() - filled);
    if (got < 0 && errno == EINTR) continue;
    if (got < 0) return system_error(what, path, "read");
    if (got == 0) break;
    filled += static_cast<std::size_t>(got);
  }
  if (filled > bytes_max)
    return refused(what, path, "longer than " + std::to_string(bytes_max) + " bytes");
  bytes.resize(filled);
  return bytes;
}

Status create_file(const std::string& path, const std::string& what, ByteView bytes, mode_t mode) {
  Descriptor file{::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode)};
  if (file.fd < 0) return system_error(what, path, "create");
  if (::fchmod(file.fd, mode) != 0) return system_error(what, path, "chmod");  // the umask
  std::size_t written = 0;
  while (written < bytes.size) {
    ssize_t put = ::write(file.fd, bytes.data + written, bytes.size - written);
    if (put < 0 && errno == EINTR) continue;
    if (put < 0) return system_error(what, path, "write");
    written += static_cast<std::size_t>(put);
  }
  if (::fsync(file.fd) != 0) return system_error(what, path, "fsync");
  return fsync_directory_of(what, path);
}

Result<Bytes> random_bytes(std::size_t count, const std::string& what) {
  Bytes bytes(count);
  std::size_t filled = 0;
  while (filled < count) {
    ssize_t got = ::getrandom(bytes.data() + filled, count - filled, 0);
    if (got < 0 && errno == EINTR) continue;
    if (got < 0)
      return make_error(Code::kConfiguration, what + ": getrandom: " + std::strerror(errno));
    filled += static_cast<std::size_t>(got);
  }
  return bytes;
}

}  // namespace tally::keyfile
