#include "native/tls/tls_channel.hpp"

#include <openssl/err.h>

namespace tally::tls {

Result<TlsChannel> TlsChannel::open(SSL_CTX* context, Role role) {
  auth::SslHandle ssl(SSL_new(context));
  BIO* input = BIO_new(BIO_s_mem());
  BIO* output = BIO_new(BIO_s_mem());
  if (!ssl || input == nullptr || output == nullptr) {
    BIO_free(input);
    BIO_free(output);
    return make_error(Code::kStorage, "TLS session: " + auth::take_openssl_error());
  }
  // An empty input buffer means "wait for more", not end of stream.
  BIO_set_mem_eof_return(input, -1);
  SSL_set_bio(ssl.get(), input, output);  // ssl owns both from here
  if (role == Role::kClient) {
    SSL_set_connect_state(ssl.get());
  } else {
    SSL_set_accept_state(ssl.get());
  }
  return TlsChannel(std::move(ssl), input, output);
}

void TlsChannel::feed(ByteView ciphertext) {
  // A memory BIO grows as needed: the write takes everything.
  if (ciphertext.size > 0) BIO_write(input_, ciphertext.data, static_cast<int>(ciphertext.size));
}

Error TlsChannel::failure(int rv, const char* during) const {
  const int kind = SSL_get_error(ssl_.get(), rv);
  if (kind == SSL_ERROR_ZERO_RETURN) return make_error(Code::kNotFound, "the peer closed TLS");
  std::string reason = auth::take_openssl_error();
  const long verify = SSL_get_verify_result(ssl_.get());
  if (verify != X509_V_OK)
    reason += " (" + std::string(X509_verify_cert_error_string(verify)) + ")";
  return make_error(Code::kValidation, std::string("TLS ") + during + ": " + reason);
}

Result<bool> TlsChannel::handshake() {
  ERR_clear_error();
  const int rv = SSL_do_handshake(ssl_.get());
  if (rv == 1) return true;
  const int kind = SSL_get_error(ssl_.get(), rv);
  if (kind == SSL_ERROR_WANT_READ || kind == SSL_ERROR_WANT_WRITE) return false;
  return failure(rv, "handshake");
}

Result<std::size_t> TlsChannel::read(std::uint8_t* out, std::size_t capacity) {
  ERR_clear_error();
  std::size_t got = 0;
  const int rv = SSL_read_ex(ssl_.get(), out, capacity, &got);
  if (rv == 1) return got;
  const int kind = SSL_get_error(ssl_.get(), rv);
  if (kind == SSL_ERROR_WANT_READ || kind == SSL_ERROR_WANT_WRITE) return std::size_t{0};
  return failure(rv, "read");
}

Status TlsChannel::write(ByteView plaintext) {
  ERR_clear_error();
  std::size_t written = 0;
  while (written < plaintext.size) {
    std::size_t put = 0;
    const int rv =
        SSL_write_ex(ssl_.get(), plaintext.data + written, plaintext.size - written, &put);
    if (rv != 1) return failure(rv, "write");
    written += put;
  }
  return ok_status();
}

Bytes TlsChannel::take_output() {
  const std::size_t pending = BIO_ctrl_pending(output_);
  Bytes out(pending);
  if (pending > 0) BIO_read(output_, out.data(), static_cast<int>(pending));
  return out;
}

}  // namespace tally::tls
