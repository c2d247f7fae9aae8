#include "native/raft/loop_stall_watch.hpp"

#include <time.h>

#include <algorithm>

#include "core/invariant.hpp"

namespace tally::replica {

namespace {

// CPU time the calling thread has run, in nanoseconds.
std::uint64_t thread_cpu_ns() {
  timespec now{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now);
  return static_cast<std::uint64_t>(now.tv_sec) * 1'000'000'000 +
         static_cast<std::uint64_t>(now.tv_nsec);
}

void add(std::array<std::uint64_t, LoopStallWatch::kBucketsSeconds.size()>& buckets,
         double seconds) {
  for (std::size_t i = 0; i < buckets.size(); ++i) {
    if (seconds <= LoopStallWatch::kBucketsSeconds[i]) ++buckets[i];
  }
}

}  // namespace

void LoopStallWatch::start(uv_loop_t* loop) {
  TALLY_INVARIANT(!running_, "a loop stall watch starts once");
  uv_timer_init(loop, &timer_);
  timer_.data = this;
  running_ = true;
  armed_ns_ = uv_hrtime();
  armed_cpu_ns_ = thread_cpu_ns();
  uv_timer_start(&timer_, on_timer, kPeriodMs, 0);
}

void LoopStallWatch::close() {
  if (!running_) return;
  running_ = false;
  uv_timer_stop(&timer_);
  uv_close(reinterpret_cast<uv_handle_t*>(&timer_), nullptr);
}

void LoopStallWatch::on_timer(uv_timer_t* timer) {
  auto* watch = static_cast<LoopStallWatch*>(timer->data);
  const std::uint64_t now = uv_hrtime();
  const std::uint64_t cpu = thread_cpu_ns();
  const std::uint64_t due = watch->armed_ns_ + kPeriodMs * 1'000'000;
  watch->record(now > due ? now - due : 0, cpu - watch->armed_cpu_ns_, now);
  watch->armed_ns_ = now;
  watch->armed_cpu_ns_ = cpu;
  uv_timer_start(timer, on_timer, kPeriodMs, 0);
}

void LoopStallWatch::record(std::uint64_t late_ns, std::uint64_t busy_ns, std::uint64_t now_ns) {
  const double seconds = static_cast<double>(late_ns) / 1e9;
  const double busy = static_cast<double>(busy_ns) / 1e9;
  add(buckets_, seconds);
  add(busy_buckets_, busy);
  ++count_;
  sum_seconds_ += seconds;
  busy_sum_seconds_ += busy;
  const std::uint64_t id = now_ns / kWindowNs + 1;
  Window& window = windows_[id % kWindows];
  if (window.id != id) window = {id, 0, 0};
  window.worst_ns = std::max(window.worst_ns, late_ns);
  window.busiest_ns = std::max(window.busiest_ns, busy_ns);
}

std::uint64_t LoopStallWatch::last_minute_max(std::uint64_t now_ns,
                                              std::uint64_t Window::*field) const {
  const std::uint64_t id = now_ns / kWindowNs + 1;
  std::uint64_t most = 0;
  for (const Window& window : windows_) {
    if (window.id != 0 && window.id + kWindows > id && window.id <= id)
      most = std::max(most, window.*field);
  }
  return most;
}

std::uint64_t LoopStallWatch::worst_last_minute_ns(std::uint64_t now_ns) const {
  return last_minute_max(now_ns, &Window::worst_ns);
}

std::uint64_t LoopStallWatch::busiest_last_minute_ns(std::uint64_t now_ns) const {
  return last_minute_max(now_ns, &Window::busiest_ns);
}

}  // namespace tally::replica
