#include "native/tls/api_tls_context.hpp"

namespace tally::tls {

Result<std::shared_ptr<SSL_CTX>> load_api_tls_context(const auth::CertificateFiles& files) {
  auto certificate = auth::read_certificate(files.certificate);
  if (!certificate.ok()) return std::move(certificate).error();
  auto key = auth::read_private_key(files.key);
  if (!key.ok()) return std::move(key).error();
  std::shared_ptr<SSL_CTX> context(SSL_CTX_new(TLS_server_method()), SSL_CTX_free);
  if (!context) return make_error(Code::kConfiguration, "API TLS: " + auth::take_openssl_error());
  SSL_CTX* ctx = context.get();
  if (SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION) != 1 ||
      SSL_CTX_use_certificate(ctx, certificate->get()) != 1 ||
      SSL_CTX_use_PrivateKey(ctx, key->get()) != 1) {
    return make_error(Code::kConfiguration, "API TLS: " + files.certificate + ", " + files.key +
                                                ": " + auth::take_openssl_error());
  }
  if (SSL_CTX_check_private_key(ctx) != 1) {
    return make_error(Code::kConfiguration,
                      "API TLS: " + files.key + " is not the key of " + files.certificate);
  }
  SSL_CTX_set_options(ctx, SSL_OP_NO_RENEGOTIATION | SSL_OP_CIPHER_SERVER_PREFERENCE);
  return context;
}

}  // namespace tally::tls
