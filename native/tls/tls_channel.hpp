// TlsChannel: one TLS session over memory buffers, with no socket of its own (OpenSSL memory
// BIOs). The connection feeds it the bytes the network delivered and sends what it hands
// out; in between it holds the session's state. Knows nothing of libuv or libraft, so the
// whole TLS exchange can be driven and tested in memory.
//
// Every call is non-blocking: a handshake or a read that needs more network bytes says so
// and waits for the next feed(). A fatal TLS error (a certificate that does not verify, a
// bad record, a close_notify from the peer) is an Error naming the reason; the session is
// then unusable. Not thread-safe; move-only.
#pragma once

#include <cstdint>
#include <string>

#include "core/bytes.hpp"
#include "core/result.hpp"
#include "native/auth/openssl_handles.hpp"

namespace tally::tls {

class TlsChannel {
 public:
  enum class Role { kClient, kServer };

  static Result<TlsChannel> open(SSL_CTX* context, Role role);

  // Bytes received from the network.
  void feed(ByteView ciphertext);
  // Steps the handshake: true once complete, false while it waits for more network bytes.
  Result<bool> handshake();
  // Plaintext received, up to capacity bytes: 0 when none is ready yet.
  Result<std::size_t> read(std::uint8_t* out, std::size_t capacity);
  // Encrypts plaintext for the peer. REQUIRES: the handshake is complete.
  Status write(ByteView plaintext);
  // The bytes to send to the network, taken out of the channel (empty when none).
  Bytes take_output();

  SSL* ssl() const { return ssl_.get(); }

 private:
  explicit TlsChannel(auth::SslHandle ssl, BIO* input, BIO* output)
      : ssl_(std::move(ssl)), input_(input), output_(output) {}
  Error failure(int rv, const char* during) const;

  auth::SslHandle ssl_;
  BIO* input_;   // owned by ssl_: network bytes for OpenSSL to read
  BIO* output_;  // owned by ssl_: bytes OpenSSL wrote for the network
};

}  // namespace tally::tls
