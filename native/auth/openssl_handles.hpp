// Owning handles for OpenSSL objects (std::unique_ptr with the matching free function), and
// the text of OpenSSL's error queue for messages. Native only; not thread-safe per object.
#pragma once

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <memory>
#include <string>

namespace tally::auth {

template <class T, void (*Free)(T*)>
struct OpensslFree {
  void operator()(T* object) const { Free(object); }
};

using BioHandle = std::unique_ptr<BIO, OpensslFree<BIO, BIO_free_all>>;
using KeyHandle = std::unique_ptr<EVP_PKEY, OpensslFree<EVP_PKEY, EVP_PKEY_free>>;
using CertificateHandle = std::unique_ptr<X509, OpensslFree<X509, X509_free>>;
using SslContextHandle = std::unique_ptr<SSL_CTX, OpensslFree<SSL_CTX, SSL_CTX_free>>;
using SslHandle = std::unique_ptr<SSL, OpensslFree<SSL, SSL_free>>;

// The oldest error of this thread's OpenSSL error queue as text, and the queue emptied; "no
// OpenSSL error" when it is empty.
std::string take_openssl_error();

}  // namespace tally::auth
