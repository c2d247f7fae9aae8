#include "native/http/open_connections.hpp"

#include <sys/socket.h>

#include <cstdlib>

namespace tally::http {

// The handle first, so that the uv_handle_t* h2o closes is the Connection's address.
struct OpenConnections::Connection {
  uv_tcp_t tcp;
  OpenConnections* owner;
};

uv_tcp_t* OpenConnections::open(uv_loop_t* loop) {
  auto* connection = static_cast<Connection*>(std::malloc(sizeof(Connection)));
  if (connection == nullptr) std::abort();
  uv_tcp_init(loop, &connection->tcp);
  connection->owner = this;
  open_.insert(connection);
  return &connection->tcp;
}

void OpenConnections::on_closed(uv_handle_t* handle) {
  auto* connection = reinterpret_cast<Connection*>(handle);
  if (connection->owner != nullptr) connection->owner->open_.erase(connection);
  std::free(connection);
}

void OpenConnections::drain() {
  for (Connection* connection : open_) {
    uv_os_fd_t fd = -1;
    if (uv_fileno(reinterpret_cast<uv_handle_t*>(&connection->tcp), &fd) == 0)
      ::shutdown(fd, SHUT_RD);
  }
}

bool OpenConnections::wait_closed(uv_loop_t* loop, std::uint64_t deadline_ms) {
  if (open_.empty()) return true;
  // A timer bounds the wait: the loop wakes at the deadline even when nothing else happens.
  uv_timer_t deadline{};
  bool expired = false;
  uv_timer_init(loop, &deadline);
  deadline.data = &expired;
  uv_timer_start(
      &deadline, [](uv_timer_t* timer) { *static_cast<bool*>(timer->data) = true; }, deadline_ms,
      0);
  while (!open_.empty() && !expired)
    uv_run(loop, UV_RUN_ONCE);
  uv_close(reinterpret_cast<uv_handle_t*>(&deadline), nullptr);
  uv_run(loop, UV_RUN_NOWAIT);  // the timer's close
  return open_.empty();
}

OpenConnections::~OpenConnections() {
  // Connections still open (wait_closed gave up) outlive this: their close forgets the owner.
  for (Connection* connection : open_)
    connection->owner = nullptr;
}

}  // namespace tally::http
