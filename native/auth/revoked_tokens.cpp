#include "native/auth/revoked_tokens.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "core/crypto/sha256.hpp"

namespace tally::auth {

namespace {

constexpr std::string_view kHeader =
    "# Revoked client tokens: one token id (the token's jti claim) per line.\n"
    "# Every node refuses these tokens once it has read this file (at start, and on SIGHUP).\n";

bool is_id_byte(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
         c == '_' || c == '~' || c == '-';
}

std::string_view trimmed(std::string_view line) {
  while (!line.empty() && (line.front() == ' ' || line.front() == '\t'))
    line.remove_prefix(1);
  while (!line.empty() && (line.back() == ' ' || line.back() == '\t' || line.back() == '\r'))
    line.remove_suffix(1);
  return line;
}

Error io_error(const std::string& what, const std::string& path) {
  return make_error(Code::kConfiguration, what + " " + path + ": " + std::strerror(errno));
}

Status write_all(int fd, std::string_view bytes, const std::string& path) {
  while (!bytes.empty()) {
    const ssize_t n = ::write(fd, bytes.data(), bytes.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return io_error("cannot write the revoked tokens file", path);
    bytes.remove_prefix(static_cast<std::size_t>(n));
  }
  return ok_status();
}

}  // namespace

Status validate_token_id(std::string_view token_id) {
  if (token_id.empty()) return make_error(Code::kValidation, "an empty token id");
  if (token_id.size() > kTokenIdBytesMax) {
    return make_error(Code::kValidation,
                      "a token id over " + std::to_string(kTokenIdBytesMax) + " characters");
  }
  for (char c : token_id) {
    if (!is_id_byte(c)) {
      return make_error(Code::kValidation,
                        "a token id holds only letters, digits and . _ ~ - (the jti claim)");
    }
  }
  return ok_status();
}

Result<RevokedTokens> RevokedTokens::parse(std::string_view text) {
  RevokedTokens list;
  std::size_t number = 0;
  while (!text.empty()) {
    ++number;
    const std::size_t end = text.find('\n');
    std::string_view line = trimmed(text.substr(0, end));
    text.remove_prefix(end == std::string_view::npos ? text.size() : end + 1);
    if (line.empty() || line.front() == '#') continue;
    if (Status valid = validate_token_id(line); !valid.ok()) {
      return make_error(Code::kValidation,
                        "line " + std::to_string(number) + ": " + valid.error().message);
    }
    list.ids_.emplace(line);
  }
  crypto::Sha256 digest;
  for (const std::string& id : list.ids_) {
    digest.update(ByteView(id));
    digest.update(ByteView(std::string_view("\n")));
  }
  const crypto::Digest done = digest.finish();
  list.digest_hex_ = to_hex(ByteView(done.data(), done.size()));
  return list;
}

std::string RevokedTokens::empty_digest_hex() {
  const crypto::Digest none = crypto::sha256(ByteView());
  return to_hex(ByteView(none.data(), none.size()));
}

Result<RevokedTokens> read_revoked_tokens_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return io_error("cannot read the revoked tokens file", path);
  std::string text;
  text.resize(kRevokedTokensBytesMax + 1);
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  if (in.bad()) return io_error("cannot read the revoked tokens file", path);
  text.resize(static_cast<std::size_t>(in.gcount()));
  if (text.size() > kRevokedTokensBytesMax) {
    return make_error(Code::kConfiguration, "the revoked tokens file " + path + " is over " +
                                                std::to_string(kRevokedTokensBytesMax >> 20) +
                                                " MiB");
  }
  auto list = RevokedTokens::parse(text);
  if (!list.ok())
    return make_error(Code::kValidation,
                      "the revoked tokens file " + path + ", " + list.error().message);
  return list;
}

Status ensure_revoked_tokens_file(const std::string& path) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd < 0 && errno == EEXIST) return ok_status();
  if (fd < 0) return io_error("cannot create the revoked tokens file", path);
  Status written = write_all(fd, kHeader, path);
  if (written.ok() && ::fsync(fd) != 0) written = io_error("cannot sync", path);
  ::close(fd);
  return written;
}

Result<bool> append_revoked_token(const std::string& path, std::string_view token_id) {
  TALLY_TRY(validate_token_id(token_id));
  TALLY_TRY(ensure_revoked_tokens_file(path));
  auto list = read_revoked_tokens_file(path);
  if (!list.ok()) return std::move(list).error();
  if (list->contains(token_id)) return false;
  const int fd = ::open(path.c_str(), O_RDWR | O_APPEND | O_CLOEXEC);
  if (fd < 0) return io_error("cannot open the revoked tokens file", path);
  // A file whose last line has no newline gets one first, so the id stays a line of its own.
  std::string line;
  struct stat st {};
  char last = '\n';
  if (::fstat(fd, &st) == 0 && st.st_size > 0 && ::pread(fd, &last, 1, st.st_size - 1) == 1 &&
      last != '\n')
    line = "\n";
  line.append(token_id);
  line.push_back('\n');
  Status written = write_all(fd, line, path);
  if (written.ok() && ::fsync(fd) != 0) written = io_error("cannot sync", path);
  ::close(fd);
  if (!written.ok()) return std::move(written).error();
  return true;
}

}  // namespace tally::auth
