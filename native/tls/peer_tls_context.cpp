#include "native/tls/peer_tls_context.hpp"

#include <openssl/x509_vfy.h>

#include "native/auth/pki.hpp"

namespace tally::tls {

namespace {

Error refused(const std::string& what) {
  return make_error(Code::kConfiguration, "peer TLS: " + what);
}

// Verifies certificate under ca alone, as a peer will.
Status verify_own_chain(X509* certificate, X509* ca, const std::string& path) {
  std::unique_ptr<X509_STORE, void (*)(X509_STORE*)> store(X509_STORE_new(), X509_STORE_free);
  std::unique_ptr<X509_STORE_CTX, void (*)(X509_STORE_CTX*)> context(X509_STORE_CTX_new(),
                                                                     X509_STORE_CTX_free);
  if (!store || !context || X509_STORE_add_cert(store.get(), ca) != 1 ||
      X509_STORE_CTX_init(context.get(), store.get(), certificate, nullptr) != 1)
    return refused(auth::take_openssl_error());
  if (X509_verify_cert(context.get()) != 1) {
    return refused("certificate " + path + " does not verify under the cluster CA: " +
                   X509_verify_cert_error_string(X509_STORE_CTX_get_error(context.get())));
  }
  return ok_status();
}

Result<auth::SslContextHandle> new_context(X509* certificate, EVP_PKEY* key, X509* ca) {
  auth::SslContextHandle context(SSL_CTX_new(TLS_method()));
  if (!context) return refused(auth::take_openssl_error());
  SSL_CTX* ctx = context.get();
  bool ok = SSL_CTX_set_min_proto_version(ctx, TLS1_3_VERSION) == 1 &&
            SSL_CTX_use_certificate(ctx, certificate) == 1 &&
            SSL_CTX_use_PrivateKey(ctx, key) == 1 && SSL_CTX_check_private_key(ctx) == 1 &&
            X509_STORE_add_cert(SSL_CTX_get_cert_store(ctx), ca) == 1 &&
            SSL_CTX_set_num_tickets(ctx, 0) == 1;
  if (!ok) return refused(auth::take_openssl_error());
  SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, nullptr);
  SSL_CTX_set_verify_depth(ctx, 1);  // node certificate, then the CA: nothing in between
  SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
  return context;
}

}  // namespace

Result<std::shared_ptr<PeerTlsContext>> PeerTlsContext::load(const auth::PeerCredentials& files,
                                                             const auth::PeerIdentity& self) {
  TALLY_TRY(auth::validate_cluster_id_for_certificates(self.cluster_id));
  auto certificate = auth::read_certificate(files.certificate);
  if (!certificate.ok()) return std::move(certificate).error();
  auto key = auth::read_private_key(files.key);
  if (!key.ok()) return std::move(key).error();
  auto ca = auth::read_certificate(files.ca);
  if (!ca.ok()) return std::move(ca).error();
  TALLY_TRY(verify_own_chain(certificate->get(), ca->get(), files.certificate));
  auto named = auth::identity_of(certificate->get());
  if (!named.ok())
    return refused("certificate " + files.certificate + ": " + named.error().message);
  if (!(*named == self)) {
    return refused("certificate " + files.certificate + " names " + auth::identity_uri(*named) +
                   ", this node is " + auth::identity_uri(self));
  }
  auto context = new_context(certificate->get(), key->get(), ca->get());
  if (!context.ok()) return std::move(context).error();
  return std::shared_ptr<PeerTlsContext>(new PeerTlsContext(std::move(context).value(), self));
}

Result<std::uint64_t> PeerTlsContext::verified_peer(SSL* ssl,
                                                    std::optional<std::uint64_t> expected) const {
  if (SSL_get_verify_result(ssl) != X509_V_OK)
    return make_error(Code::kValidation, "the peer's certificate did not verify");
  X509* certificate = SSL_get0_peer_certificate(ssl);
  if (certificate == nullptr) return make_error(Code::kValidation, "the peer sent no certificate");
  auto identity = auth::identity_of(certificate);
  if (!identity.ok()) return std::move(identity).error();
  if (identity->cluster_id != self_.cluster_id) {
    return make_error(Code::kValidation, "the peer's certificate names cluster \"" +
                                             identity->cluster_id + "\", not \"" +
                                             self_.cluster_id + "\"");
  }
  if (expected && identity->node_id != *expected) {
    return make_error(Code::kValidation, "the peer's certificate names node " +
                                             std::to_string(identity->node_id) + ", not node " +
                                             std::to_string(*expected));
  }
  return identity->node_id;
}

}  // namespace tally::tls
