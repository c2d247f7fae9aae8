// Measurement helpers for the benchmark: a monotonic clock, process counters read from
// /proc/self (RSS, bytes and write calls), heap usage, and percentiles.
// Native only (bench/ is not part of the core).
#pragma once

#include <chrono>
#include <cstdint>
#include <vector>

namespace tally::bench {

using Clock = std::chrono::steady_clock;

inline double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

inline std::uint64_t nanos_between(Clock::time_point a, Clock::time_point b) {
  return static_cast<std::uint64_t>(
      std::chrono::duration_cast<std::chrono::nanoseconds>(b - a).count());
}

// What the kernel counted for this process (/proc/self/io): bytes handed to write-like
// calls (wchar) and the number of those calls (syscw).
struct IoCounters {
  std::uint64_t write_bytes = 0;
  std::uint64_t write_calls = 0;
};
IoCounters read_io();

std::uint64_t rss_bytes();   // resident set size now (/proc/self/statm)
std::uint64_t heap_bytes();  // bytes in use by malloc (jemalloc's stats, else glibc mallinfo2)
void trim_heap();            // return freed memory to the system before an RSS reading

// Latency percentiles over a sample (nanoseconds); sorts the vector.
struct Percentiles {
  double p50_us = 0;
  double p99_us = 0;
  double max_us = 0;
};
Percentiles percentiles(std::vector<std::uint64_t>& samples_ns);

}  // namespace tally::bench
