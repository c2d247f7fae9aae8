#include "native/tls/raft_handshake.hpp"
#include "native/limits.hpp"

#include <cstring>

namespace tally::tls {

namespace {

void put_u64(Bytes& out, std::uint64_t value) {
  for (int i = 0; i < 8; ++i)
    out.push_back(static_cast<std::uint8_t>(value >> (8 * i)));
}

std::uint64_t get_u64(ByteView bytes, std::size_t at) {
  std::uint64_t value = 0;
  for (int i = 0; i < 8; ++i)
    value |= static_cast<std::uint64_t>(bytes[at + static_cast<std::size_t>(i)]) << (8 * i);
  return value;
}

std::size_t padded_length(const std::string& address) {
  return (address.size() + 1 + 7) / 8 * 8;  // the NUL, then zeros to a whole word
}

}  // namespace

Bytes encode_raft_hello(const RaftHello& hello) {
  Bytes out;
  const std::size_t length = padded_length(hello.address);
  out.reserve(kRaftPreambleBytes + length);
  put_u64(out, kRaftHandshakeProtocol);
  put_u64(out, hello.id);
  put_u64(out, length);
  out.insert(out.end(), hello.address.begin(), hello.address.end());
  out.resize(kRaftPreambleBytes + length, 0);
  return out;
}

Result<std::optional<DecodedHello>> decode_raft_hello(ByteView bytes) {
  using Decoded = std::optional<DecodedHello>;
  if (bytes.size < kRaftPreambleBytes) return Decoded();
  const std::uint64_t protocol = get_u64(bytes, 0);
  const std::uint64_t id = get_u64(bytes, 8);
  const std::uint64_t length = get_u64(bytes, 16);
  if (protocol != kRaftHandshakeProtocol)
    return make_error(Code::kValidation, "raft handshake: protocol " + std::to_string(protocol));
  if (id == 0) return make_error(Code::kValidation, "raft handshake: server id 0");
  if (length == 0 || length > limits::kPeerAddressBytesMax || length % 8 != 0)
    return make_error(Code::kValidation,
                      "raft handshake: address length " + std::to_string(length));
  if (bytes.size < kRaftPreambleBytes + length) return Decoded();
  const char* address = reinterpret_cast<const char*>(bytes.data + kRaftPreambleBytes);
  const std::size_t text = ::strnlen(address, length);
  if (text == length) return make_error(Code::kValidation, "raft handshake: unterminated address");
  return Decoded(DecodedHello{{id, std::string(address, text)}, kRaftPreambleBytes + length});
}

}  // namespace tally::tls
