#include "native/auth/pki.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <openssl/ec.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509v3.h>

#include <fstream>
#include <iterator>
#include <vector>

#include "native/keyfile/secret_file.hpp"
#include "native/limits.hpp"

namespace tally::auth {

namespace {

constexpr long kValiditySeconds = 10L * 365 * 24 * 3600;
constexpr long kSkewSeconds = 3600;

Error failed(const std::string& what, const std::string& path) {
  return make_error(Code::kConfiguration, what + " " + path + ": " + take_openssl_error());
}

Result<KeyHandle> new_key() {
  KeyHandle key(EVP_EC_gen("P-256"));
  if (!key) return make_error(Code::kConfiguration, "EC key generation: " + take_openssl_error());
  return key;
}

// A certificate for key with a random 128-bit serial, the validity window and a subject of
// CN = common_name, O = cluster_id; issuer and signature are set by the caller.
Result<CertificateHandle> new_certificate(EVP_PKEY* key, const std::string& common_name,
                                          const std::string& cluster_id) {
  CertificateHandle certificate(X509_new());
  unsigned char serial_bytes[16];
  if (!certificate || RAND_bytes(serial_bytes, sizeof serial_bytes) != 1)
    return make_error(Code::kConfiguration, "certificate: " + take_openssl_error());
  serial_bytes[0] &= 0x7f;  // a positive serial
  std::unique_ptr<BIGNUM, void (*)(BIGNUM*)> serial(
      BN_bin2bn(serial_bytes, sizeof serial_bytes, nullptr), BN_free);
  X509_NAME* name = X509_get_subject_name(certificate.get());
  bool ok = X509_set_version(certificate.get(), X509_VERSION_3) == 1 && serial &&
            BN_to_ASN1_INTEGER(serial.get(), X509_get_serialNumber(certificate.get())) &&
            X509_gmtime_adj(X509_getm_notBefore(certificate.get()), -kSkewSeconds) &&
            X509_gmtime_adj(X509_getm_notAfter(certificate.get()), kValiditySeconds) &&
            X509_set_pubkey(certificate.get(), key) == 1 &&
            X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
                                       reinterpret_cast<const unsigned char*>(common_name.c_str()),
                                       -1, -1, 0) == 1 &&
            X509_NAME_add_entry_by_txt(name, "O", MBSTRING_UTF8,
                                       reinterpret_cast<const unsigned char*>(cluster_id.c_str()),
                                       -1, -1, 0) == 1;
  if (!ok) return make_error(Code::kConfiguration, "certificate: " + take_openssl_error());
  return certificate;
}

// One extension in OpenSSL's configuration syntax (values here are fixed strings).
bool add_extension(X509* certificate, X509* issuer, int nid, const char* value) {
  X509V3_CTX context;
  X509V3_set_ctx(&context, issuer, certificate, nullptr, nullptr, 0);
  X509_EXTENSION* extension = X509V3_EXT_conf_nid(nullptr, &context, nid, value);
  if (extension == nullptr) return false;
  bool added = X509_add_ext(certificate, extension, -1) == 1;
  X509_EXTENSION_free(extension);
  return added;
}

bool add_identity(X509* certificate, const PeerIdentity& identity) {
  const std::string uri = identity_uri(identity);
  GENERAL_NAMES* names = GENERAL_NAMES_new();
  GENERAL_NAME* name = GENERAL_NAME_new();
  ASN1_IA5STRING* text = ASN1_IA5STRING_new();
  bool ok = names != nullptr && name != nullptr && text != nullptr &&
            ASN1_STRING_set(text, uri.data(), static_cast<int>(uri.size())) == 1;
  if (ok) {
    GENERAL_NAME_set0_value(name, GEN_URI, text);
    text = nullptr;
    ok = sk_GENERAL_NAME_push(names, name) > 0;
    if (ok) name = nullptr;
  }
  ok =
      ok && X509_add1_ext_i2d(certificate, NID_subject_alt_name, names, 1, X509V3_ADD_DEFAULT) == 1;
  ASN1_IA5STRING_free(text);
  GENERAL_NAME_free(name);
  GENERAL_NAMES_free(names);
  return ok;
}

Result<Bytes> pem_of(int (*write)(BIO*, void*), void* object) {
  BioHandle bio(BIO_new(BIO_s_mem()));
  if (!bio || write(bio.get(), object) != 1)
    return make_error(Code::kConfiguration, "PEM encoding: " + take_openssl_error());
  char* data = nullptr;
  long size = BIO_get_mem_data(bio.get(), &data);
  return Bytes(reinterpret_cast<std::uint8_t*>(data), reinterpret_cast<std::uint8_t*>(data) + size);
}

Status write_pair(X509* certificate, EVP_PKEY* key, const CertificateFiles& files) {
  auto key_pem = pem_of(
      [](BIO* bio, void* k) {
        return PEM_write_bio_PrivateKey(bio, static_cast<EVP_PKEY*>(k), nullptr, nullptr, 0,
                                        nullptr, nullptr);
      },
      key);
  if (!key_pem.ok()) return std::move(key_pem).error();
  auto certificate_pem =
      pem_of([](BIO* bio, void* c) { return PEM_write_bio_X509(bio, static_cast<X509*>(c)); },
             certificate);
  if (!certificate_pem.ok()) return std::move(certificate_pem).error();
  TALLY_TRY(keyfile::create_file(files.key, "private key file", *key_pem, 0600));
  return keyfile::create_file(files.certificate, "certificate file", *certificate_pem, 0644);
}

Status sign(X509* certificate, EVP_PKEY* key, const std::string& path) {
  if (X509_sign(certificate, key, EVP_sha256()) == 0) return failed("signing", path);
  return ok_status();
}

// A leaf certificate over key, issued by issuer (null: itself): CA:FALSE, for the extended
// key usages given; the caller adds the names it carries.
Result<CertificateHandle> leaf_certificate(EVP_PKEY* key, const std::string& common_name,
                                           const std::string& cluster_id, X509* issuer,
                                           const char* usages) {
  auto certificate = new_certificate(key, common_name, cluster_id);
  if (!certificate.ok()) return std::move(certificate).error();
  X509* self = certificate->get();
  if (issuer == nullptr) issuer = self;
  bool ok = X509_set_issuer_name(self, X509_get_subject_name(issuer)) == 1 &&
            add_extension(self, issuer, NID_basic_constraints, "critical,CA:FALSE") &&
            add_extension(self, issuer, NID_key_usage, "critical,digitalSignature") &&
            add_extension(self, issuer, NID_ext_key_usage, usages) &&
            add_extension(self, issuer, NID_subject_key_identifier, "hash");
  if (!ok) return make_error(Code::kConfiguration, common_name + ": " + take_openssl_error());
  return certificate;
}

// A node certificate for identity over key, issued by issuer (null: itself).
Result<CertificateHandle> node_certificate(EVP_PKEY* key, const PeerIdentity& identity,
                                           X509* issuer) {
  auto certificate = leaf_certificate(key, "tally node " + std::to_string(identity.node_id),
                                      identity.cluster_id, issuer, "serverAuth,clientAuth");
  if (!certificate.ok()) return std::move(certificate).error();
  if (!add_identity(certificate->get(), identity))
    return make_error(Code::kConfiguration, "node certificate: " + take_openssl_error());
  return certificate;
}

// "IP:a,DNS:b,...": the subjectAltName value naming hosts (each an IP address or a DNS name).
Result<std::string> alt_names_of(const std::vector<std::string>& hosts) {
  std::string names;
  for (const std::string& host : hosts) {
    unsigned char address[sizeof(in6_addr)];
    const bool ip = inet_pton(AF_INET, host.c_str(), address) == 1 ||
                    inet_pton(AF_INET6, host.c_str(), address) == 1;
    const bool dns = !host.empty() && host.size() <= 253 &&
                     host.find_first_not_of(
                         "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                         "0123456789.-") == std::string::npos;
    if (!ip && !dns)
      return make_error(Code::kConfiguration, "API certificate: \"" + host +
                                                  "\" is neither an IP address nor a host name");
    names += (names.empty() ? "" : ",") + std::string(ip ? "IP:" : "DNS:") + host;
  }
  if (names.empty()) return make_error(Code::kConfiguration, "API certificate: no host to name");
  return names;
}

// Signs certificate (over key) with the CA at ca and writes both to files.
Status issue_under_ca(const CertificateFiles& ca, X509* certificate, EVP_PKEY* key,
                      const CertificateFiles& files) {
  auto ca_certificate = read_certificate(ca.certificate);
  if (!ca_certificate.ok()) return std::move(ca_certificate).error();
  auto ca_key = read_private_key(ca.key);
  if (!ca_key.ok()) return std::move(ca_key).error();
  if (X509_set_issuer_name(certificate, X509_get_subject_name(ca_certificate->get())) != 1 ||
      !add_extension(certificate, ca_certificate->get(), NID_authority_key_identifier,
                     "keyid:always"))
    return failed("certificate", files.certificate);
  TALLY_TRY(sign(certificate, ca_key->get(), files.certificate));
  return write_pair(certificate, key, files);
}

}  // namespace

Status create_cluster_ca(const CertificateFiles& ca, const std::string& cluster_id) {
  TALLY_TRY(validate_cluster_id_for_certificates(cluster_id));
  auto key = new_key();
  if (!key.ok()) return std::move(key).error();
  auto certificate = new_certificate(key->get(), "tally cluster CA", cluster_id);
  if (!certificate.ok()) return std::move(certificate).error();
  X509* self = certificate->get();
  bool ok = X509_set_issuer_name(self, X509_get_subject_name(self)) == 1 &&
            add_extension(self, self, NID_basic_constraints, "critical,CA:TRUE,pathlen:0") &&
            add_extension(self, self, NID_key_usage, "critical,keyCertSign,cRLSign") &&
            add_extension(self, self, NID_subject_key_identifier, "hash");
  if (!ok) return failed("CA certificate", ca.certificate);
  TALLY_TRY(sign(self, key->get(), ca.certificate));
  return write_pair(self, key->get(), ca);
}

Status create_node_certificate(const CertificateFiles& ca, const PeerIdentity& identity,
                               const CertificateFiles& node) {
  TALLY_TRY(validate_cluster_id_for_certificates(identity.cluster_id));
  auto ca_certificate = read_certificate(ca.certificate);
  if (!ca_certificate.ok()) return std::move(ca_certificate).error();
  auto key = new_key();
  if (!key.ok()) return std::move(key).error();
  auto certificate = node_certificate(key->get(), identity, ca_certificate->get());
  if (!certificate.ok()) return std::move(certificate).error();
  return issue_under_ca(ca, certificate->get(), key->get(), node);
}

Status create_api_certificate(const CertificateFiles& ca, const ApiServerName& name,
                              const CertificateFiles& api) {
  TALLY_TRY(validate_cluster_id_for_certificates(name.cluster_id));
  auto alt_names = alt_names_of(name.hosts);
  if (!alt_names.ok()) return std::move(alt_names).error();
  auto ca_certificate = read_certificate(ca.certificate);
  if (!ca_certificate.ok()) return std::move(ca_certificate).error();
  auto key = new_key();
  if (!key.ok()) return std::move(key).error();
  auto certificate = leaf_certificate(key->get(), api_common_name(name.node_id), name.cluster_id,
                                      ca_certificate->get(), "serverAuth");
  if (!certificate.ok()) return std::move(certificate).error();
  if (!add_extension(certificate->get(), ca_certificate->get(), NID_subject_alt_name,
                     alt_names->c_str()))
    return failed("API certificate", api.certificate);
  return issue_under_ca(ca, certificate->get(), key->get(), api);
}

std::string api_common_name(std::uint64_t node_id) {
  return "tally node " + std::to_string(node_id) + " API";
}

Status create_self_signed_node_certificate(const PeerIdentity& identity,
                                           const CertificateFiles& node) {
  auto key = new_key();
  if (!key.ok()) return std::move(key).error();
  auto certificate = node_certificate(key->get(), identity, nullptr);
  if (!certificate.ok()) return std::move(certificate).error();
  TALLY_TRY(sign(certificate->get(), key->get(), node.certificate));
  return write_pair(certificate->get(), key->get(), node);
}

Result<CertificateHandle> read_certificate(const std::string& path) {
  std::ifstream file(path, std::ios::binary);
  if (!file) return make_error(Code::kConfiguration, "certificate file " + path + ": cannot open");
  std::string text((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
  if (text.size() > limits::kPemBytesMax)
    return make_error(Code::kConfiguration, "certificate file " + path + ": too large");
  BioHandle bio(BIO_new_mem_buf(text.data(), static_cast<int>(text.size())));
  CertificateHandle certificate(bio ? PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr)
                                    : nullptr);
  if (!certificate) return failed("certificate file", path);
  return certificate;
}

Result<KeyHandle> read_private_key(const std::string& path) {
  auto pem = keyfile::read_secret_file(path, "private key file", limits::kPemBytesMax);
  if (!pem.ok()) return std::move(pem).error();
  BioHandle bio(BIO_new_mem_buf(pem->data(), static_cast<int>(pem->size())));
  KeyHandle key(bio ? PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr) : nullptr);
  OPENSSL_cleanse(pem->data(), pem->size());
  if (!key) return failed("private key file", path);
  return key;
}

}  // namespace tally::auth
