#include "tests/support/death.hpp"

#ifdef TALLY_PORTABLE_TESTS
#include <catch2/catch.hpp>

namespace tally::testing {

// No fork in WebAssembly: death tests are tagged [native] and never reach this.
DeathReport run_in_child(const std::function<void()>&) {
  FAIL("death tests need fork(): tag the test case [native]");
  return {};
}

}  // namespace tally::testing
#else
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>

namespace tally::testing {

DeathReport run_in_child(const std::function<void()>& body) {
  int fds[2];
  if (pipe(fds) != 0) std::abort();
  pid_t pid = fork();
  if (pid == 0) {
    close(fds[0]);
    dup2(fds[1], STDERR_FILENO);
    signal(SIGABRT, SIG_DFL);  // Catch's handler would report the expected abort as a failure
    body();
    _exit(0);
  }
  close(fds[1]);
  DeathReport report;
  char buffer[4096];
  ssize_t n;
  while ((n = read(fds[0], buffer, sizeof buffer)) > 0)
    report.stderr_text.append(buffer, n);
  close(fds[0]);
  int status = 0;
  waitpid(pid, &status, 0);
  report.aborted = WIFSIGNALED(status) && WTERMSIG(status) == SIGABRT;
  return report;
}

}  // namespace tally::testing
#endif
