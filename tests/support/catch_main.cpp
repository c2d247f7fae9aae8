#define CATCH_CONFIG_RUNNER
#include <catch2/catch.hpp>

#include <csignal>

int main(int argc, char** argv) {
#ifdef SIGPIPE
  // A test writes to nodes it kills or stops: a peer that closed its end must answer EPIPE,
  // as it does to tallyd and tally, not kill the whole test binary with SIGPIPE.
  std::signal(SIGPIPE, SIG_IGN);
#endif
  return Catch::Session().run(argc, argv);
}
