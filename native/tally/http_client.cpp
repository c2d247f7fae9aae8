#include "native/tally/http_client.hpp"

#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <cstring>
#include <memory>

#include "native/tally/tls_stream.hpp"

namespace tally::cli {
namespace {

struct Url {
  bool tls = false;  // https://
  std::string host;
  std::string port;
  std::string target;  // path and query
};

Result<Url> parse_url(const std::string& url) {
  Url out;
  out.tls = url.rfind("https://", 0) == 0;
  const std::string scheme = out.tls ? "https://" : "http://";
  if (url.compare(0, scheme.size(), scheme) != 0)
    return make_error(Code::kValidation, "only http:// and https:// URLs are supported: " + url);
  std::size_t slash = url.find('/', scheme.size());
  std::string authority = url.substr(
      scheme.size(), slash == std::string::npos ? std::string::npos : slash - scheme.size());
  out.target = slash == std::string::npos ? "/" : url.substr(slash);
  std::size_t colon = authority.rfind(':');
  out.host = colon == std::string::npos ? authority : authority.substr(0, colon);
  out.port = colon != std::string::npos ? authority.substr(colon + 1) : out.tls ? "443" : "80";
  if (out.host.empty()) return make_error(Code::kValidation, "no host in " + url);
  return out;
}

std::string lower(std::string text) {
  for (char& c : text) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return text;
}

// A connected socket, and the TLS session over it for https://.
class Connection {
 public:
  ~Connection() {
    tls.reset();
    if (fd >= 0) ::close(fd);
  }
  long send(const char* data, std::size_t size) {
    return tls ? tls->write(data, size) : ::send(fd, data, size, MSG_NOSIGNAL);
  }
  long recv(char* data, std::size_t size) {
    return tls ? tls->read(data, size) : ::recv(fd, data, size, 0);
  }
  int fd = -1;
  std::unique_ptr<TlsStream> tls;
};

Result<HttpResponse> call_once(const HttpRequest& request) {
  auto url = parse_url(request.url);
  if (!url.ok()) return std::move(url).error();
  addrinfo hints{};
  hints.ai_family = AF_INET;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  if (::getaddrinfo(url->host.c_str(), url->port.c_str(), &hints, &found) != 0 || !found)
    return make_error(Code::kStorage, "cannot resolve " + url->host);
  Connection socket;
  socket.fd = ::socket(AF_INET, SOCK_STREAM, 0);
  timeval timeout{request.timeout_ms / 1000, (request.timeout_ms % 1000) * 1000};
  ::setsockopt(socket.fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
  ::setsockopt(socket.fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof timeout);
  int one = 1;
  ::setsockopt(socket.fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  const int connected = ::connect(socket.fd, found->ai_addr, found->ai_addrlen);
  ::freeaddrinfo(found);
  if (connected != 0)
    return make_error(Code::kStorage,
                      "cannot connect to " + request.url + ": " + std::strerror(errno));
  if (url->tls) {
    auto tls = TlsStream::connect(socket.fd, url->host, request.ca_file, request.url);
    if (!tls.ok()) return std::move(tls).error();
    socket.tls = std::move(tls).value();
  }
  std::string text = request.method + " " + url->target + " HTTP/1.1\r\nHost: " + url->host + ":" +
                     url->port + "\r\nConnection: close\r\n";
  bool typed = false;  // the caller named its own Content-Type
  for (const auto& [name, value] : request.headers) {
    text += name + ": " + value + "\r\n";
    typed = typed || strcasecmp(name.c_str(), "content-type") == 0;
  }
  if (!request.body.empty() || request.method == "POST" || request.method == "PUT") {
    if (!typed) text += "Content-Type: application/json\r\n";
    text += "Content-Length: " + std::to_string(request.body.size()) + "\r\n";
  }
  text += "\r\n";
  text += request.body;
  for (std::size_t sent = 0; sent < text.size();) {
    const long n = socket.send(text.data() + sent, text.size() - sent);
    if (n <= 0) break;  // the server may answer (413) before reading everything
    sent += static_cast<std::size_t>(n);
  }
  std::string answer;
  char buffer[16384];
  for (;;) {
    const long n = socket.recv(buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && answer.empty())
      return make_error(Code::kStorage,
                        "no answer from " + request.url + ": " + std::strerror(errno));
    if (n <= 0) break;
    answer.append(buffer, static_cast<std::size_t>(n));
  }
  std::size_t head_end = answer.find("\r\n\r\n");
  if (head_end == std::string::npos || answer.compare(0, 5, "HTTP/") != 0)
    return make_error(Code::kStorage, "malformed answer from " + request.url);
  HttpResponse response;
  response.url = request.url;
  response.status = std::atoi(answer.c_str() + answer.find(' ') + 1);
  std::size_t line = answer.find("\r\n") + 2;
  while (line < head_end) {
    std::size_t end = answer.find("\r\n", line);
    std::string header = answer.substr(line, end - line);
    std::size_t colon = header.find(':');
    if (colon != std::string::npos) {
      std::size_t value = header.find_first_not_of(' ', colon + 1);
      response.headers[lower(header.substr(0, colon))] =
          value == std::string::npos ? "" : header.substr(value);
    }
    line = end + 2;
  }
  response.body = answer.substr(head_end + 4);
  auto length = response.headers.find("content-length");
  if (length != response.headers.end()) {
    std::size_t bytes = std::strtoull(length->second.c_str(), nullptr, 10);
    if (response.body.size() < bytes)
      return make_error(Code::kStorage, "truncated answer from " + request.url);
    response.body.resize(bytes);
  }
  return response;
}

}  // namespace

std::string join_url(const std::string& base, const std::string& path) {
  std::string out = base;
  while (!out.empty() && out.back() == '/')
    out.pop_back();
  return out + path;
}

bool follows_redirect(const std::string& from, const std::string& location) {
  const bool secure = from.rfind("https://", 0) == 0;
  return location.rfind(secure ? "https://" : "http://", 0) == 0;
}

Result<HttpResponse> http_call(const HttpRequest& request) {
  HttpRequest current = request;
  for (int hop = 0;; ++hop) {
    auto response = call_once(current);
    if (!response.ok()) return response;
    const int status = response.value().status;
    if ((status != 307 && status != 308) || hop >= request.redirects_max) return response;
    std::string location = response.value().header("location");
    if (!follows_redirect(current.url, location)) return response;
    current.url = location;
  }
}

}  // namespace tally::cli
