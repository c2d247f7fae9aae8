// [raft] libraft's segment writers hand their kernel AIO contexts to
// native/raft/aio_context_teardown.cpp when they close: the call returns at once and the context
// is still destroyed, so contexts never pile up to the kernel's limit (io_setup would then fail
// and the node could open no new segment).
#include <linux/aio_abi.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cerrno>
#include <chrono>
#include <thread>
#include <vector>

// libraft's own entry point (src/uv_os.c); the link redirects it to the wrapper.
extern "C" int UvOsIoDestroy(aio_context_t ctx);

namespace tally::testing {
namespace {

aio_context_t new_context() {
  aio_context_t ctx = 0;
  REQUIRE(::syscall(SYS_io_setup, 1, &ctx) == 0);
  return ctx;
}

// io_getevents with nothing to wait for: 0 on a live context, EINVAL once it is destroyed.
bool alive(aio_context_t ctx) {
  io_event event{};
  timespec none{};
  const long rv = ::syscall(SYS_io_getevents, ctx, 0, 1, &event, &none);
  if (rv == -1) REQUIRE(errno == EINVAL);
  return rv == 0;
}

bool destroyed_within(aio_context_t ctx, std::chrono::seconds limit) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (alive(ctx)) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return true;
}

TEST_CASE("a closed segment's AIO context is destroyed off the caller's thread, never leaked",
          "[raft][native]") {
  const aio_context_t one = new_context();
  REQUIRE(alive(one));
  CHECK(UvOsIoDestroy(one) == 0);
  CHECK(destroyed_within(one, std::chrono::seconds(10)));

  // Many at once, as a node closing segments back to back hands them over.
  std::vector<aio_context_t> many;
  for (int i = 0; i < 64; ++i)
    many.push_back(new_context());
  int alive_on_return = 0;
  for (aio_context_t ctx : many) {
    CHECK(UvOsIoDestroy(ctx) == 0);
    if (alive(ctx)) ++alive_on_return;
  }
  // libraft's own call would have destroyed each before returning (an RCU grace period, ms);
  // handed over, they are still there when the call returns.
  CHECK(alive_on_return > 0);
  for (aio_context_t ctx : many)
    CHECK(destroyed_within(ctx, std::chrono::seconds(10)));
}

}  // namespace
}  // namespace tally::testing
