// The teardown of libraft's kernel AIO contexts, moved off the thread that calls it.
//
// libraft writes its log segments through Linux AIO, one context per open segment, and
// destroys the context when it closes the segment (UvWriter's close, on the loop that also runs
// Raft and the HTTP API). io_destroy(2) then waits for an RCU grace period before it returns:
// 30-50 ms of the loop's time on this 2-core machine, once per closed segment, with nothing of
// the node's own to do meanwhile (`perf sched timehist` of the loop-stall case:
// bench/results/liveness.md). The linker redirects libraft's calls here (--wrap, set by
// native/raft/CMakeLists.txt against libraft's static archive); the context is destroyed on a
// short-lived detached thread and the caller goes on.
//
// Safe because libraft never uses a context after asking for its destruction: the segment's
// writes have all completed or been cancelled by then. What changes: a failed destroy is no
// longer reported to libraft (it ignores the result when closing a segment; only its start-up
// probe reads it), and the context lives a grace period longer. A context still being torn
// down when the process exits is released by the kernel with the process.
#include <linux/aio_abi.h>
#include <pthread.h>

#include <cstdint>

extern "C" {

int __real_UvOsIoDestroy(aio_context_t ctx);

namespace {

void* destroy_context(void* arg) {
  __real_UvOsIoDestroy(static_cast<aio_context_t>(reinterpret_cast<std::uintptr_t>(arg)));
  return nullptr;
}

}  // namespace

int __wrap_UvOsIoDestroy(aio_context_t ctx) {
  static_assert(sizeof(aio_context_t) <= sizeof(void*));
  pthread_attr_t attr;
  if (::pthread_attr_init(&attr) != 0) return __real_UvOsIoDestroy(ctx);
  pthread_t thread;
  ::pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
  ::pthread_attr_setstacksize(&attr, 256 * 1024);
  const int created = ::pthread_create(&thread, &attr, destroy_context,
                                       reinterpret_cast<void*>(static_cast<std::uintptr_t>(ctx)));
  ::pthread_attr_destroy(&attr);
  // No thread to be had (a process at its limit): destroyed here, as libraft would.
  if (created != 0) return __real_UvOsIoDestroy(ctx);
  return 0;
}

}  // extern "C"
