// A TCP port on 127.0.0.1 the kernel just handed out (free unless someone races us for it).
#pragma once

namespace tally::testing {

int free_port();

}  // namespace tally::testing
