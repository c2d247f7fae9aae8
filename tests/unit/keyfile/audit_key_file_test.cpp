// Audit key files: created 0600 with 32 random bytes, never overwritten, refused when others
// may read them or when they hold anything but 32 bytes.
#include <sys/stat.h>

#include <catch2/catch.hpp>
#include <fstream>

#include "native/keyfile/audit_key_file.hpp"
#include "tests/support/temp_dir.hpp"

namespace tally {
namespace {

using testing::TempDir;

void write_file(const std::string& path, const std::string& bytes, mode_t mode) {
  std::ofstream(path, std::ios::binary) << bytes;
  ::chmod(path.c_str(), mode);
}

TEST_CASE("a new audit key file is 32 random bytes of mode 0600 that read back", "[keyfile]") {
  TempDir dir;
  auto created = keyfile::create_audit_key_file(dir.file("audit.key"));
  REQUIRE(created.ok());
  struct stat status {};
  REQUIRE(::stat(dir.file("audit.key").c_str(), &status) == 0);
  CHECK((status.st_mode & 0777) == 0600);
  CHECK(status.st_size == 32);
  auto read = keyfile::read_audit_key_file(dir.file("audit.key"));
  REQUIRE(read.ok());
  CHECK(*read == *created);
  auto other = keyfile::create_audit_key_file(dir.file("other.key"));
  REQUIRE(other.ok());
  CHECK(*other != *created);  // random, not derived from anything
}

TEST_CASE("an existing audit key file is never overwritten", "[keyfile]") {
  TempDir dir;
  auto first = keyfile::create_audit_key_file(dir.file("audit.key"));
  REQUIRE(first.ok());
  auto second = keyfile::create_audit_key_file(dir.file("audit.key"));
  REQUIRE_FALSE(second.ok());
  CHECK(second.error().code == Code::kConfiguration);
  CHECK(*keyfile::read_audit_key_file(dir.file("audit.key")) == *first);
}

TEST_CASE("a key file others may read, or of another size, or missing, is refused", "[keyfile]") {
  TempDir dir;
  write_file(dir.file("open.key"), std::string(32, 'k'), 0644);
  auto open = keyfile::read_audit_key_file(dir.file("open.key"));
  REQUIRE_FALSE(open.ok());
  CHECK(open.error().code == Code::kConfiguration);
  CHECK_THAT(open.error().message, Catch::Contains("chmod 600") && Catch::Contains("644"));

  for (std::size_t size : {0u, 31u, 33u, 64u}) {
    INFO(size << " bytes");
    write_file(dir.file("sized.key"), std::string(size, 'k'), 0600);
    auto sized = keyfile::read_audit_key_file(dir.file("sized.key"));
    REQUIRE_FALSE(sized.ok());
    CHECK(sized.error().code == Code::kConfiguration);
  }
  write_file(dir.file("zero.key"), std::string(32, '\0'), 0600);
  CHECK_FALSE(keyfile::read_audit_key_file(dir.file("zero.key")).ok());
  CHECK_FALSE(keyfile::read_audit_key_file(dir.file("missing.key")).ok());
  write_file(dir.file("good.key"), std::string(32, 'k'), 0400);
  CHECK(keyfile::read_audit_key_file(dir.file("good.key")).ok());
}

}  // namespace
}  // namespace tally
