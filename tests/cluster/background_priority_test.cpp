// [raft] A snapshot's copy and digests run below the loops' priority
// (native/raft/background_priority.hpp): on a thread of their own at nice 19, while the
// calling thread keeps its own priority.
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cerrno>

#include "native/raft/background_priority.hpp"

namespace tally::testing {
namespace {

long thread_id() {
  return ::syscall(SYS_gettid);
}

int nice_of(long tid) {
  errno = 0;
  const int value = ::getpriority(PRIO_PROCESS, static_cast<id_t>(tid));
  REQUIRE(errno == 0);
  return value;
}

TEST_CASE("background work runs at nice 19 on its own thread and leaves the caller's priority",
          "[raft][native]") {
  const long caller = thread_id();
  const int caller_nice = nice_of(caller);
  REQUIRE(caller_nice < 19);  // otherwise the case shows nothing
  long worker = 0;
  int worker_nice = 0;
  bool ran = false;
  replica::run_at_background_priority([&] {
    worker = thread_id();
    worker_nice = nice_of(worker);
    ran = true;
  });
  CHECK(ran);  // done when the call returns
  CHECK(worker != caller);
  CHECK(worker_nice == 19);
  CHECK(nice_of(caller) == caller_nice);
}

}  // namespace
}  // namespace tally::testing
