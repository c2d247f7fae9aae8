// Prometheus text-format metrics of one node (/_tally/metrics): requests by route and status,
// a latency histogram per route, write verdicts, and what the node counts, read at render
// time: admissions by verdict, plan entries by CheckCache verdict, proposals in flight,
// applied entries (the apply rate) and index, cache rotations, generation and sizes,
// snapshots taken, installed and refused. Loop thread
// only (no locking). Bounded: routes are the API's patterns, never raw paths.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <string>
#include <utility>

#include "native/raft/loop_stall_watch.hpp"
#include "native/raft/node.hpp"

namespace tally::http {

class Metrics {
 public:
  static constexpr std::array<double, 10> kBucketsSeconds = {0.0005, 0.001, 0.0025, 0.005, 0.01,
                                                             0.025,  0.05,  0.1,    0.5,   2.5};
  void record_request(const std::string& route, int status, double seconds);
  void record_write(std::string_view verdict);  // APPLIED, RETRY, NOT_LEADER, ...
  std::string render(const replica::Node& node, const replica::LoopStallWatch& stalls) const;

 private:
  struct Histogram {
    std::array<std::uint64_t, kBucketsSeconds.size()> buckets{};
    std::uint64_t count = 0;
    double sum = 0;
  };
  std::map<std::pair<std::string, int>, std::uint64_t> requests_;
  std::map<std::string, Histogram> latency_;
  std::map<std::string, std::uint64_t, std::less<>> writes_;
};

}  // namespace tally::http
