#include "bench/measure.hpp"

#include <malloc.h>
#include <unistd.h>
#ifdef TALLY_WITH_JEMALLOC
#include <jemalloc/jemalloc.h>
#endif

#include <algorithm>
#include <fstream>
#include <string>

namespace tally::bench {

IoCounters read_io() {
  IoCounters counters;
  std::ifstream in("/proc/self/io");
  std::string name;
  std::uint64_t value = 0;
  while (in >> name >> value) {
    if (name == "wchar:") counters.write_bytes = value;
    if (name == "syscw:") counters.write_calls = value;
  }
  return counters;
}

std::uint64_t rss_bytes() {
  std::ifstream in("/proc/self/statm");
  std::uint64_t size = 0, resident = 0;
  in >> size >> resident;
  return resident * static_cast<std::uint64_t>(sysconf(_SC_PAGESIZE));
}

#ifdef TALLY_WITH_JEMALLOC
// jemalloc's own counters: glibc's mallinfo2 would see none of its allocations.
std::uint64_t heap_bytes() {
  std::uint64_t epoch = 1;
  std::size_t size = sizeof epoch;
  mallctl("epoch", &epoch, &size, &epoch, size);  // refreshes the statistics
  std::size_t allocated = 0;
  size = sizeof allocated;
  if (mallctl("stats.allocated", &allocated, &size, nullptr, 0) != 0) return 0;
  return allocated;
}

void trim_heap() {
  // "arena.<MALLCTL_ARENAS_ALL>.purge": every arena's unused dirty pages back to the system.
  static_assert(MALLCTL_ARENAS_ALL == 4096, "the purge name spells MALLCTL_ARENAS_ALL");
  mallctl("arena.4096.purge", nullptr, nullptr, nullptr, 0);
}
#else
std::uint64_t heap_bytes() {
  struct mallinfo2 info = mallinfo2();
  return info.uordblks + info.hblkhd;
}

void trim_heap() {
  malloc_trim(0);
}
#endif

Percentiles percentiles(std::vector<std::uint64_t>& samples_ns) {
  Percentiles result;
  if (samples_ns.empty()) return result;
  std::sort(samples_ns.begin(), samples_ns.end());
  auto at = [&](double q) {
    std::size_t i = static_cast<std::size_t>(q * static_cast<double>(samples_ns.size() - 1));
    return static_cast<double>(samples_ns[i]) / 1000.0;
  };
  result.p50_us = at(0.50);
  result.p99_us = at(0.99);
  result.max_us = static_cast<double>(samples_ns.back()) / 1000.0;
  return result;
}

}  // namespace tally::bench
