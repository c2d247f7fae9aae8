// The client end of one TLS session over a connected socket, for http_client.cpp's https://.
//
// TLS 1.2 or 1.3. The server's chain must verify under the CA file given (alone), or under the
// system's trust store when none is given, and name the host the URL names (its DNS name, or
// its IP address). A chain that does not is refused with kConfiguration naming the URL, the
// reason and where the CA comes from: nothing is sent to a server that is not the one meant.
#pragma once

#include <cstddef>
#include <memory>
#include <string>

#include "core/result.hpp"

namespace tally::cli {

class TlsStream {
 public:
  // Handshakes over fd (connected, blocking, owned by the caller and outliving the stream).
  static Result<std::unique_ptr<TlsStream>> connect(int fd, const std::string& host,
                                                    const std::string& ca_file,
                                                    const std::string& url);
  ~TlsStream();
  TlsStream(const TlsStream&) = delete;
  TlsStream& operator=(const TlsStream&) = delete;

  // As send(2) and recv(2): bytes moved, 0 at the end of the stream, -1 on an error.
  long write(const char* data, std::size_t size);
  long read(char* data, std::size_t size);

 private:
  struct State;
  explicit TlsStream(std::unique_ptr<State> state);
  std::unique_ptr<State> state_;
};

}  // namespace tally::cli
