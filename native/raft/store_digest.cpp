#include "native/raft/store_digest.hpp"

namespace tally::replica {

Result<crypto::Digest> store_digest(const store::KeyValueStore& store,
                                    const std::function<bool()>& stop_requested) {
  constexpr std::uint64_t kRowsBetweenStopChecks = 4096;
  crypto::Sha256 hash;
  Bytes header;
  std::uint64_t rows = 0;
  bool stopped = false;
  TALLY_TRY(store::scan_range(store, ByteView(), ByteView(), [&](ByteView key, ByteView value) {
    header.clear();
    put_u64_le(header, key.size);
    hash.update(header);
    hash.update(key);
    header.clear();
    put_u64_le(header, value.size);
    hash.update(header);
    hash.update(value);
    stopped = ++rows % kRowsBetweenStopChecks == 0 && stop_requested && stop_requested();
    return !stopped;
  }));
  if (stopped) return make_error(Code::kStopped, "the digest was stopped before it finished");
  return hash.finish();
}

std::string digest_hex(const crypto::Digest& digest) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (std::uint8_t b : digest) {
    out.push_back(kHex[b >> 4]);
    out.push_back(kHex[b & 15]);
  }
  return out;
}

}  // namespace tally::replica
