#include "native/raft/background_priority.hpp"

#include <pthread.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

namespace tally::replica {

namespace {

constexpr int kBackgroundNice = 19;

void* run_work(void* arg) {
  // PRIO_PROCESS with a thread id sets that thread's nice value (Linux): best effort, the
  // work runs either way.
  (void)::setpriority(PRIO_PROCESS, static_cast<id_t>(::syscall(SYS_gettid)), kBackgroundNice);
  (*static_cast<const std::function<void()>*>(arg))();
  return nullptr;
}

}  // namespace

void run_at_background_priority(const std::function<void()>& work) {
  pthread_t thread;
  if (::pthread_create(&thread, nullptr, run_work,
                       const_cast<void*>(static_cast<const void*>(&work))) != 0) {
    work();
    return;
  }
  ::pthread_join(thread, nullptr);
}

}  // namespace tally::replica
