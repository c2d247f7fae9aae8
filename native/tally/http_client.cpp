#include "native/tally/http_client.hpp"

#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <cstring>

namespace tally::cli {
namespace {

struct Url {
  std::string host;
  std::string port;
  std::string target;  // path and query
};

Result<Url> parse_url(const std::string& url) {
  const std::string scheme = "http://";
  if (url.compare(0, scheme.size(), scheme) != 0)
    return make_error(Code::kValidation, "only http:// URLs are supported: " + url);
  std::size_t slash = url.find('/', scheme.size());
  std::string authority = url.substr(
      scheme.size(), slash == std::string::npos ? std::string::npos : slash - scheme.size());
  Url out;
  out.target = slash == std::string::npos ? "/" : url.substr(slash);
  std::size_t colon = authority.rfind(':');
  out.host = colon == std::string::npos ? authority : authority.substr(0, colon);
  out.port = colon == std::string::npos ? "80" : authority.substr(colon + 1);
  if (out.host.empty()) return make_error(Code::kValidation, "no host in " + url);
  return out;
}

std::string lower(std::string text) {
  for (char& c : text) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return text;
}

class Socket {
 public:
  ~Socket() {
    if (fd >= 0) ::close(fd);
  }
  int fd = -1;
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
  Socket socket;
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
    ssize_t n = ::send(socket.fd, text.data() + sent, text.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) break;  // the server may answer (413) before reading everything
    sent += static_cast<std::size_t>(n);
  }
  std::string answer;
  char buffer[16384];
  for (;;) {
    ssize_t n = ::recv(socket.fd, buffer, sizeof buffer, 0);
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

Result<HttpResponse> http_call(const HttpRequest& request) {
  HttpRequest current = request;
  for (int hop = 0;; ++hop) {
    auto response = call_once(current);
    if (!response.ok()) return response;
    const int status = response.value().status;
    if ((status != 307 && status != 308) || hop >= request.redirects_max) return response;
    std::string location = response.value().header("location");
    if (location.empty()) return response;
    current.url = location;
  }
}

}  // namespace tally::cli
