#include "native/tally/tls_stream.hpp"

#include <arpa/inet.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include <csignal>

namespace tally::cli {

namespace {

std::string openssl_error() {
  const unsigned long code = ERR_get_error();
  ERR_clear_error();
  if (code == 0) return "the connection closed during the handshake";
  char text[256];
  ERR_error_string_n(code, text, sizeof text);
  return text;
}

bool is_ip_address(const std::string& host) {
  unsigned char address[16];
  return inet_pton(AF_INET, host.c_str(), address) == 1 ||
         inet_pton(AF_INET6, host.c_str(), address) == 1;
}

}  // namespace

struct TlsStream::State {
  std::unique_ptr<SSL_CTX, void (*)(SSL_CTX*)> context{nullptr, SSL_CTX_free};
  std::unique_ptr<SSL, void (*)(SSL*)> ssl{nullptr, SSL_free};
};

TlsStream::TlsStream(std::unique_ptr<State> state) : state_(std::move(state)) {}
TlsStream::~TlsStream() = default;

Result<std::unique_ptr<TlsStream>> TlsStream::connect(int fd, const std::string& host,
                                                      const std::string& ca_file,
                                                      const std::string& url) {
  // OpenSSL writes with write(2): a node that closed its end would raise SIGPIPE and kill the
  // client. Ignored process-wide (as UvHost does for the node), so a write fails with EPIPE.
  std::signal(SIGPIPE, SIG_IGN);
  auto state = std::make_unique<State>();
  const std::string trust = ca_file.empty() ? "the system's trust store" : "the CA " + ca_file;
  state->context.reset(SSL_CTX_new(TLS_client_method()));
  SSL_CTX* ctx = state->context.get();
  if (ctx == nullptr || SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION) != 1)
    return make_error(Code::kStorage, "TLS to " + url + ": " + openssl_error());
  const int trusted = ca_file.empty()
                          ? SSL_CTX_set_default_verify_paths(ctx)
                          : SSL_CTX_load_verify_locations(ctx, ca_file.c_str(), nullptr);
  if (trusted != 1) {
    return make_error(Code::kConfiguration,
                      "cannot read " + trust + " to verify " + url + ": " + openssl_error());
  }
  SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, nullptr);
  // Bodies carry their Content-Length: a server that closes without close_notify after the
  // whole answer is no truncation attack.
  SSL_CTX_set_options(ctx, SSL_OP_IGNORE_UNEXPECTED_EOF);
  state->ssl.reset(SSL_new(ctx));
  SSL* ssl = state->ssl.get();
  const bool ip = is_ip_address(host);
  bool ok = ssl != nullptr && SSL_set_fd(ssl, fd) == 1;
  if (ok && ip) ok = X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), host.c_str()) == 1;
  if (ok && !ip)
    ok = SSL_set1_host(ssl, host.c_str()) == 1 && SSL_set_tlsext_host_name(ssl, host.c_str()) == 1;
  if (!ok) return make_error(Code::kStorage, "TLS to " + url + ": " + openssl_error());
  if (SSL_connect(ssl) != 1) {
    const long verified = SSL_get_verify_result(ssl);
    if (verified != X509_V_OK) {
      return make_error(Code::kConfiguration,
                        "refused " + url + ": its certificate does not verify under " + trust +
                            " (" + X509_verify_cert_error_string(verified) +
                            "); give the cluster's CA: --ca FILE, TALLY_CA_CERT or --cluster-dir");
    }
    return make_error(Code::kStorage, "TLS handshake with " + url + " failed: " + openssl_error());
  }
  return std::unique_ptr<TlsStream>(new TlsStream(std::move(state)));
}

long TlsStream::write(const char* data, std::size_t size) {
  std::size_t written = 0;
  if (SSL_write_ex(state_->ssl.get(), data, size, &written) != 1) {
    ERR_clear_error();
    return -1;
  }
  return static_cast<long>(written);
}

long TlsStream::read(char* data, std::size_t size) {
  std::size_t got = 0;
  if (SSL_read_ex(state_->ssl.get(), data, size, &got) == 1) return static_cast<long>(got);
  const int reason = SSL_get_error(state_->ssl.get(), 0);
  ERR_clear_error();
  return reason == SSL_ERROR_ZERO_RETURN ? 0 : -1;
}

}  // namespace tally::cli
