// LoopStallWatch: how late the event loop runs a timer due every kPeriodMs, which is how long
// some callback (Raft, HTTP, apply, a commit) held the loop. One loop runs Raft and the API:
// a stall past the election timeout deposes a healthy leader, so nothing proportional to the
// store may run on it (docs/operations.md "Loop stalls"). Exported as the histogram
// tally_loop_stall_seconds and, in /_tally/info, as the worst stall of the last minute.
// A late timer has two causes: the loop's own work, or a machine too busy to run the loop's
// thread. The CPU time the thread spent between two ticks tells them apart:
// tally_loop_busy_seconds is that time for each tick, the loop's own work.
#pragma once

#include <uv.h>

#include <array>
#include <cstdint>

namespace tally::replica {

class LoopStallWatch {
 public:
  static constexpr std::uint64_t kPeriodMs = 10;
  static constexpr std::array<double, 11> kBucketsSeconds = {0.001, 0.005, 0.01, 0.025, 0.05, 0.1,
                                                             0.25,  0.5,   1,    2.5,   5};
  // The worst stall is kept per window of kWindowNs; the last minute is kWindows of them.
  static constexpr std::uint64_t kWindowNs = 10'000'000'000;
  static constexpr std::size_t kWindows = 6;

  LoopStallWatch() = default;
  LoopStallWatch(const LoopStallWatch&) = delete;
  LoopStallWatch& operator=(const LoopStallWatch&) = delete;

  // Arms the timer on loop. close() stops it; its handle is released on the loop's next turn,
  // so the watch must outlive that turn.
  void start(uv_loop_t* loop);
  void close();

  // One observation: the timer ran late_ns after it was due, at now_ns (uv_hrtime's clock),
  // and the loop's thread ran busy_ns of CPU since the previous tick.
  void record(std::uint64_t late_ns, std::uint64_t busy_ns, std::uint64_t now_ns);

  // Cumulative, as Prometheus wants them: observations at or under each bucket's bound.
  const std::array<std::uint64_t, kBucketsSeconds.size()>& buckets() const { return buckets_; }
  std::uint64_t count() const { return count_; }
  double sum_seconds() const { return sum_seconds_; }
  // The worst stall observed in the minute before now_ns, in nanoseconds.
  std::uint64_t worst_last_minute_ns(std::uint64_t now_ns) const;
  // The same for the loop's own work (CPU time between two ticks).
  const std::array<std::uint64_t, kBucketsSeconds.size()>& busy_buckets() const {
    return busy_buckets_;
  }
  double busy_sum_seconds() const { return busy_sum_seconds_; }
  std::uint64_t busiest_last_minute_ns(std::uint64_t now_ns) const;

 private:
  static void on_timer(uv_timer_t* timer);

  uv_timer_t timer_{};
  bool running_ = false;
  std::uint64_t armed_ns_ = 0;
  std::uint64_t armed_cpu_ns_ = 0;
  std::array<std::uint64_t, kBucketsSeconds.size()> buckets_{};
  std::array<std::uint64_t, kBucketsSeconds.size()> busy_buckets_{};
  double busy_sum_seconds_ = 0;
  std::uint64_t count_ = 0;
  double sum_seconds_ = 0;
  struct Window {
    std::uint64_t id = 0;  // now_ns / kWindowNs, + 1 (0: unused)
    std::uint64_t worst_ns = 0;
    std::uint64_t busiest_ns = 0;
  };
  std::array<Window, kWindows> windows_{};

  // The largest value of field over the windows of the last minute.
  std::uint64_t last_minute_max(std::uint64_t now_ns, std::uint64_t Window::*field) const;
};

}  // namespace tally::replica
