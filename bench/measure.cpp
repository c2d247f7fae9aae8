#include "bench/measure.hpp"

#include <malloc.h>
#include <unistd.h>

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

std::uint64_t heap_bytes() {
  struct mallinfo2 info = mallinfo2();
  return info.uordblks + info.hblkhd;
}

void trim_heap() {
  malloc_trim(0);
}

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
