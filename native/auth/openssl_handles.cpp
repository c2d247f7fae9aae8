#include "native/auth/openssl_handles.hpp"

#include <openssl/err.h>

namespace tally::auth {

std::string take_openssl_error() {
  unsigned long code = ERR_get_error();
  ERR_clear_error();
  if (code == 0) return "no OpenSSL error";
  char text[256];
  ERR_error_string_n(code, text, sizeof text);
  return text;
}

}  // namespace tally::auth
