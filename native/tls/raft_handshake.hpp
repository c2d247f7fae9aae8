// libraft's connection handshake (its uv_tcp transport, protocol 1), which our transport
// sends inside TLS so that libraft's peers see the same thing whichever transport runs:
//
//   [protocol u64 = 1][server id u64][address length u64][address, NUL-terminated, padded
//   with zeros to a multiple of 8 bytes]
//
// All integers little-endian (libraft writes them with its byte-order helpers). The listener
// reads the 24-byte preamble, then the address. The address length is untrusted: a length
// over kAddressBytesMax, not a multiple of 8, or an address with no NUL is refused before
// anything is allocated for it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "core/bytes.hpp"
#include "core/result.hpp"
#include "native/limits.hpp"

namespace tally::tls {

inline constexpr std::uint64_t kRaftHandshakeProtocol = 1;
inline constexpr std::size_t kRaftPreambleBytes = 24;

struct RaftHello {
  std::uint64_t id = 0;
  std::string address;
};

Bytes encode_raft_hello(const RaftHello& hello);

// Decodes from the front of bytes: none while more bytes are needed, else the hello and the
// number of bytes it took (what follows is libraft's first message). kValidation when the
// bytes cannot be a handshake.
struct DecodedHello {
  RaftHello hello;
  std::size_t consumed = 0;
};
Result<std::optional<DecodedHello>> decode_raft_hello(ByteView bytes);

}  // namespace tally::tls
