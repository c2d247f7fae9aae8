#include "native/keyfile/audit_key_file.hpp"

#include "native/keyfile/secret_file.hpp"

namespace tally::keyfile {

namespace {

constexpr const char* kWhat = "audit key file";

}  // namespace

Result<audit::AuditKey> read_audit_key_file(const std::string& path) {
  auto bytes = read_secret_file(path, kWhat, audit::kAuditKeyBytes);
  if (!bytes.ok()) return std::move(bytes).error();
  auto key = audit::audit_key_from_bytes(*bytes);
  if (!key.ok())
    return make_error(Code::kConfiguration,
                      std::string(kWhat) + " " + path + ": " + key.error().message);
  return key;
}

Result<audit::AuditKey> create_audit_key_file(const std::string& path) {
  auto bytes = random_bytes(audit::kAuditKeyBytes, std::string(kWhat) + " " + path);
  if (!bytes.ok()) return std::move(bytes).error();
  auto key = audit::audit_key_from_bytes(*bytes);  // 2^-256: all zeros
  if (!key.ok())
    return make_error(Code::kConfiguration,
                      std::string(kWhat) + " " + path + ": " + key.error().message);
  TALLY_TRY(create_file(path, kWhat, *bytes));
  return key;
}

}  // namespace tally::keyfile
