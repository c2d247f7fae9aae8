// A small blocking HTTP/1.1 client for the `tally` CLI and the tests: one connection per
// request (Connection: close), bodies read to the end, 307/308 redirects followed (a bounded
// number of times) with the same method and body, as the API's followers expect. https://
// runs over TLS (tls_stream.hpp: the server's certificate verified under ca_file, or the
// system's trust store, and its host name or IP address); a redirect keeps the scheme, so an
// https:// request never continues over plain http://.
// Thread-compatible: each call is independent.
#pragma once

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "core/result.hpp"

namespace tally::cli {

struct HttpResponse {
  int status = 0;
  std::map<std::string, std::string> headers;  // lower-case names
  std::string body;
  std::string url;  // the URL that answered (after redirects)

  std::string header(const std::string& name) const {
    auto it = headers.find(name);
    return it == headers.end() ? std::string() : it->second;
  }
};

struct HttpRequest {
  std::string method = "GET";
  std::string url;      // http[s]://host:port/path?query
  std::string ca_file;  // https: the CA the server's chain must verify under ("": the system's)
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
  int timeout_ms = 10000;
  int redirects_max = 5;
};

// kStorage errors (connection refused, timeout, malformed answer) with the URL in the message;
// kConfiguration when an https:// server's certificate does not verify (never worth a retry).
Result<HttpResponse> http_call(const HttpRequest& request);

// Whether a redirect from the URL `from` to `location` is followed: an absolute URL of the
// same scheme.
bool follows_redirect(const std::string& from, const std::string& location);

// "http://host:port" + "/v2/..." with a trailing slash of the base dropped.
std::string join_url(const std::string& base, const std::string& path);

}  // namespace tally::cli
