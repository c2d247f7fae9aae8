#include "native/keyfile/token_key_file.hpp"

#include "native/keyfile/secret_file.hpp"

namespace tally::keyfile {

namespace {

constexpr const char* kWhat = "token key file";

}  // namespace

Result<Bytes> read_token_key_file(const std::string& path) {
  auto bytes = read_secret_file(path, kWhat, kTokenKeyBytes);
  if (!bytes.ok()) return std::move(bytes).error();
  if (bytes->size() != kTokenKeyBytes) {
    return make_error(Code::kConfiguration, std::string(kWhat) + " " + path + ": holds " +
                                                std::to_string(bytes->size()) + " bytes, not " +
                                                std::to_string(kTokenKeyBytes));
  }
  return bytes;
}

Result<Bytes> create_token_key_file(const std::string& path) {
  auto bytes = random_bytes(kTokenKeyBytes, std::string(kWhat) + " " + path);
  if (!bytes.ok()) return std::move(bytes).error();
  TALLY_TRY(create_file(path, kWhat, *bytes));
  return bytes;
}

}  // namespace tally::keyfile
